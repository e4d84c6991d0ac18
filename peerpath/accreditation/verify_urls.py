"""The public verification page of an award (namespace ``verify``), mounted at ``/verify/``."""

from django.urls import URLPattern

app_name = "verify"

urlpatterns: list[URLPattern] = []
