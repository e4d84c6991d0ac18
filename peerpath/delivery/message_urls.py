"""URL patterns (namespace ``messages``): messages to a run's participants."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "messages"

urlpatterns: list[URLPattern] = []
