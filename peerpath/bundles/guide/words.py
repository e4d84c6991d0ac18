"""Words for the guide: numbers, lists and the labels of the format's codes, in the programme's terms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from peerpath.courses.choices import Audience, Capacity, Category, DeliveryMode, Stage
from peerpath.programmes.terms import Terms, upper_first

TIMEPOINTS = ("baseline", "end", "follow_up")
TIMEPOINT_NAMES = {"baseline": "Before the course", "end": "At the end", "follow_up": "Follow-up"}
LICENCE_CLASSES = {
    "free": "Free to use",
    "public_domain": "Public domain",
    "cc": "Creative Commons licence",
    "registration": "Free to use after registering with its owners",
    "proprietary": "Proprietary: a site needs a licence to use it",
    "own": "The programme's own measure",
}
DIRECTIONS = {
    "higher_is_better": "A higher score is better",
    "higher_is_worse": "A higher score is worse",
    "none": "Neither: a count, not a judgement",
}
RULE_TYPES = {"sum": "Sum", "mean": "Mean"}


# Words ---------------------------------------------------------------------------------


def possessive(word: str) -> str:
    """'carers' -> "carers'", 'member' -> "member's"."""
    return f"{word}'" if word.endswith("s") else f"{word}'s"


def with_article(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def word_list(words: Sequence[str], joiner: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def number(value: Decimal | int | float) -> str:
    """A number as a person writes it: 12.50 -> '12.5', 10 -> '10', 3.921 -> '3.921'."""
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def hours(value: Decimal) -> str:
    return number(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def percent(share: Decimal) -> str:
    """A fraction as a whole percentage, halves rounded up: 0.4 -> '40%'."""
    return f"{(share * 100).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"


def exported_on(moment: str) -> str:
    """'2026-11-26T14:05:00+00:00' -> '26 November 2026' (as written, in the exporter's time zone)."""
    try:
        when = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    return f"{when.day} {when:%B %Y}"


def category_label(category: str, terms: Terms) -> str:
    if category == Category.SELF_MANAGEMENT:
        return f"{upper_first(possessive(terms.people))} self-management course"
    return str(Category(category).label) if category in Category.values else category


def audience_label(audience: str, terms: Terms) -> str:
    if audience == Audience.CARERS:
        return upper_first(terms.people)
    return str(Audience(audience).label) if audience in Audience.values else audience


def capacity_label(capacity: str, terms: Terms) -> str:
    if capacity == Capacity.CARER:
        return f"Lived experience as {with_article(terms.person)}"
    return str(Capacity(capacity).label) if capacity in Capacity.values else capacity


def stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage


def mode_label(mode: str) -> str:
    return str(DeliveryMode(mode).label) if mode in DeliveryMode.values else mode


def respondent_label(respondent: str, terms: Terms) -> str:
    if respondent == "carer":
        return f"The {terms.person}, about themselves"
    if respondent == "carer_about_cared_for":
        return f"The {terms.person}, about {terms.cared_for_third}"
    if respondent == "college":
        return "College staff"
    return respondent
