"""Words for the guide: numbers, lists and the labels of the format's codes, in the programme's terms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from peerpath.courses.choices import DeliveryMode, Stage
from peerpath.programmes.terms import Terms

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


def exported_on(moment: str) -> str:
    """'2026-11-26T14:05:00+00:00' -> '26 November 2026' (as written, in the exporter's time zone)."""
    try:
        when = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    return f"{when.day} {when:%B %Y}"


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
