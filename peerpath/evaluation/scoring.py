"""The scoring engine: pure functions over plain values, one per rule type (ADR 016).

Arithmetic is exact (``Fraction``) until the one rounding a rule asks for:

- a complete sum stays exact unless the rule gives ``decimals``;
- a mean, and a prorated sum, are rounded to the rule's ``decimals`` (default 2), half up
  (halves away from zero, as ``decimal.ROUND_HALF_UP``);
- with a conversion table the raw sum is looked up as a whole number: a prorated (or
  otherwise fractional) raw sum is first rounded half up to a whole number, so 12.5 is
  looked up as 13 and 12.49 as 12; the converted value is the table's, rounded to
  ``decimals`` only when the rule gives them.

Answers are checked, never clamped: an unknown item id, a value outside an item's options
or bounds, or something that is not a number raises ``ScoringError``. Forms validate first;
reaching this error is a bug upstream, not a score to guess at.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Literal

from peerpath.evaluation.definitions import (
    Band,
    Instrument,
    Item,
    MissingRule,
    SafetyRule,
    Scale,
    exact_decimal,
    item_bounds,
    round_half_up,
    rule_decimals,
)

Answer = int | float | Decimal | Fraction | None
Outcome = Literal["recovered", "improved", "unchanged", "deteriorated"]

# |RCI| must exceed this for a change to be reliable (p < 0.05, two-sided; Jacobson & Truax 1991).
RELIABLE_Z = Decimal("1.96")


class ScoringError(ValueError):
    """Answers the engine cannot score: unknown items, values not allowed, not numbers."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScaleScore:
    """One scale's score, with what made it, so that it can be stored and audited.

    ``raw`` is the score before conversion: for a converted scale, the whole raw sum looked
    up in the table; otherwise equal to ``value``.
    """

    value: Decimal
    raw: Decimal
    answered: int
    missing: int
    prorated: bool
    band: str | None
    scoring_version: int


# ---------------------------------------------------------------------------------------
# One function per rule type


def reverse(value: Fraction, lowest: Fraction, highest: Fraction) -> Fraction:
    """Reverse-score ``value`` on [lowest, highest]: lowest + highest - value (1..5: 1 <-> 5)."""
    return lowest + highest - value


def apply_missing(values: Sequence[Fraction | None], rule: MissingRule) -> list[Fraction] | None:
    """Apply the missing-item rule; None when the scale cannot be scored.

    ``complete_only``: any missing value makes the scale missing. ``prorate``: up to
    ``max_missing`` missing values are each replaced by the exact mean of the answered
    values (so a prorated sum is the answered sum x items / answered); more, or none
    answered, makes the scale missing.
    """
    answered = [value for value in values if value is not None]
    missing = len(values) - len(answered)
    if missing == 0:
        return answered
    if rule.type == "complete_only" or missing > rule.max_missing or not answered:
        return None
    mean = sum(answered, Fraction(0)) / len(answered)
    return [mean if value is None else value for value in values]


def sum_rule(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0))


def mean_rule(values: Sequence[Fraction]) -> Fraction:
    if not values:
        raise ScoringError("a mean needs at least one value")
    return sum(values, Fraction(0)) / len(values)


def convert(raw: Fraction | Decimal | int, table: Mapping[int, Decimal]) -> Decimal:
    """Look a whole raw sum up in a conversion table (round a prorated sum half up first)."""
    exact = Fraction(raw)
    if exact.denominator != 1:
        raise ScoringError(f"a conversion needs a whole raw sum, not {raw}")
    if exact.numerator not in table:
        raise ScoringError(f"the raw sum {exact.numerator} is not in the conversion table")
    return table[exact.numerator]


def band(score: Decimal | Fraction | int, bands: Sequence[Band]) -> str | None:
    """The label of the band ``score`` falls in; None when the scale has no bands.

    Bands are inclusive (a score equal to ``to`` is in that band). A band's ``from`` is a
    threshold the score must reach: a mean or prorated score between one band's ``to`` and
    the next band's ``from`` (14.5 between 10-14 and 15-19) stays in the lower band.
    """
    if not bands:
        return None
    value = Fraction(score)
    if value < bands[0].from_ or value > bands[-1].to:
        raise ScoringError(f"the score {score} lies outside the bands {bands[0].from_}..{bands[-1].to}")
    label = bands[0].label
    for candidate in bands:
        if candidate.from_ <= value:
            label = candidate.label
    return label


# ---------------------------------------------------------------------------------------
# Scales and instruments


def check_answers(instrument: Instrument, answers: Mapping[str, Answer]) -> dict[str, Fraction | None]:
    """Every answer as an exact value (None for unanswered); refuse unknown items and bad values."""
    items = {item.id: item for item in instrument.items}
    checked: dict[str, Fraction | None] = dict.fromkeys(items)
    for item_id, answer in answers.items():
        if item_id not in items:
            raise ScoringError(f"{instrument.code}: no item {item_id!r}")
        checked[item_id] = None if answer is None else checked_value(instrument.code, items[item_id], answer)
    return checked


def checked_value(code: str, item: Item, answer: object) -> Fraction:
    """``answer`` as an exact value if ``item`` allows it (one of its options, or within
    min..max on a whole step from min); ``ScoringError`` naming ``code`` and the item otherwise.
    The one rule for what an item accepts: ``answers.clean_answer`` uses it too."""
    if isinstance(answer, bool) or not isinstance(answer, int | float | Decimal | Fraction):
        raise ScoringError(f"{code}: the answer to {item.id} is not a number: {answer!r}")
    if isinstance(answer, float) and not math.isfinite(answer):
        raise ScoringError(f"{code}: the answer to {item.id} is not a number: {answer!r}")
    if isinstance(answer, Decimal) and not answer.is_finite():
        raise ScoringError(f"{code}: the answer to {item.id} is not a number: {answer!r}")
    # str() first for floats, so 0.1 is one tenth rather than the binary float nearest it.
    value = Fraction(str(answer)) if isinstance(answer, float) else Fraction(answer)
    if item.kind == "choice":
        if all(Fraction(option.value) != value for option in item.options):
            allowed = ", ".join(str(option.value) for option in item.options)
            raise ScoringError(f"{code}: {answer} is not an allowed answer to {item.id} ({allowed})")
        return value
    assert item.min is not None and item.max is not None and item.step is not None  # noqa: S101 - parse
    if not item.min <= value <= item.max:
        raise ScoringError(f"{code}: {answer} is outside {item.min}..{item.max} for {item.id}")
    if (value - Fraction(item.min)) % Fraction(item.step) != 0:
        raise ScoringError(f"{code}: {answer} is not a step of {item.step} from {item.min} for {item.id}")
    return value


def score_scale(scale: Scale, instrument: Instrument, answers: Mapping[str, Answer]) -> ScaleScore | None:
    """Score one scale; None when its missing-item rule says it cannot be scored.

    Steps: check every answer, reverse-score reversed items, apply the missing-item rule,
    sum or average, round (see the module docstring), convert, band.
    """
    checked = check_answers(instrument, answers)
    rule = scale.rule
    values: list[Fraction | None] = []
    for item_id in scale.items:
        answer = checked[item_id]
        item = instrument.item(item_id)
        if answer is not None and item.reverse:
            lowest, highest = rule.reverse_from if rule.reverse_from is not None else item_bounds(item)
            answer = reverse(answer, Fraction(lowest), Fraction(highest))
        values.append(answer)
    filled = apply_missing(values, rule.missing)
    if filled is None:
        return None
    missing = sum(1 for value in values if value is None)
    prorated = missing > 0
    raw = sum_rule(filled) if rule.type == "sum" else mean_rule(filled)
    score: Decimal
    if rule.conversion is not None:
        whole = round_half_up(raw, 0)
        score = convert(whole, rule.conversion)
        if rule.decimals is not None:
            score = round_half_up(Fraction(score), rule.decimals)
        raw_score = whole
    else:
        places = rule_decimals(rule, prorated=prorated)
        score = exact_decimal(raw) if places is None else round_half_up(raw, places)
        raw_score = score
    return ScaleScore(
        value=score,
        raw=raw_score,
        answered=len(values) - missing,
        missing=missing,
        prorated=prorated,
        band=band(score, scale.bands),
        scoring_version=instrument.scoring_version,
    )


def score_all(instrument: Instrument, answers: Mapping[str, Answer]) -> dict[str, ScaleScore | None]:
    """Every scale of the instrument, by scale code (None for a scale that cannot be scored)."""
    return {scale.code: score_scale(scale, instrument, answers) for scale in instrument.scales}


def triggered_safety_rules(instrument: Instrument, answers: Mapping[str, Answer]) -> list[SafetyRule]:
    """The safety rules whose item was answered above their threshold (help now, follow-up task)."""
    checked = check_answers(instrument, answers)
    return [rule for rule in instrument.safety if (value := checked[rule.item]) is not None and value > rule.above]


# ---------------------------------------------------------------------------------------
# Reliable and clinically significant change (Jacobson & Truax 1991; REFERENCE.md section 7)


def reliable_change_index(
    before: Decimal | int, after: Decimal | int, sd: Decimal | int, reliability: Decimal | int
) -> Decimal:
    """RCI = (after - before) / S_diff, with SE = sd x sqrt(1 - r) and S_diff = sqrt(2 x SE^2).

    Computed in Decimal to 28 significant digits; not rounded (compare |RCI| with 1.96).
    """
    before, after, sd, reliability = (Decimal(value) for value in (before, after, sd, reliability))
    if sd <= 0 or not 0 <= reliability < 1:
        raise ValueError("the RCI needs sd > 0 and 0 <= reliability < 1")
    with localcontext() as context:
        context.prec = 28
        standard_error = sd * (1 - reliability).sqrt()
        s_diff = (2 * standard_error * standard_error).sqrt()
        return (after - before) / s_diff


def jacobson_truax(before: Decimal | int, after: Decimal | int, scale: Scale) -> Outcome | None:
    """Classify a change on ``scale``: recovered, improved, unchanged or deteriorated.

    None when the scale lacks a reliable-change SD and reliability, a clinical cut-off, or a
    direction. Reliable change: |RCI| > 1.96, its sign read through the scale's direction.
    Recovered: a reliable improvement that starts in the clinical range and ends outside it.
    A score equal to the cut-off counts as clinical on either kind of scale, so recovery means
    passing beyond the cut-off (PHQ-9 caseness is ">= 10": 10 is a case, 9 is not).
    """
    change, cutoff = scale.reliable_change, scale.clinical_cutoff
    if change is None or cutoff is None or scale.direction == "none":
        return None
    rci = reliable_change_index(before, after, change.sd, change.reliability)
    improvement = rci if scale.direction == "higher_is_better" else -rci
    if improvement < -RELIABLE_Z:
        return "deteriorated"
    if improvement <= RELIABLE_Z:
        return "unchanged"
    before_value, after_value = Decimal(before), Decimal(after)
    if scale.direction == "higher_is_worse":
        crossed = before_value >= cutoff.value > after_value
    else:
        crossed = before_value <= cutoff.value < after_value
    return "recovered" if crossed else "improved"
