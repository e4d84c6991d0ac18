"""URL patterns (namespace ``prospectus``): public, no login."""

from django.urls import path

from peerpath.courses import public_views

app_name = "prospectus"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("<slug:slug>/", public_views.term, name="term"),
    path("<slug:slug>/prospectus.pdf", public_views.pdf, name="pdf"),
    path("<slug:slug>/courses/<uuid:course_id>/", public_views.course, name="course"),
]
