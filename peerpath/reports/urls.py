from django.urls import path

from peerpath.reports import extract_views, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("programme/", views.programme_new, name="programme_new"),
    path("programme/<uuid:build_id>/", views.programme_status, name="programme_status"),
    path("programme/<uuid:build_id>/report.<slug:fmt>", views.programme_document, name="programme_document"),
    path("extract/", extract_views.extract, name="extract"),
    path("<slug:key>/", views.section, name="section"),
    path("<slug:key>/export.<slug:fmt>", views.export, name="export"),
]
