"""Builders for delivery tests: runs made through the services, so they obey the same rules."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from peerpath.courses.tests.factories import TermFactory, approved_course
from peerpath.delivery import services
from peerpath.delivery.models import CourseRun, FacilitatorAssignment, GroupMeeting, SupportGroup, Venue
from peerpath.people.models import Membership, Organisation, Person
from peerpath.people.tests.factories import MembershipFactory, OrganisationFactory

LONDON = ZoneInfo("Europe/London")


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Community room {n}")
    address = "12 High Street\nLondon"
    postcode = "SW17 0QT"
    step_free = True


class SupportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportGroup

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Carers' support group {n}")
    meeting_pattern = "Second Tuesday of the month, 6pm to 8pm"


class GroupMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMeeting

    group = factory.SubFactory(SupportGroupFactory)
    met_on = factory.LazyFunction(timezone.localdate)
    topics = "Looking after yourself over the holidays"


def weekly(first: datetime.date, count: int, at: datetime.time = datetime.time(10, 30)) -> list[datetime.datetime]:
    start = datetime.datetime.combine(first, at, tzinfo=LONDON)
    return [start + datetime.timedelta(weeks=index) for index in range(count)]


def tutor(organisation: Organisation, kind: str = Membership.TutorKind.PEER) -> Person:
    return MembershipFactory(organisation=organisation, role=Membership.Role.TUTOR, tutor_kind=kind).person


def accredit(person: Person, role: str, on: datetime.date) -> None:
    """Give ``person`` the award that lets them take ``role`` on ``on``, unless they hold one already.

    Outside delivery's own tests the accreditation app answers "is this person accredited?"
    from awards, so runs built for other apps' tests need their peer trainers to hold one.
    """
    from peerpath.accreditation.frameworks import ensure_default
    from peerpath.accreditation.lifecycle import holders_on
    from peerpath.accreditation.models import Award, Scheme

    if holders_on([person.pk], role, on):
        return
    ensure_default()
    assessor = MembershipFactory(role=Membership.Role.ASSESSOR).person
    Award.objects.create(
        holder=person,
        scheme=Scheme.objects.get(grants=role, active=True),
        period=Award.objects.filter(holder=person, scheme__grants=role).count() + 1,
        valid_from=on - datetime.timedelta(days=365),
        valid_until=on + datetime.timedelta(days=3 * 365),
        granted_by=assessor,
    )


def open_run(
    organisation: Organisation,
    user: Any,
    *,
    capacity: int = 12,
    course: Any = None,
    term: Any = None,
    first_day: datetime.date | None = None,
    peer: Person | None = None,
    professional: Person | None = None,
    **course_fields: Any,
) -> CourseRun:
    """An approved course's run, staffed by a peer trainer and a professional tutor, open for enrolment.

    Sessions are weekly from ``first_day`` (default: three weeks from today).
    """
    course = course or approved_course(organisation, user, **course_fields)
    today = timezone.localdate()
    term = term or TermFactory(organisation=organisation, starts_on=today, ends_on=today + datetime.timedelta(days=120))
    first_day = first_day or today + datetime.timedelta(days=21)
    run = services.create_run(
        actor=user,
        version=course.versions.get(status="approved"),
        term=term,
        organisation=organisation,
        capacity=capacity,
        starts=weekly(first_day, course.session_count),
    )
    role = FacilitatorAssignment.Role
    peer = peer or tutor(organisation)
    accredit(peer, role.PEER_TRAINER, first_day)
    services.assign_facilitator(actor=user, run=run, person=peer, role=role.PEER_TRAINER)
    professional = professional or tutor(organisation, Membership.TutorKind.PROFESSIONAL)
    services.assign_facilitator(actor=user, run=run, person=professional, role=role.PROFESSIONAL_TUTOR)
    return services.open_enrolment(actor=user, run=run)


def move_sessions(run: CourseRun, first_day: datetime.date) -> None:
    """Shift every session of ``run`` so the first falls on ``first_day`` at the same time of day.

    People enrol before a run starts; tests that need a register open today (or days ago)
    enrol first, then move the run's sessions there.
    """
    sessions = list(run.sessions.order_by("starts_at"))
    first = timezone.localtime(sessions[0].starts_at)
    moved = datetime.datetime.combine(first_day, first.time(), tzinfo=first.tzinfo)
    delta = moved - first
    for session in sessions:
        session.starts_at += delta
        session.ends_at += delta
    type(sessions[0]).objects.bulk_update(sessions, ["starts_at", "ends_at"])
    run.refresh_starts_at()
