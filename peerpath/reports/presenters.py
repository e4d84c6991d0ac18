"""How report figures read on pages and in the programme report.

Only ``disclosure.protect`` calls these: it decides what may be shown, and these decide how
it reads, so a page, a chart label and the programme report never format the same figure two
ways. Exports hold the numbers (``Cell.value``), rounded by ``rounded`` to the same places as
the text, so a spreadsheet and the page it came from agree to the last digit.

Rounding is half up on the value as written (0.125 to two places is 0.13), which is what a
reader checking a figure by hand expects; Python's ``round`` and ``format`` round the binary
float instead, and half to even, so 2.675 would read 2.67.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

# A hidden figure, as the NHS method prints it.
HIDDEN = "*"
# No value at all (no responses, nothing to compare): an en dash, not a hyphen.
NO_VALUE = "\u2013"
# A true minus sign: a hyphen is read out as "hyphen" by some screen readers and looks short.
MINUS = "\u2212"
# Amounts of money at or above this are shown in whole pounds; pence below it.
WHOLE_POUNDS_FROM = Decimal(100)

Number = int | float | Decimal


def is_missing(value: object) -> bool:
    """None, or a float that is not a number (a mean of nothing that slipped through as NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def rounded(value: Number, decimals: int) -> Decimal:
    """``value`` rounded half up to ``decimals`` places, as a Decimal (never a negative zero).

    ``Decimal(str(x))`` takes a float as Python prints it (2.675, not 2.67499999…), so the
    rounding is that of the figure as written.
    """
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    result = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    # -0.04 to one place is a negative zero, which would print with a minus sign.
    return abs(result) if result == 0 else result


def _signed(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def format_count(value: int) -> str:
    """1,235"""
    return _signed(f"{value:,}")


def format_number(value: Number, decimals: int) -> str:
    """A mean, statistic or ratio: 1,234.5 (thousands separated; a true minus sign when negative)."""
    return _signed(f"{rounded(value, decimals):,.{decimals}f}")


# The smallest p value written as a number; smaller ones read "<0.001".
SMALLEST_P = Decimal("0.001")


def format_p(value: Number) -> str:
    """0.034, or <0.001 for a p value that three places would show as 0.000."""
    return f"<{SMALLEST_P}" if Decimal(str(value)) < SMALLEST_P else format_number(value, 3)


def format_percent(value: Number, decimals: int) -> str:
    """60.0%"""
    return f"{format_number(value, decimals)}%"


def money_places(value: Number) -> int:
    """Pence below £100, whole pounds from there (pence on £1,234.56 are noise in a mean cost)."""
    return 0 if abs(rounded(value, 2)) >= WHOLE_POUNDS_FROM else 2


def format_money(value: Number) -> str:
    """£1,234 or £12.50; a true minus sign before the pound sign when negative."""
    places = money_places(value)
    amount = rounded(value, places)
    sign = MINUS if amount < 0 else ""
    return f"{sign}£{abs(amount):,.{places}f}"


def format_fixed(value: object, decimals: int) -> str:
    """A value not about individuals (a unit cost, a benchmark share): shown as it is."""
    if is_missing(value):
        return NO_VALUE
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return format_count(value)
    if isinstance(value, float | Decimal):
        return format_number(value, decimals)
    return str(value)
