"""What a chart draws: its series, how each is told apart without colour, and what each cell may show."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from peerpath.reports.tables import Cell

HIDDEN = "*"
NO_VALUE = "\u2013"  # an en dash, as the tables show


@dataclass(frozen=True)
class SeriesStyle:
    """How one series is told apart without colour: fill pattern, line dash and marker."""

    colour: str
    hatched: bool
    dash: str
    marker: str


# NHS blue, purple, green and dark grey: each at least 3:1 against white (4.6:1 and more).
STYLES = (
    SeriesStyle("#005eb8", hatched=False, dash="", marker="circle"),
    SeriesStyle("#330072", hatched=True, dash="8 4", marker="square"),
    SeriesStyle("#007f3b", hatched=False, dash="2 4", marker="triangle"),
    SeriesStyle("#4c6272", hatched=True, dash="12 4 2 4", marker="diamond"),
)


@dataclass(frozen=True)
class Series:
    label: str
    cells: list[Cell]
    style: SeriesStyle


def _number(cell: Cell) -> float | None:
    """The value to draw, or None when the cell is hidden, empty or not a finite number."""
    if cell.suppressed or isinstance(cell.value, bool) or not isinstance(cell.value, int | float | Decimal):
        return None
    number = float(cell.value)
    return number if math.isfinite(number) else None


def _shown_text(cell: Cell) -> str:
    """What is printed at a bar or point: the page's text, "*" when hidden, an en dash when empty."""
    if cell.suppressed:
        return HIDDEN
    return NO_VALUE if _number(cell) is None else cell.text
