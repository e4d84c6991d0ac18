"""Statistics for the outcomes and service-use reports: pure numpy/scipy over float arrays.

No Django here: the report sections fetch the scores and counts and pass plain arrays. Every
function drops incomplete pairs (a NaN on either side) and works on whole arrays; the only
loops are the root-finding for the effect-size intervals, once per result, never per person.
A statistic that the data cannot define (a t-test when every change is the same, a rate
ratio with no events before) is None, which the report tables show as an en dash; NaN
would reach a page as "nan".

Methods, and the independent reference each is checked against in ``tests/test_stats.py``:

- **Paired t-test and mean change** (Student 1908): t = M_d / (SD_d / sqrt(n)), df = n - 1,
  two-sided p, and M_d +/- t(1 - alpha/2, n - 1) x SD_d / sqrt(n). Checked against
  ``scipy.stats.ttest_rel``, ``pingouin.ttest`` and statsmodels ``DescrStatsW``.
- **Wilcoxon signed-rank** (Wilcoxon 1945) on after - before, zero differences dropped
  (Wilcoxon's own rule; scipy's and R's default). W is the smaller of the two rank sums, as
  scipy reports it (R's ``wilcox.test`` reports V, the sum of the positive ranks). The
  p-value is chosen here rather than left to scipy's "auto", which has changed between
  releases: exact null distribution when there are no ties or zeros and at most 50 pairs;
  every sign flip enumerated when there are ties or zeros and at most 13 pairs (an exact
  conditional p, 2^13 = 8192 arrangements); otherwise the normal approximation with the
  variance corrected for ties, without continuity correction. Scores on a questionnaire
  are whole or half points, so ties are the rule, not the exception. Checked against a full
  enumeration of sign flips and the tie-corrected normal formula (Hollander, Wolfe and
  Chicken 2014, section 3.1) written out in the tests, and against scipy and pingouin.
- **d_z** = M_d / SD_d (Lakens 2013, Front Psychol 4:863, eq. 6). Its interval inverts the
  noncentral t: the limits are the noncentrality parameters under which the observed t
  sits at the 1 - alpha/2 and alpha/2 quantiles, divided by sqrt(n) (Steiger and Fouladi
  1997; Cumming and Finch 2001; MBESS ``ci.sm``, Kelley 2007). It is exact when the
  changes are normal. pingouin's ``compute_esci`` uses instead a symmetric approximation,
  d +/- t x sqrt(1/n + d^2 / 2n) (Hedges and Olkin 1985), which is too wide at the 8-20
  pairs a borough cohort gives: with normal changes, n = 8 and a true d_z of 0.8, its 95%
  interval held the true value in 98.0% of 20,000 simulated cohorts (96.5% at n = 20), the
  noncentral one in 95.1% (95.2%).
  Checked against scipy's noncentral t (``scipy.stats.nct``), published output of an R
  implementation, and pingouin's approximation for 200 pairs, where the two should agree.
- **d_av** = M_d / ((SD_before + SD_after) / 2) (Lakens 2013, eq. 10), as REFERENCE.md
  section 7 defines it. pingouin's paired "cohen" divides by the root mean square of the
  two SDs (Cumming 2012) instead, so it equals d_av only when the two SDs are equal; the
  tests check that case and the formula. The interval follows Algina and Keselman (2003):
  the noncentral-t limits for the paired t, rescaled by SD_d / (sqrt(n) x standardiser),
  that is the d_z interval times SD_d / SD_av. It treats that ratio as known, so it is
  approximate; in 5,000 simulated cohorts each of n = 8 and 20, equal SDs and before-after
  correlations of 0.2 to 0.8, the 95% interval held the true d_av 94.5-95.8% of the time.
- **Reliable change** (Jacobson and Truax 1991; REFERENCE.md section 7) with the rules of
  ``peerpath.evaluation.scoring.jacobson_truax``, checked pair by pair against it. That
  function works in Decimal, this one in floats: a change within about 1e-15 of the
  threshold could fall the other way.
- **Poisson rate**: events / exposure with Garwood's (1936) exact central interval from
  chi-square quantiles. Checked against statsmodels ``confint_poisson(method="exact-c")``.
  It treats every event as independent; events cluster in people (one carer's several
  admissions), so for cohort totals it is too narrow, and the per-person interval below
  is the one to lean on.
- **Rate ratio** (after / before): exact conditional interval. Given the total events K,
  the events after are binomial(K, p) with p = ratio / (1 + ratio) when both periods have
  the same exposure, so a Clopper and Pearson (1934) interval for p gives one for the
  ratio. In this paired design that conditioning is also what removes each person's own
  baseline rate: if every person's rate changes by the same ratio, their events after
  given their own total are binomial(total, p), and these add up across people. It still
  assumes Poisson events within a person and period. Checked against statsmodels
  ``proportion_confint(method="beta")`` and by inverting statsmodels'
  ``test_poisson_2indep(method="exact-cond")``.
- **Mean difference per person-month**: the paired t interval on each person's (after -
  before) / months, which allows for people differing in how often they use services;
  for skewed counts and small n it leans on the central limit theorem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats  # type: ignore[import-untyped]

FloatArray = npt.NDArray[np.float64]

RELIABLE_Z = 1.96
DIRECTIONS = ("higher_is_better", "higher_is_worse")
# Beyond these the normal approximation is used (see the module docstring).
EXACT_WILCOXON_MAX = 50
ENUMERATED_WILCOXON_MAX = 13


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PairedResult:
    """A before-and-after comparison over ``n`` complete pairs; change is after - before.

    ``t``, ``p_t``, ``d_z`` and ``d_z_ci`` are None when every change is the same (SD of
    change 0); ``d_av`` is None when both SDs are 0, and ``d_av_ci`` when either d is None.
    ``change_ci`` is then a zero-width interval at the one change seen. ``wilcoxon_w`` and
    ``p_wilcoxon`` are None when every change is 0.
    """

    n: int
    mean_before: float
    sd_before: float
    mean_after: float
    sd_after: float
    mean_change: float
    sd_change: float
    change_ci: Interval
    t: float | None
    df: int
    p_t: float | None
    wilcoxon_w: float | None
    p_wilcoxon: float | None
    d_z: float | None
    d_z_ci: Interval | None
    d_av: float | None
    d_av_ci: Interval | None
    confidence: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeCounts:
    """Jacobson-Truax classes over the ``n`` complete pairs; recovered is None without a cut-off."""

    n: int
    recovered: int | None
    improved: int
    unchanged: int
    deteriorated: int
    # A change larger than this, in scale points, is reliable: 1.96 x sqrt(2) x SE.
    threshold: float
    # SE = sd x sqrt(1 - r).
    standard_error: float


@dataclass(frozen=True, slots=True, kw_only=True)
class RateChange:
    """Events per person-month before and after, over ``n`` people reporting both periods."""

    n: int
    exposure_months: float
    rate_before: float
    rate_before_ci: Interval
    rate_after: float
    rate_after_ci: Interval
    rate_ratio: float | None
    rate_ratio_ci: Interval | None
    mean_difference: float
    mean_difference_ci: Interval


def _check_confidence(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    return 1 - confidence


def _complete_pairs(before: npt.ArrayLike, after: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The pairs with a value on both sides, as float arrays of equal length."""
    first, second = np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64)
    if first.shape != second.shape or first.ndim != 1:
        raise ValueError("before and after must be one-dimensional arrays of the same length")
    keep = ~(np.isnan(first) | np.isnan(second))
    return first[keep], second[keep]


def _t_interval(mean: float, sd: float, n: int, alpha: float) -> Interval:
    half = float(stats.t.ppf(1 - alpha / 2, n - 1)) * sd / math.sqrt(n)
    return Interval(mean - half, mean + half)


def _noncentrality_interval(t: float, df: int, alpha: float) -> Interval:
    """The noncentrality parameters under which ``t`` is at the upper and lower alpha/2 tails.

    The noncentral t's CDF at a fixed t falls as the noncentrality rises, so each limit is
    the one root of a monotone function; the bracket widens until it holds the root.
    scipy's ``nct.cdf`` gives NaN in places far out in its tails (1.17 does), where the
    probability is all but 0 or 1: which one follows from the side of t the noncentrality
    is on, and the root is never there.
    """

    def limit(tail: float) -> float:
        def gap(ncp: float) -> float:
            probability = float(stats.nct.cdf(t, df, ncp))
            if math.isnan(probability):
                probability = 0.0 if ncp > t else 1.0
            return probability - tail

        step = 2.0 + abs(t) / 4
        low, high = t - step, t + step
        while gap(low) < 0:
            low -= step
            step *= 2
        while gap(high) > 0:
            high += step
            step *= 2
        return float(optimize.brentq(gap, low, high, xtol=1e-12, rtol=1e-12))

    return Interval(limit(1 - alpha / 2), limit(alpha / 2))


def _enumerated_wilcoxon_p(nonzero: FloatArray) -> float:
    """Two-sided p of the signed-rank sum over every one of the 2^m sign flips of the midranks.

    Exact given the ties seen. Doubled midranks are whole numbers, so sums compare exactly.
    """
    doubled = np.rint(2 * stats.rankdata(np.abs(nonzero))).astype(np.int64)
    flips = (np.arange(2**doubled.size)[:, np.newaxis] >> np.arange(doubled.size)) & 1
    sums = flips @ doubled
    observed = doubled[nonzero > 0].sum()
    return min(1.0, 2 * min(float((sums <= observed).mean()), float((sums >= observed).mean())))


def _wilcoxon(changes: FloatArray) -> tuple[float | None, float | None]:
    """W (the smaller rank sum) and the two-sided p, by the rule in the module docstring.

    The rule is scipy 1.17's "auto" written out, so another scipy release cannot change a
    published figure; the enumeration is done here because scipy's permutation test takes
    seconds for 13 pairs.
    """
    nonzero = changes[changes != 0]
    if nonzero.size == 0:
        return None, None
    ranks = stats.rankdata(np.abs(nonzero))
    positive = float(ranks[nonzero > 0].sum())
    w = min(positive, float(ranks.sum()) - positive)
    has_ties = np.unique(np.abs(nonzero)).size < nonzero.size
    if nonzero.size == changes.size and not has_ties and changes.size <= EXACT_WILCOXON_MAX:
        p = stats.wilcoxon(nonzero, method="exact").pvalue
    elif changes.size <= ENUMERATED_WILCOXON_MAX:
        p = _enumerated_wilcoxon_p(nonzero)
    else:
        p = stats.wilcoxon(changes, zero_method="wilcox", correction=False, method="asymptotic").pvalue
    return w, float(p)


def paired(before: npt.ArrayLike, after: npt.ArrayLike, *, confidence: float = 0.95) -> PairedResult | None:
    """Compare scores before and after over the complete pairs; None with fewer than 2 pairs."""
    alpha = _check_confidence(confidence)
    first, second = _complete_pairs(before, after)
    n = first.size
    if n < 2:
        return None
    changes = second - first
    mean_change, sd_change = float(changes.mean()), float(changes.std(ddof=1))
    sd_before, sd_after = float(first.std(ddof=1)), float(second.std(ddof=1))
    sd_average = (sd_before + sd_after) / 2
    df = n - 1
    t = p_t = d_z = None
    d_z_ci = d_av_ci = None
    d_av = mean_change / sd_average if sd_average > 0 else None
    if sd_change > 0:
        t = mean_change / (sd_change / math.sqrt(n))
        p_t = float(2 * stats.t.sf(abs(t), df))
        d_z = mean_change / sd_change
        ncp = _noncentrality_interval(t, df, alpha)
        d_z_ci = Interval(ncp.low / math.sqrt(n), ncp.high / math.sqrt(n))
        if d_av is not None:
            # Algina and Keselman (2003): the same limits, on the d_av standardiser.
            scale = sd_change / sd_average
            d_av_ci = Interval(d_z_ci.low * scale, d_z_ci.high * scale)
    wilcoxon_w, p_wilcoxon = _wilcoxon(changes)
    return PairedResult(
        n=n,
        mean_before=float(first.mean()),
        sd_before=sd_before,
        mean_after=float(second.mean()),
        sd_after=sd_after,
        mean_change=mean_change,
        sd_change=sd_change,
        change_ci=_t_interval(mean_change, sd_change, n, alpha),
        t=t,
        df=df,
        p_t=p_t,
        wilcoxon_w=wilcoxon_w,
        p_wilcoxon=p_wilcoxon,
        d_z=d_z,
        d_z_ci=d_z_ci,
        d_av=d_av,
        d_av_ci=d_av_ci,
        confidence=confidence,
    )


def reliable_change(
    before: npt.ArrayLike,
    after: npt.ArrayLike,
    *,
    sd: float,
    reliability: float,
    direction: str,
    cutoff: float | None = None,
) -> tuple[npt.NDArray[np.str_], ChangeCounts]:
    """Jacobson-Truax class of each pair, and the counts over the complete pairs.

    The labels line up with the input ("missing" where either score is NaN, not counted),
    so a caller can break them down further. Reliable: |RCI| > 1.96, read through the
    direction. Recovered: a reliable improvement from the clinical range (a score equal to
    the cut-off counts as clinical) to beyond the cut-off. Without a cut-off a reliable
    improvement is "improved" and ``recovered`` is None.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    if not sd > 0 or not 0 <= reliability < 1:
        raise ValueError("reliable change needs sd > 0 and 0 <= reliability < 1")
    first, second = np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64)
    if first.shape != second.shape or first.ndim != 1:
        raise ValueError("before and after must be one-dimensional arrays of the same length")
    complete = ~(np.isnan(first) | np.isnan(second))
    standard_error = sd * math.sqrt(1 - reliability)
    s_diff = math.sqrt(2 * standard_error**2)
    # Same order of operations as scoring.reliable_change_index: RCI first, then 1.96.
    improvement = (second - first) / s_diff
    if direction == "higher_is_worse":
        improvement = -improvement
        crossed = (first >= cutoff) & (cutoff > second) if cutoff is not None else None
    else:
        crossed = (first <= cutoff) & (cutoff < second) if cutoff is not None else None
    improved = complete & (improvement > RELIABLE_Z)
    deteriorated = complete & (improvement < -RELIABLE_Z)
    recovered = improved & crossed if crossed is not None else np.zeros_like(improved)
    labels = np.full(first.shape, "missing", dtype="<U12")
    labels[complete] = "unchanged"
    labels[improved] = "improved"
    labels[recovered] = "recovered"
    labels[deteriorated] = "deteriorated"
    counts = ChangeCounts(
        n=int(complete.sum()),
        recovered=int(recovered.sum()) if cutoff is not None else None,
        improved=int((improved & ~recovered).sum()),
        unchanged=int((complete & ~improved & ~deteriorated).sum()),
        deteriorated=int(deteriorated.sum()),
        threshold=RELIABLE_Z * s_diff,
        standard_error=standard_error,
    )
    return labels, counts


def poisson_rate(events: float, exposure: float, *, confidence: float = 0.95) -> tuple[float, Interval]:
    """events / exposure with Garwood's exact interval; the lower limit is 0 with no events."""
    alpha = _check_confidence(confidence)
    if events < 0 or not exposure > 0:
        raise ValueError("a rate needs events >= 0 and exposure > 0")
    low = float(stats.chi2.ppf(alpha / 2, 2 * events)) / 2 if events > 0 else 0.0
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * events + 2)) / 2
    return events / exposure, Interval(low / exposure, high / exposure)


def _rate_ratio(events_after: float, events_before: float, alpha: float) -> tuple[float | None, Interval | None]:
    """after / before over equal exposures, with the exact conditional (Clopper-Pearson) interval."""
    if events_before == 0:
        return None, None
    low = float(stats.beta.ppf(alpha / 2, events_after, events_before + 1)) if events_after > 0 else 0.0
    high = float(stats.beta.ppf(1 - alpha / 2, events_after + 1, events_before))
    return events_after / events_before, Interval(low / (1 - low), high / (1 - high))


def rate_change(
    before_counts: npt.ArrayLike,
    after_counts: npt.ArrayLike,
    *,
    months_each: float,
    confidence: float = 0.95,
) -> RateChange | None:
    """Service use per person-month before and after; None with fewer than 2 complete pairs.

    Each person reports counts over the same recall period (``months_each``, e.g. 3) before
    and after, so both periods have the same exposure.
    """
    alpha = _check_confidence(confidence)
    if not months_each > 0:
        raise ValueError("months_each must be above 0")
    first, second = _complete_pairs(before_counts, after_counts)
    if (first < 0).any() or (second < 0).any():
        raise ValueError("counts cannot be negative")
    n = first.size
    if n < 2:
        return None
    exposure = n * months_each
    events_before, events_after = float(first.sum()), float(second.sum())
    rate_before, rate_before_ci = poisson_rate(events_before, exposure, confidence=confidence)
    rate_after, rate_after_ci = poisson_rate(events_after, exposure, confidence=confidence)
    ratio, ratio_ci = _rate_ratio(events_after, events_before, alpha)
    per_month = (second - first) / months_each
    mean_difference = float(per_month.mean())
    return RateChange(
        n=n,
        exposure_months=exposure,
        rate_before=rate_before,
        rate_before_ci=rate_before_ci,
        rate_after=rate_after,
        rate_after_ci=rate_after_ci,
        rate_ratio=ratio,
        rate_ratio_ci=ratio_ci,
        mean_difference=mean_difference,
        mean_difference_ci=_t_interval(mean_difference, float(per_month.std(ddof=1)), n, alpha),
    )
