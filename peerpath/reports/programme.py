"""The programme report: every section for a chosen period and organisations, as one document.

It is what a Recovery College sends its funder or publishes for other areas, so it always
goes through the disclosure policy, whoever asks (``Scope.published``). Building it takes
seconds at regional scale and longer nationally, so ``request_report`` records a
``ReportBuild`` and queues ``tasks.build_programme_report``; the task moves the build's
progress on after each section and stores the HTML, the PDF and an XLSX of every table.
With the immediate task backend (tests, ``make demo``) the build has finished by the time
the request that asked for it returns.
"""

from __future__ import annotations

import logging
import uuid
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404, QueryDict
from django.template.loader import render_to_string
from django.utils import timezone

from peerpath.core import audit, pdf
from peerpath.programmes.context import fill, user_terms
from peerpath.programmes.terms import DEFAULT, Terms
from peerpath.reports import exports
from peerpath.reports.filters import Scope, read_filters
from peerpath.reports.models import ReportBuild
from peerpath.reports.presenting import SECTIONS, ShownSection, about_rows, build_section, show
from peerpath.reports.sections import outcomes

logger = logging.getLogger(__name__)

# Sections, then the outcome breakdowns, the PDF and the workbook.
EXTRA_STEPS = 3


def request_report(*, actor: Any, query: QueryDict, title: str) -> ReportBuild:
    """Record a programme report asked for by ``actor`` with the report filters in ``query``."""
    filters = {key: query.getlist(key) for key in query if key not in ("csrfmiddlewaretoken", "title")}
    with transaction.atomic():
        build = ReportBuild.objects.create(
            requested_by=actor,
            filters=filters,
            title=title,
            steps_total=len(SECTIONS) + EXTRA_STEPS,
        )
        audit.record(actor=actor, action="reports.programme_report_requested", target=build, data={"filters": filters})
        transaction.on_commit(partial(_queue, build.pk))
    return build


def recent_builds(user: Any, limit: int = 5) -> list[ReportBuild]:
    """The user's newest programme reports, without their documents."""
    return list(
        ReportBuild.objects.filter(requested_by=user)
        .defer("html", "pdf", "xlsx", "filters")
        .order_by("-created_at")[:limit]
    )


def own_build(user: Any, build_id: uuid.UUID) -> ReportBuild:
    """One of the user's own programme reports; anyone else's is a 404, like one that does not exist."""
    build = ReportBuild.objects.filter(pk=build_id, requested_by=user).first()
    if build is None:
        raise Http404("No such report")
    return build


def _queue(build_id: uuid.UUID) -> None:
    from peerpath.reports.tasks import build_programme_report

    build_programme_report.enqueue(str(build_id))


def _query(filters: dict[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in filters.items():
        query.setlist(key, [str(value) for value in values])
    return query


def _step(build: ReportBuild, label: str) -> None:
    build.steps_done += 1
    build.step_label = label
    build.save(update_fields=["steps_done", "step_label"])


def build_report(build_id: uuid.UUID | str) -> None:
    """Build one requested report (idempotent: a finished build is left as it is)."""
    build = ReportBuild.objects.select_related("requested_by").filter(pk=build_id).first()
    if build is None or build.status == ReportBuild.Status.DONE:
        return
    build.status, build.steps_done, build.step_label = ReportBuild.Status.RUNNING, 0, "Starting"
    build.save(update_fields=["status", "steps_done", "step_label"])
    try:
        user = get_user_model().objects.get(pk=build.requested_by_id)
        if not user.has_perm("reports.view"):
            raise PermissionError("You no longer have access to reports.")
        scope = read_filters(user, _query(build.filters)).scope.published
        terms = user_terms(user)
        shown = _sections(build, scope, terms)
        html = render_document(build.title, scope, shown, made_at=timezone.now(), terms=terms)
        _step(build, "Laying out the PDF")
        document = pdf.html_to_pdf(html)
        _step(build, "Writing the workbook")
        workbook = exports.xlsx_bytes(
            [table for section in shown for table in section.tables],
            about=about_rows(scope, shown[0] if shown else None),
        )
    except Exception as error:  # a failed build says so on its page; the error goes to the log
        logger.exception("Programme report %s failed", build.pk)
        build.status = ReportBuild.Status.FAILED
        build.error = (
            str(error)[:500] if isinstance(error, PermissionError) else ("Something went wrong while building it.")
        )
        build.finished_at = timezone.now()
        build.save(update_fields=["status", "error", "finished_at"])
        return
    build.html, build.pdf, build.xlsx = html, document, workbook
    build.status, build.finished_at, build.step_label = ReportBuild.Status.DONE, timezone.now(), "Ready"
    build.steps_done = build.steps_total
    build.save(update_fields=["html", "pdf", "xlsx", "status", "finished_at", "step_label", "steps_done"])


def _sections(build: ReportBuild, scope: Scope, terms: Terms = DEFAULT) -> list[ShownSection]:
    shown: list[ShownSection] = []
    known = outcomes.measures()
    for key, (title, _) in SECTIONS.items():
        options: dict[str, Any] = {"known": known} if key == "outcomes" else {}
        shown.append(show(build_section(key, scope, **options), scope, id_prefix="report-"))
        _step(build, fill(title, terms))
    # Each measure with answers, broken down by course category, from one read of the scores.
    for code, detail in outcomes.breakdowns(scope, known, grouping="category"):
        shown.append(show(detail, scope, id_prefix=f"report-{code}-"))
    _step(build, "Outcomes by course category")
    return shown


def render_document(
    title: str, scope: Scope, shown: list[ShownSection], *, made_at: Any, terms: Terms = DEFAULT
) -> str:
    """The programme report as one HTML document, in the words of the requester's programmes
    (the task has no request to find them from)."""
    return render_to_string(
        "reports/programme_report.jinja",
        {
            "title": title,
            "scope": scope,
            "about": about_rows(scope),
            "sections": shown,
            "made_at": made_at,
            "terms": terms,
            "rule": shown[0].rule if shown else "",
        },
        using="jinja2",
    )
