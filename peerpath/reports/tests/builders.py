"""Hand-made programme data for the reports tests: finished runs, the people who came, their
answers typed in through the response services (so scores come from the scoring engine)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from peerpath.courses.choices import Category
from peerpath.delivery.models import Attendance, CourseRun, Enrolment
from peerpath.delivery.tests.factories import move_sessions, open_run
from peerpath.evaluation import responses
from peerpath.evaluation.models import Response, Schedule, ScheduleInstrument
from peerpath.evaluation.tests.test_responses import shipped
from peerpath.people.models import EqualityMonitoring, Membership, Organisation, Person
from peerpath.people.tests.factories import MembershipFactory
from peerpath.reports.filters import Scope
from peerpath.reports.models import DisclosurePolicy


def scope_for(
    *organisations: Organisation,
    days: int = 365,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    exact: bool = True,
    **fields: Any,
) -> Scope:
    """The organisations' figures, exactly, from ``start`` (default ``days`` ago) to ``end`` (today)."""
    today = timezone.localdate()
    return Scope(
        organisation_ids=frozenset(org.pk for org in organisations),
        all_organisations=False,
        start=start or today - datetime.timedelta(days=days),
        end=end or today,
        exact=exact,
        policy=DisclosurePolicy(),
        organisation_names=tuple(org.name for org in organisations),
        **fields,
    )


def finished_run(
    organisation: Organisation,
    user: Any,
    *,
    days_ago: int = 60,
    category: str = Category.RECOVERY_COLLEGE,
    title: str | None = None,
    course: Any = None,
) -> CourseRun:
    """A run whose sessions all took place, ``days_ago`` days ago and weekly after, now completed."""
    fields: dict[str, Any] = {"category": category}
    if title:
        fields["title"] = title
    run = open_run(organisation, user, course=course, **({} if course else fields))
    move_sessions(run, timezone.localdate() - datetime.timedelta(days=days_ago))
    CourseRun.objects.filter(pk=run.pk).update(status=CourseRun.Status.COMPLETED)
    run.refresh_from_db()
    return run


def participant(organisation: Organisation, **person_fields: Any) -> Person:
    person = MembershipFactory(organisation=organisation, role=Membership.Role.PARTICIPANT).person
    for name, value in person_fields.items():
        setattr(person, name, value)
    person.save()
    return person


def came(
    run: CourseRun,
    user: Any,
    people: Iterable[Person],
    *,
    sessions: int = 1,
    status: str = Enrolment.Status.COMPLETED,
) -> list[Enrolment]:
    """Give each person a place on ``run`` with ``status`` and mark them present at the first ``sessions``."""
    now = timezone.now()
    made = [
        Enrolment.objects.create(run=run, person=person, status=status, channel="staff", agreement_accepted_at=now)
        for person in people
    ]
    first = list(run.sessions.order_by("number")[:sessions])
    Attendance.objects.bulk_create(
        Attendance(session=session, enrolment=enrolment, status=Attendance.Status.PRESENT, recorded_by=user)
        for enrolment in made
        for session in first
    )
    return made


def monitored(person: Person, **answers: str) -> EqualityMonitoring:
    return EqualityMonitoring.objects.create(person=person, **answers)


def asked_at_baseline(*codes: str, category: str = Category.RECOVERY_COLLEGE) -> None:
    """The network's baseline schedule for ``category`` asks these instruments."""
    schedule = Schedule.objects.create(category=category, timepoint="baseline")
    ScheduleInstrument.objects.bulk_create(
        ScheduleInstrument(schedule=schedule, instrument_code=code, position=index) for index, code in enumerate(codes)
    )


def answered(
    user: Any,
    person: Person,
    run: CourseRun,
    timepoint: str,
    code: str,
    answers: dict[str, Any],
    *,
    blank: bool = False,
) -> Response:
    """A paper form typed in and submitted; ``blank``: questions missing were left blank on the form."""
    response = responses.start_response(
        actor=user, person=person, instrument_version=shipped(code), run=run, timepoint=timepoint, mode="paper"
    )
    responses.save_answers(actor=user, response=response, answers=answers)
    responses.submit(actor=user, response=response, left_blank_on_form=blank)
    return response


def swemwbs(total: int) -> dict[str, int]:
    """Seven answers (1 to 5) adding up to ``total`` (7 to 35)."""
    answers, left = {}, total
    for number in range(1, 8):
        rest = 7 - number
        value = max(1, min(5, left - rest))
        answers[f"q{number}"] = value
        left -= value
    return answers
