"""The public verification page of an award (namespace ``verify``), mounted at ``/verify/``."""

from django.urls import URLPattern, path

from peerpath.accreditation import verify_views

app_name = "verify"

urlpatterns: list[URLPattern] = [
    path("", verify_views.lookup, name="lookup"),
    path("<str:code>/", verify_views.award, name="award"),
]
