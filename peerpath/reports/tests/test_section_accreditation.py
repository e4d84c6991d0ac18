"""The accreditation section: the pipeline, the time to a first award and awards running out, on hand-made data."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerpath.accreditation.frameworks import ensure_default
from peerpath.accreditation.models import Award, Observation, PortfolioEntry, Scheme
from peerpath.courses.choices import Category
from peerpath.courses.models import Course
from peerpath.delivery.models import CourseRun, Enrolment
from peerpath.delivery.tests.factories import move_sessions, open_run, tutor
from peerpath.people.models import Area, Membership, Organisation, Person
from peerpath.people.tests.factories import AreaFactory, MembershipFactory, OrganisationFactory, UserFactory
from peerpath.reports.filters import Scope
from peerpath.reports.sections import accreditation
from peerpath.reports.tables import Table
from peerpath.reports.tests.builders import scope_for

DAY = datetime.timedelta(days=1)
Status = Award.Status


@pytest.fixture(autouse=True)
def default_framework(db: None) -> None:
    """The schemes come from a data migration a transactional test may have emptied."""
    ensure_default()


@pytest.fixture
def college(db: None) -> Organisation:
    return OrganisationFactory(name="Candidates' college")


@pytest.fixture
def training(db: None) -> Organisation:
    """Another organisation, whose Train the Trainer runs the college's candidates go on."""
    return OrganisationFactory(name="Training partner")


@pytest.fixture
def user(db: None) -> Any:
    return UserFactory()


def trainer_scheme() -> Scheme:
    return Scheme.objects.get(code="carer-peer-trainer-rc")


def facilitator_scheme() -> Scheme:
    return Scheme.objects.get(code="support-group-facilitator")


def today() -> datetime.date:
    return timezone.localdate()


def this_year(*organisations: Organisation, **narrowing: Any) -> Scope:
    return scope_for(*organisations, start=today() - 365 * DAY, end=today(), **narrowing)


def member(organisation: Organisation, area: Area | None = None) -> Person:
    person = MembershipFactory(organisation=organisation, role=Membership.Role.PARTICIPANT).person
    if area is not None:
        person.area = area
        person.save(update_fields=["area"])
    return person


def award(
    holder: Person,
    *,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    scheme: Scheme | None = None,
    status: str = Status.ACTIVE,
    period: int = 1,
    renews: Award | None = None,
) -> Award:
    return Award.objects.create(
        holder=holder,
        scheme=scheme or trainer_scheme(),
        period=period,
        renews=renews,
        valid_from=valid_from,
        valid_until=valid_until,
        status=status,
        granted_by=MembershipFactory(role=Membership.Role.ASSESSOR).person,
    )


def place(run: CourseRun, person: Person, status: str) -> Enrolment:
    waiting = status == Enrolment.Status.WAITLISTED
    return Enrolment.objects.create(
        run=run,
        person=person,
        status=status,
        position=1 if waiting else None,
        channel=Enrolment.Channel.STAFF,
        agreement_accepted_at=timezone.now(),
    )


def ttt_run(
    organisation: Organisation, user: Any, *, last_day: datetime.date | None = None, **fields: Any
) -> CourseRun:
    """A two-session Train the Trainer run of ``organisation``; with ``last_day``, moved so its last session is then."""
    run = open_run(organisation, user, category=Category.TRAIN_THE_TRAINER, session_count=2, **fields)
    if last_day is not None:
        move_sessions(run, last_day - 7 * DAY)
        CourseRun.objects.filter(pk=run.pk).update(status=CourseRun.Status.COMPLETED)
    return run


def trained(person: Person, run: CourseRun) -> Enrolment:
    return place(run, person, Enrolment.Status.COMPLETED)


def rows_of(table: Table, label_key: str = "stage", value_key: str = "people") -> dict[str, Any]:
    return {row[label_key]: row[value_key] for row in table.rows}


def stage_counts(scope: Scope) -> dict[str, int]:
    table = accreditation.build(scope).table("pipeline")
    labels = {stage.label: stage.key for stage in accreditation.pipeline_stages(today())}
    return {labels[label]: people for label, people in rows_of(table).items()}


# Pipeline --------------------------------------------------------------------------------------


def test_each_person_is_counted_at_every_stage_they_are_at(college, training, user):
    run = ttt_run(training, user)
    session = run.sessions.first()
    assessor = MembershipFactory(role=Membership.Role.ASSESSOR).person
    place(run, member(college), Enrolment.Status.ENROLLED)
    trained(member(college), ttt_run(training, user, last_day=today() - 60 * DAY))
    keeping = member(college)
    PortfolioEntry.objects.create(candidate=keeping, kind="reflection", occurred_on=today(), title="First session")
    observed = member(college)
    Observation.objects.create(
        candidate=observed, assessor=assessor, session=session, observed_on=today(), outcome="competent", feedback="."
    )
    award(observed, valid_from=today() - 100 * DAY, valid_until=today() + 600 * DAY)
    award(member(college), valid_from=today() - 800 * DAY, valid_until=today() - 70 * DAY, status=Status.EXPIRED)
    award(member(college), valid_from=today() - 700 * DAY, valid_until=today() + 30 * DAY)
    award(member(college), valid_from=today() - 100 * DAY, valid_until=today() + 600 * DAY, status=Status.REVOKED)
    renewing = member(college)
    old = award(renewing, valid_from=today() - 700 * DAY, valid_until=today() + 20 * DAY)
    award(renewing, valid_from=today() + 21 * DAY, valid_until=today() + 751 * DAY, period=2, renews=old)
    award(member(training), valid_from=today() - 100 * DAY, valid_until=today() + 600 * DAY)

    counts = stage_counts(this_year(college))

    assert counts == {
        "in_training": 1,
        "trained": 1,
        "portfolio": 1,
        "observed": 1,
        "awarded": 5,
        "active": 3,
        "expiring": 1,
        "expired": 1,
        "withdrawn": 1,
    }


def test_someone_whose_award_expired_but_who_holds_another_now_is_not_counted_as_expired(college):
    holder = member(college)
    award(holder, valid_from=today() - 800 * DAY, valid_until=today() - 70 * DAY, status=Status.EXPIRED)
    award(holder, valid_from=today() - 10 * DAY, valid_until=today() + 700 * DAY, scheme=facilitator_scheme())

    counts = stage_counts(this_year(college))

    assert (counts["awarded"], counts["active"], counts["expired"]) == (1, 1, 0)


def test_an_active_award_whose_end_date_passed_before_the_expiry_job_ran_counts_as_expired(college):
    award(member(college), valid_from=today() - 800 * DAY, valid_until=today() - DAY)

    counts = stage_counts(this_year(college))

    assert (counts["active"], counts["expired"]) == (0, 1)


def test_a_place_on_a_finished_or_cancelled_run_is_not_training_now(college, user):
    finished = ttt_run(college, user, last_day=today() - 5 * DAY)
    place(finished, member(college), Enrolment.Status.ENROLLED)
    cancelled = ttt_run(college, user)
    CourseRun.objects.filter(pk=cancelled.pk).update(status=CourseRun.Status.CANCELLED)
    place(cancelled, member(college), Enrolment.Status.ENROLLED)
    place(ttt_run(college, user), member(college), Enrolment.Status.WAITLISTED)

    assert stage_counts(this_year(college))["in_training"] == 0


def test_trainees_on_the_organisations_runs_are_its_candidates_even_without_a_membership(college, training, user):
    peer = tutor(college)
    run = ttt_run(college, user, peer=peer)
    outsider = MembershipFactory(organisation=training, role=Membership.Role.PARTICIPANT).person
    place(run, outsider, Enrolment.Status.ENROLLED)
    left = MembershipFactory(organisation=training, role=Membership.Role.PARTICIPANT).person
    place(run, left, Enrolment.Status.WITHDRAWN)
    award(member(training), valid_from=today() - 10 * DAY, valid_until=today() + 700 * DAY)

    counts = stage_counts(this_year(college))

    # The run's own peer trainer is the college's tutor and holds the award that lets them teach it.
    assert (counts["in_training"], counts["active"]) == (1, 1)
    assert set(accreditation.candidates(this_year(college))) >= {peer, outsider}
    assert left not in set(accreditation.candidates(this_year(college)))


def test_the_borough_filter_keeps_only_candidates_living_there(college):
    here, there = AreaFactory(), AreaFactory()
    award(member(college, here), valid_from=today() - 10 * DAY, valid_until=today() + 700 * DAY)
    award(member(college, there), valid_from=today() - 10 * DAY, valid_until=today() + 700 * DAY)
    award(member(college, there), valid_from=today() - 10 * DAY, valid_until=today() + 700 * DAY)

    assert stage_counts(this_year(college, area=here))["active"] == 1
    assert stage_counts(this_year(college, area=there))["active"] == 2


def test_with_no_one_in_accreditation_the_section_says_so(college):
    member(college)

    assert accreditation.build(this_year(college)).empty.startswith("No one from these organisations")


# Time to award ---------------------------------------------------------------------------------


def test_days_run_from_the_last_training_session_to_the_first_award_in_the_period(college, training, user):
    start, end = today() - 200 * DAY, today() - 20 * DAY
    early, late, excepted = member(college), member(college), member(college)
    trained(early, ttt_run(training, user, last_day=start - 30 * DAY))
    award(early, valid_from=start, valid_until=start + 700 * DAY)
    trained(late, ttt_run(training, user, last_day=end - 90 * DAY))
    award(late, valid_from=end, valid_until=end + 700 * DAY)
    award(excepted, valid_from=start + 5 * DAY, valid_until=start + 705 * DAY)
    award(member(college), valid_from=start - DAY, valid_until=start + 700 * DAY)
    award(member(college), valid_from=end + DAY, valid_until=end + 700 * DAY)
    renewed = award(member(college), valid_from=start - 700 * DAY, valid_until=start + 10 * DAY)
    award(renewed.holder, valid_from=start + 11 * DAY, valid_until=start + 740 * DAY, period=2, renews=renewed)
    award(member(training), valid_from=start + 5 * DAY, valid_until=start + 705 * DAY)

    table = accreditation.build(scope_for(college, start=start, end=end)).table("time_to_award")

    row = next(row for row in table.rows if row["scheme"] == trainer_scheme().name)
    # Three first awards in the period; two after training, 30 and 90 days on.
    assert (row["awards"], row["timed"]) == (3, 2)
    assert (row["median_days"], row["mean_days"]) == (60, 60)
    # Linear interpolation between 30 and 90: a quarter and three quarters of the way.
    assert (row["lower_quartile_days"], row["upper_quartile_days"]) == (45, 75)
    assert table.total is not None
    assert (table.total["awards"], table.total["timed"], table.total["median_days"]) == (3, 2, 60)


def test_a_scheme_with_no_first_awards_has_a_row_without_days(college):
    table = accreditation.build(this_year(college)).table("time_to_award")

    row = next(row for row in table.rows if row["scheme"] == facilitator_scheme().name)
    assert (row["awards"], row["timed"], row["median_days"], row["mean_days"]) == (0, 0, None, None)


def test_training_completed_after_the_award_does_not_count(college, training, user):
    holder = member(college)
    granted = today() - 100 * DAY
    trained(holder, ttt_run(training, user, last_day=granted - 10 * DAY))
    trained(holder, ttt_run(training, user, last_day=granted + 10 * DAY))
    award(holder, valid_from=granted, valid_until=granted + 700 * DAY)

    table = accreditation.build(this_year(college)).table("time_to_award")

    row = next(row for row in table.rows if row["scheme"] == trainer_scheme().name)
    assert (row["timed"], row["mean_days"]) == (1, 10)


def test_a_scheme_naming_its_training_courses_counts_only_those(college, training, user):
    named = ttt_run(training, user, last_day=today() - 300 * DAY)
    scheme = facilitator_scheme()
    scheme.training_courses.add(named.version.course)
    holder = member(college)
    trained(holder, named)
    trained(holder, ttt_run(training, user, last_day=today() - 120 * DAY))
    award(holder, valid_from=today() - 100 * DAY, valid_until=today() + 600 * DAY, scheme=scheme)

    table = accreditation.build(this_year(college)).table("time_to_award")

    row = next(row for row in table.rows if row["scheme"] == scheme.name)
    assert row["mean_days"] == 200


# Expiring -------------------------------------------------------------------------------------


FROZEN = datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC)


def test_awards_running_out_in_the_next_90_days_are_counted_by_month_and_scheme(college):
    with time_machine.travel(FROZEN, tick=False):
        now = today()
        since = now - 700 * DAY
        award(member(college), valid_from=since, valid_until=now)
        award(member(college), valid_from=since, valid_until=now + 90 * DAY)
        award(member(college), valid_from=since, valid_until=datetime.date(2026, 2, 10), scheme=facilitator_scheme())
        award(member(college), valid_from=since, valid_until=now + 91 * DAY)
        award(member(college), valid_from=since, valid_until=now - DAY)
        award(
            member(college),
            valid_from=since,
            valid_until=datetime.date(2026, 3, 1),
            scheme=facilitator_scheme(),
            status=Status.SUSPENDED,
        )
        renewed = award(member(college), valid_from=since, valid_until=datetime.date(2026, 3, 5))
        award(renewed.holder, valid_from=datetime.date(2026, 3, 6), valid_until=datetime.date(2028, 3, 6), period=2)
        Award.objects.filter(period=2).update(renews=renewed)
        award(member(OrganisationFactory()), valid_from=since, valid_until=now + 10 * DAY)

        table = accreditation.build(this_year(college)).table("expiring")

    trainers, facilitators = "scheme_carer_peer_trainer_rc", "scheme_support_group_facilitator"
    assert [row["month"] for row in table.rows] == ["January 2026", "February 2026", "March 2026", "April 2026"]
    assert [(row[trainers], row[facilitators], row["total"]) for row in table.rows] == [
        (1, 0, 1),
        (0, 1, 1),
        (0, 0, 0),
        (1, 0, 1),
    ]
    assert table.total is not None
    assert (table.total[trainers], table.total[facilitators], table.total["total"]) == (2, 1, 3)
    assert set(table.column("total").total_of) == {trainers, facilitators}


# Queries ---------------------------------------------------------------------------------------


def grow(college: Organisation, training: Organisation, user: Any, count: int) -> None:
    """``count`` more candidates, each trained, observed, keeping a portfolio and holding an award running out."""
    for _ in range(count):
        run = ttt_run(training, user, last_day=today() - 90 * DAY)
        person = member(college)
        trained(person, run)
        PortfolioEntry.objects.create(candidate=person, kind="reflection", occurred_on=today(), title="Reflection")
        Observation.objects.create(
            candidate=person,
            assessor=MembershipFactory(role=Membership.Role.ASSESSOR).person,
            session=run.sessions.first(),
            observed_on=today(),
            outcome="competent",
            feedback=".",
        )
        award(person, valid_from=today() - 30 * DAY, valid_until=today() + 30 * DAY)


def queries(scope: Scope) -> int:
    with CaptureQueriesContext(connection) as captured:
        accreditation.build(scope)
    return len(captured.captured_queries)


def test_the_section_costs_the_same_queries_with_two_candidates_as_with_six(college, training, user):
    scope = this_year(college)
    grow(college, training, user, 2)
    few = queries(scope)
    grow(college, training, user, 4)
    many = queries(scope)

    assert Award.objects.filter(holder__memberships__organisation=college).count() == 6
    assert Course.objects.filter(category=Category.TRAIN_THE_TRAINER).count() == 6
    # Schemes; pipeline; first awards, schemes' courses, completions; awards running out.
    assert few == many == 6
