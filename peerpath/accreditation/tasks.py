"""Expiry reminders for awards: to the holder and to the coordinators of their organisations.

``send_expiry_reminders`` claims one ``AwardReminder`` row per award and kind
(expiring soon, expired) and queues the email after the claim commits, so each
reminder goes once; a failed send withdraws its claim so the next run retries.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from peerpath.accreditation.lifecycle import Standing, standing
from peerpath.accreditation.models import Award, AwardReminder
from peerpath.courses.presenters import format_day
from peerpath.people.models import Membership, Person


def _claim(award: Award, kind: str) -> bool:
    try:
        with transaction.atomic():
            AwardReminder.objects.create(award=award, kind=kind)
    except IntegrityError:
        return False
    award_id = str(award.pk)
    transaction.on_commit(lambda: send_expiry_reminder.enqueue(award_id, kind))
    return True


def send_expiry_reminders(today: date | None = None) -> int:
    """Claim and queue the reminders now due; returns how many were queued."""
    today = today or timezone.localdate()
    queued = 0
    candidates = Award.objects.select_related("scheme").filter(
        status__in=(Award.Status.ACTIVE, Award.Status.EXPIRED),
        valid_until__isnull=False,
        valid_until__gte=today - timedelta(days=366),
        renewed_by__isnull=True,
    )
    for award in candidates:
        now = standing(award, today)
        kind = {
            Standing.EXPIRING_SOON: AwardReminder.Kind.EXPIRING,
            Standing.IN_GRACE: AwardReminder.Kind.EXPIRED,
        }.get(now)
        if kind is not None:
            with transaction.atomic():
                queued += _claim(award, kind)
    return queued


def _coordinators(holder: Person, on: date) -> list[str]:
    organisations = Membership.objects.current(on).filter(person=holder).values("organisation_id")
    emails = (
        Membership.objects.current(on)
        .filter(organisation_id__in=organisations, role=Membership.Role.COORDINATOR)
        .exclude(person__email="")
        .values_list("person__email", flat=True)
    )
    return sorted(set(emails))


@task()
def send_expiry_reminder(award_id: str, kind: str) -> bool:
    award = Award.objects.select_related("holder", "scheme").filter(pk=award_id).first()
    if award is None or award.valid_until is None:
        return False
    try:
        today = timezone.localdate()
        context = {
            "award": award,
            "holder": award.holder,
            "scheme": award.scheme,
            "kind": kind,
            "ends": format_day(award.valid_until),
            "grace_ends": format_day(award.valid_until + timedelta(days=award.scheme.grace_days)),
            "site": settings.PEERPATH_SITE_URL,
        }
        subject = (
            f"Your {award.scheme.name} ends on {context['ends']}"
            if kind == AwardReminder.Kind.EXPIRING
            else f"Your {award.scheme.name} has ended: renew it by {context['grace_ends']}"
        )
        if award.holder.email:
            body = render_to_string("accreditation/email/expiry_holder.txt", context, using="jinja2")
            send_mail(subject, body, None, [award.holder.email])
        coordinators = _coordinators(award.holder, today)
        if coordinators:
            body = render_to_string("accreditation/email/expiry_coordinator.txt", context, using="jinja2")
            send_mail(f"{award.holder.display_name}: {subject.removeprefix('Your ')}", body, None, coordinators)
    except Exception:
        AwardReminder.objects.filter(award_id=award_id, kind=kind).delete()
        raise
    return True
