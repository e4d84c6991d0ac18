"""URL patterns (namespace ``courses``): the coordinators' course screens."""

from django.urls import path

from peerpath.courses.views import activities, courses, versions

app_name = "courses"

urlpatterns = [
    path("", courses.course_list, name="course_list"),
    path("new/", courses.course_create, name="course_create"),
    path("<uuid:pk>/", courses.course_detail, name="course_detail"),
    path("<uuid:pk>/edit/", courses.course_edit, name="course_edit"),
    path("<uuid:pk>/status/", courses.course_status, name="course_status"),
    path("<uuid:pk>/activities/new/", activities.activity_add, name="activity_add"),
    path("<uuid:pk>/materials/<uuid:material_id>/", versions.material_download, name="material_download"),
    path("<uuid:pk>/versions/<int:number>/", versions.version_detail, name="version_detail"),
    path("<uuid:pk>/versions/<int:number>/edit/", versions.version_edit, name="version_edit"),
    path("<uuid:pk>/versions/<int:number>/approve/", versions.version_approve, name="version_approve"),
    path("<uuid:pk>/versions/<int:number>/materials/new/", versions.material_add, name="material_add"),
    path(
        "<uuid:pk>/versions/<int:number>/materials/<uuid:material_id>/remove/",
        versions.material_remove,
        name="material_remove",
    ),
]
