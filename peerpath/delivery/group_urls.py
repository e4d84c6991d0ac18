"""URL patterns (namespace ``groups``): support groups and their meetings."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "groups"

urlpatterns: list[URLPattern] = []
