"""The public prospectus: open to everyone, no login, no personal data.

Published terms only; an unpublished term is a preview for those who may edit
it and a 404 for everyone else. Every page is built from
``peerpath.courses.prospectus``, which decides what a public page may show.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from peerpath.core.forms import form_status
from peerpath.core.pdf import cached_html_to_pdf, pdf_response
from peerpath.courses import coproduction, prospectus
from peerpath.courses.models import Term
from peerpath.courses.term_forms import ProspectusFilterForm
from peerpath.programmes.context import shared_terms


@login_not_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "prospectus/index.jinja", {"groups": prospectus.open_terms(timezone.localdate())})


def _term_context(request: HttpRequest, term: Term) -> tuple[dict[str, object], ProspectusFilterForm]:
    everything = prospectus.all_entries(term)
    boroughs = prospectus.boroughs_of(everything)
    # The words the term's courses share (each entry carries its programme's; no query).
    terms = shared_terms(entry.terms for entry in everything)
    form = ProspectusFilterForm(request.GET, boroughs=boroughs, terms=terms)
    valid = form.is_valid()
    filters = form.filters() if valid else prospectus.NO_FILTERS
    context: dict[str, object] = {
        "term": term,
        "terms": terms,
        "dates": prospectus.format_dates(term.starts_on, term.ends_on),
        "ended": term.ends_on < timezone.localdate(),
        "form": form,
        "entries": prospectus.filter_entries(everything, filters) if valid else [],
        "total": len(everything),
        "filters": filters,
        "filter_text": filters.describe(boroughs, terms),
        "query": request.GET.urlencode() if valid else "",
    }
    return context, form


@login_not_required
@require_safe
def term(request: HttpRequest, slug: str) -> HttpResponse:
    chosen = prospectus.visible_term(request.user, slug)
    context, form = _term_context(request, chosen)
    return render(request, "prospectus/term.jinja", context, status=form_status(form))


@login_not_required
@require_safe
def course(request: HttpRequest, slug: str, course_id: UUID) -> HttpResponse:
    chosen = prospectus.visible_term(request.user, slug)
    offered = prospectus.offered_course(chosen, course_id)
    profile = coproduction.profile_for(offered.pk)
    entry = prospectus.course_entry(offered, prospectus.CoproductionSummary.of(profile))
    capacities, stages = prospectus.profile_rows(profile, entry.terms)
    version = prospectus.approved_version(offered)
    return render(
        request,
        "prospectus/course.jinja",
        {
            "term": chosen,
            "terms": entry.terms,
            "entry": entry,
            "outcomes": version.outcomes if version else [],
            "outline": list(version.outline.all()) if version else [],
            "profile": profile,
            "rule_text": prospectus.rule_text(profile.rule),
            "capacities": capacities,
            "stages": stages,
            "credits": prospectus.credits_for(offered.pk, entry.terms),
        },
    )


@login_not_required
@require_safe
def pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The printable prospectus, with the same filters as the page; bad filters get the page and its errors."""
    chosen = prospectus.visible_term(request.user, slug)
    context, form = _term_context(request, chosen)
    if not form.is_valid():
        return render(request, "prospectus/term.jinja", context, status=form_status(form))
    entries: list[prospectus.ProspectusEntry] = context["entries"]  # type: ignore[assignment]
    context["outcomes"] = prospectus.approved_outcomes([entry.course_id for entry in entries])
    html = render_to_string("prospectus/term_print.jinja", context, request=request, using="jinja2")
    return pdf_response(
        cached_html_to_pdf(html, request=request, prefix="prospectus-pdf"), filename=f"{slug}-prospectus.pdf"
    )
