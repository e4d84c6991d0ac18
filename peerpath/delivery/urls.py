"""URL patterns (namespace ``delivery``): course runs, registers, venues and participants' own courses."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "delivery"

urlpatterns: list[URLPattern] = []
