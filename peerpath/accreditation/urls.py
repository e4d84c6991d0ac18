"""URL patterns (namespace ``accreditation``), gathered from one module per group of screens."""

from django.urls import path

from peerpath.accreditation import assessment_urls, certificate_urls, credential_urls, portfolio_urls, views

app_name = "accreditation"

urlpatterns = [
    path("staffing/", views.uncovered_staffing, name="uncovered_staffing"),
    path("my-progress/", views.my_progress, name="my_progress"),
    *portfolio_urls.urlpatterns,
    *assessment_urls.urlpatterns,
    *certificate_urls.urlpatterns,
    *credential_urls.urlpatterns,
]
