"""Checking one answer against its item: what may be stored, and what to tell the person otherwise.

Pure functions over a parsed ``definitions.Item``; ``responses.save_answers`` and
``responses.submit`` use them, and so will the questionnaire forms.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from peerpath.evaluation import definitions, scoring
from peerpath.evaluation.definitions import Item

# A plain decimal as typed in a form: no exponents, no thousands separators, no "NaN".
_TYPED_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
# What an Answer row can hold exactly (max_digits 8, decimal_places 2).
_STORED_PLACES = Decimal("0.01")
_STORED_LIMIT = Decimal("1000000")

AnswerValue = str | int | Decimal | None


class InvalidAnswerError(ValueError):
    """One answer does not fit its item; the message names the question and what to enter."""


def _shown(value: Decimal) -> str:
    """A bound as people read it: 90, not 90.00 or 9E+1."""
    return format(value.normalize(), "f")


def _question(item: Item) -> str:
    return f"question {item.number}"


def _whole_steps(item: Item) -> bool:
    assert item.min is not None and item.step is not None  # noqa: S101 - parse guarantees it for numbers
    return item.step == 1 and item.min == item.min.to_integral_value()


def answer_hint(item: Item) -> str:
    """What to enter for ``item``, as an error message: shown for a bad or a missing answer."""
    if item.kind == "choice":
        return f"Select an answer for {_question(item)}"
    lowest, highest = definitions.item_bounds(item)
    assert item.step is not None  # noqa: S101 - parse guarantees it for numbers
    if _whole_steps(item):
        return f"Enter a whole number from {_shown(lowest)} to {_shown(highest)} for {_question(item)}"
    return (
        f"Enter a number from {_shown(lowest)} to {_shown(highest)}, in steps of {_shown(item.step)}, "
        f"for {_question(item)}"
    )


def is_blank(value: object) -> bool:
    """An empty answer: it clears the item rather than failing it."""
    return value is None or (isinstance(value, str) and not value.strip())


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str) and _TYPED_NUMBER.match(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
            return None
    return None


def clean_answer(item: Item, value: AnswerValue) -> Decimal:
    """The value to store for a (non-blank) answer to ``item``, or ``InvalidAnswerError``.

    The value must be one the scoring engine accepts (``scoring.checked_value``: one of a
    choice's options, or within min..max on a whole step from min) and one an Answer row
    holds exactly. Nothing is clamped or rounded.
    """
    number = _as_decimal(value)
    if number is None:
        if item.kind == "choice":
            raise InvalidAnswerError(f"Select one of the answers for {_question(item)}")
        raise InvalidAnswerError(answer_hint(item))
    try:
        scoring.checked_value(item.id, item, number)
    except scoring.ScoringError:
        if item.kind == "choice":
            raise InvalidAnswerError(f"Select one of the answers for {_question(item)}") from None
        raise InvalidAnswerError(answer_hint(item)) from None
    if number != number.quantize(_STORED_PLACES) or abs(number) >= _STORED_LIMIT:
        # Only a definition with finer steps than an Answer row holds could get here.
        raise InvalidAnswerError(answer_hint(item))
    return number
