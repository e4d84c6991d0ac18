"""URL patterns for the certificate screens, joined into the ``accreditation`` namespace by ``urls.py``."""

from django.urls import URLPattern, path

from peerpath.accreditation import certificate_views

urlpatterns: list[URLPattern] = [
    path("awards/<uuid:award_id>/certificate.pdf", certificate_views.certificate, name="certificate"),
    path("verification-consent/", certificate_views.verification_consent, name="verification_consent"),
]
