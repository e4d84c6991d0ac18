"""Outcomes: what changed for carers between baseline and the end of their course (or follow-up).

For every before-and-after measure (an instrument some schedule asks at baseline), complete
pairs are compared (``pairs``): means and SDs before and after, the mean change with its 95%
confidence interval, a paired t-test and a Wilcoxon signed-rank test, two effect sizes (d_z
and d_av, each with a confidence interval) and, where the instrument stores a reference SD
and reliability, Jacobson-Truax reliable and clinically significant change. The statistics
are ``peerpath.reports.stats``; the SD, reliability and cut-off used, and their sources, are
named in the method notes of every output.

Two views: ``build(scope)`` summarises every measure (one row each, its headline scale);
``build(scope, instrument=code, …)`` breaks one scale down by course, category, term,
borough or organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from peerpath.evaluation.definitions import Instrument, Scale
from peerpath.reports import stats
from peerpath.reports.filters import Scope
from peerpath.reports.sections import Chart, Section
from peerpath.reports.sections.pairs import (
    COMPARISON_LABELS,
    GROUPINGS,
    Pair,
    Pairs,
    asked_at_baseline,
    definitions,
    group_label,
    score_pairs,
)
from peerpath.reports.tables import Column, Kind, Table

CLASSES = ("recovered", "improved", "unchanged", "deteriorated")
CLASS_LABELS = {
    "recovered": "Recovered",
    "improved": "Reliably improved",
    "unchanged": "No reliable change",
    "deteriorated": "Reliably deteriorated",
}


def measures() -> dict[str, Instrument]:
    """The before-and-after measures, by code, with at least one scale that has a direction."""
    found = definitions(asked_at_baseline())
    return {
        code: instrument for code, instrument in found.items() if any(s.direction != "none" for s in instrument.scales)
    }


def headline_scale(instrument: Instrument) -> Scale:
    """The scale a summary shows: the total (or converted metric) score where there is one."""
    scored = [scale for scale in instrument.scales if scale.direction != "none"]
    for code in ("metric", "total"):
        for scale in scored:
            if scale.code == code:
                return scale
    return scored[0]


def build(
    scope: Scope,
    *,
    instrument: str | None = None,
    scale: str | None = None,
    compare: str = "end",
    grouping: str = "category",
    known: dict[str, Instrument] | None = None,
) -> Section:
    known = measures() if known is None else known
    if instrument is None or instrument not in known:
        return _summary(scope, known, compare)
    chosen = known[instrument]
    chosen_scale = next((s for s in chosen.scales if s.code == scale and s.direction != "none"), None)
    return _detail(scope, chosen, chosen_scale or headline_scale(chosen), compare, grouping)


# Summary of every measure -------------------------------------------------------------------


def _summary(scope: Scope, known: dict[str, Instrument], compare: str) -> Section:
    headlines = {code: headline_scale(instrument) for code, instrument in known.items()}
    pairs = score_pairs(
        scope, {code: scale.code for code, scale in headlines.items()}, compare=compare, grouping="category"
    )
    rows = []
    change_rows = []
    for code, instrument in known.items():
        scale = headlines[code]
        found = pairs.complete.get(code, [])
        label = f"{instrument.short_name}: {scale.name}"
        row = _change_row(label, found, sum(pairs.lost.get(code, {}).values()))
        better = 1 if scale.direction == "higher_is_better" else -1
        row["direction"] = "Higher is better" if better == 1 else "Lower is better"
        if row.get("d_z") is not None:
            row["improvement"] = better * row["d_z"]
        rows.append(row)
        if scale.reliable_change is not None:
            change_rows.append(_class_row(label, found, scale))
    comparison = COMPARISON_LABELS[compare].lower()
    tables = [
        Table(
            key="summary",
            title=f"Change from baseline to {comparison}, every measure",
            description=(
                "For each questionnaire, people who answered it at baseline and at the "
                f"{comparison}: their scores before and after and the change."
            ),
            columns=(
                *_change_columns("Measure")[:1],
                Column(key="direction", label="Direction", kind=Kind.TEXT),
                *_change_columns("Measure")[1:],
            ),
            rows=rows,
        ),
        Table(
            key="effects",
            title=f"Effect sizes, baseline to {comparison}, every measure",
            description=(
                "How large each change is against the spread of scores, with 95% confidence intervals. "
                "The improvement turns the sign of d_z so that above 0 is better on every measure."
            ),
            columns=(
                *_effect_columns("Measure"),
                Column(
                    key="improvement",
                    label="Improvement (d_z)",
                    kind=Kind.STAT,
                    n="pairs",
                    decimals=2,
                    description="d_z with its sign turned so that above 0 is better on every measure",
                ),
            ),
            rows=rows,
        ),
    ]
    if change_rows:
        tables.append(
            Table(
                key="reliable_change",
                title="Reliable and clinically significant change",
                description=(
                    "How many people's scores changed by more than measurement error could explain, "
                    "for measures with a published SD and reliability."
                ),
                columns=_class_columns("Measure", recovered=any(headlines[c].clinical_cutoff for c in known)),
                rows=change_rows,
            )
        )
    method = _method(known.values(), headlines.values(), compare)
    any_pairs = any(pairs.complete.values())
    return Section(
        key="outcomes",
        title="Outcomes for {people}",  # in the reader's words: templates fill it (fill_terms)
        tables=tables,
        charts=[
            Chart(
                table="effects",
                kind="bars",
                title=f"Improvement from baseline to {comparison} on each measure",
                label="group",
                values=("improvement",),
                unit="effect size d_z: above 0 is better, below 0 is worse",
            )
        ],
        method=method,
        empty=""
        if any_pairs
        else f"Nobody has answered a questionnaire both at baseline and at the {comparison} in this period.",
    )


# One measure broken down ------------------------------------------------------------------------


def breakdowns(
    scope: Scope, known: dict[str, Instrument], *, compare: str = "end", grouping: str = "category"
) -> list[tuple[str, Section]]:
    """Each measure's code and its headline scale broken down by ``grouping``, from one read of
    the scores (the programme report's breakdowns; a measure without answers is left out)."""
    grouping = grouping if grouping in GROUPINGS else "category"
    headlines = {code: headline_scale(instrument) for code, instrument in known.items()}
    pairs = score_pairs(
        scope, {code: scale.code for code, scale in headlines.items()}, compare=compare, grouping=grouping
    )
    found = [
        (code, _detail(scope, known[code], headlines[code], compare, grouping, pairs=pairs))
        for code in known
        if pairs.complete.get(code) or pairs.lost.get(code)
    ]
    return [(code, section) for code, section in found if not section.empty]


def _detail(
    scope: Scope,
    instrument: Instrument,
    scale: Scale,
    compare: str,
    grouping: str,
    *,
    pairs: Pairs | None = None,
) -> Section:
    grouping = grouping if grouping in GROUPINGS else "category"
    if pairs is None:
        pairs = score_pairs(scope, {instrument.code: scale.code}, compare=compare, grouping=grouping)
    found = pairs.complete.get(instrument.code, [])
    lost = pairs.lost.get(instrument.code, {})
    groups = sorted({pair.group for pair in found} | set(lost), key=lambda g: group_label(grouping, g))
    heading = GROUPINGS[grouping][1]
    rows = [_change_row(group_label(grouping, g), [p for p in found if p.group == g], lost.get(g, 0)) for g in groups]
    total = _change_row("All", found, sum(lost.values()))
    comparison = COMPARISON_LABELS[compare].lower()
    title = f"{instrument.short_name}: {scale.name}"
    tables = [
        Table(
            key="change",
            title=f"{title}, baseline to {comparison}, by {heading.lower()}",
            description=(
                "Scores before and after, and the change, for people who answered "
                f"{instrument.short_name} at baseline and at the {comparison}."
            ),
            columns=_change_columns(heading),
            rows=rows,
            total=total,
        ),
        Table(
            key="effects",
            title=f"{title}, effect sizes by {heading.lower()}",
            description="How large each change is against the spread of scores, with 95% confidence intervals.",
            columns=_effect_columns(heading),
            rows=rows,
            total=total,
        ),
    ]
    charts = [
        Chart(
            table="change",
            kind="paired",
            title=f"Mean {scale.name} before and after, by {heading.lower()}",
            label="group",
            values=("before_mean", "after_mean"),
            unit="points",
        ),
    ]
    if scale.reliable_change is not None:
        tables.append(
            Table(
                key="reliable_change",
                title=f"{title}: reliable and clinically significant change, by {heading.lower()}",
                description="How many people's scores changed by more than measurement error could explain.",
                columns=_class_columns(heading, recovered=scale.clinical_cutoff is not None),
                rows=[_class_row(group_label(grouping, g), [p for p in found if p.group == g], scale) for g in groups],
                total=_class_row("All", found, scale),
            )
        )
        charts.append(
            Chart(
                table="reliable_change",
                kind="bars",
                title="Reliable change, all groups",
                label="group",
                values=("improved",),
                unit="people",
            )
        )
    return Section(
        key="outcomes",
        title=f"Outcomes: {title}",
        tables=tables,
        charts=charts,
        method=_method([instrument], [scale], compare),
        empty=""
        if found
        else f"Nobody has answered {instrument.short_name} both at baseline and at the {comparison} in this period.",
    )


# Rows ----------------------------------------------------------------------------------------


def _arrays(pairs: Sequence[Pair]) -> tuple[np.ndarray, np.ndarray]:
    before = np.fromiter((pair.before["v"] for pair in pairs), dtype=float, count=len(pairs))
    after = np.fromiter((pair.after["v"] for pair in pairs), dtype=float, count=len(pairs))
    return before, after


def _change_row(label: str, pairs: Sequence[Pair], lost: int) -> dict[str, Any]:
    row: dict[str, Any] = {"group": label, "pairs": len(pairs), "lost": lost}
    result = stats.paired(*_arrays(pairs)) if pairs else None
    if result is not None:
        row.update(
            before_mean=result.mean_before,
            before_sd=result.sd_before,
            after_mean=result.mean_after,
            after_sd=result.sd_after,
            change=result.mean_change,
            change_low=result.change_ci.low,
            change_high=result.change_ci.high,
            p_t=result.p_t,
            p_wilcoxon=result.p_wilcoxon,
            d_z=result.d_z,
            d_z_low=result.d_z_ci.low if result.d_z_ci else None,
            d_z_high=result.d_z_ci.high if result.d_z_ci else None,
            d_av=result.d_av,
            d_av_low=result.d_av_ci.low if result.d_av_ci else None,
            d_av_high=result.d_av_ci.high if result.d_av_ci else None,
        )
    return row


def _change_columns(heading: str) -> tuple[Column, ...]:
    def mean(key: str, label: str, decimals: int = 2, kind: Kind = Kind.MEAN, description: str = "") -> Column:
        return Column(
            key=key,
            label=label,
            kind=kind,
            n="pairs",
            decimals=decimals,
            description=description,
            p_value=key.startswith("p_"),
        )

    return (
        Column(key="group", label=heading, kind=Kind.TEXT),
        Column(key="pairs", label="Complete pairs", kind=Kind.COUNT),
        Column(
            key="lost",
            label="Lost to follow-up",
            kind=Kind.COUNT,
            description="Answered at baseline on a finished run, not at the comparison",
        ),
        mean("before_mean", "Mean before"),
        mean("before_sd", "SD before"),
        mean("after_mean", "Mean after"),
        mean("after_sd", "SD after"),
        mean("change", "Mean change"),
        mean("change_low", "95% CI lower", kind=Kind.STAT),
        mean("change_high", "95% CI upper", kind=Kind.STAT),
        mean("p_t", "p (paired t-test)", 3, Kind.STAT),
        mean("p_wilcoxon", "p (Wilcoxon signed-rank)", 3, Kind.STAT),
    )


def _effect_columns(heading: str) -> tuple[Column, ...]:
    """Effect sizes, in a table of their own: the change table is wide enough. No count here,
    so the two tables cannot be set against each other to undo a hidden count."""

    def stat(key: str, label: str, description: str = "") -> Column:
        return Column(key=key, label=label, kind=Kind.STAT, n="pairs", decimals=2, description=description)

    return (
        Column(key="group", label=heading, kind=Kind.TEXT),
        stat("d_z", "Effect size d_z", "Mean change divided by the SD of the changes"),
        stat("d_z_low", "d_z 95% CI lower"),
        stat("d_z_high", "d_z 95% CI upper"),
        stat("d_av", "Effect size d_av", "Mean change divided by the average of the SDs before and after"),
        stat("d_av_low", "d_av 95% CI lower"),
        stat("d_av_high", "d_av 95% CI upper"),
    )


def _class_row(label: str, pairs: Sequence[Pair], scale: Scale) -> dict[str, Any]:
    row: dict[str, Any] = {"group": label, "pairs": len(pairs), **dict.fromkeys(CLASSES, 0)}
    change, cutoff = scale.reliable_change, scale.clinical_cutoff
    if not pairs or change is None or scale.direction == "none":
        return row
    _, counts = stats.reliable_change(
        *_arrays(pairs),
        sd=float(change.sd),
        reliability=float(change.reliability),
        direction=scale.direction,
        cutoff=float(cutoff.value) if cutoff is not None else None,
    )
    row.update(
        recovered=counts.recovered or 0,
        improved=counts.improved,
        unchanged=counts.unchanged,
        deteriorated=counts.deteriorated,
    )
    return row


def _class_columns(heading: str, *, recovered: bool) -> tuple[Column, ...]:
    shown = CLASSES if recovered else CLASSES[1:]
    columns = [
        Column(key="group", label=heading, kind=Kind.TEXT),
        Column(key="pairs", label="Complete pairs", kind=Kind.COUNT, total_of=tuple(shown)),
    ]
    for key in shown:
        columns.append(Column(key=key, label=CLASS_LABELS[key], kind=Kind.COUNT))
        columns.append(
            Column(
                key=f"{key}_share",
                label=f"{CLASS_LABELS[key]} (%)",
                kind=Kind.PERCENT,
                numerator=key,
                denominator="pairs",
            )
        )
    return tuple(columns)


def _method(instruments: Sequence[Instrument] | Any, scales: Sequence[Scale] | Any, compare: str) -> list[str]:
    comparison = COMPARISON_LABELS[compare].lower()
    notes = [
        f"Complete pairs: one person on one run who completed the questionnaire at baseline and at the {comparison}. "
        "The later of two completions at one timepoint counts.",
        "Mean change is after minus before, with a 95% confidence interval from the t distribution. "
        "p values are two-sided: a paired t-test and a Wilcoxon signed-rank test.",
        "Effect sizes (Lakens 2013): d_z is the mean change divided by the SD of the changes; d_av is the mean change "
        "divided by the average of the SDs before and after.",
    ]
    for instrument, scale in zip(instruments, scales, strict=True):
        direction = {"higher_is_better": "higher is better", "higher_is_worse": "lower is better"}.get(
            scale.direction, ""
        )
        note = f"{instrument.name}, {scale.name} ({direction}; scoring rule version {instrument.scoring_version})."
        change = scale.reliable_change
        if change is not None:
            threshold = 1.96 * np.sqrt(2) * float(change.sd) * np.sqrt(1 - float(change.reliability))
            note += (
                f" Reliable change (Jacobson and Truax): reference SD {change.sd}, reliability {change.reliability}, "
                f"so a change of more than {threshold:.2f} points is reliable. Source: {change.source}"
            )
            if scale.clinical_cutoff is not None:
                note += f" Clinical cut-off {scale.clinical_cutoff.value} ({scale.clinical_cutoff.source})."
            else:
                note += " No clinical cut-off is stored, so nobody is counted as recovered."
        else:
            note += " No reference SD and reliability are stored for it, so reliable change is not worked out."
        notes.append(note)
    return notes
