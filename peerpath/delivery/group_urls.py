"""URL patterns (namespace ``groups``): support groups and their meetings."""

from django.urls import path

from peerpath.delivery import group_views

app_name = "groups"

urlpatterns = [
    path("", group_views.group_list, name="group_list"),
    path("add/", group_views.group_create, name="group_create"),
    path("<uuid:pk>/", group_views.group_detail, name="group_detail"),
    path("<uuid:pk>/edit/", group_views.group_edit, name="group_edit"),
    path("<uuid:pk>/meetings/add/", group_views.meeting_create, name="meeting_create"),
    path("<uuid:pk>/meetings/<uuid:meeting_id>/edit/", group_views.meeting_edit, name="meeting_edit"),
]
