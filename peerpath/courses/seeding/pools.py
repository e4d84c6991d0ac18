"""Who can take part in shaping each organisation's courses, read back from the people step.

The people step hands over its organisations and who holds which role
(``SeededPeople``). Co-production needs a little more: when each person joined
(no one contributes before they arrived), their login (to record or approve)
and, for participants, whether they are carers. A sample of participants per
organisation is enough: co-production groups are small.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from peerpath.people.models import Area, CaringRole, Membership, Organisation
from peerpath.people.seeding import SWL_COLLEGE, SeededOrganisation, SeededPeople

Role = Membership.Role
PARTICIPANT_SAMPLE: dict[str, int] = {Organisation.Kind.RECOVERY_COLLEGE: 40}
PARTICIPANT_SAMPLE_DEFAULT = 15
QUERY_CHUNK = 2_000  # ids per IN list, well under SQLite's parameter limit

# Member kinds: staff by role, participants by whether they care for someone.
COORDINATOR = "coordinator"
PEER_TUTOR = "peer"
PROFESSIONAL_TUTOR = "professional"
CARER = "carer"
SERVICE_USER = "service_user"


@dataclass(frozen=True)
class Member:
    person_id: uuid.UUID
    user_id: int | None
    since: date
    kind: str


@dataclass(eq=False)  # compared by identity: pools are shared, not copied
class OrgPool:
    """One organisation's people who may co-produce, each list in order of joining."""

    org: SeededOrganisation
    coordinators: list[Member] = field(default_factory=list)
    peer_tutors: list[Member] = field(default_factory=list)
    professional_tutors: list[Member] = field(default_factory=list)
    carers: list[Member] = field(default_factory=list)
    service_users: list[Member] = field(default_factory=list)

    @property
    def id(self) -> uuid.UUID:
        return self.org.id

    @property
    def kind(self) -> str:
        return self.org.kind

    @property
    def staff(self) -> list[Member]:
        return self.coordinators + self.peer_tutors + self.professional_tutors

    @property
    def first_coordinator_since(self) -> date | None:
        return min((member.since for member in self.coordinators), default=None)

    def coordinator_on(self, day: date, rng: random.Random) -> Member:
        """A coordinator who had joined by ``day`` (the longest-serving one if none had)."""
        if not self.coordinators:
            raise ValueError(f"{self.org.name} has no coordinator")
        serving = [member for member in self.coordinators if member.since <= day]
        return rng.choice(serving) if serving else self.coordinators[0]


@dataclass(eq=False)
class Group:
    """A college and its partner organisations, with the places they serve."""

    college: OrgPool
    partners: list[OrgPool]
    places: dict[str, int]  # area name: id, for borough and town versions of courses

    @property
    def pools(self) -> list[OrgPool]:
        return [self.college, *self.partners]


def _chunks(items: Sequence[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(items), QUERY_CHUNK):
        yield list(items[start : start + QUERY_CHUNK])


def load_groups(people: SeededPeople, rng: random.Random) -> list[Group]:
    """Every college with its partners, and their people, in the order the people step made them."""
    pools = {org.id: OrgPool(org) for org in people.organisations}
    _load_staff(pools)
    _load_participants(pools, people, rng)
    names = dict(
        Area.objects.filter(id__in={area_id for org in people.organisations for area_id, _ in org.areas}).values_list(
            "id", "name"
        )
    )
    by_group: dict[int, list[OrgPool]] = {}
    for org in people.organisations:
        by_group.setdefault(org.group, []).append(pools[org.id])
    groups = []
    for members in by_group.values():
        college = next((pool for pool in members if pool.kind == Organisation.Kind.RECOVERY_COLLEGE), members[0])
        places = {names[area_id]: area_id for area_id, _ in college.org.areas if area_id in names}
        groups.append(Group(college, [pool for pool in members if pool is not college], places))
    return groups


def _load_staff(pools: dict[uuid.UUID, OrgPool]) -> None:
    rows = (
        Membership.objects.filter(role__in=(Role.COORDINATOR, Role.TUTOR), ended_on__isnull=True)
        .order_by("organisation_id", "started_on", "person_id")
        .values_list("organisation_id", "role", "tutor_kind", "person_id", "person__user_id", "started_on")
    )
    for org_id, role, tutor_kind, person_id, user_id, since in rows:
        pool = pools.get(org_id)
        if pool is None:
            continue
        if role == Role.COORDINATOR:
            if user_id is not None:  # coordinators approve and record, so they need a login
                pool.coordinators.append(Member(person_id, user_id, since, COORDINATOR))
        elif tutor_kind == Membership.TutorKind.PEER:
            pool.peer_tutors.append(Member(person_id, user_id, since, PEER_TUTOR))
        else:
            pool.professional_tutors.append(Member(person_id, user_id, since, PROFESSIONAL_TUTOR))


def _load_participants(pools: dict[uuid.UUID, OrgPool], people: SeededPeople, rng: random.Random) -> None:
    sampled: dict[uuid.UUID, list[uuid.UUID]] = {}
    demo_participant = people.demo_person_ids.get("participant")
    for org in people.organisations:
        ids = org.people_by_role.get(Role.PARTICIPANT, [])
        size = min(len(ids), PARTICIPANT_SAMPLE.get(org.kind, PARTICIPANT_SAMPLE_DEFAULT))
        chosen = rng.sample(ids, size)
        if org.name == SWL_COLLEGE and demo_participant in ids and demo_participant not in chosen:
            chosen.append(demo_participant)  # the demo carer has shaped a course or two
        sampled[org.id] = chosen
    wanted = sorted({person_id for ids in sampled.values() for person_id in ids})
    joined: dict[tuple[uuid.UUID, uuid.UUID], date] = {}
    users: dict[uuid.UUID, int | None] = {}
    carers: set[uuid.UUID] = set()
    for chunk in _chunks(wanted):
        memberships = Membership.objects.filter(
            person_id__in=chunk, role=Role.PARTICIPANT, ended_on__isnull=True
        ).values_list("person_id", "organisation_id", "started_on", "person__user_id")
        for person_id, org_id, since, user_id in memberships:
            joined[(person_id, org_id)] = since
            users[person_id] = user_id
        carers.update(CaringRole.objects.filter(carer_id__in=chunk).values_list("carer_id", flat=True))
    for org_id, ids in sampled.items():
        pool = pools[org_id]
        for person_id in ids:
            joined_on = joined.get((person_id, org_id))
            if joined_on is None:  # left the organisation since
                continue
            if person_id in carers:
                pool.carers.append(Member(person_id, users.get(person_id), joined_on, CARER))
            else:
                pool.service_users.append(Member(person_id, users.get(person_id), joined_on, SERVICE_USER))
    for pool in pools.values():
        pool.carers.sort(key=lambda member: (member.since, member.person_id))
        pool.service_users.sort(key=lambda member: (member.since, member.person_id))
