"""Every change to course runs goes through these functions, each one transaction with its audit event.

Run status moves are checked in one place (``TRANSITIONS``). A run is created
from an *approved* version only, its sessions follow the version's outline, and
it opens for enrolment only when ``staffing_gaps`` is empty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.audit import Actor
from peerpath.courses.models import CourseVersion, Term
from peerpath.delivery import hooks
from peerpath.delivery.models import CourseRun, FacilitatorAssignment, RunStatusChange, Session, Venue
from peerpath.people.models import Membership, Organisation, Person

Status = CourseRun.Status
Role = FacilitatorAssignment.Role

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.OPEN, Status.CANCELLED}),
    Status.OPEN: frozenset({Status.PLANNED, Status.FULL, Status.RUNNING, Status.CANCELLED}),
    Status.FULL: frozenset({Status.OPEN, Status.RUNNING, Status.CANCELLED}),
    Status.RUNNING: frozenset({Status.COMPLETED, Status.CANCELLED}),
    Status.COMPLETED: frozenset(),
    Status.CANCELLED: frozenset(),
}
# Roles that need an accredited person, and the version field that says how many.
ACCREDITED_ROLES = {Role.PEER_TRAINER: "peer_trainers_required", Role.PEER_FACILITATOR: "peer_facilitators_required"}
REQUIRED = {**ACCREDITED_ROLES, Role.PROFESSIONAL_TUTOR: "professional_tutors_required"}


class DeliveryError(Exception):
    """A rule about course runs was broken; the message is fit to show."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _transition(actor: Actor, run: CourseRun, to_status: str, reason: str = "") -> None:
    if to_status not in TRANSITIONS.get(run.status, frozenset()):
        raise DeliveryError(
            f"A run that is {run.get_status_display().lower()} cannot become {Status(to_status).label.lower()}",
            field="status",
        )
    fields: dict[str, Any] = {"status": to_status}
    if to_status == Status.CANCELLED:
        fields["cancellation_reason"] = reason
    # Conditional: a concurrent change to the same run makes this one fail cleanly.
    if not CourseRun.objects.filter(pk=run.pk, status=run.status).update(**fields):
        raise DeliveryError("Someone else changed this run's status just now. Check it and try again", field="status")
    RunStatusChange.objects.create(
        run=run, from_status=run.status, to_status=to_status, reason=reason, **audit.attribution(actor)
    )
    audit.record(actor=actor, action="run.status_changed", target=run, data={"from": run.status, "to": to_status})
    run.status = to_status
    if to_status == Status.CANCELLED:
        run.cancellation_reason = reason


@transaction.atomic
def create_run(
    *,
    actor: Actor,
    version: CourseVersion,
    term: Term,
    organisation: Organisation,
    capacity: int,
    starts: Sequence[datetime],
    venue: Venue | None = None,
    enrolment_opens_on: date | None = None,
    enrolment_closes_on: date | None = None,
) -> CourseRun:
    """A planned run of an approved version, with one session per outline entry starting at ``starts``."""
    user = audit.person_actor(actor)
    course = version.course
    if version.status != CourseVersion.Status.APPROVED:
        raise DeliveryError(f"Only the approved version of {course} can be run", field="version")
    if organisation.pk != course.owner_id and not course.partners.filter(pk=organisation.pk).exists():
        raise DeliveryError("A run is organised by the course's owner or one of its partners", field="organisation")
    if capacity < 1:
        raise DeliveryError("A run needs at least one place", field="capacity")
    outline = list(version.outline.order_by("number"))
    if len(starts) != len(outline):
        raise DeliveryError(f"The course has {_plural(len(outline), 'session')}: give a start for each", field="starts")
    if any(later <= earlier for earlier, later in pairwise(starts)):
        raise DeliveryError("Each session must start after the one before", field="starts")
    first_day = timezone.localdate(starts[0]) if timezone.is_aware(starts[0]) else starts[0].date()
    if not term.starts_on <= first_day <= term.ends_on:
        raise DeliveryError(f"The first session must fall within {term.name}", field="starts")
    if enrolment_opens_on and enrolment_closes_on and enrolment_closes_on < enrolment_opens_on:
        raise DeliveryError("Enrolment must close on or after the day it opens", field="enrolment_closes_on")
    if venue is not None and venue.organisation_id not in {organisation.pk, course.owner_id}:
        raise DeliveryError("Choose a venue of the organisation running the course", field="venue")
    run = CourseRun.objects.create(
        version=version,
        term=term,
        organisation=organisation,
        capacity=capacity,
        enrolment_opens_on=enrolment_opens_on,
        enrolment_closes_on=enrolment_closes_on,
        starts_at=starts[0],
        created_by=user,
    )
    length = timedelta(minutes=course.session_minutes)
    Session.objects.bulk_create(
        Session(run=run, number=entry.number, topic=entry.title, starts_at=start, ends_at=start + length, venue=venue)
        for entry, start in zip(outline, starts, strict=True)
    )
    RunStatusChange.objects.create(run=run, to_status=Status.PLANNED, changed_by=user, changed_by_label=str(user))
    audit.record(
        actor=actor,
        action="run.created",
        target=run,
        data={"version": str(version.pk), "term": str(term.pk), "capacity": capacity, "sessions": len(outline)},
    )
    return run


def _first_day(run: CourseRun) -> date:
    """The day of the run's first session (kept on the run as ``starts_at``), or today without sessions."""
    return timezone.localdate(run.starts_at) if run.starts_at else timezone.localdate()


def _tutor_organisations(run: CourseRun) -> list[Any]:
    course = run.version.course
    return [run.organisation_id, course.owner_id, *course.partners.values_list("pk", flat=True)]


@transaction.atomic
def assign_facilitator(
    *, actor: Actor, run: CourseRun, person: Person, role: str, session: Session | None = None
) -> FacilitatorAssignment:
    """Assign a tutor of the run's organisations to the run, or to one of its sessions."""
    user = audit.person_actor(actor)
    if run.status in (Status.COMPLETED, Status.CANCELLED):
        raise DeliveryError(f"The run is {run.get_status_display().lower()}")
    if role not in Role.values:
        raise DeliveryError("Select a role from the list", field="role")
    if session is not None and session.run_id != run.pk:
        raise DeliveryError("Select a session of this run", field="session")
    tutors = Membership.objects.current().filter(
        person=person, role=Membership.Role.TUTOR, organisation_id__in=_tutor_organisations(run)
    )
    if not tutors.exists():
        raise DeliveryError(f"{person} is not a tutor of an organisation running this course", field="person")
    if role in ACCREDITED_ROLES:
        day = timezone.localdate(session.starts_at) if session else _first_day(run)
        if person.pk not in hooks.accredited([person.pk], role, day):
            raise DeliveryError(
                f"{person} is not accredited as a {Role(role).label.lower()}: assign them as a trainee co-facilitator",
                field="role",
            )
    try:
        with transaction.atomic():
            assignment = FacilitatorAssignment.objects.create(
                run=run, session=session, person=person, role=role, assigned_by=user
            )
    except IntegrityError:
        raise DeliveryError(f"{person} is already assigned here", field="person") from None
    audit.record(
        actor=actor,
        action="run.facilitator_assigned",
        target=run,
        data={"person": str(person.pk), "role": role, "session": str(session.pk) if session else ""},
    )
    return assignment


def staffing_gaps(run: CourseRun) -> list[str]:
    """What the run still needs before it can open, as sentences (empty when fully staffed).

    Counts run-level assignments; people in accredited roles count only while
    accredited on the day of the first session.
    """
    version = run.version
    assignments = list(run.assignments.filter(session__isnull=True).values_list("person_id", "role"))
    day = _first_day(run)
    counts: Counter[str] = Counter()
    for role in REQUIRED:
        people = {person_id for person_id, assigned in assignments if assigned == role}
        counts[role] = len(hooks.accredited(people, role, day)) if role in ACCREDITED_ROLES else len(people)
    gaps = []
    for role, field in REQUIRED.items():
        needed = getattr(version, field)
        if counts[role] < needed:
            label = Role(role).label.lower()
            kind = f"accredited {label}" if role in ACCREDITED_ROLES else label
            gaps.append(f"Needs {_plural(needed - counts[role], kind)} more (the course asks for {needed})")
    return gaps


@transaction.atomic
def open_enrolment(*, actor: Actor, run: CourseRun) -> CourseRun:
    gaps = staffing_gaps(run)
    if gaps:
        raise DeliveryError("The run is not fully staffed yet. " + "; ".join(gaps), field="status")
    _transition(actor, run, Status.OPEN)
    return run


@transaction.atomic
def cancel_run(*, actor: Actor, run: CourseRun, reason: str) -> CourseRun:
    if not reason.strip():
        raise DeliveryError("Enter why the run is cancelled", field="reason")
    _transition(actor, run, Status.CANCELLED, reason.strip())
    return run


@transaction.atomic
def change_status(*, actor: Actor, run: CourseRun, to_status: str) -> CourseRun:
    """Other moves: back to planned, full, running, completed; open (re-open when a place frees)."""
    if to_status == Status.OPEN and run.status == Status.PLANNED:
        return open_enrolment(actor=actor, run=run)
    if to_status == Status.CANCELLED:
        raise DeliveryError("Cancel a run with a reason", field="reason")
    _transition(actor, run, to_status)
    return run


def next_statuses(run: CourseRun) -> list[tuple[str, str]]:
    """The statuses a coordinator may move the run to now, as form choices.

    Full and open follow from enrolments, so they are offered only to re-open a
    full run by hand (a place freed outside PeerPath) or to close enrolment early.
    """
    return [(status, Status(status).label) for status in Status.values if status in TRANSITIONS[run.status]]


@transaction.atomic
def save_venue(*, actor: Actor, form_venue: Venue, organisations: Sequence[Organisation]) -> Venue:
    """Save a venue checked by its form; a new one belongs to the actor's (first) coordinated organisation."""
    audit.person_actor(actor)
    if form_venue._state.adding:
        if not organisations:
            raise DeliveryError("Only a coordinator of an organisation can add its venues")
        form_venue.organisation = organisations[0]
    if form_venue.online and not form_venue.joining_link:
        raise DeliveryError("Enter the joining link for the online room", field="joining_link")
    if not form_venue.online:
        form_venue.joining_link = ""
    try:
        with transaction.atomic():
            form_venue.save()
    except IntegrityError:
        raise DeliveryError("Your organisation already has a venue with this name", field="name") from None
    audit.record(actor=actor, action="venue.saved", target=form_venue, data={"online": form_venue.online})
    return form_venue
