"""The shape every report figure travels in: a ``Table`` of exact values, built by a section.

A section (``peerpath.reports.sections``) returns exact figures only. Before anything is
shown or exported, ``peerpath.reports.disclosure.protect`` turns a ``Table`` into a
``ProtectedTable`` of ``Cell`` values under the disclosure policy, so pages, charts,
CSV/XLSX exports and the programme report all read the same protected cells and none of
them can show a number the policy hides.

Each column says what kind of figure it holds, because the rules differ by kind:

- ``TEXT``: a label (a borough, a course); never controlled.
- ``COUNT``: a count of people or events; small counts suppressed, others rounded.
- ``MEAN``: a mean, median or SD over ``n`` values (``n`` names the count column or row
  field holding how many); not shown when based on too few values.
- ``PERCENT``: ``numerator`` / ``denominator`` (both count columns), worked out from the
  protected (rounded) counts, never from the exact ones.
- ``STAT``: a derived statistic (a confidence limit, t, p, an effect size) over ``n``
  values; not shown when the row's ``n`` is too small.
- ``RATIO``: a rate ratio over ``n`` values, as ``STAT``; or, with ``numerator``,
  ``denominator`` and ``benchmark``, a representation ratio: the protected percentage
  divided by the benchmark percentage (a ``FIXED`` column), so that it never reveals a
  count the table hides or rounds.
- ``MONEY``: an amount of money over ``n`` values, as ``MEAN``.
- ``FIXED``: a value that is not about individuals (a unit cost, a benchmark share, a
  reliability); never controlled.

Secondary suppression needs to know which cells add up to which: a ``COUNT`` column whose
``additive`` is true has the total row's value equal to the sum of its rows (each person is
in one row), and a ``COUNT`` column with ``total_of`` equals, in every row, the sum of the
named count columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    MEAN = "mean"
    PERCENT = "percent"
    STAT = "stat"
    RATIO = "ratio"
    MONEY = "money"
    FIXED = "fixed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    key: str
    label: str
    kind: Kind
    # MEAN, STAT, RATIO, MONEY: the key (a column, or a field in the row that is not shown)
    # holding the number of values the figure is based on.
    n: str | None = None
    # PERCENT (and a representation RATIO): the count columns (or row fields) it is worked out from.
    numerator: str | None = None
    denominator: str | None = None
    # RATIO: the FIXED column holding the population percentage the share is compared with.
    benchmark: str | None = None
    # COUNT: equal in every row to the sum of these count columns.
    total_of: tuple[str, ...] = ()
    # COUNT: the total row holds the sum of the rows (each person counted in one row only).
    additive: bool = True
    decimals: int = 1
    # A p value: below 0.001 it is written "<0.001" rather than rounded to nothing.
    p_value: bool = False
    # Shown under the label in a page's table head and in the data dictionary of an export.
    description: str = ""


@dataclass(kw_only=True)
class Table:
    """Exact figures: ``rows`` and ``total`` map column keys (and hidden ``n`` fields) to values.

    A value is a Python number (int, float, Decimal), a string for TEXT, or None for "no
    value" (no responses, nothing to compare), which shows as an en dash.
    """

    key: str
    title: str
    columns: Sequence[Column]
    rows: list[dict[str, Any]]
    total: dict[str, Any] | None = None
    # One or two sentences saying what the table shows, for screen readers and the report.
    description: str = ""
    notes: Sequence[str] = ()

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class Cell:
    """One protected value: ``value`` is what an export holds (None when hidden or empty),
    ``text`` what a page shows ("*" when hidden)."""

    value: Any
    text: str
    suppressed: bool = False
    # Why it is hidden: "small", "secondary" or "few-values"; empty when shown.
    reason: str = ""


@dataclass(kw_only=True)
class ProtectedTable:
    table: Table
    rows: list[list[Cell]]
    total: list[Cell] | None
    # The rule set applied, named in every output ("Exact figures…" when none was applied).
    rule: str
    exact: bool
    suppressed_cells: int = 0
    columns: Sequence[Column] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.columns:
            self.columns = tuple(self.table.columns)

    @property
    def key(self) -> str:
        return self.table.key

    @property
    def title(self) -> str:
        return self.table.title

    def column_index(self, key: str) -> int:
        for index, column in enumerate(self.columns):
            if column.key == key:
                return index
        raise KeyError(key)
