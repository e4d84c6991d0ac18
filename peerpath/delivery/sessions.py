"""Moving a session to another time or place, so that calendars and reminders follow.

A move raises the session's ``sequence`` and ``updated_at``: every calendar
feed that lists the session then carries the new SEQUENCE and LAST-MODIFIED,
and subscribed calendars replace the old time (``peerpath.delivery.calendar``).
Reminders already sent for the old time are forgotten, so the reminder job
sends the new time when it comes round.

Sessions keep their outline order: session 3 stays between sessions 2 and 4,
as ``create_run`` set them out. A move that would overlap or pass a
neighbouring session is refused rather than renumbering: the numbers are the
outline's topics, which build on each other, and registers and messages name
sessions by number.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.audit import Actor
from peerpath.delivery.models import CourseRun, Session, SessionReminder, Venue
from peerpath.delivery.presenters import format_when
from peerpath.delivery.services import DeliveryError

R = CourseRun.Status


def _check_neighbours(run: CourseRun, session: Session, starts_at: datetime, ends_at: datetime) -> None:
    before = run.sessions.filter(number__lt=session.number).order_by("-number").first()
    after = run.sessions.filter(number__gt=session.number).order_by("number").first()
    if before is not None and starts_at < before.ends_at:
        raise DeliveryError(
            f"Session {session.number} must start after session {before.number} ends "
            f"({format_when(before.starts_at, before.ends_at)})",
            field="starts_at",
        )
    if after is not None and ends_at > after.starts_at:
        raise DeliveryError(
            f"Session {session.number} must end before session {after.number} starts "
            f"({format_when(after.starts_at, after.ends_at)})",
            field="ends_at",
        )
    if before is None:
        term = run.term
        day = timezone.localdate(starts_at)
        if not term.starts_on <= day <= term.ends_on:
            raise DeliveryError(f"The first session must fall within {term.name}", field="starts_at")


def move_session(
    *, actor: Actor, session: Session, starts_at: datetime, ends_at: datetime, venue: Venue | None
) -> bool:
    """Give a session a new time and venue; False (and nothing written) when neither changed.

    Refused, with a message fit to show, for a completed or cancelled run, a
    session that has already started, a time in the past, an end before the
    start, a venue of another organisation, or a time that overlaps or passes
    the session before or after it. ``session`` is updated in place.
    """
    audit.person_actor(actor)
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("Session times must be timezone-aware")
    if ends_at <= starts_at:
        raise DeliveryError("The end time must be after the start time", field="ends_at")
    with transaction.atomic():
        # The run's lock: two moves of its sessions cannot both pass the neighbour check.
        run = CourseRun.objects.select_for_update().select_related("version__course", "term").get(pk=session.run_id)
        current = Session.objects.select_for_update().get(pk=session.pk)
        if run.status in (R.COMPLETED, R.CANCELLED):
            raise DeliveryError(f"The run is {run.get_status_display().lower()}, so its sessions cannot move")
        now = timezone.now()
        if current.starts_at <= now:
            raise DeliveryError("This session has already started, so it cannot be moved")
        if starts_at <= now:
            raise DeliveryError("The new start must be in the future", field="starts_at")
        if venue is not None and venue.organisation_id not in {run.organisation_id, run.version.course.owner_id}:
            raise DeliveryError("Choose a venue of the organisation running the course", field="venue")
        venue_id = venue.pk if venue is not None else None
        if (current.starts_at, current.ends_at, current.venue_id) == (starts_at, ends_at, venue_id):
            return False
        _check_neighbours(run, current, starts_at, ends_at)
        Session.objects.filter(pk=current.pk).update(
            starts_at=starts_at, ends_at=ends_at, venue=venue, sequence=F("sequence") + 1, updated_at=now
        )
        run.refresh_starts_at()
        # Reminders gave the old time; the reminder job sends the new one when it is due.
        SessionReminder.objects.filter(session=current).delete()
        audit.record(
            actor=actor,
            action="session.moved",
            target=current,
            data={
                "run": str(run.pk),
                "from": current.starts_at.isoformat(),
                "to": starts_at.isoformat(),
                "venue_from": str(current.venue_id or ""),
                "venue_to": str(venue_id or ""),
            },
        )
    session.starts_at, session.ends_at, session.venue = starts_at, ends_at, venue
    session.sequence, session.updated_at = current.sequence + 1, now
    return True
