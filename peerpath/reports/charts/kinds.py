"""The kinds of chart (bars, paired bars, funnel, trend): each draws onto a canvas and returns its height."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from peerpath.reports.charts.canvas import (
    BAR_HEIGHT,
    GAP,
    GRID_COLOUR,
    LABEL_WIDTH,
    LINE_HEIGHT,
    PAIR_BAR_HEIGHT,
    PAIR_GAP,
    PLOT_HEIGHT,
    ROW_GAP,
    TEXT_COLOUR,
    WIDTH,
    _Canvas,
    _legend,
    _line,
    _marker,
    _text_width,
    _wrap,
)
from peerpath.reports.charts.series import HIDDEN, Series, _number, _shown_text


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
