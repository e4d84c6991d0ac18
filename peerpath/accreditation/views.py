"""Accreditation screens."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from peerpath.accreditation import assessment, lifecycle, staffing
from peerpath.accreditation.presenters import award_row
from peerpath.core.decorators import permission_required
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.courses.presenters import format_day
from peerpath.delivery.access import visible_runs
from peerpath.people.access import own_person

LIMIT = 200


@require_safe
@permission_required("accreditation.review_staffing")
def uncovered_staffing(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Peer tutors assigned to runs their awards no longer cover (expired, suspended, revoked, or never held)."""
    rows = list(staffing.uncovered_assignments(visible_runs(request.user))[: LIMIT + 1])
    return render(
        request,
        "accreditation/uncovered_staffing.jinja",
        {
            "rows": [
                {"assignment": row, "day": format_day(row.day_that_counts)}  # type: ignore[attr-defined]
                for row in rows[:LIMIT]
            ],
            "more": len(rows) > LIMIT,
            "limit": LIMIT,
        },
    )


@require_safe
@permission_required("accreditation.view_own_progress")
def my_progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's awards, and for each scheme what is met and what is still missing."""
    person = own_person(request.user)
    today = timezone.localdate()
    awards = lifecycle.awards_of(person.pk)
    return render(
        request,
        "accreditation/my_progress.jinja",
        {
            "awards": [award_row(award, today) for award in awards],
            "schemes": [item for item in assessment.scheme_progress(person.pk, awards, today=today) if not item.held],
        },
    )
