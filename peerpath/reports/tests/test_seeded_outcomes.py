"""The outcomes and service-use figures of the seeded demo data, worked out again independently
from the stored scores and answers with scipy and pingouin."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import numpy as np
import pingouin
import pytest
from django.db import transaction
from django.utils import timezone
from scipy import stats as scipy_stats

from peerpath.core import seeding
from peerpath.delivery.models import CourseRun
from peerpath.evaluation.models import Answer, Score
from peerpath.people.models import Organisation
from peerpath.reports.filters import Scope
from peerpath.reports.models import DisclosurePolicy
from peerpath.reports.sections import outcomes, service_use


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[Scope]:
    """The small demo data, seeded once for the module, and a scope over all of it."""
    seeding.autodiscover()
    with django_db_blocker.unblock(), transaction.atomic():
        seeding.run(scale="small", seed=2026, write=lambda message: None)
        today = timezone.localdate()
        yield Scope(
            organisation_ids=frozenset(Organisation.objects.values_list("pk", flat=True)),
            all_organisations=True,
            start=today - datetime.timedelta(days=3 * 365),
            end=today,
            exact=True,
            policy=DisclosurePolicy(),
        )
        transaction.set_rollback(True)


def stored_pairs(code: str, scale: str, later: str = "end") -> tuple[np.ndarray, np.ndarray]:
    """(before, after) for each person and run with both, from the newest rule's stored scores
    of complete responses (the later completion at a timepoint counts)."""
    newest = max(Score.objects.filter(instrument_code=code).values_list("scoring_version", flat=True))
    runs = set(CourseRun.objects.exclude(status="cancelled").values_list("pk", flat=True))
    found: dict[tuple[Any, Any], dict[str, float]] = {}
    rows = (
        Score.objects.filter(
            instrument_code=code, scale_code=scale, scoring_version=newest, response__status="complete"
        )
        .order_by("response__completed_at", "pk")
        .values_list("response__person_id", "response__run_id", "response__timepoint", "value")
    )
    for person, run, timepoint, value in rows:
        if run in runs and timepoint in ("baseline", later):
            found.setdefault((person, run), {})[timepoint] = float(value)
    both = [pair for pair in found.values() if "baseline" in pair and later in pair]
    return np.array([p["baseline"] for p in both]), np.array([p[later] for p in both])


@pytest.mark.django_db
def test_every_measures_summary_equals_scipy_and_pingouin_on_the_seeded_answers(seeded):
    section = outcomes.build(seeded)
    rows = {row["group"]: row for row in section.table("summary").rows}
    checked = 0
    for code, instrument in outcomes.measures().items():
        scale = outcomes.headline_scale(instrument)
        before, after = stored_pairs(code, scale.code)
        row = rows[f"{instrument.short_name}: {scale.name}"]
        assert row["pairs"] == len(before)
        if len(before) < 8:
            continue
        checked += 1
        change = after - before
        t = scipy_stats.ttest_rel(after, before)
        assert row["before_mean"] == pytest.approx(before.mean())
        assert row["after_sd"] == pytest.approx(after.std(ddof=1))
        assert row["p_t"] == pytest.approx(t.pvalue)
        interval = t.confidence_interval()
        assert (row["change_low"], row["change_high"]) == pytest.approx((interval.low, interval.high))
        assert row["d_z"] == pytest.approx(change.mean() / change.std(ddof=1))
        assert row["d_av"] == pytest.approx(change.mean() / ((before.std(ddof=1) + after.std(ddof=1)) / 2))
        reference = pingouin.ttest(after, before, paired=True)
        assert row["p_t"] == pytest.approx(float(reference["p_val"].iloc[0]))
        if np.any(change != 0):
            assert row["p_wilcoxon"] == pytest.approx(scipy_stats.wilcoxon(after, before).pvalue, rel=1e-6)
    assert checked >= 3  # the demo has enough pairs for several measures


@pytest.mark.django_db
def test_swemwbs_reliable_change_on_the_seeded_answers_uses_the_published_threshold(seeded):
    before, after = stored_pairs("swemwbs", "metric")
    threshold = 1.96 * np.sqrt(2) * 3.921 * np.sqrt(1 - 0.931)  # Shah et al. 2018, ADR 016: 2.86 points
    expected = {
        "improved": int(np.sum(after - before > threshold)),
        "deteriorated": int(np.sum(before - after > threshold)),
    }
    expected["unchanged"] = len(before) - expected["improved"] - expected["deteriorated"]

    total = outcomes.build(seeded, instrument="swemwbs").table("reliable_change").total

    assert {key: total[key] for key in expected} == expected
    assert total["pairs"] == len(before) > 0


@pytest.mark.django_db
def test_seeded_service_use_rates_are_the_counts_over_person_months(seeded):
    runs = set(CourseRun.objects.exclude(status="cancelled").values_list("pk", flat=True))
    found: dict[tuple[Any, Any], dict[str, float]] = {}
    rows = (
        Answer.objects.filter(
            response__instrument_version__code="service-use-carer",
            response__status="complete",
            item_id="community_contacts",
        )
        .order_by("response__completed_at", "response_id")
        .values_list("response__person_id", "response__run_id", "response__timepoint", "value")
    )
    for person, run, timepoint, value in rows:
        if run in runs and timepoint in ("baseline", "end"):
            found.setdefault((person, run), {})[timepoint] = float(value)
    both = [pair for pair in found.values() if len(pair) == 2]
    before = sum(pair["baseline"] for pair in both)

    table = service_use.build(seeded).table("rates_service_use_carer")

    row = next(row for row in table.rows if row["people"] == len(both) and row["events_before"] == before)
    assert row["rate_before"] == pytest.approx(before / (3 * len(both)))
    assert len(both) > 8
