"""Report charts drawn on the server as SVG, from a table's protected cells only.

Why SVG made here: the same markup goes into a page and, through WeasyPrint, into the
programme report's PDF, with no JavaScript, web font or image to load. Everything is drawn
with SVG presentation attributes (``fill="…"``), which the Content Security Policy does not
treat as inline styles, so charts need no ``style-src`` exception.

What a chart may show: it reads ``Cell.value`` only where disclosure control showed the
cell. A hidden cell draws no bar, no point and no line through it, only "*" where its bar
would start; a cell with no value draws an en dash. So a bar's length can never give away what the
table hides. Totals are not drawn: a total bar would dwarf every other.

Accessibility: the ``<svg>`` is one image (``role="img"``) named by its ``<title>`` and
``<desc>``; the desc is a generated text alternative listing the values row by row, cut
short on big tables with a pointer to the data table, which every chart is shown with.
Colour is never the only cue: every bar and point has its value printed, and series differ
in fill pattern (solid, hatched), line dash and marker shape as well as colour. Colours come
from the NHS palette with at least 3:1 contrast against white.

Size: drawn on a 600-unit-wide viewBox with 16-unit text. The ``width`` and ``height``
attributes give the natural size (600 px wide, text at 16 px), which WeasyPrint uses;
``reports.css`` lets the chart shrink with its column down to a width that keeps text at
14 px or more, and scroll sideways inside its wrapper below that. The height follows the
number of rows.

Caveats: text widths are estimated (``CHAR_WIDTH`` per character), not measured, so a label
set in an unusually wide font may run closer to its bar than planned. Long labels are
wrapped onto two lines and then shortened with "…"; the data table has them in full. The
output is deterministic for the same input, which is what the tests compare.
"""

from __future__ import annotations

import math
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from peerpath.reports.sections import Chart
from peerpath.reports.tables import Cell, ProtectedTable

WIDTH = 600
FONT_SIZE = 16
LINE_HEIGHT = 20
# An average glyph is about 0.55 em in Arial and Frutiger; estimates err on the wide side.
CHAR_WIDTH = 0.56 * FONT_SIZE
# From a line's middle to its baseline: text is placed by baseline, because renderers
# (WeasyPrint included) disagree about dominant-baseline.
BASELINE_SHIFT = 0.35 * FONT_SIZE
LABEL_WIDTH = 190
GAP = 6
BAR_HEIGHT = 24
PAIR_BAR_HEIGHT = 18
PAIR_GAP = 4
ROW_GAP = 12
PLOT_HEIGHT = 240
SWATCH = 16
TEXT_COLOUR = "#212b32"
GRID_COLOUR = "#d8dde0"
FONT_FAMILY = "Frutiger W01, Arial, Helvetica, sans-serif"
# The desc stops adding rows past this many characters: a screen reader user then reads the table.
DESC_LIMIT = 600

HIDDEN = "*"
NO_VALUE = "\u2013"  # an en dash, as the tables show
HIDDEN_REASONS = {
    "small": "hidden: a small count",
    "secondary": "hidden so that a small count cannot be worked out",
    "few-values": "hidden: based on too few values",
}
KIND_NAMES = {"bars": "Bar chart", "paired": "Paired bar chart", "funnel": "Funnel chart", "trend": "Line chart"}


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


def render(chart: Chart, table: ProtectedTable, *, id_prefix: str | None = None) -> Markup:
    """The chart as an ``<svg>`` element, ready to put in a page or a PDF.

    Ids inside the chart start with ``id_prefix``, by default derived from the table key,
    the kind and the columns drawn; pass one when a page shows the same chart twice.
    """
    prefix = _id_prefix(id_prefix or f"chart-{table.key}-{chart.kind}-{'-'.join(chart.values)}")
    label_index = table.column_index(chart.label)
    labels = [row[label_index].text for row in table.rows]
    series = []
    for number, key in enumerate(chart.values):
        index = table.column_index(key)
        style = STYLES[number % len(STYLES)]
        series.append(Series(table.columns[index].label, [row[index] for row in table.rows], style))

    canvas = _Canvas(prefix)
    height: float
    if not labels:
        canvas.text("No figures to show", x=0, y=LINE_HEIGHT / 2, anchor="start")
        height = LINE_HEIGHT + GAP
    else:
        height = DRAWERS[chart.kind](canvas, labels, series, chart.unit)
    return canvas.svg(title=chart.title, desc=describe(chart, labels, series), height=height)


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


def _id_prefix(raw: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", raw).strip("-")
    return cleaned if cleaned[:1].isalpha() else f"chart-{cleaned}"


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def _wrap(text: str, width: float, lines: int = 2) -> list[str]:
    """``text`` on at most ``lines`` lines of ``width`` units, the last shortened with "…"."""
    chars = max(int(width // CHAR_WIDTH), 3)
    wrapped = textwrap.wrap(text, chars) or [""]
    if len(wrapped) <= lines:
        return wrapped
    last = " ".join(wrapped[lines - 1 :])
    return [*wrapped[: lines - 1], last[: chars - 1].rstrip() + "…"]


def _fmt(number: float) -> str:
    """A coordinate to one decimal place, without a trailing ".0" or a "-0"."""
    text = f"{number:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class _Canvas:
    """Collects SVG elements; attribute names are written with ``_`` for ``-``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.elements: list[ET.Element] = []
        self.hatch_colours: dict[str, str] = {}

    def add(self, tag: str, content: str | None = None, /, **attributes: str | float) -> ET.Element:
        element = ET.Element(tag, {_attribute(k): _value(v) for k, v in attributes.items()})
        element.text = content
        self.elements.append(element)
        return element

    def text(self, content: str, *, x: float, y: float, anchor: str, role: str = "label") -> ET.Element:
        """One line of text whose middle is at ``y``."""
        return self.add(
            "text", content, x=x, y=y + BASELINE_SHIFT, text_anchor=anchor, class_=f"peerpath-svg-chart__{role}"
        )

    def lines(self, lines: Sequence[str], *, x: float, y: float, anchor: str) -> None:
        """Lines of a label centred as a block on ``y``."""
        first = y - (len(lines) - 1) * LINE_HEIGHT / 2
        if len(lines) == 1:
            self.text(lines[0], x=x, y=first, anchor=anchor)
            return
        element = self.text("", x=x, y=first, anchor=anchor)
        element.text = None
        for number, line in enumerate(lines):
            tspan = ET.SubElement(element, "tspan", {"x": _fmt(x), "dy": str(LINE_HEIGHT if number else 0)})
            tspan.text = line

    def fill(self, style: SeriesStyle) -> str:
        """The fill for a bar: the colour, or a hatch pattern of it (defined once per chart)."""
        if not style.hatched:
            return style.colour
        pattern_id = f"{self.prefix}-hatch-{style.colour.lstrip('#')}"
        self.hatch_colours[pattern_id] = style.colour
        return f"url(#{pattern_id})"

    def bar(self, *, x: float, y: float, width: float, height: float, style: SeriesStyle) -> None:
        self.add(
            "rect",
            x=x,
            y=y,
            width=width,
            height=height,
            fill=self.fill(style),
            stroke=style.colour,
            stroke_width=2 if style.hatched else 0,
            class_="peerpath-svg-chart__bar",
        )

    def svg(self, *, title: str, desc: str, height: float) -> Markup:
        height = math.ceil(height)
        root = ET.Element(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "viewBox": f"0 0 {WIDTH} {height}",
                "width": str(WIDTH),
                "height": str(height),
                "role": "img",
                "aria-labelledby": f"{self.prefix}-title {self.prefix}-desc",
                "class": "peerpath-svg-chart",
                "font-family": FONT_FAMILY,
                "font-size": str(FONT_SIZE),
                "fill": TEXT_COLOUR,
            },
        )
        ET.SubElement(root, "title", {"id": f"{self.prefix}-title"}).text = title
        ET.SubElement(root, "desc", {"id": f"{self.prefix}-desc"}).text = desc
        if self.hatch_colours:
            defs = ET.SubElement(root, "defs")
            for pattern_id, colour in self.hatch_colours.items():
                pattern = ET.SubElement(
                    defs, "pattern", {"id": pattern_id, "patternUnits": "userSpaceOnUse", "width": "8", "height": "8"}
                )
                ET.SubElement(pattern, "rect", {"width": "8", "height": "8", "fill": "#ffffff"})
                # Diagonal stripes drawn without patternTransform, which not every renderer honours.
                ET.SubElement(
                    pattern, "path", {"d": "M-2,2 L2,-2 M0,8 L8,0 M6,10 L10,6", "stroke": colour, "stroke-width": "3"}
                )
        root.extend(self.elements)
        return Markup(ET.tostring(root, encoding="unicode"))  # noqa: S704 - ElementTree escaped every text and attribute


def _attribute(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


def _value(value: str | float) -> str:
    return value if isinstance(value, str) else _fmt(value)


def _legend(canvas: _Canvas, series: Sequence[Series], *, top: float, lines: bool) -> float:
    """Swatches (or line samples) with the series' labels, wrapping; returns the y below it."""
    x, y = 0.0, top
    for item in series:
        label = _wrap(item.label, WIDTH - SWATCH * 3, lines=1)[0]
        width = SWATCH * 2 + GAP + _text_width(label) + 24
        if x and x + width > WIDTH:
            x, y = 0.0, y + LINE_HEIGHT + GAP
        centre = y + LINE_HEIGHT / 2
        if lines:
            _line(canvas, [(x, centre), (x + SWATCH * 2, centre)], item.style)
            _marker(canvas, x + SWATCH, centre, item.style)
        else:
            canvas.bar(x=x, y=centre - SWATCH / 2, width=SWATCH * 2, height=SWATCH, style=item.style)
        canvas.text(label, x=x + SWATCH * 2 + GAP, y=centre, anchor="start", role="legend")
        x += width
    return y + LINE_HEIGHT + ROW_GAP


def _draw_bars(canvas: _Canvas, labels: Sequence[str], series: Sequence[Series], unit: str) -> float:
    """Horizontal bars from a zero axis, one per row (or a pair per row), values at the ends."""
    top = _legend(canvas, series, top=0, lines=False) if len(series) > 1 else GAP
    numbers = [[_number(cell) for cell in s.cells] for s in series]
    drawn = [value for column in numbers for value in column if value is not None]
    low, high = min([0.0, *drawn]), max([0.0, *drawn])
    texts = [[_shown_text(cell) for cell in s.cells] for s in series]
    # Room beside the plot for the printed values: negatives' on the left, the rest (and markers) on the right.
    left_room = max(
        (
            _text_width(t) + GAP
            for col, ts in zip(numbers, texts, strict=True)
            for v, t in zip(col, ts, strict=True)
            if v is not None and v < 0
        ),
        default=0.0,
    )
    right_room = max(
        (
            _text_width(t) + GAP
            for col, ts in zip(numbers, texts, strict=True)
            for v, t in zip(col, ts, strict=True)
            if v is None or v >= 0
        ),
        default=0.0,
    )
    plot_left = LABEL_WIDTH + 2 * GAP + left_room
    plot_right = WIDTH - right_room - GAP
    scale = _scale(low, high, plot_left, plot_right)
    zero = scale(0.0)
    bar_height = BAR_HEIGHT if len(series) == 1 else PAIR_BAR_HEIGHT
    group_height = len(series) * bar_height + (len(series) - 1) * PAIR_GAP
    y = top
    for row, label in enumerate(labels):
        wrapped = _wrap(label, LABEL_WIDTH)
        row_height = max(group_height, len(wrapped) * LINE_HEIGHT)
        canvas.lines(wrapped, x=LABEL_WIDTH, y=y + row_height / 2, anchor="end")
        bar_y = y + (row_height - group_height) / 2
        for number, item in enumerate(series):
            value, text = numbers[number][row], texts[number][row]
            middle = bar_y + number * (bar_height + PAIR_GAP) + bar_height / 2
            if value is None:
                canvas.text(text, x=zero + GAP, y=middle, anchor="start", role=_marker_role(text))
                continue
            end = scale(value)
            canvas.bar(
                x=min(zero, end), y=middle - bar_height / 2, width=abs(end - zero), height=bar_height, style=item.style
            )
            if value < 0:
                canvas.text(text, x=end - GAP, y=middle, anchor="end", role="value")
            else:
                canvas.text(text, x=end + GAP, y=middle, anchor="start", role="value")
        y += row_height + ROW_GAP
    canvas.add(
        "line",
        x1=zero,
        y1=top - GAP,
        x2=zero,
        y2=y - ROW_GAP + GAP,
        stroke=TEXT_COLOUR,
        stroke_width=2,
        class_="peerpath-svg-chart__axis",
    )
    return _unit_caption(canvas, unit, x=(plot_left + plot_right) / 2, y=y)


def _draw_funnel(canvas: _Canvas, labels: Sequence[str], series: Sequence[Series], unit: str) -> float:
    """Centred horizontal bars, one per stage in row order, each as wide as its count."""
    cells = series[0].cells
    numbers = [_number(cell) for cell in cells]
    texts = [_shown_text(cell) for cell in cells]
    widest = max([0.0, *(value for value in numbers if value is not None)]) or 1.0
    room = max(_text_width(text) for text in texts) + GAP
    plot_left, plot_right = LABEL_WIDTH + 2 * GAP, WIDTH - room - GAP
    centre = (plot_left + plot_right) / 2
    y = GAP
    for label, value, text in zip(labels, numbers, texts, strict=True):
        wrapped = _wrap(label, LABEL_WIDTH)
        row_height = max(BAR_HEIGHT, len(wrapped) * LINE_HEIGHT)
        middle = y + row_height / 2
        canvas.lines(wrapped, x=LABEL_WIDTH, y=middle, anchor="end")
        if value is None:
            canvas.text(text, x=centre, y=middle, anchor="middle", role=_marker_role(text))
        else:
            # A negative stage makes no sense in a funnel; it draws as an empty bar with its value.
            width = max(value, 0.0) / widest * (plot_right - plot_left)
            canvas.bar(
                x=centre - width / 2, y=middle - BAR_HEIGHT / 2, width=width, height=BAR_HEIGHT, style=series[0].style
            )
            canvas.text(text, x=centre + width / 2 + GAP, y=middle, anchor="start", role="value")
        y += row_height + ROW_GAP
    return _unit_caption(canvas, unit, x=centre, y=y)


def _draw_trend(canvas: _Canvas, labels: Sequence[str], series: Sequence[Series], unit: str) -> float:
    """A line per series over the rows in order, broken where a value is hidden or empty."""
    top = _legend(canvas, series, top=0, lines=True) if len(series) > 1 else GAP
    if unit:
        canvas.text(unit, x=0, y=top + LINE_HEIGHT / 2, anchor="start", role="unit")
        top += LINE_HEIGHT + GAP
    numbers = [[_number(cell) for cell in s.cells] for s in series]
    drawn = [value for column in numbers for value in column if value is not None]
    ticks = _nice_ticks(min([0.0, *drawn]), max([0.0, *drawn]))
    tick_texts = [_tick_text(tick, ticks[1] - ticks[0]) for tick in ticks]
    plot_left = max(_text_width(text) for text in tick_texts) + 2 * GAP
    plot_right = WIDTH - GAP
    # One series prints its values above the points: leave a line for the highest.
    plot_top = top + (LINE_HEIGHT if len(series) == 1 else GAP)
    plot_bottom = plot_top + PLOT_HEIGHT
    y_of = _scale(ticks[0], ticks[-1], plot_bottom, plot_top)
    for tick, text in zip(ticks, tick_texts, strict=True):
        colour = TEXT_COLOUR if tick == 0 else GRID_COLOUR
        canvas.add(
            "line",
            x1=plot_left,
            y1=y_of(tick),
            x2=plot_right,
            y2=y_of(tick),
            stroke=colour,
            stroke_width=1,
            class_="peerpath-svg-chart__grid",
        )
        canvas.text(text, x=plot_left - GAP, y=y_of(tick), anchor="end", role="tick")
    step = (plot_right - plot_left) / len(labels)
    xs = [plot_left + step * (index + 0.5) for index in range(len(labels))]
    label_bottom = _x_labels(canvas, labels, xs, step, top=plot_bottom + GAP)
    for number, item in enumerate(series):
        for segment in _segments(xs, numbers[number], y_of):
            _line(canvas, segment, item.style)
        for row, (x, value) in enumerate(zip(xs, numbers[number], strict=True)):
            text = _shown_text(item.cells[row])
            if value is None:
                # Stacked per series just above the axis, so two hidden points do not overprint.
                marker_y = plot_bottom - LINE_HEIGHT / 2 - number * LINE_HEIGHT
                canvas.text(text, x=x, y=marker_y, anchor="middle", role=_marker_role(text))
                continue
            _marker(canvas, x, y_of(value), item.style)
            if len(series) == 1:
                canvas.text(text, x=x, y=y_of(value) - LINE_HEIGHT / 2 - GAP, anchor="middle", role="value")
    return label_bottom + GAP


def _x_labels(canvas: _Canvas, labels: Sequence[str], xs: Sequence[float], step: float, *, top: float) -> float:
    """Row labels under the points; every k-th one when a word would not fit under its point."""
    longest_word = max((_text_width(word) for label in labels for word in label.split()), default=0.0)
    every = max(1, math.ceil((longest_word + GAP) / step))
    bottom = top
    for index in range(0, len(labels), every):
        wrapped = _wrap(labels[index], step * every - GAP)
        canvas.lines(wrapped, x=xs[index], y=top + len(wrapped) * LINE_HEIGHT / 2, anchor="middle")
        bottom = max(bottom, top + len(wrapped) * LINE_HEIGHT)
    return bottom


def _segments(
    xs: Sequence[float], values: Sequence[float | None], y_of: Callable[[float], float]
) -> list[list[tuple[float, float]]]:
    """Runs of consecutive drawn points: a line never bridges a hidden or empty value."""
    segments: list[list[tuple[float, float]]] = [[]]
    for x, value in zip(xs, values, strict=True):
        if value is None:
            segments.append([])
        else:
            segments[-1].append((x, y_of(value)))
    return [segment for segment in segments if len(segment) > 1]


def _line(canvas: _Canvas, points: Sequence[tuple[float, float]], style: SeriesStyle) -> None:
    path = " ".join(f"{'M' if index == 0 else 'L'}{_fmt(x)},{_fmt(y)}" for index, (x, y) in enumerate(points))
    attributes: dict[str, str | float] = {"d": path, "fill": "none", "stroke": style.colour, "stroke_width": 3}
    if style.dash:
        attributes["stroke_dasharray"] = style.dash
    canvas.add("path", class_="peerpath-svg-chart__line", **attributes)


def _marker(canvas: _Canvas, x: float, y: float, style: SeriesStyle) -> None:
    """A point drawn in the series' own shape, so lines differ by more than colour."""
    size = 6.0
    common: dict[str, str | float] = {"fill": style.colour, "class_": "peerpath-svg-chart__point"}
    if style.marker == "circle":
        canvas.add("circle", cx=x, cy=y, r=size, **common)
    elif style.marker == "square":
        canvas.add("rect", x=x - size, y=y - size, width=2 * size, height=2 * size, **common)
    else:
        corners = (
            [(x, y - size - 1), (x + size + 1, y + size), (x - size - 1, y + size)]
            if style.marker == "triangle"
            else [(x, y - size - 1), (x + size + 1, y), (x, y + size + 1), (x - size - 1, y)]
        )
        canvas.add("polygon", points=" ".join(f"{_fmt(px)},{_fmt(py)}" for px, py in corners), **common)


def _marker_role(text: str) -> str:
    return "hidden" if text == HIDDEN else "empty"


def _unit_caption(canvas: _Canvas, unit: str, *, x: float, y: float) -> float:
    if not unit:
        return y
    canvas.text(unit, x=x, y=y + LINE_HEIGHT / 2, anchor="middle", role="unit")
    return y + LINE_HEIGHT + GAP


def _scale(low: float, high: float, start: float, end: float) -> Callable[[float], float]:
    """A linear map from [low, high] to [start, end]; an empty range maps to its start."""
    span = high - low
    if span == 0:
        return lambda _value: start
    return lambda value: start + (value - low) / span * (end - start)


def _nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering [low, high]."""
    span = high - low or 1.0
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    if first == last:
        last += 1
    return [round(index * step, 10) for index in range(first, last + 1)]


def _tick_text(value: float, step: float) -> str:
    """A tick label with as many decimals as the step needs (2.5 needs one, 0.25 two)."""
    decimals = next((places for places in range(10) if abs(round(step, places) - step) < step * 1e-6), 10)
    return f"{value:,.{decimals}f}"


DRAWERS: dict[str, Callable[[_Canvas, Sequence[str], Sequence[Series], str], float]] = {
    "bars": _draw_bars,
    "paired": _draw_bars,
    "funnel": _draw_funnel,
    "trend": _draw_trend,
}
