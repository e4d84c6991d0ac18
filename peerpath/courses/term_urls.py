"""URL patterns (namespace ``terms``)."""

from django.urls import path

from peerpath.courses import term_views

app_name = "terms"

urlpatterns = [
    path("", term_views.term_list, name="term_list"),
    path("add/", term_views.term_create, name="term_create"),
    path("<uuid:pk>/edit/", term_views.term_edit, name="term_edit"),
]
