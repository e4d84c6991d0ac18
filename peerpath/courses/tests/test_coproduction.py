"""The co-production profile and rule: exact arithmetic, boundaries, and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerpath.courses import coproduction
from peerpath.courses.choices import LIVED_EXPERIENCE, Capacity, Stage
from peerpath.courses.coproduction import DEFAULT_RULE, Row, Rule, compute_profile
from peerpath.courses.models import CoproductionRule
from peerpath.courses.tests.factories import CourseFactory, log

D = Decimal
CARER, USER, PRO, PARTNER = Capacity.CARER, Capacity.SERVICE_USER, Capacity.PROFESSIONAL, Capacity.PARTNER
DESIGN, REVIEW = Stage.DESIGN_WORKSHOP, Stage.REVIEW


def rows(*spec: tuple[str, str, int, str]) -> list[Row]:
    return [Row(stage, capacity, n, D(hours)) for stage, capacity, n, hours in spec]


def test_empty_record_is_not_coproduced_and_says_why():
    profile = compute_profile([])
    assert profile.is_empty
    assert not profile.is_coproduced
    assert profile.lived_design_share is None
    assert profile.shortfalls == [
        "No one with lived experience has taken part in the design workshop stage yet",
        "No one with lived experience has taken part in the review stage yet",
        "No design workshop hours are recorded yet",
    ]


@pytest.mark.parametrize(
    ("lived_hours", "professional_hours", "expected"),
    [
        ("4", "6", True),  # exactly 40%: "at least" includes the boundary
        ("3.99", "6", False),  # 39.93%
        ("4.01", "6", True),
        ("2", "3", True),  # 40% again with other numbers
        ("0.25", "100", False),
    ],
)
def test_design_share_boundary(lived_hours, professional_hours, expected):
    profile = compute_profile(
        rows(
            (DESIGN, CARER, 1, lived_hours),
            (DESIGN, PRO, 1, professional_hours),
            (REVIEW, USER, 1, "1"),
        )
    )
    assert profile.meets_design_share is expected
    assert profile.is_coproduced is expected


def test_service_user_and_carer_both_count_as_lived_experience():
    profile = compute_profile(rows((DESIGN, CARER, 1, "1"), (DESIGN, USER, 1, "1"), (DESIGN, PRO, 2, "3")))
    assert profile.lived_design_hours == D("2")
    assert profile.lived_design_share == D("0.4")


def test_partner_representatives_are_not_lived_experience():
    profile = compute_profile(rows((DESIGN, PARTNER, 3, "6"), (REVIEW, PARTNER, 1, "1")))
    assert profile.stages_missing_lived_experience == [DESIGN, REVIEW]
    assert profile.lived_design_share == 0


def test_missing_review_stage_fails_even_with_all_design_hours():
    profile = compute_profile(rows((DESIGN, CARER, 2, "4")))
    assert profile.meets_design_share
    assert not profile.is_coproduced
    assert profile.shortfalls == ["No one with lived experience has taken part in the review stage yet"]


def test_review_with_only_professionals_fails():
    profile = compute_profile(rows((DESIGN, CARER, 1, "4"), (REVIEW, PRO, 2, "2")))
    assert profile.stages_missing_lived_experience == [REVIEW]


def test_shares_by_capacity_and_stage():
    profile = compute_profile(
        rows(
            (DESIGN, CARER, 2, "4"),
            (DESIGN, PRO, 1, "2"),
            (REVIEW, CARER, 1, "1"),
            (Stage.PILOT, PARTNER, 1, "3"),
        )
    )
    by_capacity = {share.capacity: share for share in profile.by_capacity}
    assert profile.total_contributions == 5
    assert profile.total_hours == D("10")
    assert by_capacity[CARER].contributions == 3
    assert by_capacity[CARER].hours == D("5")
    assert by_capacity[CARER].hours_share == D("0.5")
    assert by_capacity[CARER].contribution_share == D("0.6")
    assert by_capacity[USER].hours_share == 0
    assert profile.lived_hours == D("5")  # carers' 4 design and 1 review hours; the partner's 3 are not lived
    stages = {summary.stage: summary for summary in profile.by_stage}
    assert [summary.stage for summary in profile.by_stage] == list(Stage.values)
    assert stages[DESIGN].lived_share == D("4") / D("6")
    assert stages[Stage.PILOT].has_lived_experience is False
    assert stages[Stage.IDEA].lived_share is None
    assert profile.is_coproduced


def test_a_rule_with_other_stages_and_threshold():
    rule = Rule(
        lived_experience_stages=(Stage.PILOT,),
        design_stages=(DESIGN, Stage.MATERIALS_WRITING),
        minimum_lived_design_share=D("0.5"),
    )
    data = rows((DESIGN, CARER, 1, "2"), (Stage.MATERIALS_WRITING, PRO, 1, "2"), (Stage.PILOT, USER, 1, "1"))
    assert compute_profile(data, rule).is_coproduced  # 2 of 4 design hours: exactly half
    assert not compute_profile(data).is_coproduced  # the default needs lived experience in review
    assert rule.describe() == (
        "people with lived experience took part in pilot and at least 50% of the hours spent on "
        "design workshop and materials writing were theirs"
    )


def test_default_rule_describes_itself():
    assert DEFAULT_RULE.describe() == (
        "people with lived experience took part in design workshop and review and at least 40% of the hours "
        "spent on design workshop were theirs"
    )


row_strategy = st.builds(
    Row,
    stage=st.sampled_from(Stage.values),
    capacity=st.sampled_from(Capacity.values),
    contributions=st.integers(min_value=1, max_value=20),
    hours=st.decimals(min_value=D("0.25"), max_value=D("100"), places=2),
)


@given(st.lists(row_strategy, max_size=30))
def test_profile_properties(data):
    profile = compute_profile(data)
    # Totals add up and shares of a non-empty record sum to one.
    assert profile.total_hours == sum((row.hours for row in data), D(0))
    assert sum(share.contributions for share in profile.by_capacity) == profile.total_contributions
    assert sum(summary.hours for summary in profile.by_stage) == profile.total_hours
    if data:
        assert abs(sum(share.hours_share for share in profile.by_capacity) - 1) < D("1e-20")
    # The verdict matches the rule, restated independently.
    design = [row for row in data if row.stage == DESIGN]
    design_hours = sum((row.hours for row in design), D(0))
    lived = sum((row.hours for row in design if row.capacity in LIVED_EXPERIENCE), D(0))
    lived_in = {row.stage for row in data if row.capacity in LIVED_EXPERIENCE}
    expected = DESIGN in lived_in and REVIEW in lived_in and design_hours > 0 and lived * 100 >= design_hours * 40
    assert profile.is_coproduced is expected
    assert bool(profile.shortfalls) is not expected


@given(st.lists(row_strategy, max_size=20), row_strategy)
def test_adding_lived_experience_hours_never_undoes_coproduction(data, extra):
    before = compute_profile(data)
    lived_row = Row(extra.stage, CARER, extra.contributions, extra.hours)
    after = compute_profile([*data, lived_row])
    if before.is_coproduced:
        assert after.is_coproduced
    assert len(after.stages_missing_lived_experience) <= len(before.stages_missing_lived_experience)
    assert after.lived_design_hours >= before.lived_design_hours


@pytest.mark.django_db
def test_profiles_for_a_page_of_courses_use_one_query(django_assert_num_queries):
    courses = [CourseFactory() for _ in range(5)]
    for course in courses[:3]:
        log(course, DESIGN, (CARER, "2"), (PRO, "3"))
        log(course, REVIEW, (USER, "1"))
    rule = coproduction.current_rule()
    with django_assert_num_queries(1):
        profiles = coproduction.profiles_for([course.pk for course in courses], rule)
    assert [profiles[c.pk].is_coproduced for c in courses] == [True, True, True, False, False]
    assert profiles[courses[0].pk].lived_design_share == D("0.4")


@pytest.mark.django_db
def test_profile_for_reads_the_stored_rule():
    course = CourseFactory()
    log(course, DESIGN, (CARER, "1"), (PRO, "2"))
    log(course, REVIEW, (CARER, "1"))
    assert not coproduction.profile_for(course.pk).is_coproduced  # 33% under the default 40%
    CoproductionRule.objects.update(minimum_lived_design_share=D("0.30"))
    assert coproduction.profile_for(course.pk).is_coproduced


@pytest.mark.django_db
def test_without_a_stored_rule_the_default_applies():
    CoproductionRule.objects.all().delete()
    assert coproduction.current_rule() == DEFAULT_RULE
