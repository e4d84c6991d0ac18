"""URL patterns for assessors' screens and award records, joined into the ``accreditation`` namespace."""

from django.urls import path

from peerpath.accreditation import assessment_views as views

urlpatterns = [
    path("candidates/", views.candidate_list, name="candidate_list"),
    path("candidates/<uuid:candidate_id>/", views.candidate_detail, name="candidate_detail"),
    path("candidates/<uuid:candidate_id>/grant/", views.grant, name="grant"),
    path("awards/<uuid:award_id>/", views.award_detail, name="award_detail"),
    path("awards/<uuid:award_id>/status/", views.award_change, name="award_change"),
    path("awards/<uuid:award_id>/renew/", views.award_renew, name="award_renew"),
]
