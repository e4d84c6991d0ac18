"""The application's URLs plus a bare view: the floor each page's latency is compared with.

The bare view goes through the same gunicorn workers and the whole middleware stack,
but needs no login, touches no database and renders no template.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from peerpath.config import urls as application_urls

BARE_PATH = "__bench__/bare/"


@login_not_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path(BARE_PATH, bare, name="bench_bare"),
    path("", include(application_urls)),
]

handler400 = application_urls.handler400
handler403 = application_urls.handler403
handler404 = application_urls.handler404
handler500 = application_urls.handler500
