"""URL patterns (namespace ``accreditation``)."""

from django.urls import path

from peerpath.accreditation import views

app_name = "accreditation"

urlpatterns = [
    path("staffing/", views.uncovered_staffing, name="uncovered_staffing"),
    path("my-progress/", views.my_progress, name="my_progress"),
]
