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

from markupsafe import Markup

from peerpath.reports.charts.canvas import (
    BAR_HEIGHT,
    BASELINE_SHIFT,
    CHAR_WIDTH,
    FONT_FAMILY,
    FONT_SIZE,
    GAP,
    GRID_COLOUR,
    LABEL_WIDTH,
    LINE_HEIGHT,
    PAIR_BAR_HEIGHT,
    PAIR_GAP,
    PLOT_HEIGHT,
    ROW_GAP,
    SWATCH,
    TEXT_COLOUR,
    WIDTH,
    _Canvas,
    _id_prefix,
)
from peerpath.reports.charts.kinds import DRAWERS
from peerpath.reports.charts.series import HIDDEN, NO_VALUE, STYLES, Series, SeriesStyle
from peerpath.reports.charts.text import DESC_LIMIT, HIDDEN_REASONS, KIND_NAMES, describe
from peerpath.reports.sections import Chart
from peerpath.reports.tables import ProtectedTable

__all__ = [
    "BAR_HEIGHT",
    "BASELINE_SHIFT",
    "CHAR_WIDTH",
    "DESC_LIMIT",
    "DRAWERS",
    "FONT_FAMILY",
    "FONT_SIZE",
    "GAP",
    "GRID_COLOUR",
    "HIDDEN",
    "HIDDEN_REASONS",
    "KIND_NAMES",
    "LABEL_WIDTH",
    "LINE_HEIGHT",
    "NO_VALUE",
    "PAIR_BAR_HEIGHT",
    "PAIR_GAP",
    "PLOT_HEIGHT",
    "ROW_GAP",
    "STYLES",
    "SWATCH",
    "TEXT_COLOUR",
    "WIDTH",
    "Series",
    "SeriesStyle",
    "describe",
    "render",
]


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
