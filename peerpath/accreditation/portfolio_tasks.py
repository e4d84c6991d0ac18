"""Emails to a candidate about their portfolio: an entry reviewed, an observation recorded.

Tasks take ids and read the current state, so a task run twice, or after the entry
changed again, says nothing stale: an entry no longer accepted or returned is not announced.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from peerpath.accreditation.models import Observation, PortfolioEntry
from peerpath.courses.presenters import format_day

REVIEWED = {
    PortfolioEntry.Status.ACCEPTED: ("portfolio_accepted", "Your portfolio entry has been accepted"),
    PortfolioEntry.Status.RETURNED: ("portfolio_returned", "Your portfolio entry needs a little more work"),
}


@task()
def send_entry_reviewed_email(entry_id: str) -> bool:
    """Tell the candidate their entry was accepted or returned; False when there is nothing to send."""
    entry = PortfolioEntry.objects.select_related("candidate").filter(pk=entry_id).first()
    if entry is None or entry.status not in REVIEWED or not entry.candidate.email:
        return False
    template, subject = REVIEWED[PortfolioEntry.Status(entry.status)]
    context = {
        "person": entry.candidate,
        "entry": entry,
        "link": settings.PEERPATH_SITE_URL + reverse("accreditation:entry_detail", kwargs={"entry_id": entry.pk}),
    }
    body = render_to_string(f"accreditation/email/{template}.txt", context, using="jinja2")
    send_mail(subject, body, None, [entry.candidate.email])
    return True


@task()
def send_observation_email(observation_id: str) -> bool:
    """Tell the candidate an observation of their session was recorded, with a link to the feedback."""
    observation = (
        Observation.objects.select_related("candidate", "assessor", "session__run__version__course")
        .filter(pk=observation_id)
        .first()
    )
    if observation is None or not observation.candidate.email:
        return False
    context = {
        "person": observation.candidate,
        "observation": observation,
        "course": observation.session.run.version.course,
        "day": format_day(observation.observed_on),
        "link": settings.PEERPATH_SITE_URL
        + reverse("accreditation:observation_detail", kwargs={"observation_id": observation.pk}),
    }
    body = render_to_string("accreditation/email/observation_recorded.txt", context, using="jinja2")
    send_mail("Feedback from your observed session", body, None, [observation.candidate.email])
    return True
