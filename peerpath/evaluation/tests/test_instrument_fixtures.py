"""Every shipped instrument scored against hand-worked fixtures, and the SWEMWBS table in full.

A fixture file (``tests/fixtures/*.json``) holds ``{"instrument", "version", "cases": [{"name",
"answers", "expected": {scale_code: number | null}, "worked"}]}``: ``worked`` shows the
arithmetic by hand, from the instrument's manual, so the expected values do not come from
the engine they test.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from peerpath.evaluation.definitions import INSTRUMENTS_DIR, Instrument, item_bounds, load_file
from peerpath.evaluation.scoring import score_all, score_scale

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


def read_fixture(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def shipped_by_key() -> dict[tuple[str, int], Instrument]:
    instruments = (load_file(path) for path in sorted(INSTRUMENTS_DIR.glob("*.json")))
    return {(instrument.code, instrument.version): instrument for instrument in instruments}


def fixture_cases() -> list[Any]:
    params = []
    for path in sorted(FIXTURES_DIR.glob("*.json")):
        try:
            fixture = read_fixture(path)
            cases = fixture["cases"]
            label = f"{fixture['instrument']}-v{fixture['version']}"
        except (ValueError, KeyError, TypeError) as error:
            params.append(pytest.param(path, None, id=f"{path.stem}/unreadable: {error}"))
            continue
        for index, case in enumerate(cases):
            name = case.get("name", f"case {index}") if isinstance(case, dict) else f"case {index}"
            params.append(pytest.param(path, index, id=f"{label}/{name}"))
    return params or [pytest.param(None, None, marks=pytest.mark.skip(reason="no fixture files yet"), id="none")]


@pytest.mark.parametrize(("path", "index"), fixture_cases())
def test_fixture_case_scores_as_worked_by_hand(path: Path, index: int | None) -> None:
    fixture = read_fixture(path)
    assert index is not None, f"{path.name} cannot be read as a fixture file"
    instruments = shipped_by_key()
    key = (fixture["instrument"], fixture["version"])
    assert key in instruments, f"{path.name}: no shipped instrument {key[0]} version {key[1]}"
    instrument = instruments[key]
    case = fixture["cases"][index]
    assert isinstance(case.get("worked"), str) and case["worked"].strip(), "every case shows its working"
    assert set(case["expected"]) == {scale.code for scale in instrument.scales}, "expected names every scale"

    scores = score_all(instrument, case["answers"])

    for code, expected in case["expected"].items():
        score = scores[code]
        if expected is None:
            assert score is None, f"{code}: expected no score, got {score}"
            continue
        assert score is not None, f"{code}: expected {expected}, got no score"
        # Numeric equality of Decimals is exact: 11.67 matches 11.67 (and 11.670), not 11.666.
        assert score.value == Decimal(str(expected)), f"{code}: expected {expected}, got {score.value}"


def case_kinds(instrument: Instrument, answers: dict[str, Any]) -> set[str]:
    """Which of all-minimum, all-maximum, mixed and missing-item this case's answers are.

    Judged on the items the scales score, by answer value (before any reversal).
    """
    scored_ids = {item_id for scale in instrument.scales for item_id in scale.items}
    values = {item_id: answers.get(item_id) for item_id in scored_ids}
    if any(value is None for value in values.values()):
        return {"missing"}
    lows = {item_id: item_bounds(instrument.item(item_id))[0] for item_id in scored_ids}
    highs = {item_id: item_bounds(instrument.item(item_id))[1] for item_id in scored_ids}
    if all(Decimal(str(values[item_id])) == lows[item_id] for item_id in scored_ids):
        return {"minimum"}
    if all(Decimal(str(values[item_id])) == highs[item_id] for item_id in scored_ids):
        return {"maximum"}
    return {"mixed"}


SHIPPED = sorted(INSTRUMENTS_DIR.glob("*.json"))


@pytest.mark.parametrize(
    "instrument_path",
    [pytest.param(path, id=path.stem) for path in SHIPPED]
    or [pytest.param(None, marks=pytest.mark.skip(reason="no instrument files shipped yet"), id="none")],
)
def test_every_shipped_instrument_has_minimum_maximum_mixed_and_missing_fixtures(instrument_path: Path) -> None:
    instrument = load_file(instrument_path)
    if not instrument.scales:
        pytest.skip(f"{instrument.code} has no scales to score")
    fixtures = [
        fixture
        for fixture in (read_fixture(path) for path in sorted(FIXTURES_DIR.glob("*.json")))
        if (fixture.get("instrument"), fixture.get("version")) == (instrument.code, instrument.version)
    ]
    if not fixtures:
        pytest.skip(f"no fixture file yet for {instrument.code} version {instrument.version}")

    kinds = set().union(*(case_kinds(instrument, case["answers"]) for fixture in fixtures for case in fixture["cases"]))

    assert kinds >= {"minimum", "maximum", "mixed", "missing"}, f"{instrument.code} fixtures cover only {sorted(kinds)}"


# Raw SWEMWBS sum -> metric score, typed by hand from REFERENCE.md section 5.2 (Stewart-Brown
# et al. 2009), independently of the data file.
SWEMWBS_METRIC = {
    7: "7.00", 8: "9.51", 9: "11.25", 10: "12.40", 11: "13.33", 12: "14.08", 13: "14.75",
    14: "15.32", 15: "15.84", 16: "16.36", 17: "16.88", 18: "17.43", 19: "17.98", 20: "18.59",
    21: "19.25", 22: "19.98", 23: "20.73", 24: "21.54", 25: "22.35", 26: "23.21", 27: "24.11",
    28: "25.03", 29: "26.02", 30: "27.03", 31: "28.13", 32: "29.31", 33: "30.70", 34: "32.55",
    35: "35.00",
}  # fmt: skip


def swemwbs() -> Instrument:
    candidates = [instrument for instrument in shipped_by_key().values() if instrument.code == "swemwbs"]
    if not candidates:
        pytest.skip("SWEMWBS is not shipped yet")
    return max(candidates, key=lambda instrument: instrument.version)


def answers_summing_to(instrument: Instrument, item_ids: tuple[str, ...], raw: int) -> dict[str, int]:
    """Seven answers of 1..5 adding up to ``raw``: fill items to 5 from the first, rest at 1."""
    answers = dict.fromkeys(item_ids, 1)
    extra = raw - len(item_ids)
    for item_id in item_ids:
        step = min(4, extra)
        answers[item_id] += step
        extra -= step
    assert extra == 0 and sum(answers.values()) == raw
    return answers


@pytest.mark.parametrize("raw", sorted(SWEMWBS_METRIC))
def test_swemwbs_conversion_matches_the_reference_table_across_its_whole_range(raw: int) -> None:
    instrument = swemwbs()
    (scale,) = [scale for scale in instrument.scales if scale.rule.conversion is not None]

    score = score_scale(scale, instrument, answers_summing_to(instrument, scale.items, raw))

    assert score is not None
    assert score.raw == raw
    assert score.value == Decimal(SWEMWBS_METRIC[raw])


def test_swemwbs_table_covers_exactly_the_raw_range_7_to_35() -> None:
    instrument = swemwbs()
    (scale,) = [scale for scale in instrument.scales if scale.rule.conversion is not None]

    assert scale.rule.conversion is not None
    assert dict(scale.rule.conversion) == {raw: Decimal(metric) for raw, metric in SWEMWBS_METRIC.items()}
    assert scale.rule.missing.type == "complete_only"  # Warwick: convert complete responses only
