"""Each college's terms with the courses its prospectus offered, and consents to be named as a co-producer."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import models
from django.utils.text import slugify

from peerpath.core.seeding import SeedError
from peerpath.courses.models import Term
from peerpath.courses.seeding.history import Contributed
from peerpath.courses.seeding.pools import (
    CARER,
    COORDINATOR,
    PEER_TUTOR,
    PROFESSIONAL_TUTOR,
    SERVICE_USER,
    Group,
)
from peerpath.people.models import Consent

# (name, first day, last day): English school terms, roughly; starts move to a Monday, ends to a Friday.
SEASONS = (("Spring", (1, 11), (3, 26)), ("Summer", (4, 19), (7, 16)), ("Autumn", (9, 14), (12, 18)))
# A term's prospectus is published about four months ahead.
PUBLISHED_AHEAD = timedelta(days=120)
UPCOMING = timedelta(days=200)
# A course must have been approved a fortnight before a term to be in its prospectus.
LEAD_TIME = timedelta(days=14)

# Who agrees to be named as a co-producer in the prospectus, by how they took part.
CREDIT_SHARE = {PEER_TUTOR: 0.7, CARER: 0.35, SERVICE_USER: 0.3, PROFESSIONAL_TUTOR: 0.5, COORDINATOR: 0.5}
CREDIT_METHODS = (Consent.Method.PAPER, Consent.Method.IN_PERSON, Consent.Method.EMAIL)


@dataclass(frozen=True)
class OfferedCourse:
    """An approved course a term may offer."""

    id: uuid.UUID
    owner_id: uuid.UUID
    first_approved_on: date


@dataclass(frozen=True)
class SeededTerm:
    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    slug: str
    starts_on: date
    ends_on: date
    published: bool
    course_ids: tuple[uuid.UUID, ...]


def term_dates(today: date, years: int) -> list[tuple[str, date, date]]:
    """Terms from ``years`` back to the next two, oldest first."""
    terms = []
    for year in range(today.year - years - 1, today.year + 2):
        for season, (start_month, start_day), (end_month, end_day) in SEASONS:
            start = date(year, start_month, start_day)
            start += timedelta(days=(7 - start.weekday()) % 7)  # the Monday on or after
            end = date(year, end_month, end_day)
            end -= timedelta(days=(end.weekday() - 4) % 7)  # the Friday on or before
            if end >= today - timedelta(days=365 * years) and start <= today + UPCOMING:
                terms.append((f"{season} {year}", start, end))
    return terms


def make_terms(
    group: Group,
    offered: list[OfferedCourse],
    *,
    today: date,
    years: int,
    rng: random.Random,
    new_uuid: Callable[[], uuid.UUID],
    slugs: set[str],
) -> list[SeededTerm]:
    """The college's terms; each offers a sample of courses approved in time (partners' courses now and then)."""
    college = group.college.org
    terms = []
    for name, starts_on, ends_on in term_dates(today, years):
        published = starts_on <= today + PUBLISHED_AHEAD
        share = rng.uniform(0.45, 0.75) if published else rng.uniform(0.3, 0.5)
        partner_chance = rng.uniform(0.2, 0.6)
        eligible = [
            course
            for course in offered
            if course.first_approved_on <= starts_on - LEAD_TIME
            and (course.owner_id == college.id or rng.random() < partner_chance)
        ]
        chosen = rng.sample(eligible, max(1, round(len(eligible) * share))) if eligible else []
        slug = base = slugify(f"{college.name} {name}")[:100]
        while slug in slugs:
            slug = f"{base}-{new_uuid().hex[:6]}"
        slugs.add(slug)
        terms.append(
            SeededTerm(
                id=new_uuid(),
                organisation_id=college.id,
                name=name,
                slug=slug,
                starts_on=starts_on,
                ends_on=ends_on,
                published=published,
                course_ids=tuple(course.id for course in chosen),
            )
        )
    return terms


def term_rows(terms: Iterable[SeededTerm]) -> tuple[list[Term], list[models.Model]]:
    through = Term.courses.through
    rows: list[Term] = []
    links: list[models.Model] = []
    for term in terms:
        rows.append(
            Term(
                id=term.id,
                organisation_id=term.organisation_id,
                name=term.name,
                slug=term.slug,
                starts_on=term.starts_on,
                ends_on=term.ends_on,
                published=term.published,
            )
        )
        links += [through(term_id=term.id, course_id=course_id) for course_id in term.course_ids]
    return rows, links


def credit_consents(
    contributed: dict[uuid.UUID, Contributed],
    *,
    always: set[uuid.UUID],
    today: date,
    rng: random.Random,
    new_uuid: Callable[[], uuid.UUID],
) -> list[Consent]:
    """Some contributors agree to be named in the prospectus; a few change their minds later."""
    consents = []
    for person_id, first in contributed.items():
        member = first.member
        if person_id not in always and rng.random() >= CREDIT_SHARE.get(member.kind, 0.4):
            continue
        decided_on = min(today, first.day + timedelta(days=rng.randint(0, 21)))
        consents.append(_credit(first, Consent.Decision.GIVEN, decided_on, today, rng, new_uuid))
        if person_id not in always and rng.random() < 0.06 and (today - decided_on).days > 30:
            withdrawn_on = decided_on + timedelta(days=rng.randint(30, (today - decided_on).days))
            consents.append(_credit(first, Consent.Decision.WITHDRAWN, withdrawn_on, today, rng, new_uuid))
    return consents


def _credit(
    first: Contributed,
    decision: str,
    day: date,
    today: date,
    rng: random.Random,
    new_uuid: Callable[[], uuid.UUID],
) -> Consent:
    member = first.member
    recorded_by: int
    if member.user_id is not None and rng.random() < 0.4:
        method, recorded_on, recorded_by = Consent.Method.ONLINE, day, member.user_id
    else:
        method = rng.choice(CREDIT_METHODS)
        recorded_on = min(today, day + timedelta(days=rng.randint(0, 5)))
        coordinator = first.owner.coordinator_on(recorded_on, rng).user_id
        if coordinator is None:
            raise SeedError(f"{first.owner.org.name} has no coordinator with a login to record consent.")
        recorded_by = coordinator
    minutes = rng.randrange(9 * 60, 17 * 60)
    return Consent(
        id=new_uuid(),
        person_id=member.person_id,
        purpose=Consent.Purpose.CREDIT,
        decision=decision,
        method=method,
        decided_on=day,
        recorded_at=datetime.combine(recorded_on, time(minutes // 60, minutes % 60), tzinfo=UTC),
        recorded_by_id=recorded_by,
    )
