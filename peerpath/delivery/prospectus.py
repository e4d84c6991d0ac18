"""Runs in the public prospectus: one entry per run open for enrolment (or full, with its waiting list).

Registered with ``peerpath.courses.prospectus`` at start-up (``DeliveryConfig.ready``);
a course with runs in a term is then listed by its runs instead of once as a course.
Only what a printed prospectus would say: dates, venue, places left and how many wait.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from peerpath.courses.models import Term
from peerpath.courses.prospectus import Borough, ProspectusEntry, coproduction_summaries, course_entry
from peerpath.delivery.models import CourseRun, Session
from peerpath.delivery.presenters import venue_text
from peerpath.people.models import Organisation

LISTED = (CourseRun.Status.OPEN, CourseRun.Status.FULL)


def _listed_runs(term: Term) -> list[CourseRun]:
    partners = Organisation.objects.select_related("area").order_by("name")
    return list(
        CourseRun.objects.filter(term=term, status__in=LISTED)
        .select_related("version__course__owner__area", "version__course__programme")
        .prefetch_related(Prefetch("version__course__partners", queryset=partners))
        .order_by("starts_at", "pk")
    )


def _first_venues(runs: list[CourseRun]) -> dict[Any, Any]:
    """Each run's first session's venue (one query for all runs)."""
    venues: dict[Any, Any] = {}
    first_sessions = Session.objects.filter(run__in=runs).select_related("venue__area").order_by("run_id", "number")
    for session in first_sessions:
        venues.setdefault(session.run_id, session.venue)
    return venues


def run_entries(term: Term) -> list[ProspectusEntry]:
    """The term's runs open for enrolment or full, as prospectus entries (four queries)."""
    runs = _listed_runs(term)
    if not runs:
        return []
    summaries = coproduction_summaries(sorted({run.version.course_id for run in runs}))
    venues = _first_venues(runs)
    entries = []
    for run in runs:
        venue = venues.get(run.pk)
        boroughs = (Borough(venue.area.code, venue.area.name),) if venue is not None and venue.area else None
        first = run.starts_at
        entries.append(
            course_entry(
                run.version.course,
                summaries[run.version.course_id],
                boroughs=boroughs,
                run_id=run.pk,
                starts_on=timezone.localdate(first) if first else None,
                venue=venue_text(venue),
                places_left=max(run.capacity - run.places_taken, 0),
                waiting=run.waiting,
                enrol_url=reverse("delivery:enrol", kwargs={"pk": run.pk}),
            )
        )
    return entries


def public_run(pk: Any) -> CourseRun:
    """A run anyone may see and ask to join: open or full, in a published term; else 404."""
    try:
        return (
            CourseRun.objects.filter(status__in=LISTED, term__published=True)
            .select_related("version__course", "term", "organisation")
            .get(pk=pk)
        )
    except (CourseRun.DoesNotExist, ValueError, ValidationError):
        raise Http404("This course run is not open for enrolment") from None
