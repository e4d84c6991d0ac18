"""The co-production and fidelity section: co-delivery, course profiles and RECOLLECT, on hand-made data."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_member
from peerpath.accreditation.frameworks import ensure_default
from peerpath.accreditation.models import Award
from peerpath.courses.choices import Capacity, Category, Stage
from peerpath.courses.models import CoproductionRule, Course
from peerpath.courses.tests.factories import ContributionFactory, approved_course, log
from peerpath.delivery.models import CourseRun, FacilitatorAssignment
from peerpath.delivery.tests.factories import open_run, tutor
from peerpath.evaluation import instruments
from peerpath.evaluation.models import InstrumentVersion, Response, Score
from peerpath.people.models import Membership, Organisation, Person
from peerpath.people.tests.factories import MembershipFactory, OrganisationFactory, PersonFactory
from peerpath.reports.filters import Scope
from peerpath.reports.sections import coproduction
from peerpath.reports.tables import Kind, Table
from peerpath.reports.tests.builders import scope_for

LONDON = ZoneInfo("Europe/London")
Role = FacilitatorAssignment.Role
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def default_framework(db: None) -> None:
    """The schemes that make awards come from a data migration a transactional test may have emptied."""
    ensure_default()


@pytest.fixture
def user(actors: dict[str, Any]) -> Any:
    return actors["coordinator"].user


def today() -> datetime.date:
    return timezone.localdate()


def next_months(*organisations: Organisation, **narrowing: Any) -> Scope:
    """A period covering every run ``open_run`` makes by default (its term is the next 120 days)."""
    return scope_for(*organisations, start=today(), end=today() + 120 * DAY, **narrowing)


def row_for(table: Table, label_key: str, label: str) -> dict[str, Any]:
    return next(row for row in table.rows if row[label_key] == label)


def peer_of(run: CourseRun) -> Person:
    return run.assignments.get(role=Role.PEER_TRAINER, session__isnull=True).person


def first_day(run: CourseRun) -> datetime.date:
    return timezone.localdate(run.starts_at)


def coordinator_user(organisation: Organisation) -> Any:
    """A signed-up coordinator of ``organisation``, to make its runs."""
    return make_member(organisation, Membership.Role.COORDINATOR).user


# Co-delivery ---------------------------------------------------------------------------------


def test_a_run_whose_peer_trainers_award_ended_the_day_before_it_began_is_not_co_delivered(home_org, user):
    open_run(home_org, user)
    lapsed = open_run(home_org, user)
    Award.objects.filter(holder=peer_of(lapsed)).update(valid_until=first_day(lapsed) - DAY)
    no_tutor = open_run(home_org, user)
    no_tutor.assignments.filter(role=Role.PROFESSIONAL_TUTOR).delete()

    table = coproduction.build(next_months(home_org)).table("codelivery")

    college = row_for(table, "category", Category.RECOVERY_COLLEGE.label)
    assert (college["runs"], college["runs_codelivered"]) == (3, 1)
    assert college["runs_share"] == pytest.approx(100 / 3)
    # Each run has two sessions; only the fully staffed run's are co-delivered.
    assert (college["sessions"], college["sessions_codelivered"]) == (6, 2)


def test_an_award_ending_on_the_day_of_the_first_session_still_covers_it(home_org, user):
    run = open_run(home_org, user)
    Award.objects.filter(holder=peer_of(run)).update(valid_until=first_day(run))

    total = coproduction.build(next_months(home_org)).table("codelivery").total

    assert total is not None
    assert total["runs_codelivered"] == 1
    # The second session, a week later, falls after the award ended.
    assert (total["sessions"], total["sessions_codelivered"]) == (2, 1)


def test_a_suspended_award_does_not_make_a_run_co_delivered(home_org, user):
    run = open_run(home_org, user)
    Award.objects.filter(holder=peer_of(run)).update(status=Award.Status.SUSPENDED)

    total = coproduction.build(next_months(home_org)).table("codelivery").total

    assert total is not None
    assert (total["runs"], total["runs_codelivered"], total["sessions_codelivered"]) == (1, 0, 0)


def test_a_tutor_standing_in_for_one_session_makes_that_session_co_delivered_but_not_the_run(home_org, user):
    run = open_run(home_org, user)
    run.assignments.filter(role=Role.PROFESSIONAL_TUTOR).delete()
    session = run.sessions.order_by("number").first()
    stand_in = tutor(home_org, Membership.TutorKind.PROFESSIONAL)
    FacilitatorAssignment.objects.create(
        run=run, session=session, person=stand_in, role=Role.PROFESSIONAL_TUTOR, assigned_by=user
    )

    total = coproduction.build(next_months(home_org)).table("codelivery").total

    assert total is not None
    assert (total["runs_codelivered"], total["sessions"], total["sessions_codelivered"]) == (0, 2, 1)
    assert total["sessions_share"] == pytest.approx(50)


def test_a_trainee_is_not_the_peer_a_run_needs(home_org, user):
    run = open_run(home_org, user)
    peer = run.assignments.get(role=Role.PEER_TRAINER)
    peer.role = Role.TRAINEE
    peer.save(update_fields=["role"])

    total = coproduction.build(next_months(home_org)).table("codelivery").total

    assert total is not None
    assert total["runs_codelivered"] == 0


def test_support_group_formats_are_left_out_of_co_delivery(home_org, user):
    open_run(home_org, user, category=Category.SUPPORT_GROUP)
    open_run(home_org, user)

    table = coproduction.build(next_months(home_org)).table("codelivery")

    assert [row["category"] for row in table.rows] == [Category.RECOVERY_COLLEGE.label]
    assert table.total is not None and table.total["runs"] == 1


def test_categories_have_a_row_each_and_the_total_adds_them_up(home_org, user):
    open_run(home_org, user)
    open_run(home_org, user, category=Category.SELF_MANAGEMENT)
    lapsed = open_run(home_org, user, category=Category.SELF_MANAGEMENT)
    Award.objects.filter(holder=peer_of(lapsed)).update(valid_until=first_day(lapsed) - DAY)

    table = coproduction.build(next_months(home_org)).table("codelivery")

    assert [row["category"] for row in table.rows] == [Category.RECOVERY_COLLEGE.label, Category.SELF_MANAGEMENT.label]
    assert table.total is not None
    assert (table.total["runs"], table.total["runs_codelivered"]) == (3, 2)
    assert table.total["runs_share"] == pytest.approx(200 / 3)
    assert row_for(table, "category", Category.SELF_MANAGEMENT.label)["runs_share"] == pytest.approx(50)


def test_only_the_scopes_organisations_runs_starting_in_the_period_are_counted(home_org, other_org, user):
    start = today() + 10 * DAY
    end = today() + 40 * DAY
    on_first_day = open_run(home_org, user, first_day=start)
    on_last_day = open_run(home_org, user, first_day=end)
    open_run(home_org, user, first_day=end + DAY)
    open_run(home_org, user, first_day=start - DAY)
    outsider = coordinator_user(other_org)
    open_run(other_org, outsider, first_day=start + 5 * DAY)

    total = coproduction.build(scope_for(home_org, start=start, end=end)).table("codelivery").total

    assert total is not None
    assert total["runs"] == 2
    assert {first_day(on_first_day), first_day(on_last_day)} == {start, end}


def test_with_no_runs_the_section_says_so_and_has_no_shares(home_org):
    section = coproduction.build(next_months(home_org))

    assert section.empty == "No runs started in this period"
    total = section.table("codelivery").total
    assert total is not None
    assert (total["runs"], total["runs_share"], total["sessions_share"]) == (0, None, None)


def test_a_section_with_runs_is_not_empty(home_org, user):
    open_run(home_org, user)

    assert coproduction.build(next_months(home_org)).empty == ""


# Co-production profiles ----------------------------------------------------------------------


@pytest.fixture
def rule(db: None) -> CoproductionRule:
    """Lived experience at the design workshop and review, and at least 40% of design-workshop hours."""
    CoproductionRule.objects.all().delete()
    return CoproductionRule.objects.create(
        lived_experience_stages=[Stage.DESIGN_WORKSHOP, Stage.REVIEW],
        design_stages=[Stage.DESIGN_WORKSHOP],
        minimum_lived_design_share=Decimal("0.40"),
    )


def test_a_courses_profile_adds_up_hours_by_capacity_and_counts_each_contributor_once(home_org, user, rule):
    run = open_run(home_org, user)
    course = run.version.course
    carer = PersonFactory()
    workshop = log(course, Stage.DESIGN_WORKSHOP, (Capacity.PROFESSIONAL, "2"))
    ContributionFactory(activity=workshop, capacity=Capacity.CARER, hours=Decimal("3"), person=carer)
    review = log(course, Stage.REVIEW, (Capacity.SERVICE_USER, "1.5"), (Capacity.PARTNER, "0.5"))
    ContributionFactory(activity=review, capacity=Capacity.CARER, hours=Decimal("1"), person=carer)

    row = row_for(coproduction.build(next_months(home_org)).table("profiles"), "course", course.title)

    assert (row["hours_carer"], row["hours_service_user"]) == (Decimal("4"), Decimal("1.5"))
    assert (row["hours_professional"], row["hours_partner"]) == (Decimal("2"), Decimal("0.5"))
    # The carer twice, and three people not on PeerPath, one contribution each.
    assert row["contributors"] == 4
    # Design workshop: 3 of 5 hours were the carer's.
    assert row["lived_design_share"] == pytest.approx(60)
    assert row["lived_stages"] == 2
    assert row["coproduced"] == "Yes"
    assert row["category"] == Category.RECOVERY_COLLEGE.label


def test_a_course_designed_mostly_by_professionals_is_not_co_produced(home_org, user, rule):
    course = open_run(home_org, user).version.course
    log(course, Stage.DESIGN_WORKSHOP, (Capacity.CARER, "1"), (Capacity.PROFESSIONAL, "3"))
    log(course, Stage.REVIEW, (Capacity.CARER, "1"))

    row = row_for(coproduction.build(next_months(home_org)).table("profiles"), "course", course.title)

    assert row["lived_design_share"] == pytest.approx(25)
    assert row["coproduced"] == "No"


def test_a_course_with_no_log_has_no_design_share(home_org, user, rule):
    course = open_run(home_org, user).version.course

    row = row_for(coproduction.build(next_months(home_org)).table("profiles"), "course", course.title)

    assert (row["contributors"], row["lived_design_share"], row["lived_stages"], row["coproduced"]) == (
        0,
        None,
        0,
        "No",
    )


def test_profiles_follow_the_runs_unless_a_category_names_the_courses_wanted(home_org, other_org, user, rule):
    ran = open_run(home_org, user).version.course
    not_run = approved_course(home_org, user, title="Not run this term")
    elsewhere = open_run(other_org, coordinator_user(other_org)).version.course
    groups = approved_course(home_org, user, title="Not run either", category=Category.SUPPORT_GROUP)

    everything = [row["course"] for row in coproduction.build(next_months(home_org)).table("profiles").rows]
    college = coproduction.build(next_months(home_org, category=Category.RECOVERY_COLLEGE)).table("profiles")

    assert everything == [ran.title]
    assert {row["course"] for row in college.rows} == {ran.title, not_run.title}
    assert elsewhere.title not in everything and groups.title not in everything


def test_no_contributor_is_named(home_org, user, rule):
    course = open_run(home_org, user).version.course
    carer = PersonFactory(given_name="Zebedee", family_name="Quillfeather")
    workshop = log(course, Stage.DESIGN_WORKSHOP)
    ContributionFactory(activity=workshop, capacity=Capacity.CARER, person=carer)

    section = coproduction.build(next_months(home_org))

    shown = repr([table.rows for table in section.tables])
    assert "Zebedee" not in shown and "Quillfeather" not in shown


# Fidelity ------------------------------------------------------------------------------------


def recollect() -> InstrumentVersion:
    if not InstrumentVersion.objects.filter(code="recollect").exists():
        instruments.sync_shipped()  # a transactional test elsewhere may have emptied the table
    return InstrumentVersion.objects.get(code="recollect", version=1)


def coordinator(organisation: Organisation, started_on: datetime.date, ended_on: datetime.date | None = None) -> Person:
    return MembershipFactory(
        organisation=organisation, role=Membership.Role.COORDINATOR, started_on=started_on, ended_on=ended_on
    ).person


def assessed(
    person: Person,
    at: datetime.datetime,
    total: int,
    *,
    learning: int | None = None,
    scoring_version: int = 1,
    run: CourseRun | None = None,
) -> Response:
    """A completed RECOLLECT self-assessment with its stored total (and, if given, Learning) score."""
    response = Response.objects.create(
        instrument_version=recollect(),
        person=person,
        run=run,
        timepoint=Response.Timepoint.OTHER,
        mode=Response.Mode.IN_PERSON,
        status=Response.Status.COMPLETE,
        started_at=at - datetime.timedelta(minutes=30),
        completed_at=at,
    )
    score(response, "total", total, scoring_version)
    if learning is not None:
        score(response, "learning", learning, scoring_version)
    return response


def score(response: Response, scale: str, value: int, scoring_version: int) -> None:
    Score.objects.create(
        response=response,
        scale_code=scale,
        value=Decimal(value),
        raw=Decimal(value),
        answered=12 if scale == "total" else 1,
        missing=0,
        prorated=False,
        instrument_code="recollect",
        instrument_version=1,
        scoring_version=scoring_version,
    )


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def two_years(*organisations: Organisation) -> Scope:
    return scope_for(*organisations, start=datetime.date(2024, 1, 1), end=datetime.date(2025, 12, 31))


def test_fidelity_rows_are_years_with_the_mean_and_median_total_of_that_years_assessments(db):
    college, charity = OrganisationFactory(), OrganisationFactory()
    manager, lead = coordinator(college, datetime.date(2020, 1, 1)), coordinator(charity, datetime.date(2020, 1, 1))
    assessed(manager, at(2024, 3, 10), 10, learning=1)
    assessed(lead, at(2024, 6, 1), 12, learning=2)
    assessed(manager, at(2025, 3, 10), 14)
    assessed(lead, at(2025, 7, 1), 9)
    assessed(lead, at(2025, 9, 1), 16)

    table = coproduction.build(two_years(college, charity)).table("fidelity")

    first, second = table.rows
    assert (first["year"], first["organisations"], first["assessments"]) == ("2024", 2, 2)
    assert (first["mean_total"], first["median_total"]) == (11, 11)
    assert (first["mean_learning"], first["n_learning"]) == (1.5, 2)
    assert (second["year"], second["organisations"], second["assessments"]) == ("2025", 2, 3)
    assert second["mean_total"] == pytest.approx(13)
    assert second["median_total"] == 14
    assert (second["mean_learning"], second["n_learning"]) == (None, 0)


def test_fidelity_scores_are_about_colleges_so_disclosure_control_leaves_them_alone(db):
    recollect()
    columns = {column.key: column for column in coproduction.fidelity_table(two_years(OrganisationFactory())).columns}

    component_means = [key for key in columns if key.startswith("mean_") and key != "mean_total"]
    assert len(component_means) == 12
    assert {columns[key].kind for key in [*component_means, "mean_total", "median_total"]} == {Kind.FIXED}


def test_fidelity_counts_assessments_on_the_first_and_last_days_of_the_period_only(db):
    college = OrganisationFactory()
    manager = coordinator(college, datetime.date(2020, 1, 1))
    assessed(manager, at(2023, 12, 31, 23, 30), 2)
    assessed(manager, at(2024, 1, 1, 0, 10), 10)
    assessed(manager, at(2025, 12, 31, 23, 30), 20)
    assessed(manager, at(2026, 1, 1, 0, 10), 24)

    rows = coproduction.build(two_years(college)).table("fidelity").rows

    assert [(row["year"], row["mean_total"]) for row in rows] == [("2024", 10), ("2025", 20)]


def test_fidelity_belongs_to_the_organisations_the_respondent_coordinated_that_day(db):
    college, elsewhere = OrganisationFactory(), OrganisationFactory()
    left = coordinator(college, datetime.date(2020, 1, 1), ended_on=datetime.date(2024, 5, 31))
    assessed(left, at(2024, 3, 1), 10)
    assessed(left, at(2024, 7, 1), 20)  # after they left the college
    outsider = coordinator(elsewhere, datetime.date(2020, 1, 1))
    assessed(outsider, at(2024, 3, 1), 24)

    rows = coproduction.build(two_years(college)).table("fidelity").rows

    assert [(row["year"], row["assessments"], row["mean_total"]) for row in rows] == [("2024", 1, 10)]


def test_an_assessment_typed_in_for_a_run_belongs_to_the_runs_organisation(home_org, other_org, user):
    manager = coordinator(home_org, today() - 400 * DAY)
    run = open_run(other_org, coordinator_user(other_org))
    assessed(manager, timezone.now() - DAY, 17, run=run)
    recent = scope_for(home_org, start=today() - 30 * DAY, end=today())

    assert coproduction.build(recent).table("fidelity").rows == []
    rows = coproduction.build(replace(recent, organisation_ids=frozenset({other_org.pk}))).table("fidelity").rows
    assert [(row["organisations"], row["mean_total"]) for row in rows] == [(1, 17)]


def test_fidelity_reads_the_newest_scoring_rule_only(db):
    college = OrganisationFactory()
    manager = coordinator(college, datetime.date(2020, 1, 1))
    response = assessed(manager, at(2024, 3, 1), 8, scoring_version=1)
    score(response, "total", 12, scoring_version=2)

    rows = coproduction.build(two_years(college)).table("fidelity").rows

    assert (rows[0]["assessments"], rows[0]["mean_total"]) == (1, 12)


def test_fidelity_leaves_out_a_form_still_being_filled_in(db):
    college = OrganisationFactory()
    manager = coordinator(college, datetime.date(2020, 1, 1))
    Response.objects.create(
        instrument_version=recollect(),
        person=manager,
        timepoint=Response.Timepoint.OTHER,
        mode=Response.Mode.PAPER,
        started_at=at(2024, 3, 1),
    )

    assert coproduction.build(two_years(college)).table("fidelity").rows == []


# Queries ---------------------------------------------------------------------------------------


def grow(organisation: Organisation, user: Any, count: int) -> None:
    """``count`` more runs, each with a logged course, a stand-in and a fidelity assessment."""
    for index in range(count):
        run = open_run(organisation, user, first_day=today() + (10 + index) * DAY)
        log(run.version.course, Stage.DESIGN_WORKSHOP, (Capacity.CARER, "2"), (Capacity.PROFESSIONAL, "1"))
        session = run.sessions.order_by("number").last()
        FacilitatorAssignment.objects.create(
            run=run, session=session, person=tutor(organisation), role=Role.TRAINEE, assigned_by=user
        )
        manager = coordinator(organisation, today() - 400 * DAY)
        assessed(manager, timezone.now() - (index + 1) * DAY, 10 + index, learning=1)


def queries(scope: Scope) -> int:
    with CaptureQueriesContext(connection) as captured:
        coproduction.build(scope)
    return len(captured.captured_queries)


def test_the_section_costs_the_same_queries_with_two_runs_as_with_six(home_org, user, rule):
    scope = scope_for(home_org, start=today() - 30 * DAY, end=today() + 120 * DAY)
    grow(home_org, user, 2)
    few = queries(scope)
    grow(home_org, user, 4)
    many = queries(scope)

    assert CourseRun.objects.count() == 6 and Course.objects.count() == 6
    # Runs, sessions, assignments, awards; courses, rule, contributions, contributors;
    # scales, assessments, coordinators, scores.
    assert few == many == 12
