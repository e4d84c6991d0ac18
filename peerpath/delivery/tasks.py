"""Background work for delivery: emails about places on runs (docs/adr/007).

Tasks take ids, not model instances, and are safe to run twice: each one reads
the current state and says nothing when there is nothing left to say (an offer
that was accepted or withdrawn before the email went is not announced).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from peerpath.delivery.models import Enrolment
from peerpath.delivery.presenters import format_when

# Which status each kind of email is about; a changed status means the email is stale.
EMAIL_STATUS = {
    "enrolled": Enrolment.Status.ENROLLED,
    "waitlisted": Enrolment.Status.WAITLISTED,
    "offered": Enrolment.Status.OFFERED,
    "withdrawn": Enrolment.Status.WITHDRAWN,
    "offer_expired": Enrolment.Status.WITHDRAWN,
    "not_placed": Enrolment.Status.WITHDRAWN,
    "run_cancelled": Enrolment.Status.WITHDRAWN,
}
SUBJECTS = {
    "enrolled": "You have a place on {course}",
    "waitlisted": "You are on the waiting list for {course}",
    "offered": "A place on {course} is yours if you want it",
    "withdrawn": "You have left {course}",
    "offer_expired": "Your offer of a place on {course} has expired",
    "not_placed": "No place came free on {course}",
    "run_cancelled": "{course} has been cancelled",
}


@task()
def send_enrolment_email(enrolment_id: str, kind: str) -> bool:
    """Tell the participant what happened to their place; False when there is nothing to send."""
    enrolment = (
        Enrolment.objects.select_related("person", "run__version__course", "run__term", "run__organisation")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None or kind not in EMAIL_STATUS or enrolment.status != EMAIL_STATUS[kind]:
        return False
    if kind == "offered" and enrolment.offer_expires_at and enrolment.offer_expires_at <= timezone.now():
        return False
    person = enrolment.person
    if not person.email:
        return False
    run = enrolment.run
    course = run.version.course
    first = run.sessions.order_by("starts_at").select_related("venue").first()
    context = {
        "kind": kind,
        "person": person,
        "run": run,
        "course": course,
        "first": first,
        "enrolment": enrolment,
        "place": enrolment.place_in_queue(),
        "first_when": format_when(first.starts_at, first.ends_at) if first else "",
        "expires_when": format_when(enrolment.offer_expires_at) if enrolment.offer_expires_at else "",
        "courses_link": settings.PEERPATH_SITE_URL + reverse("delivery:my_courses"),
        "prospectus_link": settings.PEERPATH_SITE_URL + reverse("prospectus:index"),
    }
    body = render_to_string(f"delivery/email/{kind}.txt", context, using="jinja2")
    send_mail(SUBJECTS[kind].format(course=course.title), body, None, [person.email])
    return True
