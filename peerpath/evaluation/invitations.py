"""Invitations to answer a timepoint's questionnaires, by a link that needs no login (ADR 018).

Invitations are written only here. The periodic job (``manage.py evaluation_jobs``) calls
``create_due_invitations`` and ``send_due_reminders``; the emails go through tasks queued
after commit (``peerpath.evaluation.tasks``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.audit import Actor, SystemActor
from peerpath.delivery.models import CourseRun
from peerpath.evaluation import tokens
from peerpath.evaluation.models import InstrumentVersion, Invitation, InvitationQuestionnaire, Schedule
from peerpath.people.models import Person

INVITATION_JOB = SystemActor("evaluation.invitations")


class InvitationError(Exception):
    """An invitation could not be made or changed; the message is fit to show."""


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
    invitation = Invitation.objects.create(
        person=person,
        run=run,
        timepoint=timepoint,
        schedule=schedule,
        nonce=tokens.new_nonce(),
        expires_at=expires_at,
    )
    InvitationQuestionnaire.objects.bulk_create(
        InvitationQuestionnaire(invitation=invitation, instrument_version=version, position=position)
        for position, version in enumerate(versions, start=1)
    )
    audit.record(
        actor=actor,
        action="evaluation.invitation_created",
        target=invitation,
        data={"run": str(run.pk), "timepoint": timepoint, "instruments": [version.code for version in versions]},
    )
    return invitation
