"""Read-only FHIR R4 endpoints (namespace ``fhir``): Questionnaire and QuestionnaireResponse (ADR 017).

Ids are matched as plain strings, not with Django's ``uuid`` converter, so that a malformed
id reaches the view and is answered with a FHIR OperationOutcome (404) rather than the
site's HTML "page not found".
"""

from __future__ import annotations

from django.urls import URLPattern, path

from peerpath.evaluation import fhir_views as views

app_name = "fhir"

urlpatterns: list[URLPattern] = [
    path("Questionnaire/<str:questionnaire_id>", views.questionnaire, name="questionnaire"),
    path("QuestionnaireResponse/<str:response_id>", views.questionnaire_response, name="questionnaire_response"),
]
