"""Server-rendered SVG charts: drawn from protected cells only, described, accessible, printable.

Protected tables are built here directly (``ProtectedTable``/``Cell``), not through
disclosure control, so each test states exactly which cells are shown and hidden.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from pypdf import PdfReader

from peerpath.core.pdf import html_to_pdf
from peerpath.reports.charts import render
from peerpath.reports.sections import Chart
from peerpath.reports.tables import Cell, Column, Kind, ProtectedTable, Table

SVG = "{http://www.w3.org/2000/svg}"
EN_DASH = "\u2013"

LABEL = Column(key="label", label="Relationship", kind=Kind.TEXT)
PEOPLE = Column(key="people", label="People", kind=Kind.COUNT)
CHANGE = Column(key="change", label="Mean change", kind=Kind.MEAN, n="people")
BEFORE = Column(key="before", label="Before", kind=Kind.MEAN, n="people")
AFTER = Column(key="after", label="After", kind=Kind.MEAN, n="people")
YEAR = Column(key="year", label="Year", kind=Kind.TEXT)
SCORE = Column(key="score", label="Fidelity score", kind=Kind.MEAN, n="people")
TARGET = Column(key="target", label="Target", kind=Kind.FIXED)


def shown(value: float | int | str) -> Cell:
    return Cell(value=value, text=f"{value:,}" if not isinstance(value, str) else value)


def hidden(reason: str = "small") -> Cell:
    return Cell(value=None, text="*", suppressed=True, reason=reason)


def empty() -> Cell:
    return Cell(value=None, text=EN_DASH)


def protected(key: str, columns: list[Column], rows: list[list[Cell]], exact: list[dict[str, Any]] | None = None):
    table = Table(key=key, title=key.title(), columns=columns, rows=exact or [])
    return ProtectedTable(table=table, rows=rows, total=None, rule="Test rule", exact=False)


def relationships(sibling: Cell | None = None) -> ProtectedTable:
    return protected(
        "relationships",
        [LABEL, PEOPLE],
        [
            [shown("Parent"), shown(45)],
            [shown("Partner or spouse"), shown(30)],
            [shown("Sibling"), sibling or hidden()],
            [shown("Other"), empty()],
        ],
    )


BARS = Chart(
    table="relationships", kind="bars", title="Carers by relationship", label="label", values=("people",), unit="people"
)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - the charts' own output, not untrusted input


def elements(svg: ET.Element, tag: str, role: str) -> list[ET.Element]:
    return [e for e in svg.iter(f"{SVG}{tag}") if e.get("class") == f"peerpath-svg-chart__{role}"]


def texts(svg: ET.Element, role: str) -> list[str]:
    return ["".join(e.itertext()) for e in elements(svg, "text", role)]


def desc(svg: ET.Element) -> str:
    return svg.find(f"{SVG}desc").text or ""


def number(element: ET.Element, name: str) -> float:
    return float(element.get(name, "nan"))


def test_chart_is_one_image_named_by_its_title_and_desc():
    svg = parse(render(BARS, relationships()))

    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}title").text == "Carers by relationship"
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    assert "Parent: 45 people; Partner or spouse: 30 people" in desc(svg)


def test_one_bar_per_shown_value_and_markers_where_cells_are_hidden_or_empty():
    svg = parse(render(BARS, relationships()))

    assert len(elements(svg, "rect", "bar")) == 2
    assert texts(svg, "value") == ["45", "30"]
    assert texts(svg, "hidden") == ["*"]
    assert texts(svg, "empty") == [EN_DASH]


def test_a_hidden_cell_draws_the_same_whatever_exact_figure_lies_behind_it():
    small = relationships()
    small.table.rows = [{"label": "Sibling", "people": 3}]
    larger = relationships()
    larger.table.rows = [{"label": "Sibling", "people": 6}]

    assert render(BARS, small) == render(BARS, larger)


def test_a_cell_marked_hidden_draws_no_bar_even_if_it_still_carries_a_value():
    careless = Cell(value=5, text="*", suppressed=True, reason="small")
    svg = parse(render(BARS, relationships(sibling=careless)))

    assert len(elements(svg, "rect", "bar")) == 2
    assert texts(svg, "hidden") == ["*"]
    assert "5" not in texts(svg, "value")


def test_desc_says_which_values_are_hidden_and_why():
    svg = parse(render(BARS, relationships(sibling=hidden("secondary"))))

    assert "Sibling: * (hidden so that a small count cannot be worked out)" in desc(svg)
    assert "Other: no value" in desc(svg)
    assert desc(svg).endswith("The table below gives every value.")


def test_bar_lengths_are_in_proportion_to_the_values():
    svg = parse(render(BARS, relationships()))

    parent, partner = elements(svg, "rect", "bar")
    assert number(parent, "width") / number(partner, "width") == pytest.approx(45 / 30, rel=0.02)


def test_negative_bars_go_left_of_the_zero_axis_and_positive_ones_right():
    table = protected(
        "change",
        [LABEL, CHANGE],
        [[shown("Course A"), shown(3.2)], [shown("Course B"), shown(-1.5)], [shown("Course C"), hidden()]],
    )
    chart = Chart(table="change", kind="bars", title="Mean change", label="label", values=("change",))
    svg = parse(render(chart, table))

    (axis,) = elements(svg, "line", "axis")
    zero = number(axis, "x1")
    gain, loss = elements(svg, "rect", "bar")
    assert number(gain, "x") == pytest.approx(zero)
    assert number(loss, "x") < zero
    assert number(loss, "x") + number(loss, "width") == pytest.approx(zero)
    assert number(gain, "width") / number(loss, "width") == pytest.approx(3.2 / 1.5, rel=0.02)
    (loss_text,) = [e for e in elements(svg, "text", "value") if e.text == "-1.5"]
    assert number(loss_text, "x") < number(loss, "x")


def test_ids_are_unique_across_charts_on_one_page_and_each_label_points_into_its_own_chart():
    people = render(BARS, relationships())
    same_chart_again = render(BARS, relationships(), id_prefix="summary-relationships")
    change = render(
        Chart(table="change", kind="paired", title="Before and after", label="label", values=("before", "after")),
        protected("change", [LABEL, BEFORE, AFTER], [[shown("Course A"), shown(40.1), shown(44.2)]]),
    )
    page = parse(f"<div>{people}{same_chart_again}{change}</div>")

    ids = [e.get("id") for e in page.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    for svg in page:
        own_ids = {e.get("id") for e in svg.iter() if e.get("id")}
        assert set(svg.get("aria-labelledby").split()) <= own_ids
        references = re.findall(r"url\(#([^)]+)\)", ET.tostring(svg, encoding="unicode"))
        assert set(references) <= own_ids


def test_the_same_chart_renders_the_same_markup_every_time():
    assert render(BARS, relationships()) == render(BARS, relationships())


def test_paired_chart_has_two_bars_per_row_told_apart_by_pattern_and_a_legend():
    table = protected(
        "swemwbs",
        [LABEL, BEFORE, AFTER],
        [
            [shown("Understanding recovery"), shown(41.2), shown(44.9)],
            [shown("Caring for yourself"), shown(39.0), hidden("few-values")],
        ],
    )
    chart = Chart(
        table="swemwbs",
        kind="paired",
        title="SWEMWBS",
        label="label",
        values=("before", "after"),
        unit="points on SWEMWBS",
    )
    svg = parse(render(chart, table))

    legend_swatches = 2
    assert len(elements(svg, "rect", "bar")) == 3 + legend_swatches
    assert texts(svg, "legend") == ["Before", "After"]
    fills = {bar.get("fill") for bar in elements(svg, "rect", "bar")}
    assert len(fills) == 2
    assert any(fill.startswith("url(#") for fill in fills)
    assert "Caring for yourself: Before 39.0, After * (hidden: based on too few values)" in desc(svg)
    assert "in points on SWEMWBS" in desc(svg)


def test_funnel_bars_share_one_centre_and_narrow_stage_by_stage():
    stages = ["Started", "Completed", "Accredited", "Active", "Renewed"]
    counts: list[Cell] = [shown(120), shown(95), shown(60), hidden(), shown(10)]
    table = protected("funnel", [LABEL, PEOPLE], [[shown(s), c] for s, c in zip(stages, counts, strict=True)])
    chart = Chart(table="funnel", kind="funnel", title="From start to renewal", label="label", values=("people",))
    svg = parse(render(chart, table))

    bars = elements(svg, "rect", "bar")
    centres = {round(number(bar, "x") + number(bar, "width") / 2, 1) for bar in bars}
    widths = [number(bar, "width") for bar in bars]
    assert len(centres) == 1
    assert widths == sorted(widths, reverse=True)
    assert widths[1] / widths[0] == pytest.approx(95 / 120, rel=0.02)
    assert texts(svg, "hidden") == ["*"]


def test_trend_draws_a_line_per_series_broken_where_a_value_is_hidden():
    years = ["2021", "2022", "2023", "2024", "2025"]
    scores: list[Cell] = [shown(3.1), shown(3.4), hidden(), shown(3.9), shown(4.2)]
    targets = [shown(3.5)] * 5
    table = protected(
        "fidelity", [YEAR, SCORE, TARGET], [[shown(y), s, t] for y, s, t in zip(years, scores, targets, strict=True)]
    )
    chart = Chart(table="fidelity", kind="trend", title="Fidelity by year", label="year", values=("score", "target"))
    svg = parse(render(chart, table))

    lines = elements(svg, "path", "line")
    legend_samples = 2
    assert len(lines) == 2 + 1 + legend_samples  # the score in two pieces, the target in one
    points = [e for e in svg.iter() if e.get("class") == "peerpath-svg-chart__point"]
    assert len(points) == 4 + 5 + legend_samples
    assert texts(svg, "hidden") == ["*"]
    assert {e.tag for e in points} >= {f"{SVG}circle", f"{SVG}rect"}  # shapes differ, not only colours


def test_trend_with_one_series_prints_its_values_and_places_higher_values_higher():
    table = protected("fidelity", [YEAR, SCORE], [[shown("2024"), shown(3.0)], [shown("2025"), shown(4.5)]])
    chart = Chart(table="fidelity", kind="trend", title="Fidelity", label="year", values=("score",))
    svg = parse(render(chart, table))

    low, high = elements(svg, "circle", "point")
    assert texts(svg, "value") == ["3.0", "4.5"]
    assert number(high, "cy") < number(low, "cy")


def test_long_labels_are_shortened_in_the_chart_and_given_in_full_in_the_desc():
    label = "Carers of people using early intervention in psychosis services across two boroughs"
    table = protected("long", [LABEL, PEOPLE], [[shown(label), shown(20)]])
    svg = parse(render(BARS, table))

    (drawn,) = elements(svg, "text", "label")
    lines = [span.text for span in drawn.iter(f"{SVG}tspan")]
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert label in desc(svg)


def test_desc_of_a_big_table_is_cut_short_and_points_to_the_table():
    table = protected("many", [LABEL, PEOPLE], [[shown(f"Borough {i}"), shown(10 + i)] for i in range(200)])
    svg = parse(render(BARS, table))

    assert len(desc(svg)) < 800
    assert "Borough 0: 10 people" in desc(svg)
    assert re.search(r"and \d+ more\. The table below gives every value\.$", desc(svg))


def test_labels_are_text_not_markup():
    table = protected("odd", [LABEL, PEOPLE], [[shown('<script>alert("x")</script> & co'), shown(12)]])
    markup = str(render(BARS, table))

    assert "<script>" not in markup
    assert texts(parse(markup), "label") == ['<script>alert("x")</script> & co']


def test_a_table_with_no_rows_says_so():
    svg = parse(render(BARS, protected("none", [LABEL, PEOPLE], [])))

    assert texts(svg, "label") == ["No figures to show"]
    assert desc(svg).endswith("No figures to show.")


def test_text_is_at_least_fourteen_units_and_the_width_comes_from_the_viewbox():
    svg = parse(render(BARS, relationships()))

    sizes = [float(e.get("font-size")) for e in svg.iter() if e.get("font-size")]
    assert sizes
    assert min(sizes) >= 14
    assert svg.get("viewBox").split()[2] == svg.get("width")


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def test_every_bar_and_line_colour_has_at_least_three_to_one_contrast_with_white():
    paired = render(
        Chart(table="t", kind="paired", title="t", label="label", values=("before", "after")),
        protected("t", [LABEL, BEFORE, AFTER], [[shown("A"), shown(1.0), shown(2.0)]]),
    )
    trend = render(
        Chart(table="t", kind="trend", title="t", label="year", values=("score", "target", "before", "after")),
        protected("t", [YEAR, SCORE, TARGET, BEFORE, AFTER], [[shown("2025"), *[shown(1.0)] * 4]]),
    )
    colours = set()
    for markup in (paired, trend):
        for element in parse(markup).iter():
            if element.get("class") in {"peerpath-svg-chart__bar", "peerpath-svg-chart__line"}:
                colours.add(element.get("stroke"))
            if element.tag == f"{SVG}pattern":
                colours.update(e.get("stroke") for e in element if e.get("stroke"))

    assert len(colours) >= 4
    assert all(contrast_with_white(colour) >= 3 for colour in colours)


def test_chart_prints_into_a_pdf_with_its_labels_and_markers():
    html = f"<!doctype html><html lang='en-GB'><title>Chart</title><body>{render(BARS, relationships())}</body></html>"
    pdf = html_to_pdf(html)

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Partner or spouse" in text
    assert "45" in text
    assert "*" in text
