"""Each organisation's venues: rooms in the boroughs it serves, some without step-free access, and online rooms."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from peerpath.delivery.models import Venue
from peerpath.delivery.seeding.text import (
    NOT_STEP_FREE_NOTES,
    ONLINE_NOTES,
    ONLINE_ROOMS,
    STEP_FREE_NOTES,
    STREETS,
    VENUE_NAMES,
)
from peerpath.people.seeding import SeededOrganisation

_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # as the people step: no C, I, K, M, O, V


@dataclass(frozen=True)
class SeededVenue:
    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    online: bool
    area_id: int | None
    capacity: int | None


def _served_areas(org: SeededOrganisation) -> list[tuple[int, tuple[str, ...]]]:
    """The organisation's areas once each, its home area first."""
    seen: dict[int, tuple[str, ...]] = {}
    for area_id, outward in sorted(org.areas, key=lambda entry: entry[0] != org.area_id):
        seen.setdefault(area_id, outward)
    return list(seen.items())


def make_venues(
    org: SeededOrganisation,
    *,
    college: bool,
    area_names: dict[int, str],
    rng: random.Random,
    new_id: Callable[[], uuid.UUID],
) -> list[Venue]:
    """A college has a room in each borough it serves and two online rooms; a partner one room, often an online one."""
    areas = _served_areas(org)
    if not college:
        areas = areas[:1]
    names = list(VENUE_NAMES)
    rooms: list[tuple[int, tuple[str, ...], str]] = []
    for index, (area_id, outward) in enumerate(areas):
        rng.shuffle(names)
        # The college's first borough also has its main teaching base.
        rooms += [(area_id, outward, template) for template in names[: 2 if college and index == 0 else 1]]
    # About a quarter of rooms are up steps (dealt, so a college always has one and a partner may).
    up_steps = max(1, round(len(rooms) / 4)) if college else int(rng.random() < 0.25)
    access = [False] * up_steps + [True] * (len(rooms) - up_steps)
    rng.shuffle(access)
    venues: list[Venue] = []
    for (area_id, outward, template), step_free in zip(rooms, access, strict=True):
        area = area_names.get(area_id, "Town")
        notes = rng.choice(STEP_FREE_NOTES if step_free else NOT_STEP_FREE_NOTES)
        letters = _INWARD_LETTERS
        venues.append(
            Venue(
                id=new_id(),
                organisation_id=org.id,
                name=template.format(area=area),
                address=f"{rng.randint(2, 240)} {rng.choice(STREETS)}\n{area}",
                postcode=f"{rng.choice(outward)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}",
                area_id=area_id,
                step_free=step_free,
                accessibility_notes=notes,
                capacity=rng.choice((14, 16, 20, 20, 24, 30)),
            )
        )
    online = ONLINE_ROOMS if college else ONLINE_ROOMS[:1] if rng.random() < 0.4 else ()
    for name, service in online:
        venues.append(
            Venue(
                id=new_id(),
                organisation_id=org.id,
                name=name,
                online=True,
                joining_link=f"https://meet.example.org/{service}/peerpath-{rng.getrandbits(48):012x}",
                accessibility_notes=rng.choice(ONLINE_NOTES),
            )
        )
    return venues


def seeded(venue: Venue) -> SeededVenue:
    return SeededVenue(venue.id, venue.organisation_id, venue.name, venue.online, venue.area_id, venue.capacity)
