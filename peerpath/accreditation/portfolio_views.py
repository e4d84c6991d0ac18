"""Portfolio screens for candidates, the review of entries, and observation screens for assessors.

Rows come through ``access`` (404 out of scope) and then a named rule (403); writes go
through ``portfolio``'s services, whose errors are shown beside the field they name.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerpath.accreditation import access, portfolio
from peerpath.accreditation.awards import AccreditationError
from peerpath.accreditation.models import Observation, PortfolioEntry
from peerpath.accreditation.portfolio_forms import EntryForm, ObservationForm, ReviewForm, session_label
from peerpath.core.decorators import permission_required, require_object_permission
from peerpath.core.forms import add_service_error, form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.courses.presenters import format_day
from peerpath.people.access import own_person
from peerpath.people.models import Person

# A served file never runs script, whatever is inside it (as for course materials).
DOWNLOAD_CSP = "default-src 'none'; sandbox"
SESSION_LIMIT = 100

ENTRY_TAG_COLOURS = {
    PortfolioEntry.Status.DRAFT: "grey",
    PortfolioEntry.Status.SUBMITTED: "blue",
    PortfolioEntry.Status.ACCEPTED: "green",
    PortfolioEntry.Status.RETURNED: "orange",
}
OUTCOME_TAG_COLOURS = {Observation.Outcome.COMPETENT: "green", Observation.Outcome.NOT_YET: "yellow"}
RATING_TAG_COLOURS = {"competent": "green", "developing": "yellow", "not_seen": "grey"}


def entry_tag(entry: PortfolioEntry) -> dict[str, str]:
    colour = ENTRY_TAG_COLOURS[PortfolioEntry.Status(entry.status)]
    return {"text": entry.get_status_display(), "classes": f"nhsuk-tag--{colour}"}


def outcome_tag(observation: Observation) -> dict[str, str]:
    colour = OUTCOME_TAG_COLOURS[Observation.Outcome(observation.outcome)]
    return {"text": observation.get_outcome_display(), "classes": f"nhsuk-tag--{colour}"}


def back_to_candidate(candidate_id: UUID) -> dict[str, str]:
    """The candidate's page, for assessors and coordinators."""
    return {
        "href": reverse("accreditation:candidate_detail", kwargs={"candidate_id": candidate_id}),
        "text": "Back to the candidate",
    }


def _back(row: Any, candidate_id: UUID) -> dict[str, str]:
    if row.viewer_is_self:
        return {"href": reverse("accreditation:portfolio"), "text": "Back to your portfolio"}
    return back_to_candidate(candidate_id)


# Candidate: the portfolio ---------------------------------------------------------------


@require_safe
@permission_required("accreditation.keep_portfolio")
def portfolio_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's entries, grouped by kind (or one kind), and the observations of them."""
    person = own_person(request.user)
    entries = list(portfolio.entries_of(person))
    counts = Counter(entry.kind for entry in entries)
    chosen = request.GET.get("kind", "")
    kinds = [kind for kind in PortfolioEntry.Kind if kind != PortfolioEntry.Kind.OBSERVATION or counts[kind]]
    if chosen not in {kind.value for kind in kinds}:
        chosen = ""
    groups = [
        {
            "kind": kind,
            "rows": [
                {"entry": entry, "tag": entry_tag(entry), "day": format_day(entry.occurred_on)}
                for entry in entries
                if entry.kind == kind
            ],
        }
        for kind in kinds
        if (not chosen or kind == chosen) and counts[kind]
    ]
    observations = [
        {"observation": observation, "tag": outcome_tag(observation), "day": format_day(observation.observed_on)}
        for observation in portfolio.observations_of(person)
    ]
    return render(
        request,
        "accreditation/portfolio/portfolio.jinja",
        {
            "filters": [{"kind": kind, "count": counts[kind]} for kind in kinds],
            "chosen": chosen,
            "total": len(entries),
            "groups": groups,
            "observations": observations,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("accreditation.keep_portfolio")
def entry_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _entry_form(request, own_person(request.user), None)


@require_http_methods(["GET", "POST"])
def entry_edit(request: AuthenticatedHttpRequest, entry_id: UUID) -> HttpResponse:
    entry = access.access_entry(request.user, entry_id)
    if not _may_change(request, entry):
        raise PermissionDenied
    return _entry_form(request, entry.candidate, entry)


def _may_change(request: AuthenticatedHttpRequest, entry: PortfolioEntry) -> bool:
    # Superusers pass every rule; a portfolio is still changed by its author only.
    return bool(entry.viewer_is_self) and request.user.has_perm("accreditation.change_entry", entry)  # type: ignore[attr-defined]


def _entry_form(request: AuthenticatedHttpRequest, candidate: Person, entry: PortfolioEntry | None) -> HttpResponse:
    posted = request.method == "POST"
    form = EntryForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial=EntryForm.initial_for(entry) if entry else None,
        competencies=portfolio.offered_competencies(),
        has_file=bool(entry and entry.file),
    )
    if posted and form.is_valid():
        submitting = request.POST.get("action") == "submit"
        try:
            # Saved and submitted together, or neither: a refused submission keeps the entry as it was.
            with transaction.atomic():
                saved = portfolio.save_entry(
                    actor=request.user, candidate=candidate, entry=entry, data=form.entry_data()
                )
                if submitting:
                    portfolio.submit_entry(actor=request.user, entry=saved)
        except AccreditationError as error:
            add_service_error(form, error)
        else:
            done = "submitted for review" if submitting else "saved as a draft"
            if not submitting and saved.status == PortfolioEntry.Status.RETURNED:
                done = "saved. Submit it again when it is ready"
            messages.success(request, f"'{saved.title}' has been {done}")
            return redirect("accreditation:entry_detail", entry_id=saved.pk)
    return render(
        request,
        "accreditation/portfolio/entry_form.jinja",
        {"form": form, "entry": entry},
        status=form_status(form),
    )


# Entries: read, review, download -------------------------------------------------------


@require_safe
def entry_detail(request: AuthenticatedHttpRequest, entry_id: UUID) -> HttpResponse:
    """An entry for its author, and for those who follow the candidate; assessors review it here."""
    entry = access.access_entry(request.user, entry_id)
    require_object_permission(request, "accreditation.view_entry", entry)
    return _entry_page(request, entry, ReviewForm())


@require_POST
def entry_review(request: AuthenticatedHttpRequest, entry_id: UUID) -> HttpResponse:
    entry = access.access_entry(request.user, entry_id)
    require_object_permission(request, "accreditation.review_entry", entry)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            portfolio.review_entry(
                actor=request.user, entry=entry, decision=form.cleaned_data["decision"], note=form.cleaned_data["note"]
            )
        except AccreditationError as error:
            add_service_error(form, error)
        else:
            done = "accepted" if entry.status == PortfolioEntry.Status.ACCEPTED else "returned to the candidate"
            messages.success(request, f"'{entry.title}' has been {done}")
            return redirect("accreditation:entry_detail", entry_id=entry.pk)
    return _entry_page(request, entry, form, status=form_status(form))


def _entry_page(
    request: AuthenticatedHttpRequest, entry: PortfolioEntry, review_form: ReviewForm, status: int = 200
) -> HttpResponse:
    user = request.user
    can_review = (
        user.has_perm("accreditation.review_entry", entry)
        and not entry.viewer_is_self  # type: ignore[attr-defined]
        and entry.status == PortfolioEntry.Status.SUBMITTED
    )
    kind = portfolio.file_kind(entry)
    return render(
        request,
        "accreditation/portfolio/entry_detail.jinja",
        {
            "entry": entry,
            "tag": entry_tag(entry),
            "day": format_day(entry.occurred_on),
            "reviewed_on": format_day(entry.reviewed_at),
            "competencies": list(entry.competencies.order_by("order", "code")),
            "file_label": kind.label if kind else "",
            "can_change": _may_change(request, entry),
            "form": review_form if can_review else None,
            "back": _back(entry, entry.candidate_id),
        },
        status=status,
    )


@require_safe
def entry_file(request: AuthenticatedHttpRequest, entry_id: UUID) -> FileResponse:
    """The entry's file as an attachment, to those who may see the entry; it is never served publicly."""
    entry = access.access_entry(request.user, entry_id)
    require_object_permission(request, "accreditation.view_entry", entry)
    kind = portfolio.file_kind(entry)
    if kind is None:
        raise Http404("This entry has no file")
    try:
        stored = entry.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=f"{slugify(entry.title) or 'portfolio-entry'}{kind.extension}",
        content_type=kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


# Assessors: observations -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def observation_add(request: AuthenticatedHttpRequest, candidate_id: UUID) -> HttpResponse:
    """Record an observation of a session the candidate co-delivered: outcome, ratings and feedback."""
    candidate = access.access_candidate(request.user, candidate_id)
    require_object_permission(request, "accreditation.assess_candidate", candidate)
    # Sessions that have started by the end of today and are not yet observed for this candidate.
    end_of_today = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time.min))
    sessions = list(
        access.observable_sessions(request.user, candidate)
        .filter(starts_at__lt=end_of_today)
        .exclude(observations__candidate=candidate)[:SESSION_LIMIT]
    )
    form = ObservationForm(
        request.POST if request.method == "POST" else None,
        sessions=sessions,
        competencies=list(portfolio.observed_competencies()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            observation = portfolio.record_observation(
                actor=request.user,
                candidate=candidate,
                session=form.chosen_session(),
                observed_on=form.cleaned_data["observed_on"],
                outcome=form.cleaned_data["outcome"],
                feedback=form.cleaned_data["feedback"],
                ratings=form.ratings(),
            )
        except AccreditationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Your observation of {candidate.display_name} has been saved")
            return redirect("accreditation:observation_detail", observation_id=observation.pk)
    return render(
        request,
        "accreditation/portfolio/observation_form.jinja",
        {"form": form, "candidate": candidate, "back": back_to_candidate(candidate.pk)},
        status=form_status(form),
    )


@require_safe
def observation_detail(request: AuthenticatedHttpRequest, observation_id: UUID) -> HttpResponse:
    """An observation's outcome, feedback and ratings: the candidate reads them here."""
    observation = access.access_observation(request.user, observation_id)
    require_object_permission(request, "accreditation.view_observation", observation)
    return render(
        request,
        "accreditation/portfolio/observation_detail.jinja",
        {
            "observation": observation,
            "tag": outcome_tag(observation),
            "day": format_day(observation.observed_on),
            "session": session_label(observation.session),
            "ratings": [
                {
                    "rating": rating,
                    "tag": {
                        "text": rating.get_rating_display(),
                        "classes": f"nhsuk-tag--{RATING_TAG_COLOURS.get(rating.rating, 'grey')}",
                    },
                }
                for rating in portfolio.ratings_of(observation)
            ],
            "back": _back(observation, observation.candidate_id),
        },
    )
