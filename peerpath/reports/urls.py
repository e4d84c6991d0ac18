from django.urls import path

from peerpath.reports import extract_views, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("extract/", extract_views.extract, name="extract"),
]
