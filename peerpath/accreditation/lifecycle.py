"""An award's life after it is granted: standing on a day, expiry, suspension, revocation and renewal.

Stored statuses are active, expired, suspended and revoked. What people see is
the award's *standing* on a day, computed from the status and the dates:

- active, or **expiring soon** inside the scheme's reminder window before
  ``valid_until``;
- **in grace** for ``grace_days`` after ``valid_until``: it no longer lets the
  holder facilitate, but it can still be renewed on the renewal requirements alone;
- expired after that (``expire_awards`` then stores it), suspended or revoked.

Renewal makes the next period, linked to the one it renews. It starts the day
after the old one ends when renewed in time, so there is no gap, or on the day
of renewal from grace.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from peerpath.accreditation import notices
from peerpath.accreditation.awards import AccreditationError, add_months, decider
from peerpath.accreditation.models import Award, AwardStatusChange, PortfolioEntry, Scheme
from peerpath.accreditation.requirements import Requirement, describe_unmet
from peerpath.core import audit
from peerpath.core.audit import Actor, SystemActor
from peerpath.delivery.models import CourseRun, FacilitatorAssignment, Session

S = Award.Status
EXPIRY_JOB = SystemActor("award expiry")


class Standing(enum.StrEnum):
    ACTIVE = "active"
    EXPIRING_SOON = "expiring_soon"
    IN_GRACE = "in_grace"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def lets_facilitate(self) -> bool:
        return self in (Standing.ACTIVE, Standing.EXPIRING_SOON)


def standing(award: Award, today: date) -> Standing:
    if award.status == S.REVOKED:
        return Standing.REVOKED
    if award.status == S.SUSPENDED:
        return Standing.SUSPENDED
    if award.valid_until is None:
        return Standing.ACTIVE
    scheme = award.scheme
    if today <= award.valid_until and award.status == S.ACTIVE:
        soon = award.valid_until - timedelta(days=scheme.expiring_soon_days)
        return Standing.EXPIRING_SOON if today >= soon else Standing.ACTIVE
    if today <= award.valid_until + timedelta(days=scheme.grace_days):
        return Standing.IN_GRACE
    return Standing.EXPIRED


def awards_of(person_id: uuid.UUID) -> list[Award]:
    """A person's award periods, by scheme and newest first (one query)."""
    return list(Award.objects.filter(holder_id=person_id).select_related("scheme").order_by("scheme__name", "-period"))


def holders_on(person_ids: Iterable[uuid.UUID], grants: str, day: date) -> set[uuid.UUID]:
    """Who holds an award letting them take ``grants`` (a Scheme.Grants value) on ``day`` (one query).

    An award that has since expired still covered the days of its period (runs in the past
    were staffed by accredited people); a suspended or revoked one covers nothing.
    """
    awards = Award.objects.filter(
        holder_id__in=list(person_ids),
        scheme__grants=grants,
        status__in=(S.ACTIVE, S.EXPIRED),
        valid_from__lte=day,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
    return set(awards.values_list("holder_id", flat=True))


def _change(actor: Actor, award: Award, to_status: str, reason: str) -> None:
    updated = Award.objects.filter(pk=award.pk, status=award.status).update(status=to_status)
    if not updated:
        raise AccreditationError("Someone else changed this award just now. Check it and try again")
    AwardStatusChange.objects.create(
        award=award,
        from_status=award.status,
        to_status=to_status,
        **audit.attribution(actor),
        reason=reason,
    )
    audit.record(actor=actor, action="award.status_changed", target=award, data={"from": award.status, "to": to_status})
    award.status = to_status


MOVES = {
    "suspend": ({S.ACTIVE}, S.SUSPENDED),
    "reinstate": ({S.SUSPENDED}, S.ACTIVE),
    "revoke": ({S.ACTIVE, S.SUSPENDED, S.EXPIRED}, S.REVOKED),
}
# What each move did, in the words the holder's email and the page's banner use.
DONE = {"suspend": "suspended", "reinstate": "reinstated", "revoke": "revoked"}


def change_award(*, actor: Actor, award: Award, move: str, reason: str) -> Award:
    """Suspend, reinstate or revoke an award, with a reason the holder is told."""
    if move not in MOVES:
        raise AccreditationError("Choose suspend, reinstate or revoke")
    if not reason.strip():
        raise AccreditationError("Enter the reason: the holder is told it", field="reason")
    allowed, to_status = MOVES[move]
    decider(actor, timezone.localdate(), holder_id=award.holder_id)
    if award.status not in allowed:
        raise AccreditationError(f"An award that is {award.get_status_display().lower()} cannot be {move}d")
    with transaction.atomic():
        _change(actor, award, to_status, reason.strip()[:1000])
        notices.tell_holder(award, DONE[move], reason)
    return award


def expire_awards(today: date | None = None) -> int:
    """Store as expired the active awards whose end date has passed; returns how many."""
    today = today or timezone.localdate()
    expired = 0
    for award in Award.objects.filter(status=S.ACTIVE, valid_until__lt=today).order_by("pk"):
        with transaction.atomic():
            try:
                _change(EXPIRY_JOB, award, S.EXPIRED, f"Passed its end date, {award.valid_until:%-d %B %Y}")
            except AccreditationError:
                continue  # changed by someone else meanwhile
            expired += 1
    return expired


# Renewal ---------------------------------------------------------------------------------


def _sessions_delivered(holder_id: uuid.UUID, grants: str, start: date, end: date) -> int:
    """Sessions in [start, end] the holder was assigned to in the scheme's role, held in runs that went ahead."""
    went_ahead = (CourseRun.Status.RUNNING, CourseRun.Status.COMPLETED)
    held = Session.objects.filter(
        run__status__in=went_ahead, starts_at__date__gte=start, starts_at__date__lte=end
    ).filter(starts_at__lte=timezone.now())
    mine = FacilitatorAssignment.objects.filter(person_id=holder_id, role=grants)
    whole_runs = mine.filter(session__isnull=True).values("run_id")
    single = mine.filter(session__isnull=False).values("session_id")
    return held.filter(Q(run_id__in=whole_runs) | Q(pk__in=single)).distinct().count()


def renewal_progress(award: Award) -> list[Requirement]:
    """What renewing ``award`` asks, counted over its period (three queries)."""
    scheme: Scheme = award.scheme
    start = award.valid_from
    end = award.valid_until or timezone.localdate()
    accepted = PortfolioEntry.objects.filter(
        candidate_id=award.holder_id,
        status=PortfolioEntry.Status.ACCEPTED,
        occurred_on__gte=start,
        occurred_on__lte=end,
    )
    supervisions = accepted.filter(kind=PortfolioEntry.Kind.SUPERVISION).count()
    cpd = accepted.filter(kind__in=(PortfolioEntry.Kind.CPD, PortfolioEntry.Kind.TRAINING)).aggregate(h=Sum("hours"))
    hours = cpd["h"] or Decimal(0)
    found = []
    if scheme.renewal_sessions_delivered:
        delivered = _sessions_delivered(award.holder_id, scheme.grants, start, end)
        needed = scheme.renewal_sessions_delivered
        found.append(Requirement("delivered", f"{needed} sessions delivered in the period", needed, delivered))
    if scheme.renewal_supervisions:
        needed = scheme.renewal_supervisions
        found.append(Requirement("supervision", f"{needed} supervision sessions in the period", needed, supervisions))
    if scheme.renewal_cpd_hours:
        # Hours in tenths, so the requirement compares whole numbers exactly.
        needed_tenths = int(scheme.renewal_cpd_hours * 10)
        label = f"{scheme.renewal_cpd_hours} hours of continuing development in the period"
        found.append(Requirement("cpd", label, needed_tenths, int(hours * 10), scale=10))
    return found


@dataclass(frozen=True)
class Renewal:
    award: Award
    gap_days: int


def renew_award(*, actor: Actor, award: Award, today: date | None = None, exception_reason: str = "") -> Renewal:
    """The next period of ``award``, when its renewal requirements are met and it is active or in grace."""
    today = today or timezone.localdate()
    user = audit.person_actor(actor)
    exception_reason = exception_reason.strip()
    granter = decider(actor, today, holder_id=award.holder_id, exception_reason=exception_reason)
    if award.valid_until is None:
        raise AccreditationError("This award does not expire, so it needs no renewal")
    if Award.objects.filter(renews=award).exists():
        raise AccreditationError("This award has already been renewed")
    now = standing(award, today)
    if now not in (Standing.ACTIVE, Standing.EXPIRING_SOON, Standing.IN_GRACE):
        raise AccreditationError(f"An award that is {now.label.lower()} cannot be renewed: it must be granted again")
    gaps = describe_unmet(renewal_progress(award))
    if gaps and not exception_reason:
        raise AccreditationError(f"Not every renewal requirement is met yet: {gaps}")
    scheme = award.scheme
    ends = award.valid_until
    starts = ends + timedelta(days=1) if today <= ends else today
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if Award.objects.filter(renews=locked).exists():
            raise AccreditationError("This award has already been renewed")
        months = scheme.validity_months or 12
        renewed = Award.objects.create(
            holder_id=award.holder_id,
            scheme=scheme,
            period=locked.period + 1,
            renews=locked,
            valid_from=starts,
            valid_until=add_months(starts, months),
            granted_by=granter,
            exception_reason=exception_reason if gaps else "",
        )
        AwardStatusChange.objects.create(
            award=renewed,
            to_status=S.ACTIVE,
            changed_by=user,
            changed_by_label=str(user),
            reason=f"Renewed with an exception: {exception_reason}" if gaps else "Renewal requirements met",
        )
        if locked.status == S.ACTIVE and today > ends:
            _change(actor, locked, S.EXPIRED, "Renewed from its grace period")
        audit.record(
            actor=actor,
            action="award.renewed",
            target=renewed,
            data={"renews": str(locked.pk), "period": renewed.period},
        )
        notices.tell_holder(renewed, "renewed")
    return Renewal(renewed, gap_days=max((starts - ends).days - 1, 0))
