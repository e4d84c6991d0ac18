"""The delivery seed step: runs, registers and groups that obey every rule the services enforce."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Count, Q

from peerpath.core import seeding
from peerpath.courses.models import CourseVersion, OutlineSession
from peerpath.delivery import services
from peerpath.delivery.enrolment import completion_threshold, has_completed
from peerpath.delivery.models import (
    ATTENDED,
    PLACE_HOLDING,
    Attendance,
    CourseRun,
    Enrolment,
    EnrolmentStatusChange,
    FacilitatorAssignment,
    GroupMeeting,
    RunStatusChange,
    Session,
    SupportGroup,
    Venue,
)
from peerpath.delivery.seeding import SHARED_KEY, SeededDelivery
from peerpath.people.models import CaringRole, Membership, Organisation

LONDON = ZoneInfo("Europe/London")
ANCHOR = seeding.DEFAULT_ANCHOR_DATE
NOW = datetime.combine(ANCHOR, time(9), tzinfo=LONDON)
E = Enrolment.Status
R = CourseRun.Status
Role = FacilitatorAssignment.Role
SEED_MODELS = (
    Venue,
    CourseRun,
    RunStatusChange,
    Session,
    FacilitatorAssignment,
    Enrolment,
    EnrolmentStatusChange,
    Attendance,
    SupportGroup,
    GroupMeeting,
)
# Two colleges with partners over two years: partner-run courses, invented areas, runs left unstaffed.
TWO_COLLEGES = dataclasses.replace(
    seeding.SCALES["national"],
    people=900,
    colleges=2,
    partners_per_college=3,
    years=2,
    runs_per_year=90,
)


def _fingerprint() -> str:
    """Every seeded delivery value that should repeat with the seed (not database-generated ids)."""
    dump = [
        list(Venue.objects.order_by("id").values_list("id", "name", "postcode", "joining_link", "step_free")),
        list(
            CourseRun.objects.order_by("id").values_list(
                "id", "version_id", "status", "capacity", "places_taken", "waiting", "created_at", "enrolment_opens_on"
            )
        ),
        list(Session.objects.order_by("id").values_list("id", "number", "starts_at", "venue_id")),
        sorted(RunStatusChange.objects.values_list("run_id", "to_status", "changed_at", "changed_by_label")),
        sorted(FacilitatorAssignment.objects.values_list("run_id", "person_id", "role", "assigned_at")),
        list(Enrolment.objects.order_by("id").values_list("id", "person_id", "status", "position", "created_at")),
        sorted(EnrolmentStatusChange.objects.values_list("enrolment_id", "to_status", "changed_at", "reason")),
        sorted(Attendance.objects.values_list("session_id", "enrolment_id", "status", "recorded_at")),
        list(SupportGroup.objects.order_by("id").values_list("id", "name", "meeting_pattern", "anonymous")),
        list(GroupMeeting.objects.order_by("id").values_list("id", "met_on", "head_count", "topics")),
        sorted(GroupMeeting.attendees.through.objects.values_list("groupmeeting_id", "person_id")),
    ]
    return hashlib.sha256(repr(dump).encode()).hexdigest()


def _seed(seed: int, sizes: seeding.ScaleSizes | None = None) -> seeding.SeedResult:
    return seeding.run(scale="small", seed=seed, sizes=sizes, write=lambda message: None)


def _keeping_shared(sizes: seeding.ScaleSizes | None, seed: int) -> tuple[seeding.SeedResult, dict[str, Any]]:
    """Seed, and keep what the steps shared with each other."""
    shared: dict[str, Any] = {}

    def keep(context: seeding.SeedContext) -> None:
        shared.update(context.shared)

    seeding.register("zz-keep-shared", 999, keep)
    try:
        result = _seed(seed, sizes)
    finally:
        seeding._STEPS.pop("zz-keep-shared", None)
    return result, shared


@pytest.fixture(scope="module")
def two_colleges(django_db_setup: None, django_db_blocker: Any) -> dict[str, Any]:
    """Two colleges over two years, checked and rolled back before the small scale is seeded for the module."""
    seeding.autodiscover()
    outcome: dict[str, Any] = {}
    with django_db_blocker.unblock(), transaction.atomic():
        _result, shared = _keeping_shared(TWO_COLLEGES, 7)
        try:
            check_everything(shared[SHARED_KEY])
        except AssertionError as error:
            outcome["error"] = error
        outcome["partner_runs"] = CourseRun.objects.exclude(organisation__kind="recovery_college").count()
        outcome["colleges_with_runs"] = CourseRun.objects.values("term__organisation").distinct().count()
        transaction.set_rollback(True)
    return outcome


@pytest.fixture(scope="module")
def seeded(two_colleges: dict[str, Any], django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The small scale seeded once for the module, after checking that seeding repeats with its seed.

    Seeds 2026, then 2027, each rolled back, then 2026 again, which the tests read.
    """
    seeding.autodiscover()
    with django_db_blocker.unblock():
        fingerprints = {}
        for label, seed in (("first", 2026), ("other", 2027)):
            with transaction.atomic():
                _seed(seed)
                fingerprints[label] = _fingerprint()
                transaction.set_rollback(True)
        with transaction.atomic():
            result, shared = _keeping_shared(None, 2026)
            fingerprints["again"] = _fingerprint()
            yield {"fingerprints": fingerprints, "result": result, "shared": shared}
            transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


# Invariants, checked on the small scale and on two colleges ------------------------------------


def check_counters(delivery: SeededDelivery) -> None:
    runs = CourseRun.objects.annotate(
        holding=Count("enrolments", filter=Q(enrolments__status__in=PLACE_HOLDING)),
        queued=Count("enrolments", filter=Q(enrolments__status=E.WAITLISTED)),
    )
    for run in runs:
        assert (run.places_taken, run.waiting) == (run.holding, run.queued), run.pk
        assert run.places_taken <= run.capacity and 8 <= run.capacity <= 20
        if run.waiting:
            assert run.status == R.FULL and run.places_taken == run.capacity, run.pk
        if run.status == R.FULL:
            assert run.places_taken == run.capacity
        if run.status == R.OPEN:
            assert run.places_taken < run.capacity
    assert {run.id: run.status for run in delivery.runs} == dict(CourseRun.objects.values_list("id", "status"))


def check_waiting_lists() -> None:
    """Queues number people in the order they asked; only the front leaves (for an offer): the rest are consecutive."""
    left_queue = Counter(
        EnrolmentStatusChange.objects.filter(from_status=E.WAITLISTED).values_list("enrolment__run_id", flat=True)
    )
    queues: dict[Any, list[tuple[datetime, int]]] = defaultdict(list)
    for run_id, created_at, position in Enrolment.objects.filter(status=E.WAITLISTED).values_list(
        "run_id", "created_at", "position"
    ):
        queues[run_id].append((created_at, position))
    assert queues, "no waiting lists at all"
    for run_id, queue in queues.items():
        positions = [position for _created, position in sorted(queue)]
        first = 1 + left_queue[run_id]
        assert positions == list(range(first, first + len(queue))), run_id
    offers = Enrolment.objects.filter(status=E.OFFERED)
    assert offers.exists() and not offers.exclude(run__status__in=(R.OPEN, R.FULL)).exists()
    assert all(expires > NOW for expires in offers.values_list("offer_expires_at", flat=True))
    # Offers went to the front of the queue, as the people whose place freed up withdrew.
    offered = EnrolmentStatusChange.objects.filter(to_status=E.OFFERED)
    assert not offered.exclude(from_status=E.WAITLISTED).exists()


def check_histories() -> None:
    run_history: dict[Any, list[RunStatusChange]] = defaultdict(list)
    for change in RunStatusChange.objects.order_by("changed_at", "id"):
        run_history[change.run_id].append(change)
    for run in CourseRun.objects.all():
        history = run_history[run.pk]
        assert (history[0].from_status, history[0].to_status, history[0].changed_at) == ("", R.PLANNED, run.created_at)
        for before, after in itertools.pairwise(history):
            assert after.from_status == before.to_status and after.to_status in services.TRANSITIONS[before.to_status]
        assert history[-1].to_status == run.status and history[-1].changed_at <= NOW
        assert bool(run.cancellation_reason) == (run.status == R.CANCELLED) == (history[-1].reason != "")
    enrolment_history: dict[Any, list[EnrolmentStatusChange]] = defaultdict(list)
    for change in EnrolmentStatusChange.objects.order_by("changed_at", "id"):
        enrolment_history[change.enrolment_id].append(change)
    for enrolment in Enrolment.objects.all():
        history = enrolment_history[enrolment.pk]
        assert history[0].from_status == "" and history[0].to_status in (E.ENROLLED, E.WAITLISTED)
        assert history[0].changed_at == enrolment.created_at == enrolment.agreement_accepted_at
        for before, after in itertools.pairwise(history):
            assert after.from_status == before.to_status
        assert history[-1].to_status == enrolment.status and enrolment.updated_at == history[-1].changed_at <= NOW


def check_sessions_and_staffing() -> None:
    outlines: dict[Any, list[str]] = defaultdict(list)
    for version_id, title in OutlineSession.objects.order_by("version_id", "number").values_list("version_id", "title"):
        outlines[version_id].append(title)
    runs = CourseRun.objects.select_related("version__course", "term").prefetch_related("sessions", "assignments")
    booked: dict[Any, list[tuple[datetime, datetime]]] = defaultdict(list)
    for run in runs:
        version, course = run.version, run.version.course
        assert version.status != CourseVersion.Status.DRAFT and version.approved_at < run.created_at
        sessions = sorted(run.sessions.all(), key=lambda session: session.number)
        assert [(s.number, s.topic) for s in sessions] == list(enumerate(outlines[version.pk], start=1)), run.pk
        first = sessions[0].starts_at.astimezone(LONDON)
        assert run.starts_at == min(session.starts_at for session in sessions), run.pk
        assert run.term.starts_on <= first.date() <= run.term.ends_on and first.weekday() < 5
        for index, session in enumerate(sessions):
            starts = session.starts_at.astimezone(LONDON)
            assert starts.date() == first.date() + timedelta(weeks=index) and starts.time() == first.time()
            assert session.ends_at - session.starts_at == timedelta(minutes=course.session_minutes)
            assert time(9) <= starts.time() and session.ends_at.astimezone(LONDON).time() <= time(21)
        assert run.enrolment_opens_on <= run.enrolment_closes_on < first.date()
        if run.status in (R.OPEN, R.FULL, R.RUNNING, R.COMPLETED):
            assert services.staffing_gaps(run) == [], run.pk
        for assignment in run.assignments.all():
            assert assignment.session_id is None and assignment.assigned_at >= run.created_at
            for session in sessions:
                booked[assignment.person_id].append((session.starts_at, session.ends_at))
    for slots in booked.values():  # nobody teaches two sessions at once
        slots.sort()
        assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(slots))
    # Tutors are tutors of the right kind, of an organisation running the course, when assigned.
    tutors = defaultdict(list)
    for row in Membership.objects.filter(role=Membership.Role.TUTOR).values_list(
        "person_id", "organisation_id", "tutor_kind", "started_on"
    ):
        tutors[row[0]].append(row[1:])
    for assignment in FacilitatorAssignment.objects.select_related("run__version__course"):
        course = assignment.run.version.course
        allowed = {assignment.run.organisation_id, course.owner_id, *course.partners.values_list("pk", flat=True)}
        kind = "professional" if assignment.role == Role.PROFESSIONAL_TUTOR else "peer"
        assert any(
            org in allowed and tutor_kind == kind and since <= assignment.assigned_at.date()
            for org, tutor_kind, since in tutors[assignment.person_id]
        ), assignment.pk


def check_registers_and_completion() -> None:
    threshold = completion_threshold()
    facilitators = defaultdict(set)
    for run_id, user_id in FacilitatorAssignment.objects.values_list("run_id", "person__user_id"):
        facilitators[run_id].add(user_id)
    marks = Attendance.objects.select_related("session", "enrolment")
    for mark in marks:
        session, enrolment = mark.session, mark.enrolment
        assert session.run_id == enrolment.run_id and session.starts_at < NOW
        assert session.ends_at < mark.recorded_at <= NOW
        late = mark.recorded_at.astimezone(LONDON).date() > session.starts_at.astimezone(LONDON).date()
        assert mark.late_entry == late and mark.recorded_by_id in facilitators[session.run_id]
        assert enrolment.status in (E.ENROLLED, E.COMPLETED, E.DID_NOT_COMPLETE, E.WITHDRAWN)
    assert not Attendance.objects.filter(session__run__status__in=(R.PLANNED, R.OPEN, R.FULL, R.CANCELLED)).exists()
    statuses = Counter(marks.values_list("status", flat=True))
    assert 0.65 <= statuses[Attendance.Status.PRESENT] / sum(statuses.values()) <= 0.85
    sessions = dict(CourseRun.objects.annotate(n=Count("sessions")).values_list("pk", "n"))
    attended = Counter(Attendance.objects.filter(status__in=ATTENDED).values_list("enrolment_id", flat=True))
    marked = Counter(Attendance.objects.values_list("enrolment_id", flat=True))
    finished = Enrolment.objects.filter(status__in=(E.COMPLETED, E.DID_NOT_COMPLETE))
    assert finished.filter(status=E.COMPLETED).exists() and finished.filter(status=E.DID_NOT_COMPLETE).exists()
    for enrolment in finished.select_related("run"):
        assert enrolment.run.status == R.COMPLETED
        count = sessions[enrolment.run_id]
        assert marked[enrolment.pk] == count  # every register of a completed run was taken
        expected = E.COMPLETED if has_completed(attended[enrolment.pk], count, threshold) else E.DID_NOT_COMPLETE
        assert enrolment.status == expected, enrolment.pk
    assert not Enrolment.objects.filter(run__status=R.COMPLETED, status__in=(E.ENROLLED, E.OFFERED)).exists()
    assert not Enrolment.objects.filter(
        run__status__in=(R.RUNNING, R.COMPLETED, R.CANCELLED), status=E.WAITLISTED
    ).exists()


def check_statuses_follow_the_calendar() -> None:
    runs = CourseRun.objects.select_related("term")
    first = dict(Session.objects.filter(number=1).values_list("run_id", "starts_at"))
    last = dict(Session.objects.order_by("run_id", "number").values_list("run_id", "ends_at"))
    for run in runs:
        if run.term.ends_on < ANCHOR:
            assert run.status in (R.COMPLETED, R.CANCELLED), run.pk
        if run.status in (R.RUNNING, R.COMPLETED):
            assert first[run.pk] < NOW
        if run.status == R.COMPLETED:
            assert last[run.pk] < NOW
        if run.status in (R.OPEN, R.FULL):
            assert first[run.pk] > NOW and run.enrolment_opens_on <= ANCHOR
        if run.status == R.PLANNED:
            assert first[run.pk] > NOW
            assert run.enrolment_opens_on >= ANCHOR or services.staffing_gaps(run)
    assert set(runs.values_list("status", flat=True)) == set(R.values)


def check_people() -> None:
    carers = set(CaringRole.objects.values_list("carer_id", flat=True))
    joined = {
        (person, org): since
        for person, org, since in Membership.objects.filter(role=Membership.Role.PARTICIPANT).values_list(
            "person_id", "organisation_id", "started_on"
        )
    }
    for person_id, org_id, created_at in Enrolment.objects.values_list(
        "person_id", "run__organisation_id", "created_at"
    ):
        assert person_id in carers
        assert joined[(person_id, org_id)] <= created_at.date()


def check_groups() -> None:
    colleges = Organisation.objects.filter(kind=Organisation.Kind.RECOVERY_COLLEGE)
    counts = dict(SupportGroup.objects.values_list("organisation_id").annotate(n=Count("pk")))
    assert {college.pk for college in colleges} == set(counts) and all(1 <= n <= 3 for n in counts.values())
    staff = defaultdict(list)
    for person_id, org_id, kind, since in Membership.objects.filter(role=Membership.Role.TUTOR).values_list(
        "person_id", "organisation_id", "tutor_kind", "started_on"
    ):
        staff[person_id].append((org_id, kind, since))
    attendees = Counter(GroupMeeting.attendees.through.objects.values_list("groupmeeting_id", flat=True))
    meetings = GroupMeeting.objects.select_related("group").prefetch_related("facilitators", "group__partners")
    assert meetings.exists() and meetings.filter(safeguarding_concern=True).exists()
    for meeting in meetings:
        group = meeting.group
        assert meeting.met_on < ANCHOR and meeting.recorded_at <= NOW
        if group.anonymous:
            assert attendees[meeting.pk] == 0 and meeting.head_count is not None
        else:
            assert meeting.head_count == attendees[meeting.pk]
        orgs = {group.organisation_id, *(partner.pk for partner in group.partners.all())}
        hosts = list(meeting.facilitators.all())
        assert 1 <= len(hosts) <= 2
        for host in hosts:
            assert any(o in orgs and k == "peer" and s <= meeting.met_on for o, k, s in staff[host.pk])
    assert SupportGroup.objects.filter(anonymous=True).exists() and SupportGroup.objects.filter(anonymous=False)
    for group in SupportGroup.objects.prefetch_related("partners"):
        partners = list(group.partners.all())
        assert 1 <= len(partners) <= 2 and all(p.kind != Organisation.Kind.RECOVERY_COLLEGE for p in partners)
        days = list(group.meetings.values_list("met_on", flat=True))
        assert len({(day.year, day.month) for day in days}) == len(days)  # monthly


def check_everything(delivery: SeededDelivery) -> None:
    check_counters(delivery)
    check_waiting_lists()
    check_histories()
    check_sessions_and_staffing()
    check_registers_and_completion()
    check_statuses_follow_the_calendar()
    check_people()
    check_groups()


# The small scale ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_delivery_and_another_seed_other_ones(seeded: dict[str, Any]) -> None:
    fingerprints = seeded["fingerprints"]
    assert fingerprints["first"] == fingerprints["again"]
    assert fingerprints["first"] != fingerprints["other"]


def test_small_scale_is_consistent_throughout(seeded: dict[str, Any]) -> None:
    check_everything(seeded["shared"][SHARED_KEY])


def test_small_scale_sizes_match_the_scale(seeded: dict[str, Any]) -> None:
    counts = seeded["result"].counts
    delivery = seeded["shared"][SHARED_KEY]

    assert isinstance(delivery, SeededDelivery)
    for model in SEED_MODELS:
        assert counts[model._meta.label_lower] == model._default_manager.count(), model.__name__
    # About 20 runs a year over the terms seeded (a year back and two ahead), about 100 sessions.
    assert 30 <= CourseRun.objects.count() <= 45
    assert 80 <= Session.objects.count() <= 140
    assert 500 <= Attendance.objects.count() <= 1_200
    assert CourseRun.objects.filter(status=R.CANCELLED, term__ends_on__lt=ANCHOR).exists()


def test_some_runs_have_trainees_shadowing_and_some_planned_runs_still_need_a_tutor(seeded: dict[str, Any]) -> None:
    trainees = FacilitatorAssignment.objects.filter(role=Role.TRAINEE)
    planned = CourseRun.objects.filter(status=R.PLANNED).select_related("version")

    assert trainees.exists()
    assert not trainees.exclude(person__memberships__tutor_kind="peer").exists()
    assert any(services.staffing_gaps(run) for run in planned)
    assert any(not services.staffing_gaps(run) for run in planned)


def test_demo_participant_has_a_place_and_a_queue_to_see(seeded: dict[str, Any]) -> None:
    demo = seeded["shared"][SHARED_KEY].demo
    mine = Enrolment.objects.filter(person__user__username="participant").select_related("run")
    first = dict(Session.objects.filter(number=1).values_list("run_id", "starts_at"))

    enrolled = mine.get(status=E.ENROLLED)
    waiting = mine.get(status=E.WAITLISTED)

    assert enrolled.run_id == demo.enrolled_run_id and first[enrolled.run_id] > NOW
    assert enrolled.run.status == R.OPEN and enrolled.channel == Enrolment.Channel.SELF
    assert waiting.run_id == demo.waitlisted_run_id and waiting.run.status == R.FULL
    assert waiting.place_in_queue() is not None and first[waiting.run_id] > NOW
    days = [set(run.sessions.dates("starts_at", "day")) for run in (enrolled.run, waiting.run)]
    assert not days[0] & days[1]  # they would not wait for a course that clashes with theirs


def test_demo_tutors_deliver_a_running_run_with_a_session_soon_and_a_register_part_taken(
    seeded: dict[str, Any],
) -> None:
    run = CourseRun.objects.get(pk=seeded["shared"][SHARED_KEY].demo.tutors_run_id)
    sessions = list(run.sessions.order_by("number").annotate(marks=Count("attendance")))
    roles = dict(run.assignments.values_list("person__user__username", "role"))

    assert run.status == R.RUNNING and services.staffing_gaps(run) == []
    assert roles["peer.tutor"] == Role.PEER_TRAINER and roles["professional.tutor"] == Role.PROFESSIONAL_TUTOR
    held = [session for session in sessions if session.starts_at < NOW]
    coming = [session for session in sessions if session.starts_at >= NOW]
    assert held and coming and coming[0].starts_at < NOW + timedelta(days=4)
    assert all(session.marks == 0 for session in coming)
    if len(held) > 1:
        assert held[0].marks >= run.places_taken  # everyone with a place, and anyone who left since
    assert 0 < held[-1].marks < run.places_taken  # the tutor has not finished the last register


def test_venues_mix_access_and_online_rooms_in_the_colleges_boroughs(seeded: dict[str, Any]) -> None:
    college = Organisation.objects.get(kind=Organisation.Kind.RECOVERY_COLLEGE)
    venues = Venue.objects.filter(organisation=college)

    assert venues.filter(step_free=True, online=False).exists() and venues.filter(step_free=False, online=False)
    assert venues.exclude(accessibility_notes="").exists()
    for venue in venues.filter(online=True):
        assert venue.joining_link.startswith("https://meet.example.org/") and venue.area_id is None
    physical = venues.filter(online=False)
    assert set(physical.values_list("area__name", flat=True)) == {
        "Kingston upon Thames",
        "Merton",
        "Richmond upon Thames",
        "Sutton",
        "Wandsworth",
    }
    assert all(venue.postcode and venue.capacity for venue in physical)


def test_every_seeded_coded_value_is_one_of_the_fields_choices(seeded: dict[str, Any]) -> None:
    for model in SEED_MODELS:
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            allowed = {value for value, _label in field.flatchoices} | ({""} if field.blank else set())
            used = set(model._default_manager.values_list(field.name, flat=True).distinct())
            assert used <= allowed, (model.__name__, field.name, used - allowed)


def test_running_the_seed_again_adds_nothing(seeded: dict[str, Any]) -> None:
    before = {model.__name__: model._default_manager.count() for model in SEED_MODELS}

    result = _seed(2026)

    assert result.already_seeded
    assert {model.__name__: model._default_manager.count() for model in SEED_MODELS} == before


# Two colleges ---------------------------------------------------------------------------------


def test_two_colleges_over_two_years_are_consistent_too(two_colleges: dict[str, Any]) -> None:
    if "error" in two_colleges:
        raise two_colleges["error"]
    assert two_colleges["colleges_with_runs"] == 2
    assert two_colleges["partner_runs"] > 0  # partners run some of the courses they own
