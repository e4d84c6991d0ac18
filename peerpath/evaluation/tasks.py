"""Background work for evaluation (ADR 007, ADR 018): emails about safety alerts and invitations.

Tasks take ids, not rows, and are safe to run twice: each reads the current state and says
nothing when there is nothing left to say.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from peerpath.core import audit
from peerpath.core.audit import SystemActor
from peerpath.evaluation.models import SafetyAlert
from peerpath.people.models import Membership, Person

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
