"""Questions the people pages ask of apps above them (ARCHITECTURE.md).

The forms for adding a person and a caring relationship say "carer" and "the person they
care for" unless the reader's programme says otherwise. Programmes sit above people, so
the people app asks through :func:`words_for`, and the programmes app registers its answer
at start-up with :func:`register_words`. Until it does, the words are the carers' ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Words:
    person: str = "carer"
    a_person: str = "a carer"
    people: str = "carers"
    cared_for_third: str = "the person they care for"


WordsLookup = Callable[[HttpRequest], Words]

_lookup: WordsLookup | None = None


def register_words(lookup: WordsLookup | None) -> WordsLookup | None:
    """Install the answer (``None`` removes it); returns the one it replaces."""
    global _lookup
    previous, _lookup = _lookup, lookup
    return previous


def words_for(request: HttpRequest) -> Words:
    """The words for this reader's pages (one query at most, once per request, once registered)."""
    return _lookup(request) if _lookup is not None else Words()
