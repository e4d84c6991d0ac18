"""The reach section: people trained and served, and how far they reflect the population."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from peerpath.accreditation.models import Award
from peerpath.courses.choices import Category
from peerpath.delivery.models import Enrolment, GroupMeeting
from peerpath.delivery.tests.factories import GroupMeetingFactory, SupportGroupFactory
from peerpath.people.models import Area, CaringRole, Membership
from peerpath.people.tests.factories import MembershipFactory
from peerpath.reports.models import PopulationBenchmark
from peerpath.reports.sections import reach
from peerpath.reports.tests.builders import came, finished_run, monitored, participant, scope_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(actors):
    return actors["coordinator"].user


def rows_by(table, key: str) -> dict:
    return {row[key]: row for row in table.rows}


def test_people_served_count_each_person_once_per_category_and_once_overall(home_org, user):
    first = finished_run(home_org, user, days_ago=90)
    second = finished_run(home_org, user, days_ago=40)
    selfcare = finished_run(home_org, user, days_ago=30, category=Category.SELF_MANAGEMENT)
    both, only_first, absent = participant(home_org), participant(home_org), participant(home_org)
    came(first, user, [both, only_first])
    came(second, user, [both])
    came(selfcare, user, [both])
    came(first, user, [absent], sessions=0, status=Enrolment.Status.DID_NOT_COMPLETE)

    section = reach.build(scope_for(home_org))

    categories = section.table("categories")
    by_label = rows_by(categories, "category")
    assert by_label[Category.RECOVERY_COLLEGE.label]["people"] == 2  # absent never came
    assert by_label[Category.RECOVERY_COLLEGE.label]["runs"] == 2
    assert by_label[Category.SELF_MANAGEMENT.label]["people"] == 1
    assert categories.total["people"] == 2
    assert categories.total["served"] == 2


def test_runs_outside_the_period_or_of_another_organisation_are_not_counted(home_org, other_org, user, actors):
    inside = finished_run(home_org, user, days_ago=30)
    too_old = finished_run(home_org, user, days_ago=500)
    elsewhere = finished_run(other_org, actors["outsider"].user, days_ago=30)
    came(inside, user, [participant(home_org)])
    came(too_old, user, [participant(home_org), participant(home_org)])
    came(elsewhere, user, [participant(other_org)] * 1)

    section = reach.build(scope_for(home_org))

    assert section.table("categories").total["people"] == 1
    assert [row["attended"] for row in section.table("runs").rows] == [1]


def test_the_train_the_trainer_funnel_follows_starters_to_awards_and_renewals(home_org, user):
    ttt = finished_run(home_org, user, days_ago=200, category=Category.TRAIN_THE_TRAINER)
    people = [participant(home_org) for _ in range(4)]
    came(ttt, user, people[:3])
    came(ttt, user, people[3:], status=Enrolment.Status.DID_NOT_COMPLETE)
    from peerpath.accreditation.frameworks import ensure_default
    from peerpath.accreditation.models import Scheme

    ensure_default()
    scheme = Scheme.objects.filter(active=True).first()
    assessor = MembershipFactory(organisation=home_org, role=Membership.Role.ASSESSOR).person
    today = timezone.localdate()
    first = Award.objects.create(
        holder=people[0],
        scheme=scheme,
        valid_from=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=35),
        status=Award.Status.EXPIRED,
        granted_by=assessor,
    )
    Award.objects.create(
        holder=people[0],
        scheme=scheme,
        period=2,
        renews=first,
        valid_from=today - datetime.timedelta(days=36),
        valid_until=today + datetime.timedelta(days=300),
        granted_by=assessor,
    )
    Award.objects.create(
        holder=people[1],
        scheme=scheme,
        valid_from=today - datetime.timedelta(days=100),
        valid_until=today - datetime.timedelta(days=1),
        status=Award.Status.EXPIRED,
        granted_by=assessor,
    )

    funnel = rows_by(reach.build(scope_for(home_org, days=365)).table("funnel"), "stage")

    assert [row["people"] for row in funnel.values()] == [4, 3, 2, 1, 1]
    assert all(row["starters"] == 4 for row in funnel.values())


def test_range_tables_count_answers_prefer_not_to_say_and_not_recorded(home_org, user):
    run = finished_run(home_org, user)
    people = [participant(home_org) for _ in range(5)]
    came(run, user, people)
    monitored(people[0], ethnicity="black_african", sex="female")
    monitored(people[1], ethnicity="black_caribbean", sex="female")
    monitored(people[2], ethnicity="white_british", sex="male")
    monitored(people[3], ethnicity="prefer_not_to_say")
    PopulationBenchmark.objects.create(
        dimension="ethnic_group", category="black", share=Decimal("0.10"), source="Test census", year=2021
    )

    section = reach.build(scope_for(home_org))

    groups = rows_by(section.table("ethnic_group"), "group")
    assert groups["Black, Black British, Caribbean or African"]["people"] == 2
    assert groups["Black, Black British, Caribbean or African"]["population"] == Decimal("10.00000")
    assert groups["White"]["people"] == 1
    assert groups["Prefer not to say"]["people"] == 1
    assert groups["Not recorded"]["people"] == 1
    assert groups["White"]["answered"] == 3
    ethnicity = rows_by(section.table("ethnicity"), "ethnicity")
    assert ethnicity["African"]["people"] == 1 and ethnicity["Caribbean"]["people"] == 1
    sex = rows_by(section.table("sex"), "answer")
    assert sex["Female"]["people"] == 2 and sex["Not recorded"]["people"] == 2
    assert any("Test census (2021)" in note for note in section.method)


def test_relationship_borough_and_returning_people(home_org, user):
    wandsworth = Area.objects.get(name="Wandsworth")
    earlier = finished_run(home_org, user, days_ago=500)
    later = finished_run(home_org, user, days_ago=30)
    returning, new = participant(home_org, area=wandsworth), participant(home_org)
    came(earlier, user, [returning])
    came(later, user, [returning, new])
    CaringRole.objects.create(carer=returning, relationship="13")  # father
    CaringRole.objects.create(carer=new, relationship="01")  # spouse

    section = reach.build(scope_for(home_org))

    assert rows_by(section.table("returning"), "kind")["Had a place on an earlier run"]["people"] == 1
    assert rows_by(section.table("returning"), "kind")["First time on a PeerPath course"]["people"] == 1
    relationships = rows_by(section.table("relationship"), "relationship")
    assert relationships["Parent"]["people"] == 1 and relationships["Partner or spouse"]["people"] == 1
    boroughs = rows_by(section.table("borough"), "borough")
    assert boroughs["Wandsworth"]["people"] == 1 and boroughs["Not recorded"]["people"] == 1


def test_a_borough_filter_keeps_only_its_residents(home_org, user):
    merton, sutton = Area.objects.get(name="Merton"), Area.objects.get(name="Sutton")
    run = finished_run(home_org, user)
    came(run, user, [participant(home_org, area=merton), participant(home_org, area=sutton)])

    section = reach.build(scope_for(home_org, area=merton))

    assert section.table("categories").total["people"] == 1


def test_support_groups_count_named_people_and_head_counts(home_org, user):
    group = SupportGroupFactory(organisation=home_org)
    anonymous = SupportGroupFactory(organisation=home_org, anonymous=True)
    carers = [participant(home_org) for _ in range(3)]
    today = timezone.localdate()
    for days, present in ((10, carers[:2]), (40, carers)):
        meeting = GroupMeetingFactory(group=group, met_on=today - datetime.timedelta(days=days), recorded_by=user)
        meeting.attendees.set(present)
    GroupMeetingFactory(group=anonymous, met_on=today - datetime.timedelta(days=5), head_count=9, recorded_by=user)

    section = reach.build(scope_for(home_org))

    groups = rows_by(section.table("support_groups"), "group")
    assert (groups[group.name]["meetings"], groups[group.name]["attendances"], groups[group.name]["people"]) == (
        2,
        5,
        3,
    )
    assert (groups[anonymous.name]["attendances"], groups[anonymous.name]["people"]) == (9, 0)
    # Named group attendees are people served, though they came to no course.
    assert rows_by(section.table("returning"), "kind")["First time on a PeerPath course"]["people"] == 3
    assert GroupMeeting.objects.count() == 3


def test_the_section_costs_the_same_queries_for_two_and_six_runs(home_org, user, django_assert_max_num_queries):
    from conftest import count_queries

    scope = scope_for(home_org)

    def grow(count: int) -> None:
        for _ in range(count):
            run = finished_run(home_org, user, days_ago=30)
            people = [participant(home_org) for _ in range(3)]
            came(run, user, people)
            for person in people:
                monitored(person, ethnicity="asian_indian", sex="male", age_band="35_44")

    grow(2)
    small = count_queries(lambda: reach.build(scope))
    grow(4)
    large = count_queries(lambda: reach.build(scope))
    assert small == large
