"""URL patterns for the portfolio screens, joined into the ``accreditation`` namespace by ``urls.py``."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
