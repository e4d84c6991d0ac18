"""Emails to a run's participants: reminders before each session, and messages from its staff.

Both go through Django's tasks API (docs/adr/007): inline under the immediate
backend (tests, the demo), in a worker in production.

**Reminders.** ``send_due_reminders`` runs from ``manage.py delivery_jobs``.
For each session starting within ``PEERPATH_REMINDER_HOURS``, it claims a
``SessionReminder`` row per enrolled participant and, in the same transaction,
arranges for the task to be queued once the claim commits. The unique row is
what makes the job safe to run as often as you like, and by several workers:

- never twice: a pair is claimed once, under the session's lock, and the task
  sends only for a pair whose claim still stands;
- never skipped silently: if sending fails the task withdraws the claim, so
  the next run of the job tries again, and re-raises, so the failure is logged
  with the task. A session that moves forgets its claims
  (``peerpath.delivery.sessions``), so its participants hear the new time.

**Messages.** ``send_run_message`` records a ``SentMessage`` and queues one
task that emails each recipient on their own (nobody sees anyone else's
address), counting the recipients and the deliveries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from peerpath.core import audit
from peerpath.core.audit import Actor
from peerpath.delivery.models import (
    ATTENDED,
    PLACE_HOLDING,
    Attendance,
    CourseRun,
    Enrolment,
    SentMessage,
    Session,
    SessionReminder,
)
from peerpath.delivery.presenters import format_when
from peerpath.delivery.services import DeliveryError

logger = logging.getLogger(__name__)
E = Enrolment.Status
R = CourseRun.Status
Audience = SentMessage.Audience
MISSED = (Attendance.Status.ABSENT, Attendance.Status.APOLOGIES)
# Runs whose sessions are going ahead: reminders go only for these.
GOING_AHEAD = (R.OPEN, R.FULL, R.RUNNING)
# Audiences that may be narrowed to one session.
BY_SESSION = (Audience.ATTENDED, Audience.MISSED)


def _link(name: str) -> str:
    return settings.PEERPATH_SITE_URL + reverse(name)


def _where(session: Session) -> str:
    venue = session.venue
    if venue is None:
        return "To be confirmed"
    if venue.online:
        return f"Online: {venue.joining_link}" if venue.joining_link else f"Online ({venue.name})"
    lines = [line.strip() for line in venue.address.splitlines() if line.strip()]
    return ", ".join([venue.name, *lines, *([venue.postcode] if venue.postcode else [])])


# Reminders ---------------------------------------------------------------------------------


def send_due_reminders(now: datetime | None = None) -> int:
    """Claim and queue a reminder for each enrolled participant of each session starting soon.

    Returns how many reminders were queued. Participants without an email
    address are left unclaimed, so they get one if an address is added in time.
    """
    now = now or timezone.now()
    horizon = now + timedelta(hours=settings.PEERPATH_REMINDER_HOURS)
    due = (
        Session.objects.filter(starts_at__gt=now, starts_at__lte=horizon, run__status__in=GOING_AHEAD)
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )
    queued = 0
    for session_id in list(due):
        with transaction.atomic():
            # The session's lock: two jobs at once cannot both claim the same people.
            session = Session.objects.select_for_update().get(pk=session_id)
            claimed = SessionReminder.objects.filter(session_id=session_id, enrolment_id=OuterRef("pk"))
            waiting = (
                Enrolment.objects.filter(run_id=session.run_id, status=E.ENROLLED)
                .exclude(person__email="")
                .exclude(Exists(claimed))
                .values_list("pk", flat=True)
            )
            pairs = [(str(session_id), str(enrolment_id)) for enrolment_id in waiting]
            SessionReminder.objects.bulk_create(
                SessionReminder(session_id=session_id, enrolment_id=enrolment_id, sent_at=now)
                for _, enrolment_id in pairs
            )
            for pair in pairs:
                transaction.on_commit(partial(send_session_reminder.enqueue, *pair))
            queued += len(pairs)
    return queued


@task()
def send_session_reminder(session_id: str, enrolment_id: str) -> bool:
    """Email one participant about their next session; False when there is nothing to send.

    Sends only while the job's claim stands (a moved session withdraws it), the
    person is still enrolled and the session has not started. If the email
    fails, the claim is withdrawn so the next job run tries again.
    """
    reminder = (
        SessionReminder.objects.select_related(
            "session__venue",
            "session__run__version__course",
            "session__run__organisation",
            "session__run__term",
            "enrolment__person",
        )
        .filter(session_id=session_id, enrolment_id=enrolment_id)
        .first()
    )
    if reminder is None:
        return False
    session, enrolment = reminder.session, reminder.enrolment
    person, run = enrolment.person, session.run
    if enrolment.status != E.ENROLLED or run.status not in GOING_AHEAD or session.starts_at <= timezone.now():
        return False
    if not person.email:
        return False
    course = run.version.course
    context = {
        "person": person,
        "run": run,
        "course": course,
        "session": session,
        "when": format_when(session.starts_at, session.ends_at),
        "where": _where(session),
        "courses_link": _link("delivery:my_courses"),
        "calendar_link": _link("calendar:my_calendar"),
    }
    body = render_to_string("delivery/email/reminder.txt", context, using="jinja2")
    subject = f"Reminder: {course.title}, session {session.number}, {format_when(session.starts_at)}"
    try:
        EmailMessage(subject, body, None, [person.email]).send()
    except Exception:
        SessionReminder.objects.filter(pk=reminder.pk).delete()
        raise
    return True


# Messages to a run's participants -----------------------------------------------------------


def audience_enrolments(
    run: CourseRun, audience: str, session: Session | None = None, now: datetime | None = None
) -> QuerySet[Enrolment]:
    """The enrolments a message to ``audience`` reaches (whether or not they have an email address).

    - all: everyone with a place (enrolled, offered, completed or not);
    - attended: with a place, and present or late at ``session`` (any session when None);
    - attended_all: with a place, and present or late at every session so far: those started by
      ``now`` whose register has been taken (nobody before the first register);
    - missed: with a place, and absent or sent apologies at ``session`` (any session when None);
    - waitlisted: on the waiting list.
    """
    now = now or timezone.now()
    enrolments = Enrolment.objects.filter(run_id=run.pk)
    if audience == Audience.WAITLISTED:
        return enrolments.filter(status=E.WAITLISTED)
    with_place = enrolments.filter(status__in=PLACE_HOLDING)
    if audience == Audience.ALL:
        return with_place
    if audience in BY_SESSION:
        marks = Attendance.objects.filter(
            enrolment_id=OuterRef("pk"), status__in=ATTENDED if audience == Audience.ATTENDED else MISSED
        )
        if session is not None:
            marks = marks.filter(session_id=session.pk)
        return with_place.filter(Exists(marks))
    if audience == Audience.ATTENDED_ALL:
        # A session whose register nobody has taken yet says nothing about who came.
        registered = Attendance.objects.filter(session_id=OuterRef("pk"))
        started = Session.objects.filter(run_id=run.pk, starts_at__lte=now).filter(Exists(registered))
        attended = Attendance.objects.filter(
            session_id=OuterRef("pk"), enrolment_id=OuterRef(OuterRef("pk")), status__in=ATTENDED
        )
        return with_place.filter(Exists(started)).exclude(Exists(started.exclude(Exists(attended))))
    raise DeliveryError("Choose who the message is for", field="audience")


@dataclass(frozen=True)
class AudienceSize:
    reached: int
    without_email: int


def audience_size(
    run: CourseRun, audience: str, session: Session | None = None, now: datetime | None = None
) -> AudienceSize:
    """How many people a message would reach, and how many in the group have no email address (one query)."""
    counts = audience_enrolments(run, audience, session, now).aggregate(
        reached=Count("pk", filter=~Q(person__email="")), without=Count("pk", filter=Q(person__email=""))
    )
    return AudienceSize(counts["reached"], counts["without"])


def describe_audience(audience: str, session: Session | None) -> str:
    """Who a message went to, in words: "Those who attended session 2: Coping with stress"."""
    if audience in BY_SESSION:
        verb = "attended" if audience == Audience.ATTENDED else "missed"
        if session is None:
            return f"Those who {verb} any session so far"
        return f"Those who {verb} session {session.number}: {session.topic}"
    return str(Audience(audience).label)


@transaction.atomic
def send_run_message(
    *, actor: Actor, run: CourseRun, audience: str, subject: str, body: str, session: Session | None = None
) -> SentMessage:
    """Record a message to some of a run's participants and queue its emails, one per person.

    ``session`` narrows "attended" and "missed" to one session and is ignored
    (not stored) for the other audiences. Refused when nobody in the group has
    an email address.
    """
    user = audit.person_actor(actor)
    if audience not in Audience.values:
        raise DeliveryError("Choose who the message is for", field="audience")
    subject, body = subject.strip(), body.strip()
    if not subject:
        raise DeliveryError("Enter a subject", field="subject")
    if not body:
        raise DeliveryError("Enter a message", field="body")
    if session is not None and session.run_id != run.pk:
        raise DeliveryError("Choose a session of this run", field="session")
    if audience not in BY_SESSION:
        session = None
    now = timezone.now()
    size = audience_size(run, audience, session, now)
    if size.reached == 0:
        raise DeliveryError("Nobody in this group has an email address to send to. Choose another group")
    message = SentMessage.objects.create(
        run=run,
        session=session,
        audience=audience,
        subject=subject,
        body=body,
        sent_by=user,
        created_at=now,
        recipients=size.reached,
    )
    audit.record(
        actor=actor,
        action="message.sent",
        target=message,
        data={
            "run": str(run.pk),
            "audience": audience,
            "session": str(session.pk) if session else "",
            "recipients": size.reached,
        },
    )
    message_id = str(message.pk)
    transaction.on_commit(lambda: send_message_emails.enqueue(message_id))
    return message


@task()
def send_message_emails(message_id: str) -> int:
    """Email a recorded message to each person in its audience, one email each; returns how many went.

    The audience is worked out as it stood when the message was written (its
    ``created_at``). A message already delivered to anyone is not sent again,
    so a retried task cannot send twice. One failed address does not stop the rest.
    """
    message = (
        SentMessage.objects.select_related("run__version__course", "run__organisation", "run__term", "session")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.delivered:
        return 0
    run = message.run
    people = [
        enrolment.person
        for enrolment in audience_enrolments(run, message.audience, message.session, message.created_at)
        .exclude(person__email="")
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "pk")
    ]
    SentMessage.objects.filter(pk=message.pk).update(recipients=len(people))
    context: dict[str, Any] = {
        "message": message,
        "run": run,
        "course": run.version.course,
        "waiting": message.audience == Audience.WAITLISTED,
        "courses_link": _link("delivery:my_courses"),
    }
    delivered = 0
    with get_connection() as connection:
        for person in people:
            body = render_to_string("delivery/email/message.txt", {**context, "person": person}, using="jinja2")
            email = EmailMessage(message.subject, body, None, [person.email], connection=connection)
            try:
                email.send()
            except Exception:
                logger.exception("Message %s: an email could not be sent", message.pk)
                continue
            delivered += 1
            # Counted as it goes, so a crash part-way leaves a true count (and blocks a resend).
            SentMessage.objects.filter(pk=message.pk).update(delivered=F("delivered") + 1)
    return delivered
