"""Staff typing in paper, phone and in-person questionnaires (namespace ``evaluation_entry``),
mounted at ``/evaluation/entry/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from peerpath.evaluation import entry_views as views

app_name = "evaluation_entry"

urlpatterns: list[URLPattern] = [
    path("new/", views.start, name="start"),
    path("<uuid:response_id>/", views.entry_form, name="form"),
]
