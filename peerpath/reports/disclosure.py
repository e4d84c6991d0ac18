"""Statistical disclosure control: every published report figure goes through ``protect``.

A section builds a ``Table`` of exact figures; ``protect`` turns it into the ``ProtectedTable``
that pages, charts, exports and the programme report all read, under one ``Policy``. The
defaults are NHS England's method for HES and ECDS (domain reference §8):

- counts of 1 to 7 are hidden (``*``) below national level, other counts rounded to the
  nearest 5 (half up); a count of 0 is shown;
- no mean, percentage or statistic from fewer than 8 values;
- percentages are worked out from the rounded numerator and denominator;
- values not about individuals (``FIXED``) and labels are shown as they are;
- secondary suppression: further counts are hidden until no hidden count can be worked out
  from the row and column totals (see ``secondary_suppression``).

Decisions beyond the NHS table:

- **National.** The NHS method leaves national counts alone, and so does ``protect`` when
  asked for national figures: counts are exact and nothing is hidden to protect them. Means,
  percentages and statistics from fewer than ``minimum_values`` values are still hidden:
  a mean of three carers' scores is their scores whatever the geography, and the NHS table
  only lifts control from national *counts*.
- **Statistics.** The NHS table does not control "complex statistics"; PeerPath's issue asks
  for no statistic from fewer than 8 values, which is stricter, so a confidence limit or an
  effect size over 7 carers is hidden too.
- **Rounding that lands in the hidden range.** A count whose rounded value would be 0, or
  would fall in the hidden range, is hidden too: with counts of 1 to 6 hidden and rounding to
  5, a shown "5" could only be an exact 7. The defaults never do this (8 rounds to 10).
- **Zero cells are never hidden** by secondary suppression. A zero discloses nothing about a
  person, and hiding one protects little: it can only move upward. Hiding every non-zero
  count always protects every hidden count (the exact table, scaled, is another solution),
  so the search never needs a zero.

Coordinators see exact figures for their own organisations (``exact=True``); nothing is then
hidden or rounded and the rule text says the figures are not for publication. Whether a
scope is exact or national is decided by ``filters.Scope``, not here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from peerpath.reports import presenters
from peerpath.reports.models import DisclosurePolicy
from peerpath.reports.tables import Cell, Column, Kind, ProtectedTable, Table

EXACT_RULE = "Exact figures for your own organisation: not for publication"

# Why a cell is hidden (``Cell.reason``).
SMALL = "small"
SECONDARY = "secondary"
FEW_VALUES = "few-values"

# Figures over ``n`` values, hidden when ``n`` is below the policy's minimum.
OVER_VALUES = frozenset({Kind.MEAN, Kind.STAT, Kind.RATIO, Kind.MONEY})

# A count cell: (row index, column key); the total row is ``TOTAL_ROW``.
Position = tuple[int, str]
TOTAL_ROW = -1
# A line: cells that add up, as coefficients (+1 for the parts, -1 for their total).
Line = Mapping[Position, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The disclosure rules as plain values, so that they can be used (and tested) without a database."""

    name: str
    suppress_from: int = 1
    suppress_to: int = 7
    rounding_base: int = 5
    minimum_values: int = 8
    secondary_suppression: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.suppress_from <= self.suppress_to:
            raise ValueError("A policy hides counts from 1 or more, to no less than where it starts")
        if self.rounding_base < 1 or self.minimum_values < 1:
            raise ValueError("A policy rounds to a base of 1 or more and needs at least 1 value for a mean")

    @classmethod
    def from_model(cls, policy: DisclosurePolicy) -> Policy:
        return cls(
            name=policy.name,
            suppress_from=policy.suppress_from,
            suppress_to=policy.suppress_to,
            rounding_base=policy.rounding_base,
            minimum_values=policy.minimum_values,
            secondary_suppression=policy.secondary_suppression,
        )

    def round_count(self, count: int) -> int:
        """``count`` to the nearest multiple of the rounding base, halves up.

        A half never arises with the default base of 5 (counts are whole numbers), but does
        with an even base: with base 10, 15 is shown as 20.
        """
        base = self.rounding_base
        return (2 * count + base) // (2 * base) * base

    def in_hidden_range(self, count: int) -> bool:
        return self.suppress_from <= count <= self.suppress_to

    def is_small(self, count: int) -> bool:
        """Whether a count is hidden before any secondary suppression (never a 0).

        Also hidden: a count that rounding would show as 0 (a reader takes that for "none")
        or as a number in the hidden range (which would give it away; see the module notes).
        """
        if count == 0:
            return False
        shown = self.round_count(count)
        return self.in_hidden_range(count) or self.in_hidden_range(shown) or shown == 0

    def describe(self, *, national: bool = False) -> str:
        """The rule set in plain English, named in every page, export and report it controls."""
        if national:
            rules = ["counts for the whole country are national figures and are shown exactly"]
        else:
            rules = [f"counts of {self._hidden_range()} are shown as *", self._rounding_rule()]
            if self._rounding_hides_more():
                rules.append(f"a count that rounding would show as 0 or as {self._hidden_range()} is shown as * too")
        if self.minimum_values > 1:
            rules.append(f"no mean, percentage or statistic from fewer than {self.minimum_values} values")
        if self.secondary_suppression and not national:
            rules.append("further counts are hidden where a hidden count could otherwise be worked out from totals")
        return f"Disclosure control, {self.name}: {'; '.join(rules)}."

    def _hidden_range(self) -> str:
        if self.suppress_from == self.suppress_to:
            return str(self.suppress_from)
        return f"{self.suppress_from} to {self.suppress_to}"

    def _rounding_rule(self) -> str:
        if self.rounding_base == 1:
            return "other counts are shown exactly"
        return f"other counts are rounded to the nearest {self.rounding_base}"

    def _rounding_hides_more(self) -> bool:
        # Past suppress_to + rounding_base every count rounds above the hidden range.
        beyond = range(1, self.suppress_to + self.rounding_base + 1)
        return any(self.is_small(count) and not self.in_hidden_range(count) for count in beyond)


def protect(table: Table, policy: Policy | DisclosurePolicy, *, exact: bool, national: bool = False) -> ProtectedTable:
    """``table`` as it may be shown: under ``policy``, or exactly when ``exact`` (own organisation only).

    ``national``: the table covers the whole country, so counts are not controlled (means,
    percentages and statistics still are). Raises ``ValueError`` for a table whose columns
    do not say what their figures are worked out from: that is a section's bug, and failing
    loudly beats publishing a figure nobody checked.
    """
    rules = policy if isinstance(policy, Policy) else Policy.from_model(policy)
    _check_columns(table)
    counts = _counts(table)
    hidden: dict[Position, str] = {}
    if not exact and not national:
        hidden = {position: SMALL for position, count in counts.items() if rules.is_small(count)}
        if rules.secondary_suppression:
            extra = secondary_suppression(_lines(table, counts), counts, hidden)
            hidden.update(dict.fromkeys(extra, SECONDARY))
    shown = {
        position: count if exact or national else rules.round_count(count)
        for position, count in counts.items()
        if position not in hidden
    }
    context = _Context(table=table, policy=rules, exact=exact, national=national, hidden=hidden, shown=shown)
    rows = [context.row(index, record) for index, record in enumerate(table.rows)]
    total = context.row(TOTAL_ROW, table.total) if table.total is not None else None
    return ProtectedTable(
        table=table,
        rows=rows,
        total=total,
        rule=EXACT_RULE if exact else rules.describe(national=national),
        exact=exact,
        suppressed_cells=sum(cell.suppressed for line in [*rows, total or []] for cell in line),
    )


def _check_columns(table: Table) -> None:
    count_keys = {column.key for column in table.columns if column.kind is Kind.COUNT}
    for column in table.columns:
        if column.kind in OVER_VALUES and not column.n:
            raise ValueError(f"Column {column.key!r} needs n: the number of values it is worked out from")
        if column.kind is Kind.PERCENT or (column.kind is Kind.RATIO and column.benchmark):
            _fraction_keys(column)
        # A part that is not shown would be an unknown in the total's line, which the search
        # below does not model; a section shows every part (a "Not known" column, say).
        missing = set(column.total_of) - count_keys
        if column.kind is Kind.COUNT and (missing or column.key in column.total_of):
            raise ValueError(f"Column {column.key!r} is a total of counts that are not other count columns")


def _fraction_keys(column: Column) -> tuple[str, str]:
    if not (column.numerator and column.denominator):
        raise ValueError(f"Percentage column {column.key!r} needs a numerator and a denominator")
    return column.numerator, column.denominator


def _records(table: Table) -> list[tuple[int, Mapping[str, Any]]]:
    records: list[tuple[int, Mapping[str, Any]]] = list(enumerate(table.rows))
    if table.total is not None:
        records.append((TOTAL_ROW, table.total))
    return records


def _as_count(key: str, value: Any) -> int:
    count = int(value)
    if count != value or count < 0:
        raise ValueError(f"{key!r} holds {value!r}, which is not a count")
    return count


def _counts(table: Table) -> dict[Position, int]:
    """Every count cell that has a value, row by row (the total row last), columns in order."""
    return {
        (index, column.key): _as_count(column.key, record[column.key])
        for index, record in _records(table)
        for column in table.columns
        if column.kind is Kind.COUNT and not presenters.is_missing(record.get(column.key))
    }


def _lines(table: Table, counts: Mapping[Position, int]) -> list[dict[Position, int]]:
    """Each set of cells that add up: an additive column with its total, and a row total with its parts.

    A cell with no value is left out of its lines (it counts nobody); a total with no value
    makes no line.
    """
    lines: list[dict[Position, int]] = []
    count_columns = [column for column in table.columns if column.kind is Kind.COUNT]
    for column in count_columns:
        if column.additive and (TOTAL_ROW, column.key) in counts:
            line = {(index, column.key): 1 for index in range(len(table.rows)) if (index, column.key) in counts}
            line[(TOTAL_ROW, column.key)] = -1
            lines.append(line)
    for column in count_columns:
        for index, _record in _records(table):
            if column.total_of and (index, column.key) in counts:
                line = {(index, part): 1 for part in column.total_of if (index, part) in counts}
                line[(index, column.key)] = -1
                lines.append(line)
    return lines


def secondary_suppression(
    lines: Sequence[Line], counts: Mapping[Position, int], primary: Iterable[Position]
) -> set[Position]:
    """The further counts to hide so that no hidden count can be worked out from the shown ones.

    The attacker is the worst case: they know every shown count exactly (not rounded), every
    line's sum, and that counts are not negative. A hidden count is exposed when those pin it
    to one value. A line with one hidden cell is the obvious case but not the only one: in a
    two-way table a hidden cell bridging two hidden rectangles is pinned too, though every
    line it is on has other hidden cells. So the test is linear algebra: a hidden cell is
    pinned exactly when no solution of the lines, restricted to the hidden cells, moves it
    (its column of the null space is zero).

    Each round hides, for the first exposed cell, the smallest non-zero shown count on one of
    its lines that stops it being exposed (or the smallest, when none does alone); the last
    pass shows again, largest first, any added cell the others no longer need.

    Why the linear algebra is enough for ordinary tables: when the lines form a network (each
    cell on at most two lines, signed as the rows and columns of a two-way table with totals
    are), every way a hidden cell can move is a cycle of steps of plus and minus 1, and every
    hidden count is at least 1, so a cell that can move at all can move by 1 either way. For
    other shapes (nested subtotals) each hidden cell must also be able to move by at least 1
    from its true value along its own direction of the null space (``_Exposure._reach``), a
    test that may hide more than a linear programme would need. Caveat: there the other
    hidden cells need not all be whole numbers at the moved value, so an attacker solving in
    whole numbers could in principle narrow a cell further; a two-way table has no such gap.
    When every non-zero count on the lines is hidden the search stops: the exact table,
    scaled, is then another solution, so no hidden cell is pinned.
    """
    order = {position: rank for rank, position in enumerate(counts)}
    exposure = _Exposure(lines, counts, order)
    hidden = set(primary)
    added: list[Position] = []
    while (target := exposure.first_exposed(hidden)) is not None:
        cover = _cover(target, hidden, lines, counts, exposure)
        if cover is None:
            break
        hidden.add(cover)
        added.append(cover)
    for position in sorted(added, key=lambda position: (-counts[position], -order[position])):
        if exposure.first_exposed(hidden - {position}) is None:
            hidden.discard(position)
    return hidden - set(primary)


def _cover(
    target: Position, hidden: set[Position], lines: Sequence[Line], counts: Mapping[Position, int], exposure: _Exposure
) -> Position | None:
    """The shown count to hide next for ``target``: smallest first, one that stops it being exposed if any."""
    near = [position for line in lines if target in line for position in line]
    around = [position for line in lines if not hidden.isdisjoint(line) for position in line]
    anywhere = [position for line in lines for position in line]
    for pool in (near, around, anywhere):
        candidates = sorted(
            {position for position in pool if position not in hidden and counts[position] != 0},
            key=lambda position: (counts[position], exposure.order[position]),
        )
        if candidates:
            break
    else:
        return None
    for candidate in candidates:
        if not exposure.exposes(target, hidden | {candidate}):
            return candidate
    return candidates[0]


class _Exposure:
    """Which hidden cells the shown counts pin down, for one table's lines."""

    def __init__(self, lines: Sequence[Line], counts: Mapping[Position, int], order: Mapping[Position, int]) -> None:
        self.lines = lines
        self.counts = counts
        self.order = order
        self.network = _is_network(lines)

    def first_exposed(self, hidden: set[Position]) -> Position | None:
        cells = sorted(hidden, key=self.order.__getitem__)
        reach = self._reach(cells)
        pinned = next((cell for cell, distance in zip(cells, reach, strict=True) if distance == 0), None)
        if pinned is not None or self.network:
            return pinned
        return next((cell for cell, distance in zip(cells, reach, strict=True) if distance < 1), None)

    def exposes(self, target: Position, hidden: set[Position]) -> bool:
        cells = sorted(hidden, key=self.order.__getitem__)
        distance = self._reach(cells)[cells.index(target)]
        return distance == 0 or (not self.network and distance < 1)

    def _system(self, cells: Sequence[Position]) -> tuple[np.ndarray, np.ndarray]:
        """The lines through hidden cells, as ``matrix @ hidden = sums`` with the shown counts moved right."""
        column = {cell: index for index, cell in enumerate(cells)}
        lines = [line for line in self.lines if not column.keys().isdisjoint(line)]
        matrix = np.zeros((len(lines), len(cells)))
        sums = np.zeros(len(lines))
        for row, line in enumerate(lines):
            for position, coefficient in line.items():
                if position in column:
                    matrix[row, column[position]] = coefficient
                else:
                    sums[row] -= coefficient * self.counts[position]
        return matrix, sums

    def _reach(self, cells: Sequence[Position]) -> list[float]:
        """How far each hidden cell can move from its true value, one way or the other, along
        one direction the lines allow: 0 when the lines pin it.

        The direction is the cell's own unit vector projected on the null space of the hidden
        cells' lines; counts stay non-negative only so far along it. That is a lower bound on
        how far the cell can really move (a linear programme over every direction might find
        more), so taking a reach below 1 as exposed errs towards hiding more.
        """
        matrix, _sums = self._system(cells)
        if not matrix.size:
            return [math.inf] * len(cells)
        _u, singular, vt = np.linalg.svd(matrix)
        tolerance = singular.max(initial=0.0) * max(matrix.shape) * np.finfo(float).eps
        null_space = vt[int((singular > tolerance).sum()) :]
        projection = null_space.T @ null_space
        if self.network:  # being movable is enough (see secondary_suppression)
            return [0.0 if weight < 1e-12 else math.inf for weight in np.diag(projection)]
        values = np.array([self.counts[cell] for cell in cells], dtype=float)
        reach = []
        for index in range(len(cells)):
            # The squared length of the projection: at least 1/cells when the cell can move at all.
            if projection[index, index] < 1e-12:
                reach.append(0.0)
                continue
            direction = projection[:, index] / projection[index, index]
            falling, rising = direction < -1e-9, direction > 1e-9
            forward = (values[falling] / -direction[falling]).min(initial=math.inf)
            backward = (values[rising] / direction[rising]).min(initial=math.inf)
            reach.append(float(max(forward, backward)))
        return reach


def _is_network(lines: Sequence[Line]) -> bool:
    """Whether the lines' matrix is totally unimodular by the Heller and Tompkins test.

    Each cell must be on at most two lines, and the lines must split into two sides so that a
    cell with the same sign on both of its lines has them on opposite sides, and one with
    opposite signs on the same side (a two-way table with row and column totals passes).
    """
    memberships: dict[Position, list[tuple[int, int]]] = defaultdict(list)
    for number, line in enumerate(lines):
        for position, coefficient in line.items():
            memberships[position].append((number, coefficient))
    neighbours: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for pairs in memberships.values():
        if len(pairs) > 2:
            return False
        if len(pairs) == 2:
            (first, first_sign), (second, second_sign) = pairs
            opposite_sides = first_sign == second_sign
            neighbours[first].append((second, opposite_sides))
            neighbours[second].append((first, opposite_sides))
    side: dict[int, bool] = {}
    for start in range(len(lines)):
        if start in side:
            continue
        side[start] = False
        waiting = [start]
        while waiting:
            current = waiting.pop()
            for other, opposite_sides in neighbours[current]:
                expected = side[current] != opposite_sides
                if other not in side:
                    side[other] = expected
                    waiting.append(other)
                elif side[other] != expected:
                    return False
    return True


@dataclass(kw_only=True)
class _Context:
    """One table's protected counts, and how to make every other kind of cell from them."""

    table: Table
    policy: Policy
    exact: bool
    national: bool
    hidden: Mapping[Position, str]
    shown: Mapping[Position, int]

    def row(self, index: int, record: Mapping[str, Any]) -> list[Cell]:
        return [self.cell(column, index, record) for column in self.table.columns]

    def cell(self, column: Column, index: int, record: Mapping[str, Any]) -> Cell:
        value = record.get(column.key)
        if column.kind is Kind.COUNT:
            count, reason = self._count(column.key, index, record)
            if reason:
                return _hidden(reason)
            return _missing() if count is None else Cell(count, presenters.format_count(count))
        if column.kind is Kind.PERCENT:
            return self._percent(column, index, record)
        if column.kind is Kind.RATIO and column.benchmark:
            return self._representation(column, index, record)
        if presenters.is_missing(value):
            return _missing()
        if column.kind in OVER_VALUES:
            return self._over_values(column, value, record)
        if column.kind is Kind.TEXT:
            return Cell(value, str(value))
        return Cell(value, presenters.format_fixed(value, column.decimals))

    def _count(self, key: str, index: int, record: Mapping[str, Any]) -> tuple[int | None, str]:
        """A count as shown, and why it is hidden ("" when shown); ``key`` may be a field that is not a column."""
        position = (index, key)
        if position in self.hidden:
            return None, self.hidden[position]
        if position in self.shown:
            return self.shown[position], ""
        value = record.get(key)
        if presenters.is_missing(value):
            return None, ""
        count = _as_count(key, value)
        if self.exact or self.national:
            return count, ""
        if self.policy.is_small(count):
            return None, SMALL
        return self.policy.round_count(count), ""

    def _percent(self, column: Column, index: int, record: Mapping[str, Any]) -> Cell:
        """From the protected counts: hidden with either of them, or when fewer than the minimum are counted."""
        numerator_key, denominator_key = _fraction_keys(column)
        numerator, numerator_hidden = self._count(numerator_key, index, record)
        denominator, denominator_hidden = self._count(denominator_key, index, record)
        if numerator_hidden or denominator_hidden:
            return _hidden(numerator_hidden or denominator_hidden)
        if numerator is None or not denominator:
            return _missing()
        if not self.exact and denominator < self.policy.minimum_values:
            return _hidden(FEW_VALUES)
        share = presenters.rounded(Decimal(100 * numerator) / Decimal(denominator), column.decimals)
        return Cell(float(share), presenters.format_percent(share, column.decimals))

    def _representation(self, column: Column, index: int, record: Mapping[str, Any]) -> Cell:
        """A share of the protected counts over a population share (a percentage): never finer
        than the counts shown, so it cannot give back a count that was rounded or hidden."""
        share = self._percent(column, index, record)
        benchmark = record.get(column.benchmark or "")
        if share.suppressed or share.value is None:
            return share
        if presenters.is_missing(benchmark) or not benchmark:
            return _missing()
        ratio = Decimal(str(share.value)) / Decimal(str(benchmark))
        return Cell(float(presenters.rounded(ratio, column.decimals)), presenters.format_number(ratio, column.decimals))

    def _over_values(self, column: Column, value: Any, record: Mapping[str, Any]) -> Cell:
        """A mean, statistic, ratio or amount: hidden when its own ``n`` (exact) is too small."""
        values: Any = record.get(column.n or "")
        too_few = presenters.is_missing(values) or values < self.policy.minimum_values
        if not self.exact and too_few:
            return _hidden(FEW_VALUES)
        if column.kind is Kind.MONEY:
            amount = presenters.rounded(value, presenters.money_places(value))
            return Cell(float(amount), presenters.format_money(value))
        if column.p_value:
            return Cell(float(presenters.rounded(value, 3)), presenters.format_p(value))
        return Cell(float(presenters.rounded(value, column.decimals)), presenters.format_number(value, column.decimals))


def _hidden(reason: str) -> Cell:
    return Cell(None, presenters.HIDDEN, suppressed=True, reason=reason)


def _missing() -> Cell:
    return Cell(None, presenters.NO_VALUE)
