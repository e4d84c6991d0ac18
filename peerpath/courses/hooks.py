"""Questions the course pages ask of apps above them (ARCHITECTURE.md).

A course adopted from another area's programme bundle came with the co-production record
it had there. The bundles app, which sits above courses, knows that; the course page asks
through :func:`origin_of`, and the bundles app registers its answer at start-up with
:func:`register_origin_lookup`. Until it does, no course has an origin and nothing is
queried.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Origin:
    """Where an adopted course came from, and how it was co-produced there (hours and counts only)."""

    source: str
    adopted_on: date
    co_produced: bool
    contributions: int
    hours: Decimal
    lived_design_share: Decimal | None


OriginLookup = Callable[[uuid.UUID], Origin | None]

_lookup: OriginLookup | None = None


def register_origin_lookup(lookup: OriginLookup | None) -> OriginLookup | None:
    """Install the answer (``None`` removes it); returns the one it replaces."""
    global _lookup
    previous, _lookup = _lookup, lookup
    return previous


def origin_of(course_id: uuid.UUID) -> Origin | None:
    """Where the course was adopted from, if it was (one query once an answer is registered)."""
    return _lookup(course_id) if _lookup is not None else None
