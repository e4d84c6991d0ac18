"""URL patterns (namespace ``terms``)."""

from django.urls import URLPattern

app_name = "terms"

urlpatterns: list[URLPattern] = []
