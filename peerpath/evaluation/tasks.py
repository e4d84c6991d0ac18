"""Background work for evaluation (ADR 007, ADR 018): emails about safety alerts and invitations.

Tasks take ids, not rows, and are safe to run twice: each reads the current state and says
nothing when there is nothing left to say.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from peerpath.core import audit
from peerpath.core.audit import SystemActor
from peerpath.delivery.presenters import format_when
from peerpath.evaluation import invitations, tokens
from peerpath.evaluation.models import Invitation, SafetyAlert, Timepoint
from peerpath.people.models import Consent, Membership, Person
from peerpath.people.services import consenting
from peerpath.programmes.context import terms_of

logger = logging.getLogger(__name__)
SAFETY_NOTICE = SystemActor("evaluation.safety-notice")


@task()
def notify_safety_alert(alert_id: int) -> int:
    """Email the coordinators who follow up an open safety alert; how many were emailed.

    The email says only that an answer needs following up and where to read it: no name,
    no answer, no instrument (an inbox is not the place for them). One email per coordinator,
    so nobody sees anyone else's address.
    """
    alert = SafetyAlert.objects.filter(pk=alert_id, status=SafetyAlert.Status.OPEN).first()
    if alert is None:
        return 0
    recipients: list[str] = []
    if alert.organisation_id is not None:
        coordinators = Membership.objects.current().filter(
            organisation_id=alert.organisation_id, role=Membership.Role.COORDINATOR
        )
        recipients = sorted(
            set(
                Person.objects.filter(pk__in=coordinators.values("person_id"))
                .exclude(email="")
                .values_list("email", flat=True)
            )
        )
    if not recipients:
        logger.warning("Safety alert %s has no coordinator with an email address to tell", alert_id)
    link = settings.PEERPATH_SITE_URL + reverse("evaluation:alert", args=[alert.pk])
    body = render_to_string("evaluation/email/safety_alert.txt", {"link": link}, using="jinja2")
    for address in recipients:
        EmailMessage("A questionnaire answer needs following up today", body, None, [address]).send()
    with transaction.atomic():
        audit.record(
            actor=SAFETY_NOTICE,
            action="evaluation.safety_alert_notified",
            target=alert,
            data={"coordinators_emailed": len(recipients)},
        )
    return len(recipients)


# ---------------------------------------------------------------------------------------
# Invitations

# About how long one question takes on a phone, for the estimate in the email.
SECONDS_PER_QUESTION = 15
SUBJECTS: dict[str, str] = {
    Timepoint.BASELINE: "Before {course} starts: a few questions",
    Timepoint.END: "As {course} ends: a few questions",
    Timepoint.FOLLOW_UP: "Since {course}: a few questions",
}
# What the questions are about, finishing "... would like to know how you are ...".
MOMENTS: dict[str, str] = {
    Timepoint.BASELINE: "before {course} starts",
    Timepoint.END: "now that {course} is ending",
    Timepoint.FOLLOW_UP: "some time after {course}",
}


def _sendable(invitation_id: str) -> Invitation | None:
    """The invitation if an email about it should go now; withdraws it if consent has gone."""
    invitation = (
        Invitation.objects.select_related("person", "run__version__course__programme", "run__organisation")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.closed_because() is not None:
        return None
    if not consenting([invitation.person_id], Consent.Purpose.EVALUATION):
        invitations.withdraw(invitation, reason=invitations.CONSENT_WITHDRAWN)
        return None
    if not invitation.person.email:
        return None
    return invitation


def _email(invitation: Invitation, *, reminder: bool) -> EmailMessage:
    questionnaires = list(invitation.questionnaires.select_related("instrument_version"))
    items = sum(len(q.instrument_version.definition.get("items", [])) for q in questionnaires)
    course = invitation.run.version.course
    context = {
        "reminder": reminder,
        "person": invitation.person,
        "course": course,
        "terms": terms_of(course.programme),
        "run": invitation.run,
        "moment": MOMENTS.get(invitation.timepoint, "during {course}").format(course=course.title),
        "questionnaires": [q.instrument_version.name for q in questionnaires],
        "minutes": max(1, round(items * SECONDS_PER_QUESTION / 60)),
        "link": tokens.link_for(invitation),
        "expires": format_when(invitation.expires_at),
        "consent_link": settings.PEERPATH_SITE_URL + reverse("core:privacy"),
    }
    body = render_to_string("evaluation/email/invitation.txt", context, using="jinja2")
    subject = SUBJECTS.get(invitation.timepoint, "A few questions about {course}").format(course=course.title)
    if reminder:
        subject = f"Reminder: {subject[0].lower()}{subject[1:]}"
    return EmailMessage(subject, body, None, [invitation.person.email])


@task()
def send_invitation(invitation_id: str) -> bool:
    """Email the invitation's link the first time; False when there is nothing to send.

    The send is claimed by setting ``sent_at`` only where it is empty, so it goes once even
    if the task runs twice; if the email fails the claim is withdrawn (the job's
    ``queue_unsent`` tries again) and the error is raised to the task log.
    """
    invitation = _sendable(invitation_id)
    if invitation is None:
        return False
    now = timezone.now()
    if not Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(sent_at=now):
        return False
    try:
        _email(invitation, reminder=False).send()
    except Exception:
        Invitation.objects.filter(pk=invitation.pk, sent_at=now).update(sent_at=None)
        raise
    return True


@task()
def send_invitation_reminder(invitation_id: str, number: int, previous: str | None) -> bool:
    """Email reminder ``number`` (claimed by ``invitations.send_due_reminders``); False when
    there is nothing to send. If the email fails the claim is withdrawn, so the next job tries again."""
    invitation = _sendable(invitation_id)
    if invitation is None or invitation.reminders != number:
        return False
    try:
        _email(invitation, reminder=True).send()
    except Exception:
        restored = datetime.fromisoformat(previous) if previous else None
        Invitation.objects.filter(pk=invitation.pk, reminders=number).update(reminders=number - 1, reminded_at=restored)
        raise
    return True
