"""Disclosure control: the NHS rules on hand-made tables, and property tests that an attacker
who knows every shown count exactly still cannot work out any hidden one.

The attacker here is written from the table's shape (which cells add up to which), not from
``disclosure``'s own lines, and solves a linear programme with scipy: the least and greatest
value each hidden cell can take with every shown cell and total fixed and every count >= 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings
from scipy.optimize import linprog

from peerpath.reports.disclosure import EXACT_RULE, Policy, protect
from peerpath.reports.models import DisclosurePolicy
from peerpath.reports.tables import Column, Kind, ProtectedTable, Table

NHS = Policy(name="NHS method (HES, from September 2018)")
MINUS = "\u2212"
EN_DASH = "\u2013"

Grid = list[list[int]]
Spot = tuple[int, str]  # (row index, column key); the total row is -1
Equation = list[tuple[Spot, int]]


# --- Tables built for the tests ---------------------------------------------------------


def label() -> Column:
    return Column(key="label", label="Group", kind=Kind.TEXT)


def two_way(grid: Grid) -> tuple[Table, list[Equation]]:
    """Count columns c0, c1… with a row total and a total row, and the sums an attacker knows."""
    keys = [f"c{j}" for j in range(len(grid[0]))]
    columns = [
        label(),
        *(Column(key=key, label=key, kind=Kind.COUNT) for key in keys),
        Column(key="all", label="All", kind=Kind.COUNT, total_of=tuple(keys)),
    ]
    rows = [
        {"label": f"row {i}", **dict(zip(keys, line, strict=True)), "all": sum(line)} for i, line in enumerate(grid)
    ]
    total = {"label": "Total", **{key: sum(row[key] for row in rows) for key in [*keys, "all"]}}
    equations: list[Equation] = []
    for key in [*keys, "all"]:
        equations.append([*(((i, key), 1) for i in range(len(rows))), ((-1, key), -1)])
    for i in [*range(len(rows)), -1]:
        equations.append([*(((i, key), 1) for key in keys), ((i, "all"), -1)])
    return Table(key="t", title="Counts", columns=columns, rows=rows, total=total), equations


def nested(grid: Grid) -> tuple[Table, list[Equation]]:
    """Columns a, b, c with a subtotal of a and b and a total of all three: not a simple two-way table."""
    columns = [
        label(),
        *(Column(key=key, label=key, kind=Kind.COUNT) for key in "abc"),
        Column(key="ab", label="a or b", kind=Kind.COUNT, total_of=("a", "b")),
        Column(key="all", label="All", kind=Kind.COUNT, total_of=("a", "b", "c")),
    ]
    rows = [
        {"label": f"row {i}", "a": a, "b": b, "c": c, "ab": a + b, "all": a + b + c} for i, (a, b, c) in enumerate(grid)
    ]
    keys = ["a", "b", "c", "ab", "all"]
    total = {"label": "Total", **{key: sum(row[key] for row in rows) for key in keys}}
    equations: list[Equation] = []
    for key in keys:
        equations.append([*(((i, key), 1) for i in range(len(rows))), ((-1, key), -1)])
    for i in [*range(len(rows)), -1]:
        equations.append([((i, "a"), 1), ((i, "b"), 1), ((i, "ab"), -1)])
        equations.append([((i, "a"), 1), ((i, "b"), 1), ((i, "c"), 1), ((i, "all"), -1)])
    return Table(key="t", title="Counts", columns=columns, rows=rows, total=total), equations


def exact_value(table: Table, spot: Spot) -> int:
    row, key = spot
    record = table.total if row == -1 else table.rows[row]
    assert record is not None
    return int(record[key])


def hidden_counts(table: Table, protected: ProtectedTable) -> set[Spot]:
    spots: set[Spot] = set()
    lines = [*enumerate(protected.rows), *([(-1, protected.total)] if protected.total else [])]
    for row, cells in lines:
        for column, cell in zip(table.columns, cells, strict=True):
            if column.kind is Kind.COUNT and cell.suppressed:
                spots.add((row, column.key))
    return spots


def shown_counts(table: Table, protected: ProtectedTable) -> list[tuple[Spot, int | None]]:
    shown = []
    lines = [*enumerate(protected.rows), *([(-1, protected.total)] if protected.total else [])]
    for row, cells in lines:
        for column, cell in zip(table.columns, cells, strict=True):
            if column.kind is Kind.COUNT and not cell.suppressed:
                shown.append(((row, column.key), cell.value))
    return shown


def attacker_range(table: Table, equations: Sequence[Equation], hidden: set[Spot], target: Spot) -> float:
    """How far apart the least and greatest values of ``target`` are that fit every shown count exactly."""
    unknowns = sorted(hidden)
    index = {spot: i for i, spot in enumerate(unknowns)}
    matrix, sums = [], []
    for equation in equations:
        row = [0.0] * len(unknowns)
        known = 0
        for spot, coefficient in equation:
            if spot in index:
                row[index[spot]] = coefficient
            else:
                known += coefficient * exact_value(table, spot)
        if any(row):
            matrix.append(row)
            sums.append(-known)
    objective = np.zeros(len(unknowns))
    objective[index[target]] = 1
    if not matrix:
        return float("inf")
    low = linprog(objective, A_eq=matrix, b_eq=sums, bounds=(0, None), method="highs")
    assert low.success
    if exact_value(table, target) - low.fun >= 1:
        return exact_value(table, target) - low.fun  # the true value is reachable too: enough said
    high = linprog(-objective, A_eq=matrix, b_eq=sums, bounds=(0, None), method="highs")
    if high.status == 3:
        return float("inf")
    assert high.success
    return -high.fun - low.fun


def assert_no_hidden_count_recoverable(table: Table, equations: Sequence[Equation], protected: ProtectedTable) -> None:
    hidden = hidden_counts(table, protected)
    for spot in hidden:
        assert attacker_range(table, equations, hidden, spot) >= 1 - 1e-6, spot


def means_table(n: int | None, **values: object) -> Table:
    columns = [
        label(),
        Column(key="mean", label="Mean", kind=Kind.MEAN, n="n", decimals=1),
        Column(key="upper", label="Upper limit", kind=Kind.STAT, n="n", decimals=2),
        Column(key="ratio", label="Ratio", kind=Kind.RATIO, n="n", decimals=2),
        Column(key="cost", label="Cost", kind=Kind.MONEY, n="n"),
    ]
    row = {"label": "Borough", "n": n, "mean": 12.34, "upper": 1.5, "ratio": 0.8, "cost": 250.0, **values}
    return Table(key="means", title="Means", columns=columns, rows=[row])


def one_count(count: int, policy: Policy | DisclosurePolicy = NHS, **options: bool) -> str:
    table = Table(
        key="one",
        title="One",
        columns=[label(), Column(key="n", label="n", kind=Kind.COUNT)],
        rows=[{"label": "A", "n": count}],
    )
    return (
        protect(table, policy, exact=options.get("exact", False), national=options.get("national", False))
        .rows[0][1]
        .text
    )


# --- The policy and its description -------------------------------------------------------


def test_description_names_every_default_nhs_rule() -> None:
    text = NHS.describe()
    assert text.startswith("Disclosure control, NHS method (HES, from September 2018):")
    assert "counts of 1 to 7 are shown as *" in text
    assert "other counts are rounded to the nearest 5" in text
    assert "no mean, percentage or statistic from fewer than 8 values" in text
    assert "could otherwise be worked out from totals" in text


def test_description_follows_a_changed_policy() -> None:
    text = Policy(
        name="Local", suppress_to=9, rounding_base=1, minimum_values=10, secondary_suppression=False
    ).describe()
    assert "counts of 1 to 9 are shown as *" in text
    assert "other counts are shown exactly" in text
    assert "fewer than 10 values" in text
    assert "totals" not in text


def test_description_says_when_rounding_hides_more_than_the_range() -> None:
    assert "rounding would show" in Policy(name="Coarse", suppress_to=6, rounding_base=5).describe()
    assert "rounding would show" not in NHS.describe()


def test_national_description_says_counts_are_exact_but_means_still_controlled() -> None:
    text = NHS.describe(national=True)
    assert "shown exactly" in text
    assert "fewer than 8 values" in text
    assert "shown as *" not in text


def test_policy_is_read_from_the_saved_model() -> None:
    model = DisclosurePolicy(
        name="Stricter",
        suppress_from=1,
        suppress_to=9,
        rounding_base=10,
        minimum_values=12,
        secondary_suppression=False,
    )
    assert Policy.from_model(model) == Policy(
        name="Stricter", suppress_to=9, rounding_base=10, minimum_values=12, secondary_suppression=False
    )


def test_the_model_defaults_are_the_nhs_method() -> None:
    assert Policy.from_model(DisclosurePolicy()) == NHS


def test_protect_takes_the_saved_model_as_well() -> None:
    assert one_count(5, DisclosurePolicy()) == "*"


@pytest.mark.parametrize(
    ("start", "end", "base"),
    [(0, 7, 5), (1, 0, 5), (1, 7, 0)],
)
def test_policy_refuses_rules_that_make_no_sense(start: int, end: int, base: int) -> None:
    with pytest.raises(ValueError):
        Policy(name="Odd", suppress_from=start, suppress_to=end, rounding_base=base)


# --- Counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "text"),
    # The NHS method: 1 to 7 hidden, other counts to the nearest 5, a zero shown.
    [(0, "0"), (1, "*"), (7, "*"), (8, "10"), (12, "10"), (13, "15"), (1234, "1,235")],
)
def test_counts_follow_the_nhs_method(count: int, text: str) -> None:
    assert one_count(count) == text


def test_a_half_rounds_up_with_an_even_base() -> None:
    tens = Policy(name="Tens", rounding_base=10)
    assert [one_count(count, tens) for count in (15, 25, 14)] == ["20", "30", "10"]


def test_a_count_rounding_into_the_hidden_range_is_hidden() -> None:
    # With 1 to 6 hidden, a shown 5 could only be an exact 7.
    assert one_count(7, Policy(name="Coarse", suppress_to=6, rounding_base=5)) == "*"


def test_a_count_rounding_to_zero_is_hidden_not_shown_as_none() -> None:
    assert one_count(3, Policy(name="Tens", suppress_to=2, rounding_base=10)) == "*"


def test_national_counts_are_shown_exactly() -> None:
    assert [one_count(count, national=True) for count in (3, 12)] == ["3", "12"]


def test_exact_figures_hide_and_round_nothing_and_say_so() -> None:
    table, _ = two_way([[3, 12], [0, 40]])
    protected = protect(table, NHS, exact=True)
    assert [cell.text for cell in protected.rows[0]] == ["row 0", "3", "12", "15"]
    assert protected.suppressed_cells == 0
    assert protected.rule == EXACT_RULE
    assert protected.exact


def test_exported_count_is_the_rounded_whole_number_and_hidden_is_none() -> None:
    table, _ = two_way([[13, 4], [20, 30]])
    cells = protect(table, NHS, exact=False).rows[0]
    assert cells[1].value == 15
    assert isinstance(cells[1].value, int)
    assert cells[2].value is None
    assert cells[2].reason == "small"


def test_suppressed_cells_counts_every_hidden_cell() -> None:
    table, _ = two_way([[3, 12, 20], [9, 10, 30], [15, 25, 11]])
    protected = protect(table, NHS, exact=False)
    every_cell = [cell for cells in [*protected.rows, protected.total or []] for cell in cells]
    assert protected.suppressed_cells == sum(cell.text == "*" for cell in every_cell) >= 1


def test_a_missing_count_shows_a_dash_and_is_not_hidden() -> None:
    table = Table(
        key="t",
        title="t",
        columns=[label(), Column(key="n", label="n", kind=Kind.COUNT)],
        rows=[{"label": "A", "n": None}],
    )
    cell = protect(table, NHS, exact=False).rows[0][1]
    assert (cell.text, cell.value, cell.suppressed) == (EN_DASH, None, False)


# --- Secondary suppression ------------------------------------------------------------------


def test_a_lone_hidden_count_in_a_row_hides_another_so_the_row_total_does_not_give_it_away() -> None:
    table, equations = two_way([[4, 30, 25], [20, 22, 40], [35, 26, 30]])
    protected = protect(table, NHS, exact=False)
    assert protected.suppressed_cells > 1
    assert_no_hidden_count_recoverable(table, equations, protected)


def test_without_secondary_suppression_only_small_counts_are_hidden() -> None:
    table, equations = two_way([[4, 30, 25], [20, 22, 40], [35, 26, 30]])
    protected = protect(table, Policy(name="Primary only", secondary_suppression=False), exact=False)
    assert hidden_counts(table, protected) == {(0, "c0")}
    # The attacker gets it back from the row total: the test below would catch this.
    assert attacker_range(table, equations, {(0, "c0")}, (0, "c0")) < 1


def test_a_count_bridging_two_hidden_rectangles_is_protected_though_every_line_has_two_hidden() -> None:
    # Small counts in two 2-by-2 blocks joined by one cell (row 0, column 2): no line has a single
    # hidden count, yet row 0 less columns 0 and 1 plus row 1 gives the joining cell exactly.
    grid = [
        [3, 4, 5, 25],
        [2, 6, 30, 40],
        [20, 21, 6, 5],
        [22, 23, 7, 4],
    ]
    table, equations = two_way(grid)
    small = {(i, f"c{j}") for i, line in enumerate(grid) for j, count in enumerate(line) if 1 <= count <= 7}
    assert attacker_range(table, equations, small, (0, "c2")) < 1
    protected = protect(table, NHS, exact=False)
    assert small < hidden_counts(table, protected)
    assert_no_hidden_count_recoverable(table, equations, protected)


def test_a_non_additive_column_total_is_not_used_as_a_sum() -> None:
    # People can be in more than one row, so the total row is not the column's sum.
    columns = [label(), Column(key="n", label="People", kind=Kind.COUNT, additive=False)]
    rows = [{"label": "A", "n": 3}, {"label": "B", "n": 40}]
    protected = protect(
        Table(key="t", title="t", columns=columns, rows=rows, total={"label": "All", "n": 41}), NHS, exact=False
    )
    assert [protected.rows[1][1].text, protected.total and protected.total[1].text] == ["40", "40"]


# --- Means, statistics and percentages ---------------------------------------------------------


def test_means_and_statistics_are_hidden_at_seven_values_and_shown_at_eight() -> None:
    hidden = protect(means_table(7), NHS, exact=False).rows[0][1:]
    shown = protect(means_table(8), NHS, exact=False).rows[0][1:]
    assert all(cell.suppressed and cell.reason == "few-values" for cell in hidden)
    assert [cell.text for cell in shown] == ["12.3", "1.50", "0.80", "£250"]


def test_a_mean_with_no_count_of_values_is_hidden() -> None:
    assert protect(means_table(None), NHS, exact=False).rows[0][1].suppressed


def test_national_means_from_few_values_are_still_hidden() -> None:
    assert protect(means_table(5), NHS, exact=False, national=True).rows[0][1].suppressed


def test_exact_means_are_shown_whatever_their_number_of_values() -> None:
    assert protect(means_table(2), NHS, exact=True).rows[0][1].text == "12.3"


def test_a_mean_keeps_its_own_n_when_the_count_beside_it_is_hidden() -> None:
    # With 1 to 9 hidden but means from 8 values, a mean over 8 is shown though its count is not.
    policy = Policy(name="Wider", suppress_to=9)
    columns = [
        label(),
        Column(key="n", label="People", kind=Kind.COUNT),
        Column(key="mean", label="Mean", kind=Kind.MEAN, n="n"),
    ]
    cells = protect(
        Table(key="t", title="t", columns=columns, rows=[{"label": "A", "n": 8, "mean": 2.0}]), policy, exact=False
    ).rows[0]
    assert [cells[1].text, cells[2].text] == ["*", "2.0"]


def test_exported_mean_is_rounded_to_its_places() -> None:
    cell = protect(means_table(20, mean=12.35), NHS, exact=False).rows[0][1]
    assert (cell.value, cell.text) == (12.4, "12.4")


def percent_table(numerator: int | None, denominator: int | None) -> Table:
    columns = [
        label(),
        Column(key="yes", label="Yes", kind=Kind.COUNT),
        Column(key="asked", label="Asked", kind=Kind.COUNT),
        Column(key="share", label="Share", kind=Kind.PERCENT, numerator="yes", denominator="asked"),
    ]
    return Table(key="p", title="p", columns=columns, rows=[{"label": "A", "yes": numerator, "asked": denominator}])


def test_percentage_is_worked_out_from_the_rounded_counts() -> None:
    cell = protect(percent_table(13, 27), NHS, exact=False).rows[0][3]
    assert (cell.text, cell.value) == ("60.0%", 60.0)  # 15 of 25, not 13 of 27 (48.1%)


def test_exact_percentage_is_worked_out_from_the_exact_counts() -> None:
    assert protect(percent_table(13, 27), NHS, exact=True).rows[0][3].text == "48.1%"


def test_percentage_is_hidden_with_its_hidden_numerator() -> None:
    cell = protect(percent_table(5, 40), NHS, exact=False).rows[0][3]
    assert (cell.text, cell.reason) == ("*", "small")


def test_percentage_is_hidden_when_the_shown_denominator_is_below_the_minimum() -> None:
    policy = Policy(name="Light", suppress_to=3, rounding_base=1)
    cell = protect(percent_table(4, 6), policy, exact=False).rows[0][3]
    assert (cell.text, cell.reason) == ("*", "few-values")


def test_percentage_of_nobody_is_a_dash() -> None:
    assert protect(percent_table(0, 0), NHS, exact=False).rows[0][3].text == EN_DASH


def test_percentage_from_row_fields_that_are_not_columns_is_controlled_too() -> None:
    columns = [label(), Column(key="share", label="Share", kind=Kind.PERCENT, numerator="yes", denominator="asked")]
    table = Table(
        key="p",
        title="p",
        columns=columns,
        rows=[{"label": "A", "yes": 3, "asked": 30}, {"label": "B", "yes": 13, "asked": 27}],
    )
    rows = protect(table, NHS, exact=False).rows
    assert [rows[0][1].text, rows[1][1].text] == ["*", "60.0%"]


# --- Formatting ----------------------------------------------------------------------------------


def test_negative_figures_use_a_true_minus_sign_and_never_a_negative_zero() -> None:
    cells = protect(means_table(20, mean=-1234.56, upper=-0.001), NHS, exact=False).rows[0]
    assert cells[1].text == f"{MINUS}1,234.6"
    assert cells[2].text == "0.00"


@pytest.mark.parametrize(
    ("amount", "text"),
    [(1234.4, "£1,234"), (Decimal("12.5"), "£12.50"), (99.999, "£100"), (-12.5, f"{MINUS}£12.50")],
)
def test_money_is_shown_in_pounds_from_100_and_with_pence_below(amount: object, text: str) -> None:
    assert protect(means_table(20, cost=amount), NHS, exact=False).rows[0][4].text == text


def test_fixed_values_and_labels_are_shown_as_they_are() -> None:
    columns = [
        Column(key="year", label="Year", kind=Kind.TEXT),
        Column(key="unit_cost", label="Unit cost", kind=Kind.FIXED, decimals=2),
        Column(key="note", label="Note", kind=Kind.FIXED),
    ]
    row = {"year": 2024, "unit_cost": Decimal("3.5"), "note": None}
    cells = protect(Table(key="f", title="f", columns=columns, rows=[row]), NHS, exact=False).rows[0]
    assert [cell.text for cell in cells] == ["2024", "3.50", EN_DASH]
    assert cells[1].value == Decimal("3.5")
    assert not any(cell.suppressed for cell in cells)


# --- Tables that cannot be controlled ------------------------------------------------------------


def test_a_mean_column_without_its_number_of_values_is_refused() -> None:
    table = Table(key="t", title="t", columns=[Column(key="mean", label="Mean", kind=Kind.MEAN)], rows=[])
    with pytest.raises(ValueError, match="needs n"):
        protect(table, NHS, exact=False)


def test_a_total_of_counts_that_are_not_shown_is_refused() -> None:
    columns = [
        Column(key="a", label="a", kind=Kind.COUNT),
        Column(key="all", label="All", kind=Kind.COUNT, total_of=("a", "b")),
    ]
    with pytest.raises(ValueError, match="not other count columns"):
        protect(Table(key="t", title="t", columns=columns, rows=[]), NHS, exact=False)


def test_a_negative_or_fractional_count_is_refused() -> None:
    for bad in (-1, 2.5):
        with pytest.raises(ValueError, match="not a count"):
            one_count(bad)  # type: ignore[arg-type]


# --- Properties over random tables ---------------------------------------------------------------

# Mostly small counts, where suppression bites, with some larger ones and zeros.
counts = st.one_of(st.integers(0, 9), st.integers(0, 9), st.integers(0, 40))
WIDTHS = st.integers(1, 5)


@st.composite
def grids(draw: st.DrawFn, columns: st.SearchStrategy[int] = WIDTHS) -> Grid:
    width = draw(columns)
    return draw(st.lists(st.lists(counts, min_size=width, max_size=width), min_size=1, max_size=8))


policies = st.builds(
    Policy,
    name=st.just("Random"),
    suppress_to=st.integers(1, 10),
    rounding_base=st.sampled_from([1, 2, 3, 5, 10]),
    minimum_values=st.integers(1, 12),
)


@settings(max_examples=200, deadline=None)
@given(grids())
def test_no_hidden_count_can_be_recovered_from_row_and_column_totals(grid: Grid) -> None:
    table, equations = two_way(grid)
    protected = protect(table, NHS, exact=False)
    assert_no_hidden_count_recoverable(table, equations, protected)


@settings(max_examples=100, deadline=None)
@given(grids(columns=st.just(3)))
def test_no_hidden_count_can_be_recovered_from_nested_subtotals(grid: Grid) -> None:
    table, equations = nested(grid)
    protected = protect(table, NHS, exact=False)
    assert_no_hidden_count_recoverable(table, equations, protected)


@settings(max_examples=200, deadline=None)
@given(grids(), policies)
def test_every_small_count_is_hidden_and_every_shown_count_is_rounded_and_above_the_range(
    grid: Grid, policy: Policy
) -> None:
    table, equations = two_way(grid)
    protected = protect(table, policy, exact=False)
    hidden = hidden_counts(table, protected)
    for spot in hidden:
        assert exact_value(table, spot) != 0, "a zero is never hidden"
    for spot, shown in shown_counts(table, protected):
        exact = exact_value(table, spot)
        assert not policy.suppress_from <= exact <= policy.suppress_to
        assert shown is not None
        assert shown % policy.rounding_base == 0
        assert abs(shown - exact) <= policy.rounding_base / 2
        assert shown == 0 or shown > policy.suppress_to
        assert (shown == 0) == (exact == 0)
    assert_no_hidden_count_recoverable(table, equations, protected)


@settings(max_examples=100, deadline=None)
@given(grids())
def test_national_and_exact_tables_show_every_count_exactly(grid: Grid) -> None:
    table, _ = two_way(grid)
    for protected in (protect(table, NHS, exact=True), protect(table, NHS, exact=False, national=True)):
        assert protected.suppressed_cells == 0
        assert all(shown == exact_value(table, spot) for spot, shown in shown_counts(table, protected))


def representation_table(numerator: int, denominator: int, population: float | None) -> Table:
    columns = [
        label(),
        Column(key="people", label="People", kind=Kind.COUNT),
        Column(key="population", label="Population share (%)", kind=Kind.FIXED),
        Column(
            key="ratio", label="Representation ratio", kind=Kind.RATIO, decimals=2, n="people",
            numerator="people", denominator="answered", benchmark="population",
        ),
    ]  # fmt: skip
    row = {"label": "A", "people": numerator, "answered": denominator, "population": population}
    return Table(key="r", title="r", columns=columns, rows=[row])


def test_a_representation_ratio_is_the_rounded_share_over_the_population_share() -> None:
    cell = protect(representation_table(13, 27, 50.0), NHS, exact=False).rows[0][3]
    assert (cell.text, cell.value) == ("1.20", 1.2)  # 15 of 25 is 60%, over 50%; not 48.1% over 50%
    assert protect(representation_table(13, 27, 50.0), NHS, exact=True).rows[0][3].text == "0.96"


def test_a_representation_ratio_is_hidden_with_its_count_and_blank_without_a_benchmark() -> None:
    assert protect(representation_table(3, 27, 50.0), NHS, exact=False).rows[0][3].text == "*"
    assert protect(representation_table(13, 27, None), NHS, exact=False).rows[0][3].text == EN_DASH
