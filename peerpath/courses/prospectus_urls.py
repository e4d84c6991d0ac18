"""URL patterns (namespace ``prospectus``)."""

from django.urls import URLPattern

app_name = "prospectus"

urlpatterns: list[URLPattern] = []
