"""URL patterns for the assessment screens, joined into the ``accreditation`` namespace by ``urls.py``."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
