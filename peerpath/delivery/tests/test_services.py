"""Course runs: created from approved versions, staffed as the version requires, moved through their statuses."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from peerpath.core.models import AuditEvent
from peerpath.courses.choices import Category
from peerpath.courses.models import CourseVersion
from peerpath.courses.tests.factories import CourseVersionFactory, TermFactory, approved_course
from peerpath.delivery import hooks, services
from peerpath.delivery.models import CourseRun, FacilitatorAssignment, Venue
from peerpath.delivery.services import DeliveryError
from peerpath.people.models import Membership
from peerpath.people.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
Status = CourseRun.Status
Role = FacilitatorAssignment.Role
LONDON = ZoneInfo("Europe/London")
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


@pytest.fixture
def course(home_org, coordinator):
    return approved_course(home_org, coordinator, title="Understanding psychosis")  # 2 sessions of 120 minutes


@pytest.fixture
def term(home_org):
    today = timezone.localdate()
    return TermFactory(organisation=home_org, starts_on=today, ends_on=today + datetime.timedelta(days=90))


def weekly(first: datetime.date, count: int) -> list[datetime.datetime]:
    start = datetime.datetime.combine(first, datetime.time(10, 30), tzinfo=LONDON)
    return [start + datetime.timedelta(weeks=index) for index in range(count)]


@pytest.fixture
def run(course, term, home_org, coordinator) -> CourseRun:
    return services.create_run(
        actor=coordinator,
        version=course.versions.get(),
        term=term,
        organisation=home_org,
        capacity=12,
        starts=weekly(term.starts_on + datetime.timedelta(days=14), 2),
    )


def test_a_run_follows_the_approved_versions_outline(run, course, coordinator):
    sessions = list(run.sessions.order_by("number"))
    outline = list(course.versions.get().outline.order_by("number"))
    assert [(s.number, s.topic) for s in sessions] == [(o.number, o.title) for o in outline]
    assert sessions[0].ends_at - sessions[0].starts_at == datetime.timedelta(minutes=120)
    assert sessions[1].starts_at - sessions[0].starts_at == datetime.timedelta(weeks=1)
    assert run.status == Status.PLANNED
    assert list(run.status_changes.values_list("to_status", "changed_by")) == [(Status.PLANNED, coordinator.pk)]
    assert AuditEvent.objects.get(action="run.created").data["sessions"] == 2
    # Lists sort runs by their stored start, the first session's.
    assert run.starts_at == sessions[0].starts_at


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda args, course, term: {"starts": args["starts"][:1]}, "give a start for each"),
        (lambda args, course, term: {"starts": args["starts"][::-1]}, "start after the one before"),
        (lambda args, course, term: {"starts": weekly(term.ends_on + ONE_DAY, 2)}, "must fall within"),
        (lambda args, course, term: {"capacity": 0}, "at least one place"),
        (lambda args, course, term: {"organisation": OrganisationFactory()}, "owner or one of its partners"),
        (
            lambda args, course, term: {
                "version": CourseVersionFactory(course=course, number=2, created_by=args["version"].created_by)
            },
            "Only the approved version",
        ),
    ],
    ids=["too-few-starts", "out-of-order", "outside-the-term", "no-places", "stranger-organisation", "draft"],
)
def test_create_run_refuses_bad_plans(course, term, home_org, coordinator, spoil, message):
    arguments = {
        "version": course.versions.get(),
        "term": term,
        "organisation": home_org,
        "capacity": 12,
        "starts": weekly(term.starts_on + 7 * ONE_DAY, 2),
    }
    arguments |= spoil(arguments, course, term)
    with pytest.raises(DeliveryError, match=message):
        services.create_run(actor=coordinator, **arguments)
    assert not CourseRun.objects.exists()


def test_partners_may_run_a_course_and_superseded_versions_may_not_start_new_runs(course, term, other_org, coordinator):
    course.partners.add(other_org)
    run = services.create_run(
        actor=coordinator,
        version=course.versions.get(),
        term=term,
        organisation=other_org,
        capacity=8,
        starts=weekly(term.starts_on, 2),
    )
    assert run.organisation == other_org
    CourseVersion.objects.filter(pk=run.version_id).update(status=CourseVersion.Status.SUPERSEDED)
    with pytest.raises(DeliveryError, match="approved version"):
        services.create_run(
            actor=coordinator,
            version=CourseVersion.objects.get(pk=run.version_id),
            term=term,
            organisation=other_org,
            capacity=8,
            starts=weekly(term.starts_on, 2),
        )


def test_a_run_opens_only_when_staffed_as_the_version_requires(run, actors, coordinator, home_org):
    assert services.staffing_gaps(run) == [
        "Needs 1 accredited peer trainer more (the course asks for 1)",
        "Needs 1 professional tutor more (the course asks for 1)",
    ]
    with pytest.raises(DeliveryError, match="not fully staffed"):
        services.open_enrolment(actor=coordinator, run=run)

    services.assign_facilitator(actor=coordinator, run=run, person=actors["peer_tutor"].person, role=Role.PEER_TRAINER)
    assert services.staffing_gaps(run) == ["Needs 1 professional tutor more (the course asks for 1)"]
    services.assign_facilitator(
        actor=coordinator, run=run, person=actors["professional_tutor"].person, role=Role.PROFESSIONAL_TUTOR
    )
    assert services.staffing_gaps(run) == []
    services.open_enrolment(actor=coordinator, run=run)
    run.refresh_from_db()
    assert run.status == Status.OPEN


def test_support_group_formats_need_an_accredited_peer_facilitator(home_org, term, coordinator, actors):
    course = approved_course(home_org, coordinator, category=Category.SUPPORT_GROUP, session_count=1)
    CourseVersion.objects.filter(course=course).update(
        peer_trainers_required=0, professional_tutors_required=0, peer_facilitators_required=1
    )
    run = services.create_run(
        actor=coordinator,
        version=course.versions.get(),
        term=term,
        organisation=home_org,
        capacity=15,
        starts=weekly(term.starts_on, 1),
    )
    assert services.staffing_gaps(run) == ["Needs 1 accredited peer facilitator more (the course asks for 1)"]
    services.assign_facilitator(
        actor=coordinator, run=run, person=actors["peer_tutor"].person, role=Role.PEER_FACILITATOR
    )
    assert services.staffing_gaps(run) == []


def test_only_accredited_people_take_peer_roles(run, actors, coordinator, home_org):
    professional = actors["professional_tutor"].person
    with pytest.raises(DeliveryError, match="not accredited as a peer trainer"):
        services.assign_facilitator(actor=coordinator, run=run, person=professional, role=Role.PEER_TRAINER)
    trainee = services.assign_facilitator(actor=coordinator, run=run, person=professional, role=Role.TRAINEE)
    assert trainee.role == Role.TRAINEE
    with pytest.raises(DeliveryError, match="not a tutor"):
        services.assign_facilitator(actor=coordinator, run=run, person=actors["participant"].person, role=Role.TRAINEE)
    with pytest.raises(DeliveryError, match="already assigned"):
        services.assign_facilitator(actor=coordinator, run=run, person=professional, role=Role.TRAINEE)


def test_the_accreditation_app_can_answer_the_question(run, actors, coordinator):
    peer = actors["peer_tutor"].person
    asked = []

    def nobody(person_ids, role, on):
        asked.append((set(person_ids), role, on))
        return set()

    previous = hooks.register_accreditation_check(nobody)
    try:
        with pytest.raises(DeliveryError, match="not accredited"):
            services.assign_facilitator(actor=coordinator, run=run, person=peer, role=Role.PEER_TRAINER)
        first = run.sessions.order_by("starts_at").first()
        assert asked == [({peer.pk}, Role.PEER_TRAINER, timezone.localdate(first.starts_at))]
    finally:
        hooks.register_accreditation_check(previous)
    services.assign_facilitator(actor=coordinator, run=run, person=peer, role=Role.PEER_TRAINER)


def test_an_ended_peer_membership_stops_counting(run, actors, coordinator):
    peer = actors["peer_tutor"].person
    services.assign_facilitator(actor=coordinator, run=run, person=peer, role=Role.PEER_TRAINER)
    first_day = timezone.localdate(run.sessions.order_by("starts_at").first().starts_at)
    Membership.objects.filter(person=peer).update(ended_on=first_day - datetime.timedelta(days=1))
    assert "Needs 1 accredited peer trainer more (the course asks for 1)" in services.staffing_gaps(run)


def test_session_level_cover_is_checked_against_the_run(run, actors, coordinator, home_org, term):
    other_run = services.create_run(
        actor=coordinator,
        version=run.version,
        term=term,
        organisation=home_org,
        capacity=5,
        starts=weekly(term.starts_on + datetime.timedelta(days=30), 2),
    )
    with pytest.raises(DeliveryError, match="session of this run"):
        services.assign_facilitator(
            actor=coordinator,
            run=run,
            person=actors["professional_tutor"].person,
            role=Role.PROFESSIONAL_TUTOR,
            session=other_run.sessions.first(),
        )
    cover = services.assign_facilitator(
        actor=coordinator,
        run=run,
        person=actors["professional_tutor"].person,
        role=Role.PROFESSIONAL_TUTOR,
        session=run.sessions.get(number=2),
    )
    assert cover.session.number == 2
    # Cover for one session does not staff the run.
    assert "Needs 1 professional tutor more (the course asks for 1)" in services.staffing_gaps(run)


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        (Status.PLANNED, Status.OPEN, False),  # not staffed yet: opening checks staffing
        (Status.PLANNED, Status.RUNNING, False),
        (Status.PLANNED, Status.COMPLETED, False),
        (Status.OPEN, Status.FULL, True),
        (Status.OPEN, Status.PLANNED, True),
        (Status.FULL, Status.OPEN, True),
        (Status.FULL, Status.RUNNING, True),
        (Status.RUNNING, Status.COMPLETED, True),
        (Status.RUNNING, Status.OPEN, False),
        (Status.COMPLETED, Status.RUNNING, False),
        (Status.CANCELLED, Status.PLANNED, False),
    ],
)
def test_status_moves(run, coordinator, start, target, allowed):
    CourseRun.objects.filter(pk=run.pk).update(status=start)
    run.refresh_from_db()
    if allowed:
        services.change_status(actor=coordinator, run=run, to_status=target)
        run.refresh_from_db()
        assert run.status == target
        assert run.status_changes.filter(from_status=start, to_status=target).count() == 1
    else:
        with pytest.raises(DeliveryError):
            services.change_status(actor=coordinator, run=run, to_status=target)
        run.refresh_from_db()
        assert run.status == start


def test_cancelling_needs_a_reason_and_ends_the_run(run, coordinator, actors):
    with pytest.raises(DeliveryError, match="why"):
        services.cancel_run(actor=coordinator, run=run, reason=" ")
    with pytest.raises(DeliveryError, match="with a reason"):
        services.change_status(actor=coordinator, run=run, to_status=Status.CANCELLED)
    services.cancel_run(actor=coordinator, run=run, reason="The venue flooded")
    run.refresh_from_db()
    assert (run.status, run.cancellation_reason) == (Status.CANCELLED, "The venue flooded")
    assert run.status_changes.get(to_status=Status.CANCELLED).reason == "The venue flooded"
    with pytest.raises(DeliveryError, match="cancelled"):
        services.assign_facilitator(
            actor=coordinator, run=run, person=actors["peer_tutor"].person, role=Role.PEER_TRAINER
        )


def test_a_venue_of_another_organisation_is_refused(course, term, home_org, other_org, coordinator):
    elsewhere = Venue.objects.create(organisation=other_org, name="Elsewhere hall")
    with pytest.raises(DeliveryError, match="venue"):
        services.create_run(
            actor=coordinator,
            version=course.versions.get(),
            term=term,
            organisation=home_org,
            capacity=10,
            starts=weekly(term.starts_on, 2),
            venue=elsewhere,
        )
