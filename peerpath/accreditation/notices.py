"""Telling a holder what was decided about their award: granted, renewed, suspended, reinstated, revoked.

The services call ``tell_holder`` inside their transaction; the email is queued when it
commits, so a decision that rolls back sends nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from peerpath.accreditation.models import Award
from peerpath.courses.presenters import format_day

SUBJECTS = {
    "granted": "You have been awarded {scheme}",
    "renewed": "Your {scheme} has been renewed",
    "suspended": "Your {scheme} has been suspended",
    "reinstated": "Your {scheme} has been reinstated",
    "revoked": "Your {scheme} has been revoked",
}


def tell_holder(award: Award, event: str, reason: str = "") -> None:
    """Queue the email about ``event`` for when the current transaction commits."""
    if event not in SUBJECTS:
        raise ValueError(f"unknown award event {event!r}")
    award_id = str(award.pk)
    transaction.on_commit(lambda: send_award_notice.enqueue(award_id, event, reason))


@task()
def send_award_notice(award_id: str, event: str, reason: str) -> bool:
    award = Award.objects.select_related("holder", "scheme").filter(pk=award_id).first()
    if award is None or not award.holder.email:
        return False
    context = {
        "holder": award.holder,
        "scheme": award.scheme,
        "event": event,
        "reason": reason,
        "valid_from": format_day(award.valid_from),
        "valid_until": format_day(award.valid_until) if award.valid_until else "",
        "link": settings.PEERPATH_SITE_URL + reverse("accreditation:award_detail", kwargs={"award_id": award.pk}),
    }
    body = render_to_string("accreditation/email/award_notice.txt", context, using="jinja2")
    send_mail(SUBJECTS[event].format(scheme=award.scheme.name), body, None, [award.holder.email])
    return True
