"""Places on course runs: enrolment, the waiting list, offers, withdrawal and completion.

Every function that changes a run's places takes the run's lock first
(:func:`_lock_run`): ``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
IMMEDIATE transaction already holds the database's write lock (RELIABILITY.md).
Under the lock the run's counters are recounted from its enrolments, so they
cannot drift, and the database refuses a count above capacity
(``run_never_overbooked``) whatever code path writes it.

Emails leave through background tasks after the transaction commits, so a
rolled-back change never sends anything and a failed email never undoes one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.formats import date_format

from peerpath.core import audit
from peerpath.core.audit import Actor, SystemActor
from peerpath.delivery import services, tasks
from peerpath.delivery.models import (
    ATTENDED,
    PLACE_HOLDING,
    Attendance,
    CourseRun,
    Enrolment,
    EnrolmentStatusChange,
)
from peerpath.delivery.services import DeliveryError, _transition
from peerpath.people.models import Person

E = Enrolment.Status
R = CourseRun.Status
OFFER_JOB = SystemActor("offer expiry")
# A person with one of these has a live claim on the run and cannot ask again.
ACTIVE = (E.ENROLLED, E.WAITLISTED, E.OFFERED)


def _lock_run(run_id: Any) -> CourseRun:
    """The run, locked for the rest of the transaction (callers are inside ``atomic``)."""
    try:
        return CourseRun.objects.select_for_update().select_related("version__course").get(pk=run_id)
    except CourseRun.DoesNotExist:
        raise DeliveryError("This course run no longer exists") from None


def _recount(run: CourseRun) -> None:
    """Store the run's place and waiting counts, from its enrolments (under the lock)."""
    counts = run.enrolments.aggregate(
        taken=Count("pk", filter=Q(status__in=PLACE_HOLDING)), waiting=Count("pk", filter=Q(status=E.WAITLISTED))
    )
    run.places_taken, run.waiting = counts["taken"], counts["waiting"]
    CourseRun.objects.filter(pk=run.pk).update(places_taken=run.places_taken, waiting=run.waiting)


def _move(actor: Actor, enrolment: Enrolment, to_status: str, reason: str = "", **fields: Any) -> None:
    """Change an enrolment's status, with its history row and audit event."""
    from_status = enrolment.status
    enrolment.status = to_status
    enrolment.position = fields.pop("position", None)
    enrolment.offer_expires_at = fields.pop("offer_expires_at", None)
    enrolment.updated_at = timezone.now()
    for name, value in fields.items():
        setattr(enrolment, name, value)
    enrolment.save()
    EnrolmentStatusChange.objects.create(
        enrolment=enrolment,
        from_status=from_status,
        to_status=to_status,
        **audit.attribution(actor),
        reason=reason,
    )
    audit.record(
        actor=actor,
        action="enrolment.status_changed",
        target=enrolment,
        data={"run": str(enrolment.run_id), "from": from_status, "to": to_status},
    )


def _email_after_commit(enrolment: Enrolment, kind: str) -> None:
    enrolment_id = str(enrolment.pk)
    transaction.on_commit(lambda: tasks.send_enrolment_email.enqueue(enrolment_id, kind))


def _check_open(run: CourseRun, today: Any) -> None:
    if run.status == R.CANCELLED:
        raise DeliveryError("This run has been cancelled, so no one can enrol on it")
    if run.status == R.PLANNED:
        raise DeliveryError("Enrolment for this run has not opened yet")
    if run.status in (R.RUNNING, R.COMPLETED):
        raise DeliveryError("This run has already started, so enrolment has closed")
    if run.enrolment_opens_on and today < run.enrolment_opens_on:
        raise DeliveryError(f"Enrolment opens on {date_format(run.enrolment_opens_on, 'j F Y')}")
    if run.enrolment_closes_on and today > run.enrolment_closes_on:
        raise DeliveryError(f"Enrolment closed on {date_format(run.enrolment_closes_on, 'j F Y')}")


def _already(enrolment: Enrolment, by_self: bool) -> str:
    who = "You are" if by_self else "They are"
    if enrolment.status == E.ENROLLED:
        return f"{who} already enrolled on this run"
    if enrolment.status == E.OFFERED:
        return f"{who} already offered a place on this run: accept it from the course list"
    return f"{who} already on the waiting list for this run"


def _next_position(run: CourseRun) -> int:
    top = run.enrolments.filter(status=E.WAITLISTED).aggregate(top=Max("position"))["top"]
    return (top or 0) + 1


def enrol(
    *, actor: Actor, run_id: Any, person: Person, agreement_accepted: bool, channel: str = Enrolment.Channel.SELF
) -> Enrolment:
    """Give ``person`` a place on the run, or a place on its waiting list when it is full.

    Refused, with a message fit to show, when the run is not open, outside its
    enrolment dates, the student agreement is not accepted, or the person already
    has a place, an offer or a place in the queue.
    """
    if not agreement_accepted:
        raise DeliveryError("Read and accept the student agreement to enrol", field="agreement")
    if channel not in Enrolment.Channel.values:
        raise DeliveryError("Choose how the enrolment was made", field="channel")
    with transaction.atomic():
        run = _lock_run(run_id)
        _check_open(run, timezone.localdate())
        now = timezone.now()
        if run.starts_at is not None and run.starts_at <= now:
            # The start job has not caught up yet; the course has begun all the same.
            raise DeliveryError("This run has already started, so enrolment has closed")
        enrolment = Enrolment.objects.filter(run=run, person=person).first()
        if enrolment is not None and enrolment.status in ACTIVE:
            raise DeliveryError(_already(enrolment, channel == Enrolment.Channel.SELF))
        if enrolment is not None and enrolment.status != E.WITHDRAWN:
            raise DeliveryError("This person has already finished this run")
        if enrolment is None:
            enrolment = Enrolment(run=run, person=person, status="", channel=channel, agreement_accepted_at=now)
        else:
            enrolment.channel, enrolment.agreement_accepted_at = channel, now
        has_place = run.places_taken < run.capacity and run.waiting == 0
        if has_place:
            _move(actor, enrolment, E.ENROLLED)
        else:
            _move(actor, enrolment, E.WAITLISTED, position=_next_position(run))
        _recount(run)
        if run.places_taken >= run.capacity and run.status == R.OPEN:
            _transition(actor, run, R.FULL)
        _email_after_commit(enrolment, "enrolled" if has_place else "waitlisted")
    return enrolment


def _offer_places(actor: Actor, run: CourseRun, now: datetime) -> list[Enrolment]:
    """Offer free places to the front of the queue, and re-open a full run with places left (under the lock)."""
    offers: list[Enrolment] = []
    if run.status not in (R.OPEN, R.FULL):
        return offers
    free = run.capacity - run.places_taken
    expires = now + timedelta(hours=settings.PEERPATH_OFFER_HOURS)
    if run.starts_at is not None and run.starts_at > now:
        # An offer never outlasts the time before the course starts.
        expires = min(expires, run.starts_at)
    if free > 0:
        queue = run.enrolments.filter(status=E.WAITLISTED).order_by("position")[:free]
        for enrolment in queue:
            _move(actor, enrolment, E.OFFERED, offer_expires_at=expires)
            _email_after_commit(enrolment, "offered")
            offers.append(enrolment)
        _recount(run)
    if run.status == R.FULL and run.places_taken < run.capacity:
        _transition(actor, run, R.OPEN)
    elif run.status == R.OPEN and run.places_taken >= run.capacity:
        _transition(actor, run, R.FULL)
    return offers


def withdraw(*, actor: Actor, enrolment_id: Any, reason: str = "") -> Enrolment:
    """Leave a run, an offer or the waiting list; a freed place is offered to the next person."""
    with transaction.atomic():
        run_id = Enrolment.objects.filter(pk=enrolment_id).values_list("run_id", flat=True).first()
        if run_id is None:
            raise DeliveryError("This enrolment no longer exists")
        run = _lock_run(run_id)
        enrolment = Enrolment.objects.select_related("person").get(pk=enrolment_id)
        if enrolment.status not in ACTIVE:
            raise DeliveryError(f"There is nothing to withdraw from: the status is {enrolment.get_status_display()}")
        if run.status in (R.COMPLETED, R.CANCELLED):
            raise DeliveryError(f"The run is {run.get_status_display().lower()}")
        _move(actor, enrolment, E.WITHDRAWN, reason.strip()[:500])
        _recount(run)
        _offer_places(actor, run, timezone.now())
        _email_after_commit(enrolment, "withdrawn")
    return enrolment


def cancel_run(*, actor: Actor, run_id: Any, reason: str) -> CourseRun:
    """Cancel a run with a reason: everyone with a place, an offer or a place in the queue is
    withdrawn and told why, in the same transaction as the cancellation."""
    with transaction.atomic():
        run = _lock_run(run_id)
        services.cancel_run(actor=actor, run=run, reason=reason)
        why = f"The run was cancelled: {run.cancellation_reason}"[:500]
        for enrolment in run.enrolments.filter(status__in=ACTIVE).order_by("created_at"):
            _move(actor, enrolment, E.WITHDRAWN, why)
            _email_after_commit(enrolment, "run_cancelled")
        _recount(run)
    return run


def accept_offer(*, actor: Actor, enrolment_id: Any) -> Enrolment:
    with transaction.atomic():
        run_id = Enrolment.objects.filter(pk=enrolment_id).values_list("run_id", flat=True).first()
        if run_id is None:
            raise DeliveryError("This enrolment no longer exists")
        run = _lock_run(run_id)
        enrolment = Enrolment.objects.get(pk=enrolment_id)
        if enrolment.status != E.OFFERED:
            raise DeliveryError("There is no offer to accept: it may have expired or been withdrawn")
        if enrolment.offer_expires_at is None or enrolment.offer_expires_at <= timezone.now():
            raise DeliveryError("This offer has expired, and the place has been passed on")
        if run.status not in (R.OPEN, R.FULL):
            raise DeliveryError(f"The run is {run.get_status_display().lower()}")
        _move(actor, enrolment, E.ENROLLED)
        _recount(run)
        _email_after_commit(enrolment, "enrolled")
    return enrolment


def expire_offers(now: datetime | None = None) -> int:
    """Withdraw offers past their time and pass each place on; returns how many expired.

    Each run's hand-over is one transaction: the expired offers and the new ones
    commit together or not at all, so a crash in between loses nobody's place.
    """
    now = now or timezone.now()
    run_ids = sorted(
        set(Enrolment.objects.filter(status=E.OFFERED, offer_expires_at__lte=now).values_list("run_id", flat=True))
    )
    expired = 0
    for run_id in run_ids:
        with transaction.atomic():
            run = _lock_run(run_id)
            lapsed = list(
                run.enrolments.filter(status=E.OFFERED, offer_expires_at__lte=now).order_by("offer_expires_at")
            )
            for enrolment in lapsed:
                _move(OFFER_JOB, enrolment, E.WITHDRAWN, "The offer was not accepted in time")
                _email_after_commit(enrolment, "offer_expired")
            _recount(run)
            _offer_places(OFFER_JOB, run, now)
            expired += len(lapsed)
    return expired


# Completion ------------------------------------------------------------------------------


def completion_threshold() -> Fraction:
    return Fraction(settings.PEERPATH_COMPLETION_PERCENT, 100)


def has_completed(attended: int, sessions: int, threshold: Fraction) -> bool:
    """Attended at least ``threshold`` of the sessions (exact arithmetic: 4 of 5 is 80%)."""
    if sessions <= 0:
        return False
    return Fraction(attended, sessions) >= threshold


@dataclass(frozen=True)
class CompletionResult:
    completed: int
    did_not_complete: int


def _settle(actor: Actor, run: CourseRun, enrolments: Iterable[Enrolment]) -> CompletionResult:
    sessions = run.sessions.count()
    threshold = completion_threshold()
    enrolments = list(enrolments)
    attended = dict(
        Attendance.objects.filter(enrolment__in=enrolments, status__in=ATTENDED)
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .values_list("enrolment_id", "n")
    )
    done = not_done = 0
    for enrolment in enrolments:
        ok = has_completed(attended.get(enrolment.pk, 0), sessions, threshold)
        target = E.COMPLETED if ok else E.DID_NOT_COMPLETE
        done += ok
        not_done += not ok
        if enrolment.status != target:
            count = attended.get(enrolment.pk, 0)
            _move(actor, enrolment, target, f"Attended {count} of {sessions} sessions")
    return CompletionResult(done, not_done)


def complete_run(*, actor: Actor, run_id: Any) -> CompletionResult:
    """Close a running run and decide, from its registers, who completed it."""
    with transaction.atomic():
        run = _lock_run(run_id)
        _transition(actor, run, R.COMPLETED)
        result = _settle(actor, run, run.enrolments.filter(status=E.ENROLLED))
        _recount(run)
    return result


def start_due_runs(now: datetime | None = None) -> int:
    """Open or full runs whose first session has begun become running; offers still out lapse."""
    now = now or timezone.now()
    started = 0
    due = (
        CourseRun.objects.filter(status__in=(R.OPEN, R.FULL), starts_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    job = SystemActor("run start")
    for run_id in due:
        with transaction.atomic():
            run = _lock_run(run_id)
            if run.status not in (R.OPEN, R.FULL):
                continue
            for enrolment in run.enrolments.filter(status=E.OFFERED):
                _move(job, enrolment, E.WITHDRAWN, "The course started before the offer was accepted")
            _move_waiting_off(job, run)
            _recount(run)
            _transition(job, run, R.RUNNING)
            started += 1
    return started


def _move_waiting_off(actor: Actor, run: CourseRun) -> None:
    for enrolment in run.enrolments.filter(status=E.WAITLISTED):
        _move(actor, enrolment, E.WITHDRAWN, "The course started before a place came free")
        _email_after_commit(enrolment, "not_placed")


def resettle_after_late_entry(actor: Actor, run: CourseRun, enrolment_ids: Iterable[uuid.UUID]) -> None:
    """After a register changes on a completed run, decide completion again for those people."""
    if run.status != R.COMPLETED:
        return
    finished = run.enrolments.filter(pk__in=list(enrolment_ids), status__in=(E.COMPLETED, E.DID_NOT_COMPLETE))
    _settle(actor, run, finished)
