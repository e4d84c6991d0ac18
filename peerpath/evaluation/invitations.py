"""Invitations to answer a timepoint's questionnaires, by a link that needs no login (ADR 018).

Invitations are written only here. The periodic job (``manage.py evaluation_jobs``) calls
``create_due_invitations`` and ``send_due_reminders``; the emails go through tasks queued
after commit (``peerpath.evaluation.tasks``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.audit import Actor, SystemActor
from peerpath.delivery.models import ATTENDED, Attendance, CourseRun, Enrolment, Session
from peerpath.evaluation import schedules, tokens, wording
from peerpath.evaluation.models import (
    InstrumentVersion,
    Invitation,
    InvitationQuestionnaire,
    Schedule,
    Timepoint,
)
from peerpath.people.models import Consent, Person
from peerpath.people.services import consenting

logger = logging.getLogger(__name__)
E = Enrolment.Status
# Runs whose sessions happen: invitations go only for these.
EVALUATED_RUN_STATUSES = (
    CourseRun.Status.OPEN,
    CourseRun.Status.FULL,
    CourseRun.Status.RUNNING,
    CourseRun.Status.COMPLETED,
)
# Who is asked at baseline: everyone with a place. At the end and at follow-up: everyone who
# came at least once and did not withdraw, completers or not (so drop-outs are asked too).
BASELINE_STATUSES = (E.ENROLLED, E.COMPLETED)
LATER_STATUSES = (E.ENROLLED, E.COMPLETED, E.DID_NOT_COMPLETE)
# Respondents a carer answers as (the college's fidelity self-assessment is not theirs).
PERSON_RESPONDENTS = ("carer", "carer_about_cared_for")
# Runs are read in batches of this many, so the job's memory stays flat at national scale.
RUN_BATCH = 200
# An unsent invitation younger than this is left to the task queued when it was made.
SEND_GRACE = timedelta(minutes=10)

INVITATION_JOB = SystemActor("evaluation.invitations")


class InvitationError(Exception):
    """An invitation could not be made or changed; the message is fit to show."""


def _make(
    person_ids: Sequence[uuid.UUID],
    *,
    run: CourseRun,
    timepoint: str,
    schedule: Schedule | None,
    versions: Sequence[InstrumentVersion],
    expires_at: datetime,
    created_at: datetime | None = None,
) -> list[Invitation]:
    """Invitations for these people, each asking ``versions`` in order, in two inserts."""
    invitations = Invitation.objects.bulk_create(
        Invitation(
            person_id=person_id,
            run=run,
            timepoint=timepoint,
            schedule=schedule,
            nonce=tokens.new_nonce(),
            created_at=created_at or timezone.now(),
            expires_at=expires_at,
        )
        for person_id in person_ids
    )
    InvitationQuestionnaire.objects.bulk_create(
        InvitationQuestionnaire(invitation=invitation, instrument_version=version, position=position)
        for invitation in invitations
        for position, version in enumerate(versions, start=1)
    )
    return invitations


@transaction.atomic
def create_invitation(
    *,
    actor: Actor = INVITATION_JOB,
    person: Person,
    run: CourseRun,
    timepoint: str,
    versions: Sequence[InstrumentVersion],
    expires_at: datetime,
    schedule: Schedule | None = None,
) -> Invitation:
    """Make one invitation asking ``versions`` in order (nothing is sent here; see ``tasks``)."""
    actor = audit.check_actor(actor)
    if not versions:
        raise InvitationError("An invitation must ask at least one questionnaire")
    unpublished = [str(version) for version in versions if version.status != InstrumentVersion.Status.PUBLISHED]
    if unpublished:
        raise InvitationError(f"{unpublished[0]} is not published")
    if expires_at <= timezone.now():
        raise InvitationError("An invitation must expire in the future")
    [invitation] = _make(
        [person.pk], run=run, timepoint=timepoint, schedule=schedule, versions=versions, expires_at=expires_at
    )
    audit.record(
        actor=actor,
        action="evaluation.invitation_created",
        target=invitation,
        data={"run": str(run.pk), "timepoint": timepoint, "instruments": [version.code for version in versions]},
    )
    return invitation


# ---------------------------------------------------------------------------------------
# The periodic job: make due invitations, send what is unsent, remind, withdraw


@dataclass(frozen=True)
class Due:
    """One run's timepoint whose invitations may go now."""

    run: CourseRun
    timepoint: str
    schedule: Schedule
    window: schedules.Window


def _candidate_run_ids(now: datetime) -> list[uuid.UUID]:
    """Runs whose sessions fall where some active schedule could be due now (one query)."""
    active = Schedule.objects.filter(active=True)
    ahead = active.filter(timepoint=Timepoint.BASELINE).aggregate(most=Max("days"))["most"]
    back = active.aggregate(most=Max(F("days") + F("open_days")))["most"]
    if ahead is None and back is None:
        return []
    rows = (
        Session.objects.filter(run__status__in=EVALUATED_RUN_STATUSES)
        .values("run_id")
        .annotate(first=Min("starts_at"), last=Max("ends_at"))
        .filter(first__lte=now + timedelta(days=ahead or 0), last__gte=now - timedelta(days=back or 0))
        .order_by("run_id")
        .values_list("run_id", flat=True)
    )
    return list(rows)


def due_now(now: datetime | None = None) -> list[Due]:
    """Every run timepoint whose invitation window is open now, in a fixed number of queries per batch."""
    now = now or timezone.now()
    found: list[Due] = []
    run_ids = _candidate_run_ids(now)
    for start in range(0, len(run_ids), RUN_BATCH):
        batch = list(
            CourseRun.objects.filter(pk__in=run_ids[start : start + RUN_BATCH]).select_related("version__course")
        )
        plans = schedules.schedules_for_runs(batch)
        dates = schedules.run_dates(run.pk for run in batch)
        for run in batch:
            if run.pk not in dates:
                continue
            for timepoint, schedule in plans[run.pk].items():
                if schedule is None:
                    continue
                window = schedules.window(schedule, dates[run.pk])
                if window.is_open(now):
                    found.append(Due(run=run, timepoint=timepoint, schedule=schedule, window=window))
    return found


class _Askable:
    """Which instrument versions an invitation can ask, decided once per job run."""

    def __init__(self) -> None:
        self._online: dict[int, bool] = {}

    def versions(self, schedule: Schedule) -> list[InstrumentVersion]:
        codes = [row.instrument_code for row in schedule.instruments.all()]
        newest = schedules.newest_published(codes)
        chosen: list[InstrumentVersion] = []
        for code in codes:
            version = newest.get(code)
            if version is None:
                logger.warning("Schedule %s asks %r, which has no published version: left out", schedule.pk, code)
                continue
            if version.respondent not in PERSON_RESPONDENTS:
                continue
            if version.pk not in self._online:
                self._online[version.pk] = wording.can_answer_online(version)
            if not self._online[version.pk]:
                # Licensed wording not installed here: staff type it in from the paper form.
                continue
            chosen.append(version)
        return chosen


def _eligible_people(run: CourseRun, timepoint: str) -> list[uuid.UUID]:
    """People of the run to ask at ``timepoint``: not yet invited to it, with an email address."""
    enrolments = Enrolment.objects.filter(run_id=run.pk).exclude(person__email="")
    if timepoint == Timepoint.BASELINE:
        enrolments = enrolments.filter(status__in=BASELINE_STATUSES)
    else:
        came = Attendance.objects.filter(enrolment_id=OuterRef("pk"), status__in=ATTENDED)
        enrolments = enrolments.filter(status__in=LATER_STATUSES).filter(Exists(came))
    invited = Invitation.objects.filter(run_id=run.pk, timepoint=timepoint, person_id=OuterRef("person_id"))
    return list(enrolments.exclude(Exists(invited)).order_by("person_id").values_list("person_id", flat=True))


def create_due_invitations(now: datetime | None = None, *, actor: Actor = INVITATION_JOB) -> int:
    """Invite everyone due now who has given consent to evaluation; how many invitations were made.

    Safe to run as often as you like and from several processes: each run's timepoint is
    handled under the run's row lock, and (person, run, timepoint) is unique. Consent is
    checked here, before anything is made or sent, and again by the sending task. People
    without an email address get no invitation: staff can type in a paper form for them.
    """
    now = now or timezone.now()
    askable = _Askable()
    made = 0
    for due in due_now(now):
        versions = askable.versions(due.schedule)
        if not versions:
            continue
        with transaction.atomic():
            CourseRun.objects.select_for_update().filter(pk=due.run.pk).values_list("pk", flat=True).get()
            candidates = _eligible_people(due.run, due.timepoint)
            people = sorted(consenting(candidates, Consent.Purpose.EVALUATION), key=str)
            if not people:
                continue
            invitations = _make(
                people,
                run=due.run,
                timepoint=due.timepoint,
                schedule=due.schedule,
                versions=versions,
                expires_at=due.window.closes,
                created_at=now,
            )
            audit.record(
                actor=actor,
                action="evaluation.invitations_created",
                target=due.run,
                data={
                    "timepoint": due.timepoint,
                    "schedule": str(due.schedule.pk),
                    "invitations": len(invitations),
                    "instruments": [version.code for version in versions],
                    "left_out_without_consent": len(candidates) - len(people),
                },
            )
            for invitation in invitations:
                transaction.on_commit(partial(_queue_send, invitation.pk))
            made += len(invitations)
    return made


def _queue_send(invitation_id: uuid.UUID) -> None:
    from peerpath.evaluation.tasks import send_invitation

    send_invitation.enqueue(str(invitation_id))


def _queue_reminder(invitation_id: uuid.UUID, number: int, previous: datetime | None) -> None:
    from peerpath.evaluation.tasks import send_invitation_reminder

    send_invitation_reminder.enqueue(str(invitation_id), number, previous.isoformat() if previous else None)


def open_invitations(now: datetime) -> Q:
    return Q(status=Invitation.Status.OPEN, expires_at__gt=now)


def queue_unsent(now: datetime | None = None) -> int:
    """Queue the first email of open invitations whose sending never happened (or failed)."""
    now = now or timezone.now()
    unsent = Invitation.objects.filter(open_invitations(now), sent_at__isnull=True, created_at__lte=now - SEND_GRACE)
    ids = list(unsent.order_by("created_at", "pk").values_list("pk", flat=True))
    for invitation_id in ids:
        _queue_send(invitation_id)
    return len(ids)


def send_due_reminders(now: datetime | None = None) -> int:
    """Claim and queue a reminder for each open invitation not answered after the reminder interval.

    An invitation gets at most ``PEERPATH_INVITATION_REMINDERS`` reminders, each at least
    ``PEERPATH_INVITATION_REMIND_DAYS`` after the last email. Each claim is a conditional
    update of the reminder count, so two jobs at once cannot both remind the same person.
    """
    now = now or timezone.now()
    limit = settings.PEERPATH_INVITATION_REMINDERS
    if limit == 0:
        return 0
    last_contact = now - timedelta(days=settings.PEERPATH_INVITATION_REMIND_DAYS)
    due = (
        Invitation.objects.filter(open_invitations(now), sent_at__isnull=False, reminders__lt=limit)
        .annotate(last_email=Coalesce("reminded_at", "sent_at"))
        .filter(last_email__lte=last_contact)
        .order_by("last_email", "pk")
        .values_list("pk", "reminders", "reminded_at")
    )
    queued = 0
    for invitation_id, reminders, reminded_at in list(due):
        with transaction.atomic():
            claimed = Invitation.objects.filter(pk=invitation_id, reminders=reminders, status=Invitation.Status.OPEN)
            if not claimed.update(reminders=reminders + 1, reminded_at=now):
                continue
            transaction.on_commit(partial(_queue_reminder, invitation_id, reminders + 1, reminded_at))
            queued += 1
    return queued


@transaction.atomic
def withdraw(invitation: Invitation, *, reason: str, actor: Actor = INVITATION_JOB) -> bool:
    """Close an open invitation's link for good; False when it was no longer open."""
    actor = audit.check_actor(actor)
    changed = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.OPEN).update(
        status=Invitation.Status.WITHDRAWN, withdrawn_reason=reason
    )
    if changed:
        invitation.status, invitation.withdrawn_reason = Invitation.Status.WITHDRAWN, reason
        audit.record(actor=actor, action="evaluation.invitation_withdrawn", target=invitation, data={"reason": reason})
    return bool(changed)


CONSENT_WITHDRAWN = "The person has not given, or has withdrawn, consent to evaluation"


def withdraw_without_consent(now: datetime | None = None) -> int:
    """Withdraw open invitations of people whose consent to evaluation is no longer given."""
    now = now or timezone.now()
    open_rows = list(Invitation.objects.filter(open_invitations(now)).order_by("pk").values_list("pk", "person_id"))
    still = consenting({person_id for _, person_id in open_rows}, Consent.Purpose.EVALUATION)
    withdrawn = 0
    for invitation_id, person_id in open_rows:
        if person_id not in still:
            withdrawn += withdraw(Invitation(pk=invitation_id, person_id=person_id), reason=CONSENT_WITHDRAWN)
    return withdrawn
