"""URL patterns for the credential screens, joined into the ``accreditation`` namespace by ``urls.py``."""

from django.urls import path

from peerpath.accreditation import credential_views

urlpatterns = [
    path("awards/<uuid:award_id>/credential.json", credential_views.credential_json, name="credential_json"),
    path("awards/<uuid:award_id>/badge.png", credential_views.badge_png, name="badge_png"),
]
