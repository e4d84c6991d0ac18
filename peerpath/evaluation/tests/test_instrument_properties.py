"""Property tests run for every shipped instrument file (whatever files exist).

Range, reverse scoring, prorating and conversion monotonicity, checked with hypothesis over
answers drawn from each item's own allowed values.
"""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerpath.evaluation.definitions import INSTRUMENTS_DIR, Instrument, Item, Scale, item_bounds, load_file, parse
from peerpath.evaluation.scoring import reverse, score_all, score_scale

PROPERTY = settings(max_examples=200, deadline=None)

FILES = sorted(INSTRUMENTS_DIR.glob("*.json"))
FILE_PARAMS = [pytest.param(path, id=path.stem) for path in FILES] or [
    pytest.param(None, marks=pytest.mark.skip(reason=f"no instrument files in {INSTRUMENTS_DIR} yet"), id="none")
]


@functools.cache
def instrument_for(path: Path | None) -> Instrument:
    """Parsed once per file, not once per hypothesis example."""
    assert path is not None
    return load_file(path)


def allowed_values(item: Item) -> list[Decimal]:
    """Every answer the item allows, lowest first."""
    if item.kind == "choice":
        return sorted(option.value for option in item.options)
    assert item.min is not None and item.max is not None and item.step is not None
    count = int((item.max - item.min) / item.step)
    return [item.min + index * item.step for index in range(count + 1)]


def answer_strategy(item: Item) -> st.SearchStrategy[Decimal]:
    if item.kind == "choice":
        return st.sampled_from(allowed_values(item))
    assert item.min is not None and item.step is not None
    count = len(allowed_values(item)) - 1
    low, step = item.min, item.step
    return st.integers(0, count).map(lambda index: low + index * step)


def complete_answers(instrument: Instrument) -> st.SearchStrategy[dict[str, Decimal]]:
    return st.fixed_dictionaries({item.id: answer_strategy(item) for item in instrument.items})


def reverse_bounds(item: Item, scale: Scale) -> tuple[Decimal, Decimal]:
    return scale.rule.reverse_from if scale.rule.reverse_from is not None else item_bounds(item)


def scored(item: Item, scale: Scale, answer: Decimal) -> Fraction:
    """The value the scale adds up for this answer (reversed for a reversed item)."""
    if not item.reverse:
        return Fraction(answer)
    low, high = reverse_bounds(item, scale)
    return reverse(Fraction(answer), Fraction(low), Fraction(high))


def in_range(value: Decimal, scale: Scale) -> bool:
    return scale.range[0] <= value <= scale.range[1]


@pytest.mark.parametrize("path", FILE_PARAMS)
def test_parse_accepts_every_shipped_file(path: Path | None) -> None:
    assert path is not None
    data = json.loads(path.read_text(encoding="utf-8"))

    instrument = parse(data)

    assert instrument.code
    assert load_file(path) == instrument  # reading floats as Decimal or as float agrees


@pytest.mark.parametrize("path", FILE_PARAMS)
@PROPERTY
@given(data=st.data())
def test_every_complete_answer_set_scores_within_each_scales_range(path: Path | None, data: st.DataObject) -> None:
    instrument = instrument_for(path)
    answers = data.draw(complete_answers(instrument))

    for code, score in score_all(instrument, answers).items():
        scale = instrument.scale(code)
        assert score is not None, f"{instrument.code}.{code}: a complete answer set must score"
        assert in_range(score.value, scale), f"{instrument.code}.{code}: {score.value} outside {scale.range}"
        assert (score.answered, score.missing, score.prorated) == (len(scale.items), 0, False)
        assert (score.band is None) == (not scale.bands)


@pytest.mark.parametrize("path", FILE_PARAMS)
@PROPERTY
@given(data=st.data())
def test_raising_a_reversed_answer_never_raises_the_score_and_raising_another_never_lowers_it(
    path: Path | None, data: st.DataObject
) -> None:
    instrument = instrument_for(path)
    if not instrument.scales:
        pytest.skip(f"{instrument.code} has no scales")
    scale = data.draw(st.sampled_from(instrument.scales), label="scale")
    item = instrument.item(data.draw(st.sampled_from(scale.items), label="item"))
    values = allowed_values(item)
    if len(values) < 2:
        return
    answers = data.draw(complete_answers(instrument), label="answers")
    lower = data.draw(st.sampled_from(values[:-1]), label="lower")
    higher = data.draw(st.sampled_from([value for value in values if value > lower]), label="higher")

    before = score_scale(scale, instrument, answers | {item.id: lower})
    after = score_scale(scale, instrument, answers | {item.id: higher})

    assert before is not None and after is not None
    if item.reverse:
        assert after.raw <= before.raw and after.value <= before.value, f"reversed {item.id} raised {scale.code}"
    else:
        assert after.raw >= before.raw and after.value >= before.value, f"{item.id} lowered {scale.code}"


def prorated_scales(instrument: Instrument) -> list[Scale]:
    return [scale for scale in instrument.scales if scale.rule.missing.type == "prorate"]


@pytest.mark.parametrize("path", FILE_PARAMS)
@PROPERTY
@given(data=st.data())
def test_prorating_allowed_missing_items_stays_within_range(path: Path | None, data: st.DataObject) -> None:
    instrument = instrument_for(path)
    scales = prorated_scales(instrument)
    if not scales:
        pytest.skip(f"{instrument.code} prorates no scale")
    scale = data.draw(st.sampled_from(scales), label="scale")
    answers = data.draw(complete_answers(instrument), label="answers")
    missing = data.draw(
        st.lists(st.sampled_from(scale.items), min_size=1, max_size=scale.rule.missing.max_missing, unique=True),
        label="missing",
    )

    score = score_scale(scale, instrument, answers | dict.fromkeys(missing))

    assert score is not None
    assert score.prorated and score.missing == len(missing)
    assert in_range(score.value, scale)


@pytest.mark.parametrize("path", FILE_PARAMS)
@PROPERTY
@given(data=st.data())
def test_one_more_missing_item_than_allowed_leaves_the_scale_unscored(path: Path | None, data: st.DataObject) -> None:
    instrument = instrument_for(path)
    if not instrument.scales:
        pytest.skip(f"{instrument.code} has no scales")
    scale = data.draw(st.sampled_from(instrument.scales), label="scale")
    answers = data.draw(complete_answers(instrument), label="answers")
    too_many = scale.rule.missing.max_missing + 1
    missing = data.draw(st.permutations(scale.items), label="order")[:too_many]

    assert score_scale(scale, instrument, answers | dict.fromkeys(missing)) is None


@pytest.mark.parametrize("path", FILE_PARAMS)
@PROPERTY
@given(data=st.data())
def test_prorating_equals_the_complete_score_when_the_missing_answers_equal_the_mean(
    path: Path | None, data: st.DataObject
) -> None:
    instrument = instrument_for(path)
    scales = prorated_scales(instrument)
    if not scales:
        pytest.skip(f"{instrument.code} prorates no scale")
    scale = data.draw(st.sampled_from(scales), label="scale")
    items = [instrument.item(item_id) for item_id in scale.items]
    # Work in scored values (after reversal); a prorated scale's items share their bounds.
    scored_sets = [{scored(item, scale, value) for value in allowed_values(item)} for item in items]
    common = sorted(set.intersection(*scored_sets))
    if not common:
        return
    centre = data.draw(st.sampled_from(common), label="centre")
    missing_count = data.draw(st.integers(1, scale.rule.missing.max_missing), label="missing count")
    order = data.draw(st.permutations(range(len(items))), label="order")
    missing, answered = order[:missing_count], order[missing_count:]

    # Answered items come in pairs centre + d and centre - d (a lone one is the centre), so
    # their mean is exactly the centre.
    chosen: dict[int, Fraction] = dict.fromkeys(missing, centre)
    for first, second in zip(answered[0::2], answered[1::2], strict=False):
        spreads = sorted(
            {
                abs(value - centre)
                for value in scored_sets[first]
                if centre + abs(value - centre) in scored_sets[first]
                and centre - abs(value - centre) in scored_sets[second]
            }
        )
        spread = data.draw(st.sampled_from(spreads), label="spread")
        chosen[first], chosen[second] = centre + spread, centre - spread
    if len(answered) % 2:
        chosen[answered[-1]] = centre

    def answer_for(index: int) -> Decimal:
        item = items[index]
        value = chosen[index]
        if item.reverse:
            low, high = reverse_bounds(item, scale)
            value = reverse(value, Fraction(low), Fraction(high))
        return Decimal(value.numerator) / Decimal(value.denominator)

    base = data.draw(complete_answers(instrument), label="other answers")
    complete = base | {items[index].id: answer_for(index) for index in range(len(items))}
    partial = complete | {items[index].id: None for index in missing}

    whole = score_scale(scale, instrument, complete)
    prorated = score_scale(scale, instrument, partial)

    assert whole is not None and prorated is not None
    assert prorated.prorated
    assert prorated.value == whole.value
    assert prorated.raw == whole.raw


def converted_scales(instrument: Instrument) -> list[Scale]:
    return [scale for scale in instrument.scales if scale.rule.conversion is not None]


@pytest.mark.parametrize("path", FILE_PARAMS)
def test_conversion_tables_are_monotonic_non_decreasing(path: Path | None) -> None:
    instrument = instrument_for(path)
    scales = converted_scales(instrument)
    if not scales:
        pytest.skip(f"{instrument.code} converts no scale")

    for scale in scales:
        assert scale.rule.conversion is not None
        ordered = [scale.rule.conversion[raw] for raw in sorted(scale.rule.conversion)]
        assert ordered == sorted(ordered), f"{instrument.code}.{scale.code}: conversion falls somewhere"


@pytest.mark.parametrize("path", FILE_PARAMS)
@PROPERTY
@given(data=st.data())
def test_converted_score_is_monotonic_in_the_raw_sum(path: Path | None, data: st.DataObject) -> None:
    instrument = instrument_for(path)
    scales = converted_scales(instrument)
    if not scales:
        pytest.skip(f"{instrument.code} converts no scale")
    scale = data.draw(st.sampled_from(scales), label="scale")

    def draw_score() -> Any:
        answers = data.draw(complete_answers(instrument))
        if scale.rule.missing.max_missing:
            gone = data.draw(
                st.lists(st.sampled_from(scale.items), max_size=scale.rule.missing.max_missing, unique=True)
            )
            answers |= dict.fromkeys(gone)
        return score_scale(scale, instrument, answers)

    first, second = draw_score(), draw_score()

    assert first is not None and second is not None
    low, high = sorted((first, second), key=lambda score: score.raw)
    assert low.value <= high.value
