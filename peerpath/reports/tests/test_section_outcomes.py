"""The outcomes and service-use sections, on answers typed in through the response services."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from scipy import stats as scipy_stats

from conftest import count_queries
from peerpath.delivery.models import CourseRun
from peerpath.evaluation.models import Score
from peerpath.evaluation.responses import instrument_for
from peerpath.evaluation.scoring import jacobson_truax, reliable_change_index
from peerpath.evaluation.tests.test_responses import shipped
from peerpath.people.models import Area
from peerpath.reports.models import UnitCost
from peerpath.reports.sections import outcomes, service_use
from peerpath.reports.tests.builders import (
    answered,
    asked_at_baseline,
    came,
    finished_run,
    participant,
    scope_for,
    swemwbs,
)

pytestmark = pytest.mark.django_db

# (baseline raw total, end raw total) per person: some better, one worse, one unchanged.
TOTALS = [(15, 24), (18, 20), (21, 30), (24, 19), (20, 20), (12, 28), (19, 26), (23, 27), (16, 18)]


@pytest.fixture
def user(actors):
    return actors["coordinator"].user


@pytest.fixture
def evaluated(home_org, user):
    """A finished run whose carers answered SWEMWBS at baseline and at the end."""
    asked_at_baseline("swemwbs", "phq9", "service-use-carer")
    run = finished_run(home_org, user, title="Understanding psychosis")
    people = [participant(home_org) for _ in TOTALS]
    came(run, user, people)
    for person, (before, after) in zip(people, TOTALS, strict=True):
        answered(user, person, run, "baseline", "swemwbs", swemwbs(before))
        answered(user, person, run, "end", "swemwbs", swemwbs(after))
    return run, people


def stored(person_ids, timepoint: str) -> list[float]:
    by_person = {
        person: float(value)
        for person, value in Score.objects.filter(
            response__person_id__in=person_ids, response__timepoint=timepoint, scale_code="metric"
        ).values_list("response__person_id", "value")
    }
    return [by_person[pk] for pk in person_ids]


def test_the_summary_compares_each_persons_stored_scores_before_and_after(home_org, evaluated):
    _run, people = evaluated
    ids = [person.pk for person in people]
    before, after = np.array(stored(ids, "baseline")), np.array(stored(ids, "end"))

    section = outcomes.build(scope_for(home_org))

    row = {r["group"]: r for r in section.table("summary").rows}["SWEMWBS: SWEMWBS metric score"]
    assert row["pairs"] == len(TOTALS)
    assert row["before_mean"] == pytest.approx(before.mean())
    assert row["after_mean"] == pytest.approx(after.mean())
    assert row["change"] == pytest.approx((after - before).mean())
    assert row["p_t"] == pytest.approx(scipy_stats.ttest_rel(after, before).pvalue)
    assert row["change_low"] < row["change"] < row["change_high"]
    # PHQ-9 is asked but nobody answered it: a row with no pairs and no statistics.
    phq9 = next(r for r in section.table("summary").rows if r["group"].startswith("PHQ-9"))
    assert phq9["pairs"] == 0 and "change" not in phq9


def test_reliable_change_counts_agree_with_the_scoring_engine_person_by_person(home_org, evaluated):
    _run, people = evaluated
    ids = [person.pk for person in people]
    scale = next(s for s in instrument_for(shipped("swemwbs")).scales if s.code == "metric")
    # SWEMWBS has no clinical cut-off, so the engine's Jacobson-Truax gives no class: read its
    # reliable change index (higher is better) against 1.96 instead.
    assert jacobson_truax(Decimal(10), Decimal(20), scale) is None
    expected = {"improved": 0, "unchanged": 0, "deteriorated": 0}
    change = scale.reliable_change
    for before, after in zip(stored(ids, "baseline"), stored(ids, "end"), strict=True):
        rci = reliable_change_index(Decimal(str(before)), Decimal(str(after)), change.sd, change.reliability)
        expected[
            "improved" if rci > Decimal("1.96") else "deteriorated" if rci < Decimal("-1.96") else "unchanged"
        ] += 1

    section = outcomes.build(scope_for(home_org), instrument="swemwbs", grouping="course")

    total = section.table("reliable_change").total
    assert {key: total[key] for key in expected} == expected
    assert expected["improved"] >= 3 and expected["deteriorated"] >= 1  # the data exercise each class
    assert any("3.921" in note and "0.931" in note and "2.86" in note for note in section.method)


def test_people_with_a_baseline_on_a_finished_run_and_no_end_answer_are_lost_to_follow_up(home_org, evaluated, user):
    run, _ = evaluated
    missing = participant(home_org)
    came(run, user, [missing])
    answered(user, missing, run, "baseline", "swemwbs", swemwbs(20))
    ongoing = finished_run(home_org, user, days_ago=10)
    CourseRun.objects.filter(pk=ongoing.pk).update(status=CourseRun.Status.RUNNING)
    not_yet = participant(home_org)
    came(ongoing, user, [not_yet])
    answered(user, not_yet, ongoing, "baseline", "swemwbs", swemwbs(20))

    change = outcomes.build(scope_for(home_org), instrument="swemwbs").table("change")

    assert change.total["lost"] == 1  # the running course's carer is not lost yet
    assert change.total["pairs"] == len(TOTALS)


def test_results_break_down_by_borough(home_org, evaluated):
    _, people = evaluated
    merton = Area.objects.get(name="Merton")
    for person in people[:4]:
        person.area = merton
        person.save(update_fields=["area"])

    change = outcomes.build(scope_for(home_org), instrument="swemwbs", grouping="borough").table("change")

    pairs = {row["group"]: row["pairs"] for row in change.rows}
    assert pairs == {"Merton": 4, "Not recorded": len(TOTALS) - 4}


def test_an_unknown_instrument_or_scale_falls_back_to_the_summary_or_the_main_scale(home_org, evaluated):
    assert outcomes.build(scope_for(home_org), instrument="nonsense").table_keys[0] == "summary"
    detail = outcomes.build(scope_for(home_org), instrument="swemwbs", scale="nonsense")
    assert "SWEMWBS metric score" in detail.title


def test_the_outcomes_section_costs_the_same_queries_for_few_and_many_people(home_org, user):
    asked_at_baseline("swemwbs")
    run = finished_run(home_org, user)
    scope = scope_for(home_org)

    def grow(count: int) -> None:
        for index in range(count):
            person = participant(home_org)
            came(run, user, [person])
            answered(user, person, run, "baseline", "swemwbs", swemwbs(14 + index))
            answered(user, person, run, "end", "swemwbs", swemwbs(20 + index))

    grow(2)
    few = (
        count_queries(lambda: outcomes.build(scope)),
        count_queries(lambda: outcomes.build(scope, instrument="swemwbs")),
    )
    grow(6)
    many = (
        count_queries(lambda: outcomes.build(scope)),
        count_queries(lambda: outcomes.build(scope, instrument="swemwbs")),
    )
    assert few == many


def service_answers(bed_days: int, crisis: int) -> dict[str, int]:
    return {
        "crisis_contacts": crisis, "ae_attendances": 0, "admissions_informal": 0, "admissions_section": 0,
        "bed_days": bed_days, "community_contacts": 2, "gp_mental_health_contacts": 1, "gp_other_contacts": 1,
        "respite_days": 0, "carers_assessments": 0,
    }  # fmt: skip


def test_service_use_rates_are_events_per_person_month_and_costs_use_the_unit_cost(home_org, user):
    asked_at_baseline("service-use-carer")
    UnitCost.objects.create(
        instrument_code="service-use-carer", item_id="bed_days", label="Bed day", unit="bed day",
        cost=Decimal("500"), source="Test costs", year=2025,
    )  # fmt: skip
    run = finished_run(home_org, user)
    carers = [participant(home_org) for _ in range(3)]
    came(run, user, carers)
    for person, (before, after) in zip(carers, ((6, 0), (3, 3), (0, 0)), strict=True):
        answered(user, person, run, "baseline", "service-use-carer", service_answers(before, 1))
        answered(user, person, run, "end", "service-use-carer", service_answers(after, 0))

    section = service_use.build(scope_for(home_org))

    rates = {row["service"]: row for row in section.table("rates_service_use_carer").rows}
    beds = rates["Bed day"]
    assert (beds["people"], beds["events_before"], beds["events_after"]) == (3, 9, 3)
    assert beds["rate_before"] == pytest.approx(9 / (3 * 3))
    assert beds["rate_after"] == pytest.approx(3 / (3 * 3))
    costs = section.table("costs_service_use_carer")
    assert costs.rows[0]["before"] == pytest.approx(9 * 500 / 3 / 3)
    assert costs.rows[0]["change"] == pytest.approx((3 - 9) * 500 / 3 / 3)
    assert costs.rows[0]["change_year"] == pytest.approx((3 - 9) * 500 / 3 / 3 * 12 * 3)
    assert any("Test costs" in note and "2025" in note for note in section.method)
    assert any("3 months" in note for note in section.method)


def test_the_programme_reports_breakdowns_match_each_measures_own_page_from_one_read(home_org, evaluated):
    scope = scope_for(home_org)
    known = outcomes.measures()
    assert len(known) > 1  # several measures are asked at baseline; only SWEMWBS has answers

    found = outcomes.breakdowns(scope, known, grouping="category")

    assert [code for code, _ in found] == ["swemwbs"]
    alone = outcomes.build(scope, instrument="swemwbs", grouping="category", known=known)
    _, together = found[0]
    assert together.title == alone.title and together.table_keys == alone.table_keys
    for key in alone.table_keys:
        assert together.table(key).rows == alone.table(key).rows
        assert together.table(key).total == alone.table(key).total
    # One read of the scores for every measure: no more queries than one measure's page.
    assert count_queries(lambda: outcomes.breakdowns(scope, known)) <= count_queries(
        lambda: outcomes.build(scope, instrument="swemwbs", known=known)
    )
