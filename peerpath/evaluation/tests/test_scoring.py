"""Each scoring rule on small hand-made instruments, with hand-worked expected values."""

from __future__ import annotations

import copy
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from peerpath.evaluation import definitions, scoring
from peerpath.evaluation.definitions import Band, Instrument, MissingRule, parse
from peerpath.evaluation.scoring import (
    ScaleScore,
    ScoringError,
    apply_missing,
    band,
    convert,
    jacobson_truax,
    mean_rule,
    reliable_change_index,
    reverse,
    score_all,
    score_scale,
    sum_rule,
    triggered_safety_rules,
)
from peerpath.evaluation.tests.test_definitions import document


def demo() -> Instrument:
    """Items a, b (reversed), c on 0-3, prorated with one missing; days 0-10 (see test_definitions)."""
    return parse(document())


def five_items(rule: dict[str, Any], range_: list[Any], *, low: int = 1, high: int = 5) -> Instrument:
    """Five choice items valued low..high, all in one scale 's' with the given rule."""
    data = copy.deepcopy(document())
    data["response_sets"] = {"points": [{"value": value, "label": str(value)} for value in range(low, high + 1)]}
    data["items"] = [
        {
            "id": f"q{number}",
            "number": number,
            "text": f"Question {number}",
            "kind": "choice",
            "response_set": "points",
            "required": True,
            "reverse": False,
        }
        for number in range(1, 6)
    ]
    data["scales"] = [
        {
            "code": "s",
            "name": "Scale",
            "items": [f"q{number}" for number in range(1, 6)],
            "rule": rule,
            "range": range_,
            "direction": "higher_is_better",
        }
    ]
    del data["safety"]
    return parse(data)


def answers(*values: int | None) -> dict[str, int | None]:
    return {f"q{number}": value for number, value in enumerate(values, start=1)}


# --- one function per rule ----------------------------------------------------------------


def test_reverse_maps_lowest_to_highest_and_back() -> None:
    assert reverse(Fraction(1), Fraction(1), Fraction(5)) == 5
    assert reverse(Fraction(5), Fraction(1), Fraction(5)) == 1
    assert reverse(Fraction(3), Fraction(1), Fraction(5)) == 3
    assert reverse(Fraction(0), Fraction(0), Fraction(3)) == 3


def test_apply_missing_complete_only_refuses_any_missing_value() -> None:
    rule = MissingRule(type="complete_only")

    assert apply_missing([Fraction(1), Fraction(2)], rule) == [1, 2]
    assert apply_missing([Fraction(1), None], rule) is None


def test_apply_missing_prorate_fills_with_the_exact_mean_of_the_answered_items() -> None:
    rule = MissingRule(type="prorate", max_missing=2)

    # answered 1, 2, 2: mean 5/3, kept exact
    assert apply_missing([Fraction(1), None, Fraction(2), Fraction(2)], rule) == [1, Fraction(5, 3), 2, 2]
    assert apply_missing([None, None, None, Fraction(2)], rule) is None  # three missing > 2
    assert apply_missing([None, None], MissingRule(type="prorate", max_missing=2)) is None  # nothing answered


def test_sum_and_mean_rules_are_exact() -> None:
    values = [Fraction(1), Fraction(2), Fraction(2)]

    assert sum_rule(values) == 5
    assert mean_rule(values) == Fraction(5, 3)
    with pytest.raises(ScoringError):
        mean_rule([])


def test_convert_looks_up_whole_raw_sums_only() -> None:
    table = {7: Decimal("7.00"), 8: Decimal("9.51")}

    assert convert(8, table) == Decimal("9.51")
    assert convert(Decimal("8"), table) == Decimal("9.51")
    with pytest.raises(ScoringError, match="whole raw sum"):
        convert(Fraction(15, 2), table)
    with pytest.raises(ScoringError, match="not in the conversion table"):
        convert(9, table)


BANDS = (
    Band(from_=Decimal(0), to=Decimal(4), label="Low"),
    Band(from_=Decimal(5), to=Decimal(9), label="High"),
)


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (Decimal(0), "Low"),
        (Decimal(4), "Low"),
        (Decimal("4.5"), "Low"),
        (Decimal("4.99"), "Low"),
        (Decimal(5), "High"),
        (Decimal(9), "High"),
    ],
)
def test_band_edges_belong_to_their_band_and_in_between_scores_stay_below_the_next_threshold(
    score: Decimal, label: str
) -> None:
    assert band(score, BANDS) == label


def test_band_refuses_a_score_outside_the_bands_and_is_none_without_bands() -> None:
    with pytest.raises(ScoringError, match="outside the bands"):
        band(Decimal(10), BANDS)
    with pytest.raises(ScoringError, match="outside the bands"):
        band(Decimal(-1), BANDS)
    assert band(Decimal(3), ()) is None


# --- scales -------------------------------------------------------------------------------


def test_score_scale_reverses_reversed_items_and_sums() -> None:
    instrument = demo()

    # a 1, b 0 reversed on 0..3 -> 3, c 2: 1 + 3 + 2 = 6
    score = score_scale(instrument.scale("total"), instrument, {"a": 1, "b": 0, "c": 2})

    assert score == ScaleScore(
        value=Decimal(6), raw=Decimal(6), answered=3, missing=0, prorated=False, band="High", scoring_version=1
    )


def test_score_scale_prorates_exactly_max_missing_and_rounds_to_two_decimals() -> None:
    instrument = demo()

    # c missing; a 1, b 1 reversed -> 2; mean 3/2 fills c: 1 + 2 + 1.5 = 4.5 -> 4.50, band Low (below 5)
    score = score_scale(instrument.scale("total"), instrument, {"a": 1, "b": 1, "c": None})

    assert score is not None
    assert score.value == Decimal("4.50")
    assert str(score.value) == "4.50"
    assert (score.answered, score.missing, score.prorated, score.band) == (2, 1, True, "Low")


def test_score_scale_is_none_with_one_more_missing_than_allowed() -> None:
    instrument = demo()

    assert score_scale(instrument.scale("total"), instrument, {"a": 1}) is None


def test_prorate_boundary_on_a_five_item_scale() -> None:
    instrument = five_items({"type": "sum", "missing": {"type": "prorate", "max_missing": 2}}, [5, 25])
    scale = instrument.scale("s")

    # two missing: answered 1, 2, 4 (sum 7, mean 7/3) -> 7 x 5 / 3 = 11.666... -> 11.67
    two_missing = score_scale(scale, instrument, answers(1, None, 2, None, 4))
    assert two_missing is not None
    assert two_missing.value == Decimal("11.67")
    assert score_scale(scale, instrument, answers(1, None, None, None, 4)) is None


def test_complete_only_scores_complete_answers_and_nothing_else() -> None:
    instrument = five_items({"type": "sum", "missing": {"type": "complete_only"}}, [5, 25])
    scale = instrument.scale("s")

    complete = score_scale(scale, instrument, answers(1, 2, 3, 4, 5))
    assert complete is not None
    assert complete.value == Decimal(15)
    assert str(complete.value) == "15"  # a complete sum stays exact: no decimals added
    assert score_scale(scale, instrument, answers(1, 2, 3, 4, None)) is None
    assert score_scale(scale, instrument, answers(1, 2, 3, 4)) is None  # an absent key is missing too


def test_mean_rule_rounds_half_up_to_the_rules_decimals() -> None:
    default = five_items({"type": "mean", "missing": {"type": "complete_only"}}, [1, 5])
    one_place = five_items({"type": "mean", "missing": {"type": "complete_only"}, "decimals": 1}, [1, 5])
    whole = five_items({"type": "mean", "missing": {"type": "complete_only"}, "decimals": 0}, [1, 5])

    def value(instrument: Instrument, *given: int) -> Decimal:
        score = score_scale(instrument.scale("s"), instrument, answers(*given))
        assert score is not None
        return score.value

    assert value(default, 1, 2, 2, 2, 2) == Decimal("1.80")  # 9/5
    assert value(default, 1, 1, 1, 2, 3) == Decimal("1.60")  # 8/5
    assert value(one_place, 1, 1, 2, 2, 2) == Decimal("1.6")  # 8/5
    assert value(whole, 2, 2, 3, 3, 3) == Decimal("3")  # 13/5 = 2.6 -> 3
    assert value(whole, 2, 2, 2, 3, 3) == Decimal("2")  # 12/5 = 2.4 -> 2


def test_mean_half_way_rounds_up_not_to_even() -> None:
    instrument = five_items({"type": "mean", "missing": {"type": "prorate", "max_missing": 1}, "decimals": 0}, [1, 5])

    # answered 2, 2, 3, 3 (mean 2.5); banker's rounding would give 2
    score = score_scale(instrument.scale("s"), instrument, answers(2, 2, 3, 3, None))

    assert score is not None
    assert score.value == Decimal(3)


def test_decimals_on_a_complete_sum_fix_its_places() -> None:
    instrument = five_items({"type": "sum", "missing": {"type": "complete_only"}, "decimals": 1}, [5, 25])

    score = score_scale(instrument.scale("s"), instrument, answers(1, 1, 1, 1, 1))

    assert score is not None
    assert str(score.value) == "5.0"


CONVERSION = {str(raw): raw * 10 + Decimal("0.25") for raw in range(5, 26)}


@pytest.mark.parametrize(
    ("given", "raw", "value"),
    [
        ((1, 1, 1, 1, 1), 5, "50.25"),
        ((5, 5, 5, 5, 5), 25, "250.25"),
        ((1, 2, 3, 4, 5), 15, "150.25"),
        # one missing: 1 + 1 + 1 + 2 = 5, x 5/4 = 6.25 -> raw 6
        ((1, 1, 1, 2, None), 6, "60.25"),
        # 1 + 1 + 2 + 2 = 6, x 5/4 = 7.5 -> raw 8
        ((1, 1, 2, 2, None), 8, "80.25"),
        # 1 + 2 + 2 + 2 = 7, x 5/4 = 8.75 -> raw 9
        ((1, 2, 2, 2, None), 9, "90.25"),
        # 2 + 2 + 2 + 3 = 9, x 5/4 = 11.25 -> raw 11
        ((2, 2, 2, 3, None), 11, "110.25"),
        # 2 + 2 + 3 + 3 = 10, x 5/4 = 12.5 -> raw 13 (banker's rounding would give 12)
        ((2, 2, 3, 3, None), 13, "130.25"),
    ],
)
def test_conversion_rounds_a_prorated_raw_sum_half_up_to_a_whole_number_first(
    given: tuple[int | None, ...], raw: int, value: str
) -> None:
    instrument = five_items(
        {"type": "sum", "missing": {"type": "prorate", "max_missing": 1}, "conversion": CONVERSION}, [50.25, 250.25]
    )

    score = score_scale(instrument.scale("s"), instrument, answers(*given))

    assert score is not None
    assert score.raw == raw
    assert score.value == Decimal(value)


def test_conversion_value_rounded_only_when_the_rule_gives_decimals() -> None:
    instrument = five_items(
        {"type": "sum", "missing": {"type": "complete_only"}, "conversion": CONVERSION, "decimals": 1}, [50.3, 250.3]
    )

    score = score_scale(instrument.scale("s"), instrument, answers(1, 1, 1, 1, 1))

    assert score is not None
    assert score.value == Decimal("50.3")  # 50.25 half up to one place


def test_reverse_from_overrides_the_items_own_bounds() -> None:
    data = document()
    data["scales"][0]["rule"] = {"type": "sum", "missing": {"type": "complete_only"}, "reverse_from": [0, 4]}
    data["scales"][0]["range"] = [1, 10]  # b reversed on 0..4 runs 1..4
    data["scales"][0]["bands"] = [{"from": 1, "to": 4, "label": "Low"}, {"from": 5, "to": 10, "label": "High"}]
    instrument = parse(data)

    # b 0 reversed on 0..4 -> 4: 1 + 4 + 2 = 7
    score = score_scale(instrument.scale("total"), instrument, {"a": 1, "b": 0, "c": 2})

    assert score is not None
    assert score.value == 7


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"a": 4}, "4 is not an allowed answer to a"),
        ({"a": -1}, "-1 is not an allowed answer to a"),
        ({"a": 1.5}, "1.5 is not an allowed answer to a"),
        ({"days": 11}, "11 is outside 0..10 for days"),
        ({"days": Decimal("2.5")}, "2.5 is not a step of 1 from 0 for days"),
        ({"a": True}, "not a number"),
        ({"a": "2"}, "not a number"),
        ({"a": float("nan")}, "not a number"),
        ({"q9": 1}, "demo: no item 'q9'"),
    ],
)
def test_scoring_refuses_answers_it_cannot_score_rather_than_clamping(given: dict[str, Any], message: str) -> None:
    instrument = demo()

    with pytest.raises(ScoringError, match=message.replace(".", r"\.")):
        score_scale(instrument.scale("total"), instrument, {"a": 1, "b": 1, "c": 1} | given)


def test_an_answer_to_an_item_outside_the_scale_is_still_checked() -> None:
    instrument = demo()

    with pytest.raises(ScoringError, match=r"outside 0\.\.10 for days"):
        score_scale(instrument.scale("total"), instrument, {"a": 1, "b": 1, "c": 1, "days": 12})


def test_score_all_scores_every_scale_by_code() -> None:
    instrument = demo()

    scores = score_all(instrument, {"a": 3, "b": 3, "c": 3, "days": None})

    assert set(scores) == {"total", "days"}
    assert scores["total"] is not None
    assert scores["total"].value == 6  # 3 + (3 reversed -> 0) + 3
    assert scores["days"] is None


def test_float_answers_are_read_as_written() -> None:
    data = document()
    data["items"][3].update({"min": 0, "max": 1, "step": 0.1})
    data["scales"][1]["range"] = [0, 1]
    instrument = parse(data)

    score = score_scale(instrument.scale("days"), instrument, {"days": 0.3})

    assert score is not None
    assert score.value == Decimal("0.3")


def test_triggered_safety_rules_fire_above_the_threshold_only() -> None:
    instrument = demo()

    assert triggered_safety_rules(instrument, {"c": 1}) == []
    assert triggered_safety_rules(instrument, {"c": None}) == []
    assert [rule.item for rule in triggered_safety_rules(instrument, {"c": 2})] == ["c"]


# --- reliable and clinically significant change ------------------------------------------


def test_reliable_change_index_hand_worked() -> None:
    # sd 4, r 0.75: SE = 4 x sqrt(0.25) = 2; S_diff = sqrt(2 x 2^2) = sqrt(8) = 2.828427...
    # RCI = (16 - 10) / 2.828427 = 2.121320...
    rci = reliable_change_index(10, 16, Decimal(4), Decimal("0.75"))

    assert round(rci, 6) == Decimal("2.121320")
    assert round(reliable_change_index(16, 10, 4, Decimal("0.75")), 6) == Decimal("-2.121320")
    assert reliable_change_index(10, 10, 4, Decimal("0.75")) == 0


def test_reliable_change_index_swemwbs_worked_example() -> None:
    # Shah et al. 2018 as in REFERENCE.md section 7: SD 3.921, r 0.93.
    # SE = 3.921 x sqrt(0.07) = 3.921 x 0.264575 = 1.037399; S_diff = 1.037399 x sqrt(2) = 1.467104
    # 19.28 -> 23.32: change 4.04 / 1.467104 = 2.7537
    rci = reliable_change_index(Decimal("19.28"), Decimal("23.32"), Decimal("3.921"), Decimal("0.93"))

    assert round(rci, 4) == Decimal("2.7537")


def test_reliable_change_index_refuses_impossible_parameters() -> None:
    with pytest.raises(ValueError):
        reliable_change_index(1, 2, 0, Decimal("0.8"))
    with pytest.raises(ValueError):
        reliable_change_index(1, 2, 4, 1)


def worse_is_higher_scale() -> Instrument:
    """The demo 'total' scale, 0..9, higher is worse, sd 5 and r 0.84 with a cut-off at 5.

    SE = 5 x sqrt(0.16) = 2; S_diff = 2 x sqrt(2) = 2.828427; reliable when |change| > 1.96 x
    2.828427 = 5.543717 points.
    """
    data = document()
    data["scales"][0]["reliable_change"] = {"sd": 5, "reliability": 0.84, "source": "tests"}
    return parse(data)


@pytest.mark.parametrize(
    ("before", "after", "outcome"),
    [
        (9, 3, "recovered"),  # change -6: RCI -2.1213, improvement; 9 >= 5 (clinical) to 3 < 5
        (Decimal("8.5"), Decimal("2.95"), "recovered"),  # change -5.55: just reliable
        (Decimal("8.5"), Decimal("3"), "unchanged"),  # change -5.5: RCI -1.9445, not reliable
        (9, 5, "unchanged"),
        (3, 9, "deteriorated"),  # change +6
        (3, 3, "unchanged"),
    ],
)
def test_jacobson_truax_on_a_higher_is_worse_scale(before: Any, after: Any, outcome: str) -> None:
    scale = worse_is_higher_scale().scale("total")

    assert jacobson_truax(before, after, scale) == outcome


def test_jacobson_truax_improved_without_crossing_the_cutoff() -> None:
    data = document()
    data["scales"][0]["reliable_change"] = {"sd": 5, "reliability": 0.84, "source": "tests"}
    data["scales"][0]["clinical_cutoff"]["value"] = 2
    scale = parse(data).scale("total")

    assert jacobson_truax(9, 3, scale) == "improved"  # reliable, but 3 is still >= 2
    assert jacobson_truax(9, 1, scale) == "recovered"


def test_jacobson_truax_on_a_higher_is_better_scale_counts_the_cutoff_as_clinical() -> None:
    data = document()
    data["scales"][0].update(direction="higher_is_better")
    data["scales"][0]["reliable_change"] = {"sd": 5, "reliability": 0.84, "source": "tests"}
    data["scales"][0]["clinical_cutoff"]["value"] = 3
    scale = parse(data).scale("total")

    assert jacobson_truax(3, 9, scale) == "recovered"  # 3 is at the cut-off, so clinical; 9 above it
    assert jacobson_truax(4, 9, scale) == "unchanged"  # change 5 < 5.54
    assert jacobson_truax(Decimal("3.4"), 9, scale) == "improved"  # change 5.6 is reliable; 3.4 was above 3
    assert jacobson_truax(9, 3, scale) == "deteriorated"


def test_jacobson_truax_is_none_without_its_ingredients() -> None:
    no_change = document()
    del no_change["scales"][0]["reliable_change"]
    no_cutoff = document()
    del no_cutoff["scales"][0]["clinical_cutoff"]
    no_direction = document()
    no_direction["scales"][0]["direction"] = "none"

    for data in (no_change, no_cutoff, no_direction):
        assert jacobson_truax(9, 0, parse(data).scale("total")) is None


def test_swemwbs_reliable_change_matches_the_reference_worked_example():
    """Shah et al.'s SD and the reliability their SEM implies give a threshold of 2.86 metric points."""
    metric = definitions.load_file(definitions.INSTRUMENTS_DIR / "swemwbs-v1.json").scale("metric")
    change = metric.reliable_change
    assert change is not None
    standard_error = change.sd * (1 - change.reliability).sqrt()
    assert round(standard_error, 2) == Decimal("1.03")
    # 2.86 points of change is reliable (|RCI| > 1.96); 2.85 is not.
    assert abs(scoring.reliable_change_index(Decimal("20.00"), Decimal("22.86"), change.sd, change.reliability)) > 1.96
    assert abs(scoring.reliable_change_index(Decimal("20.00"), Decimal("22.85"), change.sd, change.reliability)) < 1.96
