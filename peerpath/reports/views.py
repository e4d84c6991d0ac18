"""Report pages, their exports and the programme report (namespace ``reports``; ADR 019).

Every page reads the shared filters (``filters.read_filters``): organisations the user may
report on, a period, and optional narrowing. A bad filter value is dropped with a message,
never a 500. Figures come from the sections, go through ``presenting.show`` (the disclosure
policy, unless the user may see exact figures for every organisation chosen) and are laid
out by one macro, so a page, its export and the programme report agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from peerpath.core.decorators import permission_required
from peerpath.core.forms import error_list
from peerpath.core.pdf import pdf_response
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.reports import access, exports, programme
from peerpath.reports.filters import read_filters
from peerpath.reports.forms import CompareForm, OutcomeOptionsForm, ProgrammeReportForm
from peerpath.reports.models import ReportBuild
from peerpath.reports.presenting import SECTIONS, about_rows, figure, shown_section
from peerpath.reports.sections import outcomes

EXPORT_FORMATS = ("csv", "xlsx")


def _warn(request: AuthenticatedHttpRequest, notes: list[str]) -> None:
    for note in notes:
        messages.warning(request, note)


def _section_options(key: str, request: AuthenticatedHttpRequest) -> tuple[dict[str, Any], Any]:
    """The section's own options (outcomes: measure, scale, comparison, breakdown)."""
    if key == "outcomes":
        known = outcomes.measures()
        form: Any = OutcomeOptionsForm(request.GET, measures=known)
        options, notes = form.options()
        options["known"] = known
    elif key == "service-use":
        form = CompareForm(request.GET)
        options, notes = form.options()
    else:
        return {}, None
    _warn(request, notes)
    return options, form


@dataclass(frozen=True)
class Dashboard:
    """What one kind of reader sees first: its sections, headline charts (by table) and figures."""

    intro: str
    sections: tuple[str, ...]
    charts: tuple[tuple[str, str], ...]
    # (label, section, table, column, row or None for the total, detail)
    figures: tuple[tuple[str, str, str, str, int | None, str], ...]


SERVED = ("People served", "reach", "returning", "people", None, "came to a course session or a named group meeting")
TRAINED = ("Started Train the Trainer", "reach", "funnel", "people", 0, "in this period")
ACCREDITED = ("Accredited", "reach", "funnel", "people", 2, "of those who started, holding or having held an award")
DASHBOARDS = {
    # Coordinators run the programme: who came, who is being trained, awards to renew.
    "coordinator": Dashboard(
        intro="Your organisation's programme: who came, how {people} changed, and the trainers you are accrediting.",
        sections=("reach", "accreditation", "outcomes"),
        charts=(("reach", "categories"), ("outcomes", "effects"), ("accreditation", "expiring")),
        figures=(
            SERVED,
            TRAINED,
            ("Awards to renew", "accreditation", "expiring", "total", None, "run out in the next 90 days"),
        ),
    ),
    # Evaluators and funders ask what difference it made, and for whom.
    "evaluator": Dashboard(
        intro="What difference the programme made, and for whom: small numbers are hidden and other counts rounded.",
        sections=("outcomes", "reach"),
        charts=(("outcomes", "effects"), ("reach", "ethnic_group"), ("reach", "funnel")),
        figures=(SERVED, TRAINED, ACCREDITED),
    ),
    # Administrators see the network as a whole.
    "administrator": Dashboard(
        intro="The whole network: reach, training and accreditation, and outcomes.",
        sections=("reach", "outcomes", "accreditation"),
        charts=(("reach", "funnel"), ("reach", "categories"), ("outcomes", "effects"), ("accreditation", "pipeline")),
        figures=(SERVED, TRAINED, ACCREDITED),
    ),
}


def _dashboard_for(request: AuthenticatedHttpRequest, exact: bool) -> Dashboard:
    if request.user.is_superuser:
        return DASHBOARDS["administrator"]
    return DASHBOARDS["coordinator" if exact else "evaluator"]


@require_safe
@permission_required("reports.view")
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Headline figures and charts for the reader's organisations, and the way into each report."""
    filters = read_filters(request.user, request.GET)
    _warn(request, filters.messages)
    scope = filters.scope
    board = _dashboard_for(request, scope.exact)
    shown = {key: shown_section(key, scope, id_prefix="dash-") for key in board.sections}
    charts = [(key, drawn) for key, table in board.charts for drawn in shown[key].charts if drawn.table.key == table]
    figures = [
        (label, figure(shown[key], table, column, row), detail)
        for label, key, table, column, row, detail in board.figures
    ]
    empty = [section for section in shown.values() if section.section.empty]
    return render(
        request,
        "reports/dashboard.jinja",
        {
            "filters": filters,
            "board": board,
            "rule": next(iter(shown.values())).rule,
            "exact": scope.exact,
            "charts": charts,
            "key_figures": figures,
            "empty": empty,
            "sections": SECTIONS,
            "may_extract": access.may_extract(request.user),
            "builds": programme.recent_builds(request.user),
        },
    )


@require_safe
@permission_required("reports.view")
def section(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    if key not in SECTIONS:
        raise Http404("No such report")
    filters = read_filters(request.user, request.GET)
    _warn(request, filters.messages)
    options, options_form = _section_options(key, request)
    return render(
        request,
        "reports/section.jinja",
        {
            "key": key,
            "filters": filters,
            "options_form": options_form,
            "shown": shown_section(key, filters.scope, **options),
            "sections": SECTIONS,
            "query": request.GET.urlencode(),
        },
    )


@require_safe
@permission_required("reports.view")
def export(request: AuthenticatedHttpRequest, key: str, fmt: str) -> HttpResponseBase:
    """Every table of one report as CSV or XLSX, always through the disclosure policy."""
    if key not in SECTIONS or fmt not in EXPORT_FORMATS:
        raise Http404("No such export")
    filters = read_filters(request.user, request.GET)
    options, _ = _section_options(key, request)
    scope = filters.scope.published
    shown = shown_section(key, scope, **options)
    tables = shown.tables
    if wanted := request.GET.get("table"):
        # One table of the report (its own download link); an unknown one is not found.
        tables = [table for table in tables if table.key == wanted]
        if not tables:
            raise Http404("No such table")
    about = [*about_rows(scope, shown), *(("Note", note) for note in filters.messages)]
    filename = f"peerpath-{key}-{wanted or 'all'}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}"
    if fmt == "csv":
        return exports.csv_response(tables, filename=f"{filename}.csv", about=about)
    return exports.xlsx_response(tables, filename=f"{filename}.xlsx", about=about)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("reports.view")
def programme_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for a programme report for the filters chosen; it is built in the background."""
    filters = read_filters(request.user, request.GET)
    form = ProgrammeReportForm(
        request.POST if request.method == "POST" else None, initial={"title": "Programme report"}
    )
    if request.method == "POST" and form.is_valid():
        build = programme.request_report(actor=request.user, query=request.GET, title=form.cleaned_data["title"])
        return redirect("reports:programme_status", build_id=build.pk)
    _warn(request, filters.messages)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "reports/programme_new.jinja",
        {
            "filters": filters,
            "form": form,
            "errors": error_list(form) if form.is_bound else [],
            "query": request.GET.urlencode(),
        },
        status=status,
    )


def _own_build(request: AuthenticatedHttpRequest, build_id: UUID) -> ReportBuild:
    return programme.own_build(request.user, build_id)


@require_safe
@permission_required("reports.view")
def programme_status(request: AuthenticatedHttpRequest, build_id: UUID) -> HttpResponse:
    """Progress while the report is built (the page polls itself with HTMX), then the downloads."""
    build = _own_build(request, build_id)
    template = (
        "reports/_programme_progress.jinja" if request.headers.get("HX-Request") else "reports/programme_status.jinja"
    )
    return render(request, template, {"build": build})


@require_safe
@permission_required("reports.view")
def programme_document(request: AuthenticatedHttpRequest, build_id: UUID, fmt: str) -> HttpResponse:
    build = _own_build(request, build_id)
    if build.status != ReportBuild.Status.DONE:
        raise Http404("This report is not ready")
    name = f"{build.title} {build.created_at:%Y-%m-%d}"
    if fmt == "pdf":
        return pdf_response(bytes(build.pdf or b""), name, inline=False)
    if fmt == "xlsx":
        response = HttpResponse(bytes(build.xlsx or b""), content_type=exports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{exports.safe_filename(name, "xlsx")}"'
        return response
    if fmt == "html":
        return HttpResponse(build.html)
    raise Http404("No such format")
