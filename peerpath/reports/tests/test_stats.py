"""The report statistics against independent computations: scipy, pingouin, statsmodels,
definitions written out here, published worked values and the evaluation app's own
Jacobson-Truax classifier. No expected value is copied from ``stats.py``'s output.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import statistics
from collections import Counter
from decimal import Decimal

import numpy as np
import pingouin
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import optimize
from scipy import stats as sps
from statsmodels.stats import rates
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from peerpath.evaluation.definitions import ClinicalCutoff, ReliableChange, Scale, parse
from peerpath.evaluation.scoring import jacobson_truax
from peerpath.evaluation.tests.test_definitions import document
from peerpath.reports import stats

RNG = np.random.default_rng(20240607)

# Hand-made data sets: (before, after). Scores on whole points, as questionnaires give them.
DATA_SETS = {
    # Changes 3, 0, 3, 2, 0, -1, 4, 3: tied changes and two people who did not change.
    "eight_with_ties_and_zeros": (
        [20, 22, 18, 25, 30, 19, 21, 24],
        [23, 22, 21, 27, 30, 18, 25, 27],
    ),
    "two_pairs": ([10, 12], [13, 13]),
    # Every change distinct and non-zero, so the Wilcoxon p is the classical exact one.
    "eight_distinct": (
        [14.0, 20.5, 17.0, 25.0, 22.0, 19.0, 30.0, 16.0],
        [17.5, 19.0, 23.0, 26.0, 30.5, 20.0, 34.5, 25.25],
    ),
    # More pairs than can be enumerated, with ties: the normal approximation.
    "twenty_with_ties": (
        list(RNG.integers(14, 36, 20)),
        None,
    ),
    "two_hundred": (list(RNG.integers(7, 36, 200)), None),
}


def data_set(name: str) -> tuple[np.ndarray, np.ndarray]:
    before, after = DATA_SETS[name]
    first = np.asarray(before, dtype=float)
    if after is not None:
        return first, np.asarray(after, dtype=float)
    # Generated: a modest gain with noise, on whole points.
    return first, first + RNG.integers(-4, 7, first.size)


FIXED = {name: data_set(name) for name in DATA_SETS}


def noncentrality_limits(t: float, df: int, confidence: float) -> tuple[float, float]:
    """The noncentrality at which scipy's noncentral t puts ``t`` at each tail, by bisection."""
    tail = (1 - confidence) / 2

    def probability(ncp: float) -> float:
        value = sps.nct.cdf(t, df, ncp)
        # scipy gives NaN in places far out in the tails, where the probability is 0 or 1.
        return value if not np.isnan(value) else float(ncp < t)

    def solve(target: float) -> float:
        width = 10 * (1 + abs(t))
        return optimize.bisect(lambda ncp: probability(ncp) - target, t - width, t + width, xtol=1e-13)

    return solve(1 - tail), solve(tail)


def enumerated_wilcoxon_p(changes: np.ndarray) -> float:
    """Two-sided p over every sign arrangement of the non-zero changes' midranks (Wilcoxon 1945)."""
    nonzero = changes[changes != 0]
    ranks = sps.rankdata(np.abs(nonzero))
    observed = ranks[nonzero > 0].sum()
    sums = [
        sum(r for r, s in zip(ranks, signs, strict=True) if s) for signs in itertools.product((0, 1), repeat=len(ranks))
    ]
    at_most = sum(value <= observed + 1e-9 for value in sums) / len(sums)
    at_least = sum(value >= observed - 1e-9 for value in sums) / len(sums)
    return min(1.0, 2 * min(at_most, at_least))


# Paired comparisons -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIXED))
def test_paired_descriptives_equal_the_standard_library(name: str) -> None:
    before, after = FIXED[name]
    result = stats.paired(before, after)
    changes = [b - a for a, b in zip(before.tolist(), after.tolist(), strict=True)]

    assert result is not None
    assert result.n == len(before)
    assert result.mean_before == pytest.approx(statistics.fmean(before.tolist()))
    assert result.sd_before == pytest.approx(statistics.stdev(before.tolist()))
    assert result.mean_after == pytest.approx(statistics.fmean(after.tolist()))
    assert result.sd_after == pytest.approx(statistics.stdev(after.tolist()))
    assert result.mean_change == pytest.approx(statistics.fmean(changes))
    assert result.sd_change == pytest.approx(statistics.stdev(changes))


@pytest.mark.parametrize("name", sorted(FIXED))
def test_paired_t_test_equals_scipy_statsmodels_and_pingouin(name: str) -> None:
    before, after = FIXED[name]
    result = stats.paired(before, after)
    scipy_test = sps.ttest_rel(after, before)
    scipy_ci = scipy_test.confidence_interval(0.95)
    statsmodels_ci = DescrStatsW(after - before).tconfint_mean(alpha=0.05)
    pingouin_row = pingouin.ttest(after, before, paired=True).iloc[0]

    assert result is not None
    assert result.t == pytest.approx(scipy_test.statistic, rel=1e-10)
    assert result.df == scipy_test.df == pingouin_row["dof"]
    assert result.p_t == pytest.approx(scipy_test.pvalue, rel=1e-9)
    assert result.p_t == pytest.approx(pingouin_row["p_val"], rel=1e-9)
    assert (result.change_ci.low, result.change_ci.high) == pytest.approx(tuple(scipy_ci), rel=1e-10)
    assert (result.change_ci.low, result.change_ci.high) == pytest.approx(statsmodels_ci, rel=1e-10)
    # pingouin rounds its interval to two decimals.
    assert (result.change_ci.low, result.change_ci.high) == pytest.approx(tuple(pingouin_row["CI95"]), abs=0.005)


def test_paired_interval_follows_the_confidence_asked_for() -> None:
    before, after = FIXED["eight_with_ties_and_zeros"]
    result = stats.paired(before, after, confidence=0.9)
    low, high = DescrStatsW(after - before).tconfint_mean(alpha=0.1)

    assert result is not None
    assert result.confidence == 0.9
    assert (result.change_ci.low, result.change_ci.high) == pytest.approx((low, high), rel=1e-10)


@pytest.mark.parametrize("name", sorted(FIXED))
def test_wilcoxon_equals_scipy_and_pingouin(name: str) -> None:
    before, after = FIXED[name]
    result = stats.paired(before, after)
    scipy_test = sps.wilcoxon(after, before)  # scipy's own choice of method
    # pingouin applies a continuity correction to the normal approximation unless told not to.
    pingouin_row = pingouin.wilcoxon(after, before, correction=False).iloc[0]

    assert result is not None
    assert result.wilcoxon_w == pytest.approx(scipy_test.statistic)
    assert result.wilcoxon_w == pytest.approx(pingouin_row["W_val"])
    assert result.p_wilcoxon == pytest.approx(scipy_test.pvalue, rel=1e-9)
    assert result.p_wilcoxon == pytest.approx(pingouin_row["p_val"], rel=1e-9)


@pytest.mark.parametrize("name", ["eight_with_ties_and_zeros", "two_pairs", "eight_distinct"])
def test_wilcoxon_p_on_few_pairs_equals_every_sign_arrangement_counted(name: str) -> None:
    before, after = FIXED[name]
    result = stats.paired(before, after)

    assert result is not None
    assert result.p_wilcoxon == pytest.approx(enumerated_wilcoxon_p(after - before), rel=1e-12)


def test_wilcoxon_p_on_thirteen_tied_pairs_equals_every_sign_arrangement_counted() -> None:
    before = np.array([20, 22, 18, 25, 30, 19, 21, 24, 26, 17, 23, 28, 29], dtype=float)
    after = before + np.array([3, 0, 3, 2, -2, -1, 4, 3, 1, 5, 2, 0, 6])
    result = stats.paired(before, after)

    assert result is not None
    assert result.p_wilcoxon == pytest.approx(enumerated_wilcoxon_p(after - before), rel=1e-12)


@pytest.mark.parametrize("name", ["twenty_with_ties", "two_hundred"])
def test_wilcoxon_on_many_tied_pairs_equals_the_tie_corrected_normal_formula(name: str) -> None:
    before, after = FIXED[name]
    changes = after - before
    nonzero = changes[changes != 0]
    m = nonzero.size
    ranks = sps.rankdata(np.abs(nonzero))
    positive = ranks[nonzero > 0].sum()
    tie_sizes = np.unique(np.abs(nonzero), return_counts=True)[1]
    # Hollander, Wolfe and Chicken (2014), section 3.1: mean and tie-corrected variance of T+.
    mean = m * (m + 1) / 4
    variance = m * (m + 1) * (2 * m + 1) / 24 - (tie_sizes**3 - tie_sizes).sum() / 48
    expected_p = 2 * sps.norm.sf(abs(positive - mean) / math.sqrt(variance))
    result = stats.paired(before, after)

    assert result is not None
    assert result.wilcoxon_w == pytest.approx(min(positive, ranks.sum() - positive))
    assert result.p_wilcoxon == pytest.approx(expected_p, rel=1e-9)


@pytest.mark.parametrize("name", sorted(FIXED))
def test_d_z_equals_pingouin_and_its_interval_inverts_scipys_noncentral_t(name: str) -> None:
    before, after = FIXED[name]
    result = stats.paired(before, after)
    n = len(before)
    t = sps.ttest_rel(after, before).statistic
    low, high = noncentrality_limits(t, n - 1, 0.95)

    assert result is not None
    assert result.d_z is not None and result.d_z_ci is not None
    assert result.d_z == pytest.approx(pingouin.compute_effsize(after, before, paired=True, eftype="cohen_dz"))
    assert result.d_z_ci.low == pytest.approx(low / math.sqrt(n), abs=1e-9)
    assert result.d_z_ci.high == pytest.approx(high / math.sqrt(n), abs=1e-9)


def standardised(n: int) -> np.ndarray:
    """n values with mean exactly 0 and SD exactly 1 (to rounding)."""
    values = RNG.normal(size=n)
    return (values - values.mean()) / values.std(ddof=1)


def test_d_z_interval_reproduces_published_noncentral_t_limits() -> None:
    # Harms (2016), github.com/neurotroph/R-snippets, "Confidence Intervals NCP/README.md": the
    # R function confint.ncp.t for t = 3.04 on 314 df at 99% prints noncentrality limits
    # 0.4429486 and 5.632345. The changes are built to give exactly that t.
    n = 315
    changes = 3.04 / math.sqrt(n) + standardised(n)
    result = stats.paired(np.zeros(n), changes, confidence=0.99)

    assert result is not None and result.t is not None and result.d_z_ci is not None
    assert result.t == pytest.approx(3.04, rel=1e-12)
    assert result.d_z_ci.low * math.sqrt(n) == pytest.approx(0.4429486, abs=1e-6)
    assert result.d_z_ci.high * math.sqrt(n) == pytest.approx(5.632345, abs=1e-6)


def test_d_z_interval_is_near_pingouins_approximation_with_many_pairs() -> None:
    # pingouin uses d +/- t x sqrt(1/n + d^2/2n), a large-sample approximation: close, not equal.
    before, after = FIXED["two_hundred"]
    result = stats.paired(before, after)

    assert result is not None and result.d_z is not None and result.d_z_ci is not None
    low, high = pingouin.compute_esci(result.d_z, nx=200, ny=200, paired=True, decimals=12)
    assert (result.d_z_ci.low, result.d_z_ci.high) == pytest.approx((low, high), abs=0.01)


@pytest.mark.parametrize("name", sorted(FIXED))
def test_d_av_is_mean_change_over_the_mean_of_the_two_sds(name: str) -> None:
    before, after = FIXED[name]
    result = stats.paired(before, after)
    sd_before, sd_after = statistics.stdev(before.tolist()), statistics.stdev(after.tolist())
    # pingouin's paired Cohen d divides by the root mean square of the SDs (Cumming 2012).
    rms_d = pingouin.compute_effsize(after, before, paired=True, eftype="cohen")

    assert result is not None and result.d_av is not None
    # Lakens (2013) eq. 10.
    assert result.d_av == pytest.approx(statistics.fmean((after - before).tolist()) / ((sd_before + sd_after) / 2))
    assert result.d_av * (sd_before + sd_after) / 2 == pytest.approx(
        rms_d * math.sqrt((sd_before**2 + sd_after**2) / 2)
    )


def test_d_av_equals_pingouins_cohen_d_when_the_two_sds_are_equal() -> None:
    before = np.array([10.0, 12, 14, 16, 18, 20, 22, 24])
    after = before[[1, 0, 3, 2, 5, 4, 7, 6]] + 3  # same spread, shuffled, shifted
    result = stats.paired(before, after)

    assert result is not None
    assert result.d_av == pytest.approx(pingouin.compute_effsize(after, before, paired=True, eftype="cohen"))


@pytest.mark.parametrize("name", sorted(FIXED))
def test_d_av_interval_follows_algina_and_keselman(name: str) -> None:
    # Algina and Keselman (2003) as WebPower writes it, for the root-mean-square standardiser:
    # [lambda_L, lambda_U] x sqrt(2 (s1^2 + s2^2 - 2 r s1 s2) / (n (s1^2 + s2^2))); moved onto
    # the d_av standardiser by multiplying by s_rms / s_av. r s1 s2 is written as the
    # covariance, which stays defined when one SD is 0 (the two-pair data set).
    before, after = FIXED[name]
    n = len(before)
    s1, s2 = statistics.stdev(before.tolist()), statistics.stdev(after.tolist())
    r_s1_s2 = statistics.covariance(before.tolist(), after.tolist())
    t = sps.ttest_rel(after, before).statistic
    low, high = noncentrality_limits(t, n - 1, 0.95)
    scale = math.sqrt(2 * (s1**2 + s2**2 - 2 * r_s1_s2) / (n * (s1**2 + s2**2)))
    to_average = math.sqrt((s1**2 + s2**2) / 2) / ((s1 + s2) / 2)
    result = stats.paired(before, after)

    assert result is not None and result.d_av_ci is not None
    assert result.d_av_ci.low == pytest.approx(low * scale * to_average, abs=1e-8)
    assert result.d_av_ci.high == pytest.approx(high * scale * to_average, abs=1e-8)


scores = st.integers(min_value=0, max_value=70)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(scores, scores), min_size=2, max_size=300))
def test_paired_equals_scipy_and_pingouin_on_any_whole_point_scores(pairs: list[tuple[int, int]]) -> None:
    before = np.array([b for b, _ in pairs], dtype=float)
    after = np.array([a for _, a in pairs], dtype=float)
    changes = after - before
    result = stats.paired(before, after)

    assert result is not None
    assert result.mean_change == pytest.approx(float(np.mean(changes)), abs=1e-9)
    if np.all(changes == changes[0]):
        assert result.t is None and result.d_z is None
        return
    scipy_test = sps.ttest_rel(after, before)
    assert result.t == pytest.approx(scipy_test.statistic, rel=1e-9)
    assert result.p_t == pytest.approx(scipy_test.pvalue, rel=1e-8, abs=1e-300)
    assert (result.change_ci.low, result.change_ci.high) == pytest.approx(
        DescrStatsW(changes).tconfint_mean(), rel=1e-9, abs=1e-12
    )
    assert result.d_z == pytest.approx(pingouin.compute_effsize(after, before, paired=True, eftype="cohen_dz"))
    assert result.d_z_ci is not None
    limits = noncentrality_limits(scipy_test.statistic, len(pairs) - 1, 0.95)
    assert result.d_z_ci.low == pytest.approx(limits[0] / math.sqrt(len(pairs)), abs=1e-7)
    assert result.d_z_ci.high == pytest.approx(limits[1] / math.sqrt(len(pairs)), abs=1e-7)
    nonzero = changes[changes != 0]
    tied = np.unique(np.abs(nonzero)).size < nonzero.size or nonzero.size < changes.size
    if len(pairs) > 13 or not tied:  # scipy's enumeration of few tied pairs takes seconds
        assert result.p_wilcoxon == pytest.approx(sps.wilcoxon(after, before).pvalue, rel=1e-9)
    else:
        assert result.p_wilcoxon == pytest.approx(enumerated_wilcoxon_p(changes), rel=1e-12)


@pytest.mark.parametrize("pairs", [([], []), ([5.0], [7.0]), ([5.0, np.nan, 6.0], [7.0, 8.0, np.nan])])
def test_paired_is_none_with_fewer_than_two_complete_pairs(pairs: tuple[list[float], list[float]]) -> None:
    assert stats.paired(*pairs) is None


def test_paired_drops_pairs_with_a_missing_score() -> None:
    before = np.array([20, np.nan, 18, 25, 30, 19, 21, 24, 22])
    after = np.array([23, 22, 21, 27, 30, 18, 25, np.nan, 26])
    result = stats.paired(before, after)
    reference = sps.ttest_rel(after, before, nan_policy="omit")

    assert result is not None
    assert result.n == 7
    assert result.t == pytest.approx(reference.statistic)
    assert result.p_t == pytest.approx(reference.pvalue)


def test_paired_leaves_undefined_statistics_empty_when_nobody_changed() -> None:
    before = np.array([20.0, 22, 18, 25])
    result = stats.paired(before, before.copy())

    assert result is not None
    assert result.mean_change == 0 and result.sd_change == 0
    assert result.change_ci == stats.Interval(0.0, 0.0)
    assert result.t is None and result.p_t is None
    assert result.d_z is None and result.d_z_ci is None
    assert result.wilcoxon_w is None and result.p_wilcoxon is None
    assert result.d_av == 0
    assert result.d_av_ci is None


def test_paired_gives_d_av_but_no_interval_when_everyone_changed_by_the_same_amount() -> None:
    before = np.array([20.0, 22, 18, 25])
    result = stats.paired(before, before + 2)

    assert result is not None
    assert result.t is None and result.d_z is None
    assert result.d_av == pytest.approx(2 / statistics.stdev(before.tolist()))
    assert result.d_av_ci is None


def test_paired_refuses_arrays_of_different_lengths() -> None:
    with pytest.raises(ValueError):
        stats.paired([1.0, 2.0, 3.0], [1.0, 2.0])


# Reliable change ----------------------------------------------------------------------------


def test_swemwbs_worked_example_gives_a_threshold_of_2_86_points() -> None:
    # REFERENCE.md section 7: SD 3.921 and SEM 1.03, so r = 1 - (1.03 / 3.921)^2 = 0.931.
    reliability = 1 - (1.03 / 3.921) ** 2
    _, counts = stats.reliable_change([20.0], [23.0], sd=3.921, reliability=reliability, direction="higher_is_better")

    assert round(reliability, 3) == 0.931
    assert counts.standard_error == pytest.approx(1.03)
    assert round(counts.threshold, 2) == 2.86


def test_swemwbs_with_a_reliability_of_0_84_gives_a_threshold_of_4_35_points() -> None:
    _, counts = stats.reliable_change([20.0], [23.0], sd=3.921, reliability=0.84, direction="higher_is_better")

    assert round(counts.standard_error, 2) == 1.57
    assert round(counts.threshold, 2) == 4.35


def scale_with(direction: str, sd: str, reliability: str, cutoff: str) -> Scale:
    """The demo instrument's total scale with the given reliable-change parameters."""
    scale = parse(document()).scale("total")
    return dataclasses.replace(
        scale,
        direction=direction,
        reliable_change=ReliableChange(sd=Decimal(sd), reliability=Decimal(reliability), source="tests"),
        clinical_cutoff=ClinicalCutoff(value=Decimal(cutoff), source="tests"),
    )


def labels_match_scoring(before: list[Decimal], after: list[Decimal], scale: Scale) -> None:
    change, cutoff = scale.reliable_change, scale.clinical_cutoff
    assert change is not None and cutoff is not None
    labels, counts = stats.reliable_change(
        np.array(before, dtype=float),
        np.array(after, dtype=float),
        sd=float(change.sd),
        reliability=float(change.reliability),
        direction=scale.direction,
        cutoff=float(cutoff.value),
    )
    expected = [jacobson_truax(b, a, scale) for b, a in zip(before, after, strict=True)]
    tally = Counter(expected)

    assert labels.tolist() == expected
    assert (counts.recovered, counts.improved, counts.unchanged, counts.deteriorated) == (
        tally["recovered"],
        tally["improved"],
        tally["unchanged"],
        tally["deteriorated"],
    )
    assert counts.n == len(before)


# sd 2.5 and r 0.84: SE 1, S_diff sqrt(2), reliable beyond 1.96 x sqrt(2) = 2.772 points. With a
# cut-off of 5, pairs start or end on it, and changes of 2.77 and 2.78 sit either side of the
# threshold. Each pair also appears the other way round.
HAND_MADE_PAIRS = [
    ("5", "2"),
    ("9", "5"),
    ("9", "6.23"),
    ("9", "6.22"),
    ("6", "3.22"),
    ("5", "5"),
    ("8", "0"),
    ("5.5", "4.5"),
    ("12", "1"),
]


@pytest.mark.parametrize("direction", ["higher_is_worse", "higher_is_better"])
def test_reliable_change_labels_equal_scoring_on_hand_made_pairs_around_the_cutoff_and_threshold(
    direction: str,
) -> None:
    pairs = HAND_MADE_PAIRS + [(after, before) for before, after in HAND_MADE_PAIRS]
    before, after = [Decimal(b) for b, _ in pairs], [Decimal(a) for _, a in pairs]

    labels_match_scoring(before, after, scale_with(direction, "2.5", "0.84", "5"))


points = st.decimals(min_value=Decimal("7.00"), max_value=Decimal("35.00"), places=2)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(points, points), min_size=1, max_size=300),
    st.sampled_from(["higher_is_worse", "higher_is_better"]),
    st.decimals(min_value=Decimal("10"), max_value=Decimal("30"), places=1),
)
def test_reliable_change_labels_equal_scoring_pair_by_pair(
    pairs: list[tuple[Decimal, Decimal]], direction: str, cutoff: Decimal
) -> None:
    before, after = [b for b, _ in pairs], [a for _, a in pairs]

    labels_match_scoring(before, after, scale_with(direction, "3.921", "0.931", str(cutoff)))


def test_reliable_change_without_a_cutoff_counts_reliable_improvement_as_improved() -> None:
    before, after = [9, 9, 3, 4], [3, 1, 9, 4]
    scale = scale_with("higher_is_worse", "5", "0.84", "5")
    with_cutoff = [jacobson_truax(b, a, scale) for b, a in zip(before, after, strict=True)]
    labels, counts = stats.reliable_change(
        np.array(before, dtype=float), np.array(after, dtype=float), sd=5, reliability=0.84, direction="higher_is_worse"
    )

    assert labels.tolist() == ["improved" if label == "recovered" else label for label in with_cutoff]
    assert counts.recovered is None
    assert counts.improved == sum(label in {"recovered", "improved"} for label in with_cutoff)


def test_reliable_change_labels_pairs_with_a_missing_score_and_leaves_them_out_of_the_counts() -> None:
    labels, counts = stats.reliable_change(
        [9.0, np.nan, 3.0], [3.0, 4.0, np.nan], sd=5, reliability=0.84, direction="higher_is_worse", cutoff=5
    )

    assert labels.tolist() == ["recovered", "missing", "missing"]
    assert counts.n == 1
    assert (counts.recovered, counts.improved, counts.unchanged, counts.deteriorated) == (1, 0, 0, 0)


@pytest.mark.parametrize(
    "arguments",
    [
        {"sd": 5, "reliability": 0.84, "direction": "none"},
        {"sd": 0, "reliability": 0.84, "direction": "higher_is_worse"},
        {"sd": 5, "reliability": 1, "direction": "higher_is_worse"},
    ],
)
def test_reliable_change_refuses_what_scoring_refuses(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        stats.reliable_change([1.0], [2.0], **arguments)  # type: ignore[arg-type]


# Rates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "low", "high"),
    # Exact 95% limits for a Poisson count of 0, 1 and 10, to the figures printed in the
    # common tables of exact Poisson limits.
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (10, 4.795, 18.39)],
)
def test_poisson_rate_reproduces_tabulated_exact_limits(events: int, low: float, high: float) -> None:
    rate, interval = stats.poisson_rate(events, 1.0)

    assert rate == events
    assert interval.low == pytest.approx(low, abs=5e-4)
    assert interval.high == pytest.approx(high, rel=2e-4)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=2000),
    st.floats(min_value=0.5, max_value=5000),
    st.sampled_from([0.9, 0.95, 0.99]),
)
def test_poisson_rate_equals_statsmodels_exact_c(events: int, exposure: float, confidence: float) -> None:
    rate, interval = stats.poisson_rate(events, exposure, confidence=confidence)
    low, high = rates.confint_poisson(events, exposure, method="exact-c", alpha=1 - confidence)

    assert rate == pytest.approx(events / exposure)
    assert interval.low == pytest.approx(low, rel=1e-9, abs=1e-300)
    assert interval.high == pytest.approx(high, rel=1e-9)


def test_poisson_rate_refuses_negative_events_and_no_exposure() -> None:
    with pytest.raises(ValueError):
        stats.poisson_rate(-1, 10)
    with pytest.raises(ValueError):
        stats.poisson_rate(3, 0)


ADMISSIONS_BEFORE = np.array([0, 2, 1, 0, 3, 1, 0, 0, 5, 1, 2, 0, 1, 0, 0, 4, 1, 0, 2, 1], dtype=float)
ADMISSIONS_AFTER = np.array([0, 1, 0, 0, 2, 1, 0, 1, 2, 0, 1, 0, 0, 0, 1, 2, 0, 0, 1, 1], dtype=float)


def test_rate_change_rates_equal_statsmodels_on_person_months() -> None:
    result = stats.rate_change(ADMISSIONS_BEFORE, ADMISSIONS_AFTER, months_each=3)
    exposure = 20 * 3

    assert result is not None
    assert result.n == 20 and result.exposure_months == exposure
    assert result.rate_before == pytest.approx(ADMISSIONS_BEFORE.sum() / exposure)
    assert result.rate_after == pytest.approx(ADMISSIONS_AFTER.sum() / exposure)
    before_ci = rates.confint_poisson(ADMISSIONS_BEFORE.sum(), exposure, method="exact-c")
    after_ci = rates.confint_poisson(ADMISSIONS_AFTER.sum(), exposure, method="exact-c")
    assert (result.rate_before_ci.low, result.rate_before_ci.high) == pytest.approx(before_ci, rel=1e-9)
    assert (result.rate_after_ci.low, result.rate_after_ci.high) == pytest.approx(after_ci, rel=1e-9)


def assert_rate_ratio_interval_is_exact_conditional(after: float, before: float, result: stats.RateChange) -> None:
    exposure = result.exposure_months
    p_low, p_high = proportion_confint(after, after + before, alpha=0.05, method="beta")

    assert result.rate_ratio == pytest.approx(after / before)
    assert result.rate_ratio_ci is not None
    assert result.rate_ratio_ci.low == pytest.approx(p_low / (1 - p_low), rel=1e-9, abs=1e-300)
    assert result.rate_ratio_ci.high == pytest.approx(p_high / (1 - p_high), rel=1e-9)
    # Inverting statsmodels' exact conditional test: each limit sits at a one-sided p of 2.5%.
    if after > 0:
        at_low = rates.test_poisson_2indep(
            after, exposure, before, exposure, value=result.rate_ratio_ci.low, method="exact-cond", alternative="larger"
        )
        assert at_low.pvalue == pytest.approx(0.025, rel=1e-6)
    at_high = rates.test_poisson_2indep(
        after, exposure, before, exposure, value=result.rate_ratio_ci.high, method="exact-cond", alternative="smaller"
    )
    assert at_high.pvalue == pytest.approx(0.025, rel=1e-6)


def test_rate_ratio_interval_equals_the_exact_conditional_binomial_interval() -> None:
    result = stats.rate_change(ADMISSIONS_BEFORE, ADMISSIONS_AFTER, months_each=3)

    assert result is not None
    assert_rate_ratio_interval_is_exact_conditional(ADMISSIONS_AFTER.sum(), ADMISSIONS_BEFORE.sum(), result)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=2, max_size=300))
def test_rate_change_equals_statsmodels_and_scipy_on_any_counts(pairs: list[tuple[int, int]]) -> None:
    before = np.array([b for b, _ in pairs], dtype=float)
    after = np.array([a for _, a in pairs], dtype=float)
    result = stats.rate_change(before, after, months_each=3)

    assert result is not None
    if before.sum() == 0:
        assert result.rate_ratio is None and result.rate_ratio_ci is None
    else:
        assert_rate_ratio_interval_is_exact_conditional(after.sum(), before.sum(), result)
    per_month = (after - before) / 3
    assert result.mean_difference == pytest.approx(float(per_month.mean()), abs=1e-12)
    if np.ptp(per_month) > 0:
        expected = DescrStatsW(per_month).tconfint_mean()
        assert (result.mean_difference_ci.low, result.mean_difference_ci.high) == pytest.approx(expected, rel=1e-9)


def test_rate_change_mean_difference_interval_equals_scipys_paired_interval() -> None:
    result = stats.rate_change(ADMISSIONS_BEFORE, ADMISSIONS_AFTER, months_each=3, confidence=0.9)
    interval = sps.ttest_rel(ADMISSIONS_AFTER / 3, ADMISSIONS_BEFORE / 3).confidence_interval(0.9)

    assert result is not None
    assert result.mean_difference == pytest.approx(float(np.mean(ADMISSIONS_AFTER - ADMISSIONS_BEFORE)) / 3)
    assert (result.mean_difference_ci.low, result.mean_difference_ci.high) == pytest.approx(tuple(interval))


def test_rate_ratio_is_none_with_no_events_before() -> None:
    result = stats.rate_change(np.zeros(5), np.array([0, 1, 0, 2, 0.0]), months_each=3)

    assert result is not None
    assert result.rate_before == 0 and result.rate_before_ci.low == 0
    assert result.rate_ratio is None and result.rate_ratio_ci is None


def test_rate_ratio_is_zero_with_a_lower_limit_of_zero_when_no_events_follow() -> None:
    result = stats.rate_change(np.array([1, 0, 2, 0.0]), np.zeros(4), months_each=3)

    assert result is not None
    assert result.rate_ratio == 0
    assert result.rate_ratio_ci is not None and result.rate_ratio_ci.low == 0
    assert_rate_ratio_interval_is_exact_conditional(0, 3, result)


def test_rate_change_drops_people_missing_a_period_and_needs_two() -> None:
    result = stats.rate_change(np.array([1, np.nan, 2, 0]), np.array([0, 1, np.nan, 1]), months_each=3)

    assert result is not None
    assert result.n == 2 and result.exposure_months == 6
    assert stats.rate_change(np.array([1, np.nan]), np.array([0, 1]), months_each=3) is None


def test_rate_change_refuses_negative_counts_and_an_empty_recall_period() -> None:
    with pytest.raises(ValueError):
        stats.rate_change(np.array([1, -1.0]), np.array([0, 1.0]), months_each=3)
    with pytest.raises(ValueError):
        stats.rate_change(np.array([1, 1.0]), np.array([0, 1.0]), months_each=0)
