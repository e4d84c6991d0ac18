"""Service-wide pages: start, home, static information and error pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from peerpath.core.home import home_sections
from peerpath.core.types import AuthenticatedHttpRequest


@login_not_required
@require_safe
def start(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect(reverse("core:home"))
    return render(request, "core/start.jinja")


@require_safe
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "core/home.jinja", {"sections": home_sections(request)})


@login_not_required
@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.jinja")


@login_not_required
@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.jinja")


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return render(request, template, status=status)


@login_not_required
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    too_big = isinstance(exception, RequestDataTooBig)
    context = {"too_big": too_big, "max_upload": filesizeformat(settings.PEERPATH_MATERIAL_MAX_BYTES)}
    return render(request, "core/errors/400.jinja", context, status=400)


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "core/errors/403.jinja", 403)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "core/errors/404.jinja", 404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever failed may fail again while rendering it.
    return HttpResponse(render_to_string("core/errors/500.jinja"), status=500)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(request, "core/errors/csrf.jinja", 403)
