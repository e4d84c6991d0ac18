"""The SVG drawing primitives: sizes, text widths and wrapping, the canvas, legends, lines and markers."""

from __future__ import annotations

import math
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from markupsafe import Markup

from peerpath.reports.charts.series import Series, SeriesStyle

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
