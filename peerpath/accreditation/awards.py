"""Granting awards: one service decides, and it checks every requirement first.

An award is granted by an accredited assessor (a current assessor membership),
never to themselves, and only when ``requirements.progress`` finds every
requirement met. An administrator may grant with a requirement unmet by
recording a documented exception. A person holds at most one award period of a
scheme at a time; renewal (next) makes the next period.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from peerpath.accreditation import notices, requirements
from peerpath.accreditation.models import Award, AwardStatusChange, Scheme
from peerpath.core import audit
from peerpath.core.audit import Actor
from peerpath.people.models import Membership, Person


class AccreditationError(Exception):
    """A rule about awards was broken; the message is fit to show."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_assessor(person: Person | None, on: date) -> bool:
    if person is None:
        return False
    return Membership.objects.current(on).filter(person=person, role=Membership.Role.ASSESSOR).exists()


def decider(actor: Actor, on: date, *, holder_id: Any = None, exception_reason: str = "") -> Person:
    """The person deciding about an award: a current assessor or an administrator, never the holder.

    Only an administrator may record an exception (a requirement granted unmet). Shared by
    granting, renewing and changing an award's status.
    """
    user = audit.person_actor(actor)
    person = Person.objects.filter(user=user).first()
    if exception_reason.strip() and not user.is_superuser:
        raise AccreditationError("Only an administrator can record an exception", field="exception_reason")
    if not user.is_superuser and not is_assessor(person, on):
        raise AccreditationError("Only an accredited assessor or an administrator can decide about an award")
    if person is None:
        raise AccreditationError("Awards are decided by a person: your login has no person record")
    if holder_id is not None and person.pk == holder_id:
        raise AccreditationError("You cannot decide about your own award")
    return person


def covers(award: Award, day: date) -> bool:
    """The award (active or suspended) still runs on ``day``."""
    held = award.status in (Award.Status.ACTIVE, Award.Status.SUSPENDED)
    return held and (award.valid_until is None or award.valid_until >= day)


def grant_award(
    *,
    actor: Actor,
    holder: Person,
    scheme: Scheme,
    valid_from: date | None = None,
    exception_reason: str = "",
) -> Award:
    """Grant ``scheme`` to ``holder`` from ``valid_from`` (today), or refuse with the reason."""
    user = audit.person_actor(actor)
    valid_from = valid_from or timezone.localdate()
    exception_reason = exception_reason.strip()
    granter = decider(actor, valid_from, holder_id=holder.pk, exception_reason=exception_reason)
    if not scheme.active:
        raise AccreditationError(f"{scheme.name} is no longer awarded")
    progress = requirements.progress(holder.pk, scheme)
    gaps = requirements.describe_unmet(progress)
    if gaps and not exception_reason:
        raise AccreditationError(f"Not every requirement is met yet: {gaps}")
    with transaction.atomic():
        held = Award.objects.select_for_update().filter(holder=holder, scheme=scheme).order_by("-period")
        latest = held.first()
        if latest is not None and covers(latest, valid_from):
            raise AccreditationError(f"{holder} already holds {scheme.name} for this period")
        valid_until = add_months(valid_from, scheme.validity_months) if scheme.validity_months else None
        try:
            with transaction.atomic():
                award = Award.objects.create(
                    holder=holder,
                    scheme=scheme,
                    period=(latest.period + 1) if latest else 1,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    granted_by=granter,
                    exception_reason=exception_reason if gaps else "",
                )
        except IntegrityError:
            raise AccreditationError(f"{holder} already holds {scheme.name} for this period") from None
        AwardStatusChange.objects.create(
            award=award,
            to_status=Award.Status.ACTIVE,
            changed_by=user,
            changed_by_label=str(user),
            reason=f"Granted with an exception: {exception_reason}" if gaps else "Every requirement met",
        )
        audit.record(
            actor=actor,
            action="award.granted",
            target=award,
            data={"scheme": scheme.code, "period": award.period, "exception": bool(gaps)},
        )
        notices.tell_holder(award, "granted")
    return award
