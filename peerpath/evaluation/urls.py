"""Staff pages for evaluation: runs' questionnaires and scores, a run's own schedule, and safety
alerts to follow up (namespace ``evaluation``, mounted at ``/evaluation/``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from peerpath.evaluation import views

app_name = "evaluation"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("runs/<uuid:run_id>/", views.run_detail, name="run"),
    path("runs/<uuid:run_id>/schedule/<str:timepoint>/", views.run_schedule, name="run_schedule"),
    path("safety-alerts/", views.alerts, name="alerts"),
    path("safety-alerts/<int:alert_id>/", views.alert, name="alert"),
]
