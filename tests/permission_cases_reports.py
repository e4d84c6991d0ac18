"""Access decisions for the report pages, their exports, programme reports and the extract
(merged into ``tests.permission_matrix``; ADR 019).

Reports need ``reports.view``: administrators, coordinators and evaluators (the outsider is the
other organisation's coordinator, so reports its own figures). Tutors, assessors and
participants are refused with 403 before anything is built. An unknown report or format is a
404 to those who may read reports. A programme report is its requester's alone: anyone else,
administrators included, gets 404 for its address. The pseudonymised extract needs
``reports.extract``: administrators and evaluators, not coordinators. An empty programme report
form is a 400 with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from peerpath.reports.models import ReportBuild
from tests.permission_matrix import Case, outcomes

NOT_READERS = ("peer_tutor", "professional_tutor", "assessor", "participant")
REFUSED = dict.fromkeys(NOT_READERS, "forbidden")
READERS = outcomes("ok", anonymous="login", **REFUSED)
READERS_MISSING = outcomes("missing", anonymous="login", **REFUSED)
READERS_BAD = outcomes("bad", anonymous="login", **REFUSED)
OWN_BUILD = outcomes("missing", anonymous="login", coordinator="ok", **REFUSED)
EXTRACTORS = outcomes("forbidden", anonymous="login", administrator="ok", evaluator="ok")
ABSENT_BUILD = "00000000-0000-4000-8000-000000000000"


def _coordinators_build(world: Any) -> dict[str, Any]:
    build = ReportBuild.objects.create(
        requested_by=get_user_model().objects.get(username="coordinator"),
        title="Programme report",
        status=ReportBuild.Status.DONE,
        html="<!DOCTYPE html><title>Programme report</title>",
        pdf=b"%PDF-1.7",
        xlsx=b"PK",
    )
    return {"build_id": build.pk}


def _document(fmt: str) -> Any:
    return lambda world: {**_coordinators_build(world), "fmt": fmt}


CASES: dict[str, list[Case]] = {
    "reports:dashboard": [Case("", READERS)],
    "reports:section": [
        *(
            Case(key, READERS, lambda world, key=key: {"key": key})
            for key in ("reach", "outcomes", "service-use", "coproduction", "accreditation")
        ),
        Case("unknown report", READERS_MISSING, lambda world: {"key": "nonsense"}),
    ],
    "reports:export": [
        Case("reach as CSV", READERS, lambda world: {"key": "reach", "fmt": "csv"}),
        Case("outcomes as XLSX", READERS, lambda world: {"key": "outcomes", "fmt": "xlsx"}),
        Case("unknown format", READERS_MISSING, lambda world: {"key": "reach", "fmt": "pdf"}),
    ],
    "reports:programme_new": [Case("", READERS, post=READERS_BAD)],
    "reports:programme_status": [
        Case("the coordinator's report", OWN_BUILD, _coordinators_build),
        Case("absent report", READERS_MISSING, lambda world: {"build_id": ABSENT_BUILD}),
    ],
    "reports:programme_document": [
        Case("PDF", OWN_BUILD, _document("pdf")),
        Case("XLSX", OWN_BUILD, _document("xlsx")),
        Case("HTML", OWN_BUILD, _document("html")),
        Case("unknown format", READERS_MISSING, _document("doc")),
    ],
    "reports:extract": [Case("", EXTRACTORS)],
}
