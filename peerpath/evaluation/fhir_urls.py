"""Read-only FHIR R4 endpoints (namespace ``fhir``): Questionnaire and QuestionnaireResponse (ADR 017)."""

from __future__ import annotations

app_name = "fhir"

urlpatterns: list[object] = []
