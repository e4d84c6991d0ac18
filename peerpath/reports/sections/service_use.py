"""Service use: mental health services used before and after, for the carer and for the person
they care for (as the carer reports it), as rates per person-month, and what they cost.

Each service-use questionnaire (an instrument asked at baseline whose scales have no
direction: more use is not in itself better or worse) asks for counts over a recall period
("In the last 3 months"). For each question, the pairs where it was answered both times
give the events before and after, the rate per person-month with an exact Poisson interval,
the rate ratio and the mean paired difference per person-month with its t interval
(``stats.rate_change``). A blank answer is not a zero, so each question has its own number
of pairs.

Costs multiply each count by the unit cost configured for that question (``UnitCost``,
each with its source and price year, named in the method notes). The total covers people
who answered every costed question both times.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from peerpath.evaluation.definitions import Instrument
from peerpath.reports import stats
from peerpath.reports.filters import Scope
from peerpath.reports.models import UnitCost
from peerpath.reports.sections import Chart, Section
from peerpath.reports.sections.pairs import COMPARISON_LABELS, Pair, answer_pairs, asked_at_baseline, definitions
from peerpath.reports.tables import Column, Kind, Table

_MONTHS = re.compile(r"(\d+)\s*months?", re.IGNORECASE)
_WEEKS = re.compile(r"(\d+)\s*weeks?", re.IGNORECASE)
# The average month, for recall periods given in weeks.
WEEKS_PER_MONTH = 52 / 12


def recall_months(instrument: Instrument) -> float | None:
    """The recall period in months, read from the definition's words ("In the last 3 months")."""
    text = instrument.recall_period or ""
    if match := _MONTHS.search(text):
        return float(match.group(1))
    if match := _WEEKS.search(text):
        return float(match.group(1)) / WEEKS_PER_MONTH
    return None


def service_use_measures() -> dict[str, Instrument]:
    found = definitions(asked_at_baseline())
    return {
        code: instrument
        for code, instrument in found.items()
        if instrument.scales and all(scale.direction == "none" for scale in instrument.scales)
    }


def build(scope: Scope, *, compare: str = "end", known: dict[str, Instrument] | None = None) -> Section:
    known = service_use_measures() if known is None else known
    pairs = answer_pairs(scope, known, compare=compare, grouping="category")
    costs: dict[tuple[str, str], UnitCost] = {
        (cost.instrument_code, cost.item_id): cost for cost in UnitCost.objects.filter(instrument_code__in=list(known))
    }
    tables: list[Table] = []
    charts: list[Chart] = []
    method = [
        (
            "Rates are events per person-month: each person's count over the recall period "
            "divided by its length in months."
        ),
        "Intervals: exact Poisson intervals for each rate; the mean paired difference per person-month "
        "has a t interval; the rate ratio is after divided by before.",
        "A blank answer is not a zero: each question counts only the pairs who answered it at both times.",
    ]
    comparison = COMPARISON_LABELS[compare].lower()
    for code, instrument in known.items():
        months = recall_months(instrument)
        found = pairs.complete.get(code, [])
        if months is None:
            method.append(f"{instrument.name}: no recall period in months is defined, so no rate is worked out.")
            continue
        items = [item for item in instrument.items if item.kind == "number"]
        rates = _rates_table(code, instrument, items, found, months, costs)
        tables.append(rates)
        charts.append(
            Chart(
                table=rates.key,
                kind="paired",
                title=f"{instrument.short_name}: rate per person-month before and after",
                label="service",
                values=("rate_before", "rate_after"),
                unit="events per person-month",
            )
        )
        costed = [item for item in items if (code, item.id) in costs]
        if costed:
            tables.append(_cost_table(code, instrument, costed, found, months, costs))
        method.append(
            f"{instrument.name}: recall period '{instrument.recall_period}' ({months:g} months); "
            f"baseline compared with the {comparison}."
        )
    for cost in costs.values():
        method.append(
            f"Unit cost of {cost.label}: £{cost.cost} per {cost.unit}, {cost.source}, price year {cost.year}."
        )
    has_pairs = any(pairs.complete.get(code) for code in known)
    return Section(
        key="service_use",
        title="Mental health service use",
        tables=tables,
        charts=charts,
        method=method,
        empty="" if has_pairs else f"Nobody answered a service-use questionnaire at baseline and at the {comparison}.",
    )


def _item_arrays(pairs: Sequence[Pair], item: str) -> tuple[np.ndarray, np.ndarray]:
    both = [pair for pair in pairs if item in pair.before and item in pair.after]
    before = np.fromiter((pair.before[item] for pair in both), dtype=float, count=len(both))
    after = np.fromiter((pair.after[item] for pair in both), dtype=float, count=len(both))
    return before, after


def _label(code: str, item: Any, costs: dict[tuple[str, str], UnitCost]) -> str:
    cost = costs.get((code, item.id))
    if cost is not None:
        return cost.label
    text = str(item.text or item.id)
    return text if len(text) <= 90 else f"{text[:87]}…"


def _rates_table(
    code: str,
    instrument: Instrument,
    items: Sequence[Any],
    pairs: Sequence[Pair],
    months: float,
    costs: dict[tuple[str, str], UnitCost],
) -> Table:
    rows = []
    for item in items:
        before, after = _item_arrays(pairs, item.id)
        row: dict[str, Any] = {
            "service": _label(code, item, costs),
            "people": len(before),
            "events_before": int(before.sum()),
            "events_after": int(after.sum()),
        }
        change = stats.rate_change(before, after, months_each=months) if len(before) else None
        if change is not None:
            row.update(
                rate_before=change.rate_before,
                rate_before_low=change.rate_before_ci.low,
                rate_before_high=change.rate_before_ci.high,
                rate_after=change.rate_after,
                rate_after_low=change.rate_after_ci.low,
                rate_after_high=change.rate_after_ci.high,
                rate_ratio=change.rate_ratio,
                rate_ratio_low=change.rate_ratio_ci.low if change.rate_ratio_ci else None,
                rate_ratio_high=change.rate_ratio_ci.high if change.rate_ratio_ci else None,
                difference=change.mean_difference,
                difference_low=change.mean_difference_ci.low,
                difference_high=change.mean_difference_ci.high,
            )
        rows.append(row)

    def stat(key: str, label: str, kind: Kind = Kind.STAT, decimals: int = 3) -> Column:
        return Column(key=key, label=label, kind=kind, n="people", decimals=decimals)

    return Table(
        key=f"rates_{code.replace('-', '_')}",
        title=f"{instrument.short_name}: events per person-month before and after",
        description=(
            f"How often services were used, from {instrument.name.lower()}, by people who answered before and after."
        ),
        columns=(
            Column(key="service", label="Service", kind=Kind.TEXT),
            Column(key="people", label="People (pairs)", kind=Kind.COUNT, additive=False),
            Column(key="events_before", label="Events before", kind=Kind.COUNT, additive=False),
            Column(key="events_after", label="Events after", kind=Kind.COUNT, additive=False),
            stat("rate_before", "Rate before"),
            stat("rate_before_low", "Rate before, 95% CI lower"),
            stat("rate_before_high", "Rate before, 95% CI upper"),
            stat("rate_after", "Rate after"),
            stat("rate_after_low", "Rate after, 95% CI lower"),
            stat("rate_after_high", "Rate after, 95% CI upper"),
            stat("rate_ratio", "Rate ratio (after / before)", Kind.RATIO, 2),
            stat("rate_ratio_low", "Rate ratio, 95% CI lower", Kind.RATIO, 2),
            stat("rate_ratio_high", "Rate ratio, 95% CI upper", Kind.RATIO, 2),
            stat("difference", "Change per person-month"),
            stat("difference_low", "Change, 95% CI lower"),
            stat("difference_high", "Change, 95% CI upper"),
        ),
        rows=rows,
    )


def _cost_table(
    code: str,
    instrument: Instrument,
    items: Sequence[Any],
    pairs: Sequence[Pair],
    months: float,
    costs: dict[tuple[str, str], UnitCost],
) -> Table:
    rows = []
    for item in items:
        cost = costs[(code, item.id)]
        before, after = _item_arrays(pairs, item.id)
        rows.append(_cost_row(cost.label, before * float(cost.cost), after * float(cost.cost), months, cost))
    # The total: people who answered every costed question at both times.
    ids = [item.id for item in items]
    whole = [pair for pair in pairs if all(i in pair.before and i in pair.after for i in ids)]
    unit = np.array([float(costs[(code, i)].cost) for i in ids])
    before = np.array([[pair.before[i] for i in ids] for pair in whole]).reshape(len(whole), len(ids)) @ unit
    after = np.array([[pair.after[i] for i in ids] for pair in whole]).reshape(len(whole), len(ids)) @ unit
    total = _cost_row("All costed services", before, after, months, None)

    def money(key: str, label: str, kind: Kind = Kind.MONEY) -> Column:
        return Column(key=key, label=label, kind=kind, n="people", decimals=2)

    return Table(
        key=f"costs_{code.replace('-', '_')}",
        title=f"{instrument.short_name}: estimated cost per person-month",
        description=(
            "Service use multiplied by each service's unit cost: the mean cost per "
            "person-month before and after, and the change."
        ),
        columns=(
            Column(key="service", label="Service", kind=Kind.TEXT),
            Column(key="unit_cost", label="Unit cost (£)", kind=Kind.FIXED, decimals=2),
            Column(key="people", label="People (pairs)", kind=Kind.COUNT, additive=False),
            money("before", "Mean cost before (£ per person-month)"),
            money("after", "Mean cost after (£ per person-month)"),
            money("change", "Change (£ per person-month)"),
            money("change_low", "Change, 95% CI lower", Kind.STAT),
            money("change_high", "Change, 95% CI upper", Kind.STAT),
            money("change_year", "Change over a year for these people (£)"),
        ),
        rows=rows,
        total=total,
    )


def _cost_row(
    label: str, before: np.ndarray, after: np.ndarray, months: float, cost: UnitCost | None
) -> dict[str, Any]:
    row: dict[str, Any] = {"service": label, "unit_cost": cost.cost if cost else None, "people": len(before)}
    result = stats.paired(before / months, after / months) if len(before) >= 2 else None
    if result is not None:
        row.update(
            before=result.mean_before,
            after=result.mean_after,
            change=result.mean_change,
            change_low=result.change_ci.low,
            change_high=result.change_ci.high,
            change_year=result.mean_change * 12 * len(before),
        )
    return row
