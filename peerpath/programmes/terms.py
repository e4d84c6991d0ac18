"""The words the interface uses for the people a programme serves and their condition.

A programme for carers of people with mental health problems says "carer", "the person you
care for" and "mental health"; the same model adopted for carers of people living with
dementia, or for people living with diabetes, says its own words. Templates read them as
``terms`` (see ``peerpath.programmes.context``), never as literals.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Terms:
    person: str = "carer"
    """One of the people the programme serves, in lower case: "carer"."""
    people: str = "carers"
    """Several of them: "carers"."""
    cared_for: str = "the person you care for"
    """Spoken to one of them: "the person you care for"."""
    cared_for_third: str = "the person they care for"
    """Spoken about one of them: "the person they care for"."""
    condition: str = "mental health"
    """The condition, as in "a mental health crisis" or "living with dementia"."""
    cared_for_group: str = "people with mental health problems"
    """Who the people served support, as in "carers of people with mental health problems"."""
    served: str = "carers of people with mental health problems"
    """Whom the programme serves, as one phrase: "carers of people living with dementia", or
    "people living with diabetes" for a programme whose people live with the condition
    themselves (there "{people} of {cared_for_group}" would not make sense)."""

    @property
    def Person(self) -> str:  # noqa: N802 - read in templates as terms.Person, like a capitalised word
        return upper_first(self.person)

    @property
    def People(self) -> str:  # noqa: N802
        return upper_first(self.people)

    @property
    def Cared_for(self) -> str:  # noqa: N802
        return upper_first(self.cared_for)

    @property
    def Served(self) -> str:  # noqa: N802
        return upper_first(self.served)

    @property
    def Condition(self) -> str:  # noqa: N802
        return upper_first(self.condition)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Terms:
        return cls(**{f.name: str(data[f.name]) for f in fields(cls) if f.name in data})


DEFAULT = Terms()
NAMES = tuple(f.name for f in fields(Terms))
# Longest each term may be: they sit inside headings and sentences.
MAX_LENGTH = 100


def upper_first(text: str) -> str:
    """Capitalise the first letter only ("the NHS" stays "The NHS", unlike str.capitalize)."""
    return text[:1].upper() + text[1:]
