from django.urls import path

from peerpath.bundles import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("import/", views.import_start, name="import_start"),
    path("import/<uuid:pk>/", views.import_preview, name="import_preview"),
    path("<uuid:pk>/", views.programme_detail, name="programme_detail"),
    path("<uuid:pk>/export/", views.programme_export, name="programme_export"),
    path("exports/<uuid:pk>/", views.export_status, name="export_status"),
    path("exports/<uuid:pk>/download/", views.export_download, name="export_download"),
]
