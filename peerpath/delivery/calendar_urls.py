"""URL patterns (namespace ``calendar``): private iCalendar feeds."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "calendar"

urlpatterns: list[URLPattern] = []
