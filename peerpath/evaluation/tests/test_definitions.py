"""The instrument parser refuses every malformed document with a message naming the key."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from peerpath.evaluation.definitions import (
    DefinitionError,
    Instrument,
    item_bounds,
    load_file,
    parse,
    shipped,
)


def document(**overrides: Any) -> dict[str, Any]:
    """A small valid instrument: three 0-3 choice items (one reversed) and a 0-10 number item."""
    data: dict[str, Any] = {
        "format": "peerpath-instrument",
        "format_version": 1,
        "code": "demo",
        "version": 1,
        "name": "Demonstration questionnaire",
        "short_name": "Demo",
        "description": "A questionnaire used only by the tests.",
        "respondent": "carer",
        "recall_period": "Over the last 2 weeks",
        "instructions": "Answer every question.",
        "licence": {
            "class": "own",
            "ships_text": True,
            "attribution": "PeerPath tests",
            "source": "Written for the tests.",
            "decision": "Ours to ship.",
        },
        "own_measure": True,
        "response_sets": {
            "often": [
                {"value": 0, "label": "Never"},
                {"value": 1, "label": "Sometimes"},
                {"value": 2, "label": "Often"},
                {"value": 3, "label": "Always"},
            ]
        },
        "items": [
            {
                "id": "a",
                "number": 1,
                "text": "First",
                "kind": "choice",
                "response_set": "often",
                "required": True,
                "reverse": False,
            },
            {
                "id": "b",
                "number": 2,
                "text": "Second",
                "kind": "choice",
                "response_set": "often",
                "required": True,
                "reverse": True,
            },
            {
                "id": "c",
                "number": 3,
                "text": "Third",
                "kind": "choice",
                "response_set": "often",
                "required": False,
                "reverse": False,
            },
            {
                "id": "days",
                "number": 4,
                "text": "How many days?",
                "kind": "number",
                "min": 0,
                "max": 10,
                "step": 1,
                "unit": "days",
                "required": False,
                "reverse": False,
            },
        ],
        "scales": [
            {
                "code": "total",
                "name": "Total",
                "items": ["a", "b", "c"],
                "rule": {"type": "sum", "missing": {"type": "prorate", "max_missing": 1}},
                "range": [0, 9],
                "direction": "higher_is_worse",
                "bands": [
                    {"from": 0, "to": 4, "label": "Low"},
                    {"from": 5, "to": 9, "label": "High"},
                ],
                "reliable_change": {"sd": 2.5, "reliability": 0.84, "source": "Made up for the tests."},
                "clinical_cutoff": {"value": 5, "source": "Made up for the tests."},
            },
            {
                "code": "days",
                "name": "Days",
                "items": ["days"],
                "rule": {"type": "sum", "missing": {"type": "complete_only"}},
                "range": [0, 10],
                "direction": "none",
            },
        ],
        "safety": [{"item": "c", "above": 1, "message": "Please talk to someone today."}],
        "scoring_version": 1,
    }
    data.update(overrides)
    return data


def unlicensed_document() -> dict[str, Any]:
    """The same questionnaire as a licensed instrument shipped without its wording."""
    data = document(instructions="")
    data["licence"] = {**data["licence"], "class": "registration", "ships_text": False}
    for option in data["response_sets"]["often"]:
        option["label"] = None
    for item in data["items"]:
        item["text"] = None
    return data


def test_minimal_valid_document_parses_into_frozen_dataclasses() -> None:
    instrument = parse(document())

    assert isinstance(instrument, Instrument)
    assert instrument.code == "demo"
    assert instrument.licence.class_ == "own"
    assert [item.id for item in instrument.items] == ["a", "b", "c", "days"]
    assert instrument.item("b").reverse is True
    assert instrument.item("a").options[3].label == "Always"
    total = instrument.scale("total")
    assert total.rule.missing.max_missing == 1
    assert total.range == (Decimal(0), Decimal(9))
    assert [band.label for band in total.bands] == ["Low", "High"]
    assert total.reliable_change is not None
    assert total.reliable_change.reliability == Decimal("0.84")  # exact, not a binary float
    assert instrument.safety[0].above == 1
    with pytest.raises(AttributeError):
        instrument.code = "other"  # type: ignore[misc]


def test_optional_keys_may_be_left_out() -> None:
    data = document()
    for key in ("recall_period", "instructions", "own_measure", "safety"):
        del data[key]
    for key in ("bands", "reliable_change", "clinical_cutoff"):
        del data["scales"][0][key]

    instrument = parse(data)

    assert instrument.instructions == ""
    assert instrument.own_measure is False
    assert instrument.safety == ()
    assert instrument.scale("total").bands == ()
    assert instrument.scale("total").clinical_cutoff is None


def test_licensed_instrument_without_wording_parses() -> None:
    instrument = parse(unlicensed_document())

    assert all(item.text is None for item in instrument.items)
    assert all(option.label is None for option in instrument.response_sets["often"])


def test_item_bounds_are_the_lowest_and_highest_value_an_answer_can_take() -> None:
    instrument = parse(document())

    assert item_bounds(instrument.item("a")) == (0, 3)
    assert item_bounds(instrument.item("days")) == (0, 10)


def test_conversion_table_and_mean_rule_parse() -> None:
    data = document()
    data["scales"][0]["rule"] = {
        "type": "sum",
        "missing": {"type": "complete_only"},
        "conversion": {str(raw): raw * 2 for raw in range(10)},
        "decimals": 1,
    }
    data["scales"][0]["range"] = [0, 18]
    data["scales"][0]["bands"] = [{"from": 0, "to": 18, "label": "All"}]
    data["scales"][0]["clinical_cutoff"]["value"] = 10
    data["scales"][1]["rule"] = {"type": "mean", "missing": {"type": "complete_only"}, "decimals": 2}

    instrument = parse(data)

    assert instrument.scale("total").rule.conversion == {raw: raw * 2 for raw in range(10)}


Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        keys = [int(key) if key.isdigit() else key for key in path.split(".")]
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        keys = [int(key) if key.isdigit() else key for key in path.split(".")]
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return mutate


REFUSALS: list[tuple[str, Mutation, str]] = [
    ("wrong format", _set("format", "redcap"), 'demo: format must be "peerpath-instrument"'),
    ("wrong format version", _set("format_version", 2), "demo: format_version must be 1"),
    ("format version true", _set("format_version", True), "demo: format_version must be 1"),
    ("missing name", _delete("name"), "demo: name is required"),
    ("missing licence key", _delete("licence.decision"), "demo: licence.decision is required"),
    ("unknown top-level key", _set("colour", "blue"), "demo: colour is not a known key"),
    (
        "misspelt optional key",
        _set("scales.0.reliable_chnage", {}),
        "demo: scales[0].reliable_chnage is not a known key",
    ),
    ("bad code", _set("code", "PHQ 9"), "instrument: code must be an identifier"),
    ("version zero", _set("version", 0), "demo: version must be a positive whole number"),
    ("scoring version text", _set("scoring_version", "1"), "demo: scoring_version must be a positive whole number"),
    ("unknown respondent", _set("respondent", "nurse"), 'demo: respondent must be one of "carer"'),
    ("unknown licence class", _set("licence.class", "gpl"), 'demo: licence.class must be one of "free"'),
    ("ships_text not bool", _set("licence.ships_text", "yes"), "demo: licence.ships_text must be true or false"),
    ("duplicate item id", _set("items.1.id", "a"), 'demo: items[1].id repeats the item id "a"'),
    ("unknown item kind", _set("items.0.kind", "text"), 'demo: items[0].kind must be one of "choice"'),
    ("missing item key", _delete("items.0.reverse"), "demo: items[0].reverse is required"),
    ("choice item with min", _set("items.0.min", 0), "demo: items[0].min is not a known key"),
    (
        "response set that does not exist",
        _set("items.0.response_set", "agree"),
        "demo: items[0].response_set names a response set that does not exist: 'agree'",
    ),
    (
        "choice value not a number",
        _set("response_sets.often.2.value", "2"),
        "demo: response_sets.often[2].value must be a number",
    ),
    (
        "choice value a bool",
        _set("response_sets.often.0.value", False),
        "demo: response_sets.often[0].value must be a number",
    ),
    (
        "duplicate choice value",
        _set("response_sets.often.1.value", 0),
        "demo: response_sets.often[1].value repeats the value 0",
    ),
    ("empty response set", _set("response_sets.often", []), "demo: response_sets.often must be a non-empty list"),
    ("min above max", _set("items.3.min", 11), "demo: items[3].min must not be greater than max (11 > 10)"),
    ("zero step", _set("items.3.step", 0), "demo: items[3].step must be greater than 0"),
    ("max off the step", _set("items.3.step", 3), "demo: items[3].max must be min plus a whole number of steps"),
    ("number item without max", _delete("items.3.max"), "demo: items[3].max is required"),
    ("item number zero", _set("items.0.number", 0), "demo: items[0].number must be a positive whole number"),
    ("no items", _set("items", []), "demo: items must be a non-empty list"),
    (
        "unknown item in a scale",
        _set("scales.0.items.2", "z"),
        "demo: scales[0].items[2] names an unknown item id: 'z'",
    ),
    ("item twice in a scale", _set("scales.0.items.2", "a"), 'demo: scales[0].items[2] repeats the item "a"'),
    ("duplicate scale code", _set("scales.1.code", "total"), 'demo: scales[1].code repeats the scale code "total"'),
    ("unknown rule type", _set("scales.0.rule.type", "product"), 'demo: scales[0].rule.type must be one of "sum"'),
    (
        "unknown missing type",
        _set("scales.0.rule.missing.type", "impute"),
        "demo: scales[0].rule.missing.type must be one of",
    ),
    (
        "negative max_missing",
        _set("scales.0.rule.missing.max_missing", -1),
        "demo: scales[0].rule.missing.max_missing must be a whole number >= 0",
    ),
    (
        "fractional max_missing",
        _set("scales.0.rule.missing.max_missing", 1.5),
        "demo: scales[0].rule.missing.max_missing must be a whole number >= 0",
    ),
    (
        "max_missing as many as the items",
        _set("scales.0.rule.missing.max_missing", 3),
        "demo: scales[0].rule.missing.max_missing must be less than the number of items (3)",
    ),
    (
        "complete_only with max_missing",
        _set("scales.1.rule.missing", {"type": "complete_only", "max_missing": 0}),
        "demo: scales[1].rule.missing.max_missing is not a known key",
    ),
    (
        "negative decimals",
        _set("scales.0.rule.decimals", -1),
        "demo: scales[0].rule.decimals must be a whole number >= 0",
    ),
    (
        "range min above max",
        _set("scales.0.range", [9, 0]),
        "demo: scales[0].range must not have its lowest above its highest",
    ),
    ("range not a pair", _set("scales.0.range", [0]), "demo: scales[0].range must be a list of two numbers"),
    (
        "range the rule cannot give",
        _set("scales.0.range", [0, 10]),
        "demo: scales[0].range must be [0, 9], the lowest and highest score its rule can give",
    ),
    (
        "unknown direction",
        _set("scales.0.direction", "up"),
        'demo: scales[0].direction must be one of "higher_is_better"',
    ),
    (
        "bands that overlap",
        _set("scales.0.bands", [{"from": 0, "to": 5, "label": "Low"}, {"from": 5, "to": 9, "label": "High"}]),
        "demo: scales[0].bands[1].from overlaps scales[0].bands[0] (which runs to 5)",
    ),
    (
        "bands with a gap",
        _set("scales.0.bands", [{"from": 0, "to": 3, "label": "Low"}, {"from": 5, "to": 9, "label": "High"}]),
        "demo: scales[0].bands[1].from leaves a gap after scales[0].bands[0] (which runs to 3)",
    ),
    (
        "bands with a gap at finer precision",
        _set("scales.0.bands", [{"from": 0, "to": 4, "label": "Low"}, {"from": 4.5, "to": 9, "label": "High"}]),
        "demo: scales[0].bands[1].from leaves a gap after scales[0].bands[0] (which runs to 4)",
    ),
    (
        "bands starting above the range",
        _set("scales.0.bands", [{"from": 1, "to": 9, "label": "All"}]),
        "demo: scales[0].bands[0].from must start at the lowest score of the range (0)",
    ),
    (
        "bands ending below the range",
        _set("scales.0.bands", [{"from": 0, "to": 8, "label": "All"}]),
        "demo: scales[0].bands[0].to must end at the highest score of the range (9)",
    ),
    (
        "band from above to",
        _set("scales.0.bands", [{"from": 9, "to": 0, "label": "All"}]),
        "demo: scales[0].bands[0].from must not be greater than to (9 > 0)",
    ),
    (
        "reliability of one",
        _set("scales.0.reliable_change.reliability", 1),
        "demo: scales[0].reliable_change.reliability must be between 0 and 1",
    ),
    (
        "negative sd",
        _set("scales.0.reliable_change.sd", -2),
        "demo: scales[0].reliable_change.sd must be greater than 0",
    ),
    (
        "reliable change without source",
        _delete("scales.0.reliable_change.source"),
        "demo: scales[0].reliable_change.source is required",
    ),
    (
        "cut-off outside the range",
        _set("scales.0.clinical_cutoff.value", 12),
        "demo: scales[0].clinical_cutoff.value must lie within",
    ),
    (
        "safety rule on an unknown item",
        _set("safety.0.item", "q9"),
        "demo: safety[0].item names an unknown item id: 'q9'",
    ),
    (
        "safety rule no answer can trigger",
        _set("safety.0.above", 3),
        "demo: safety[0].above must be at least 0 and below 3",
    ),
    ("safety rule without message", _set("safety.0.message", ""), "demo: safety[0].message must be a non-empty string"),
    (
        "reverse_from narrower than a reversed item",
        _set("scales.0.rule.reverse_from", [1, 3]),
        'demo: scales[0].rule.reverse_from must include every value of the reversed item "b"',
    ),
    (
        "conversion on a mean",
        _set("scales.0.rule", {"type": "mean", "missing": {"type": "complete_only"}, "conversion": {}}),
        "demo: scales[0].rule.conversion converts whole raw sums, so it needs a sum rule",
    ),
]


@pytest.mark.parametrize(("mutate", "message"), [(m, msg) for _, m, msg in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_parse_refuses_with_a_message_naming_the_bad_key(mutate: Mutation, message: str) -> None:
    data = copy.deepcopy(document())
    mutate(data)

    with pytest.raises(DefinitionError, match="^" + re.escape(message)):
        parse(data)


def test_parse_refuses_a_conversion_table_missing_a_possible_raw_sum() -> None:
    data = document()
    table = {str(raw): raw for raw in range(10) if raw != 4}
    data["scales"][0]["rule"] = {"type": "sum", "missing": {"type": "complete_only"}, "conversion": table}

    with pytest.raises(
        DefinitionError,
        match=re.escape("demo: scales[0].rule.conversion must cover every possible raw sum 0..9; missing [4]"),
    ):
        parse(data)


def test_parse_refuses_a_conversion_table_with_raw_sums_that_cannot_occur() -> None:
    data = document()
    table = {str(raw): raw for raw in range(11)}
    data["scales"][0]["rule"] = {"type": "sum", "missing": {"type": "complete_only"}, "conversion": table}

    with pytest.raises(
        DefinitionError, match=re.escape("demo: scales[0].rule.conversion has raw sums that cannot occur ([10])")
    ):
        parse(data)


def test_parse_refuses_a_conversion_key_that_is_not_a_whole_number() -> None:
    data = document()
    data["scales"][0]["rule"] = {"type": "sum", "missing": {"type": "complete_only"}, "conversion": {"4.5": 4}}

    with pytest.raises(
        DefinitionError, match=re.escape("demo: scales[0].rule.conversion.4.5 must be keyed by a whole raw sum")
    ):
        parse(data)


def test_parse_refuses_prorating_items_with_different_bounds() -> None:
    data = document()
    data["scales"][0]["items"] = ["a", "days"]
    data["scales"][0]["range"] = [0, 13]

    with pytest.raises(
        DefinitionError, match=re.escape("demo: scales[0].rule.missing can prorate only items that share")
    ):
        parse(data)


@pytest.mark.parametrize("where", ["item text", "option label", "instructions"])
def test_parse_refuses_wording_when_the_licence_does_not_ship_text(where: str) -> None:
    data = unlicensed_document()
    if where == "item text":
        data["items"][1]["text"] = "Licensed wording"
        message = "demo: items[1].text must be null when licence.ships_text is false"
    elif where == "option label":
        data["response_sets"]["often"][2]["label"] = "Often"
        message = "demo: response_sets.often[2].label must be null when licence.ships_text is false"
    else:
        data["instructions"] = "Licensed instructions"
        message = "demo: instructions must be empty when licence.ships_text is false"

    with pytest.raises(DefinitionError, match="^" + re.escape(message)):
        parse(data)


def test_parse_refuses_an_item_without_text_when_the_licence_ships_text() -> None:
    data = document()
    data["items"][0]["text"] = None

    with pytest.raises(
        DefinitionError, match=re.escape("demo: items[0].text must be given when licence.ships_text is true")
    ):
        parse(data)


def test_parse_names_the_document_when_it_has_no_code() -> None:
    data = document()
    del data["code"]

    with pytest.raises(DefinitionError, match=re.escape("instrument: code is required")):
        parse(data)


def test_parse_refuses_something_that_is_not_an_object() -> None:
    with pytest.raises(DefinitionError, match="must be a JSON object"):
        parse([])  # type: ignore[arg-type]


def test_load_file_reads_decimals_exactly(tmp_path: Any) -> None:
    data = document()
    data["scales"][0]["reliable_change"]["sd"] = 3.921
    path = tmp_path / "demo-v1.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    instrument = load_file(path)

    assert instrument.scale("total").reliable_change is not None
    assert instrument.scale("total").reliable_change.sd == Decimal("3.921")


def test_load_file_refuses_a_file_that_is_not_json(tmp_path: Any) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(DefinitionError, match=r"^broken\.json: cannot be read as JSON"):
        load_file(path)


def test_shipped_reads_every_file_in_name_order(tmp_path: Any) -> None:
    for code in ("zeta", "alpha"):
        (tmp_path / f"{code}-v1.json").write_text(json.dumps(document(code=code)), encoding="utf-8")
    (tmp_path / "README.txt").write_text("not an instrument", encoding="utf-8")

    assert [instrument.code for instrument in shipped(tmp_path)] == ["alpha", "zeta"]


def test_shipped_refuses_two_files_with_the_same_code_and_version(tmp_path: Any) -> None:
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(document()), encoding="utf-8")

    with pytest.raises(DefinitionError, match=re.escape("demo: version 1 is defined twice (a.json and b.json)")):
        shipped(tmp_path)
