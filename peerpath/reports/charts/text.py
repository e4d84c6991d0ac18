"""The text alternative: the ``<desc>`` a screen reader reads in place of the chart."""

from __future__ import annotations

from collections.abc import Sequence

from peerpath.reports.charts.series import HIDDEN, Series, _number
from peerpath.reports.sections import Chart
from peerpath.reports.tables import Cell

# The desc stops adding rows past this many characters: a screen reader user then reads the table.
DESC_LIMIT = 600
HIDDEN_REASONS = {
    "small": "hidden: a small count",
    "secondary": "hidden so that a small count cannot be worked out",
    "few-values": "hidden: based on too few values",
}
KIND_NAMES = {"bars": "Bar chart", "paired": "Paired bar chart", "funnel": "Funnel chart", "trend": "Line chart"}


def describe(chart: Chart, labels: Sequence[str], series: Sequence[Series]) -> str:
    """The text alternative: what kind of chart, then the values row by row, capped."""
    names = " and ".join(s.label for s in series)
    unit = f", in {chart.unit}" if chart.unit and len(series) > 1 else ""
    intro = {
        "bars": f"{KIND_NAMES['bars']} of {names}.",
        "paired": f"{KIND_NAMES['paired']}: {names} for each row{unit}.",
        "funnel": f"{KIND_NAMES['funnel']} of {names}, stage by stage.",
        "trend": f"{KIND_NAMES['trend']}: one line for each of {names}, in order{unit}.",
    }[chart.kind]
    if not labels:
        return f"{intro} No figures to show."
    items = []
    for row, label in enumerate(labels):
        if len(series) == 1:
            items.append(f"{label}: {_spoken(series[0].cells[row], chart.unit)}")
        else:
            items.append(f"{label}: " + ", ".join(f"{s.label} {_spoken(s.cells[row], '')}" for s in series))
    body, left = _capped(items, DESC_LIMIT - len(intro))
    more = f"; and {left} more" if left else ""
    return f"{intro} {body}{more}. The table below gives every value."


def _capped(items: Sequence[str], limit: int) -> tuple[str, int]:
    """Items joined while they fit in ``limit`` characters (always at least one), and how many were left."""
    taken: list[str] = []
    length = 0
    for item in items:
        if taken and length + len(item) + 2 > limit:
            break
        taken.append(item)
        length += len(item) + 2
    return "; ".join(taken), len(items) - len(taken)


def _spoken(cell: Cell, unit: str) -> str:
    if cell.suppressed:
        return f"{HIDDEN} ({HIDDEN_REASONS.get(cell.reason, 'hidden')})"
    if _number(cell) is None:
        return "no value"
    return f"{cell.text} {unit}" if unit else cell.text
