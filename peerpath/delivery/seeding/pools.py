"""What delivery needs to know about the people and courses earlier steps made, read back in a few queries.

People: per organisation, its coordinators (who create runs and enrol people),
its tutors by kind (who deliver runs and facilitate groups) and its carers with
a participant membership (who enrol), each with the dates of their membership,
so no one acts before they joined. Courses: every approved or superseded
version with its staffing and outline, so each run uses the version that was
approved when the run was made.
"""

from __future__ import annotations

import bisect
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q

from peerpath.courses.models import Course, CourseVersion, OutlineSession
from peerpath.people.models import CaringRole, Membership
from peerpath.people.seeding import SeededOrganisation, SeededPeople

Role = Membership.Role
TutorKind = Membership.TutorKind


@dataclass(frozen=True)
class Member:
    """One membership: a person in an organisation from ``since`` until ``until`` (None: still)."""

    person_id: uuid.UUID
    since: date
    until: date | None
    user_id: int | None = None
    username: str = ""

    def current(self, first: date, last: date | None = None) -> bool:
        """A member on every day from ``first`` to ``last`` (default: ``first``)."""
        end = last or first
        return self.since <= first and (self.until is None or self.until >= end)


@dataclass(eq=False)
class OrgPeople:
    """One organisation's people, each list in order of joining."""

    org: SeededOrganisation
    coordinators: list[Member] = field(default_factory=list)
    peer_tutors: list[Member] = field(default_factory=list)
    professional_tutors: list[Member] = field(default_factory=list)
    carers: list[Member] = field(default_factory=list)
    _carer_since: list[date] = field(default_factory=list)

    @property
    def id(self) -> uuid.UUID:
        return self.org.id

    def tutors(self, kind: str) -> list[Member]:
        return self.peer_tutors if kind == TutorKind.PEER else self.professional_tutors

    def coordinator_on(self, day: date, rng: random.Random) -> Member:
        """A coordinator serving on ``day`` (the longest-serving one if none had joined yet)."""
        serving = [member for member in self.coordinators if member.current(day)]
        return rng.choice(serving) if serving else self.coordinators[0]

    def finish(self) -> None:
        self.carers.sort(key=lambda member: (member.since, member.person_id))
        self._carer_since = [member.since for member in self.carers]

    def carers_joined_by(self, day: date) -> int:
        """How many of ``carers`` (a prefix) had joined by ``day``."""
        return bisect.bisect_right(self._carer_since, day)


def load_people(people: SeededPeople, *, exclude: set[uuid.UUID]) -> dict[uuid.UUID, OrgPeople]:
    """Every seeded organisation's staff (with logins) and carers; ``exclude`` keeps people out of the carers."""
    pools = {org.id: OrgPeople(org) for org in people.organisations}
    staff = (
        Membership.objects.filter(role__in=(Role.COORDINATOR, Role.TUTOR), person__user__isnull=False)
        .order_by("organisation_id", "started_on", "person_id")
        .values_list(
            "organisation_id",
            "role",
            "tutor_kind",
            "person_id",
            "started_on",
            "ended_on",
            "person__user_id",
            "person__user__username",
        )
    )
    for org_id, role, tutor_kind, person_id, since, until, user_id, username in staff:
        pool = pools.get(org_id)
        if pool is None:
            continue
        member = Member(person_id, since, until, user_id, username)
        if role == Role.COORDINATOR:
            pool.coordinators.append(member)
        else:
            pool.tutors(tutor_kind).append(member)
    carers = set(CaringRole.objects.values_list("carer_id", flat=True))
    participants = (
        Membership.objects.filter(role=Role.PARTICIPANT)
        .order_by("organisation_id", "person_id")
        .values_list("organisation_id", "person_id", "started_on", "ended_on")
    )
    for org_id, person_id, since, until in participants:
        pool = pools.get(org_id)
        if pool is not None and person_id in carers and person_id not in exclude:
            pool.carers.append(Member(person_id, since, until))
    for pool in pools.values():
        pool.finish()
    return pools


@dataclass(frozen=True)
class VersionInfo:
    id: uuid.UUID
    approved_at: datetime
    peer_trainers: int
    professional_tutors: int
    peer_facilitators: int
    outline: tuple[str, ...]  # session titles, in order


@dataclass(frozen=True)
class CourseInfo:
    id: uuid.UUID
    title: str
    owner_id: uuid.UUID
    partner_ids: tuple[uuid.UUID, ...]
    category: str
    session_minutes: int
    in_person: bool
    online: bool
    blended: bool
    versions: tuple[VersionInfo, ...]  # in order of approval

    @property
    def sessions(self) -> int:
        """Sessions in the current version's outline."""
        return len(self.versions[-1].outline)

    def version_on(self, moment: datetime) -> VersionInfo | None:
        """The version that was the approved one at ``moment``."""
        current = None
        for version in self.versions:
            if version.approved_at <= moment:
                current = version
        return current


def load_courses() -> dict[uuid.UUID, CourseInfo]:
    """Every course that has had an approved version, with all such versions and their outlines."""
    released = Q(status=CourseVersion.Status.APPROVED) | Q(status=CourseVersion.Status.SUPERSEDED)
    outlines: dict[uuid.UUID, list[str]] = {}
    rows = (
        OutlineSession.objects.filter(
            version__status__in=(CourseVersion.Status.APPROVED, CourseVersion.Status.SUPERSEDED)
        )
        .order_by("version_id", "number")
        .values_list("version_id", "title")
    )
    for version_id, title in rows:
        outlines.setdefault(version_id, []).append(title)
    versions: dict[uuid.UUID, list[VersionInfo]] = {}
    for course_id, version_id, approved_at, trainers, professionals, facilitators in (
        CourseVersion.objects.filter(released, approved_at__isnull=False)
        .order_by("course_id", "approved_at", "number")
        .values_list(
            "course_id",
            "id",
            "approved_at",
            "peer_trainers_required",
            "professional_tutors_required",
            "peer_facilitators_required",
        )
    ):
        outline = tuple(outlines.get(version_id, ()))
        if outline and approved_at is not None:
            versions.setdefault(course_id, []).append(
                VersionInfo(version_id, approved_at, trainers, professionals, facilitators, outline)
            )
    partners: dict[uuid.UUID, list[uuid.UUID]] = {}
    for course_id, org_id in Course.partners.through.objects.order_by("course_id", "organisation_id").values_list(
        "course_id", "organisation_id"
    ):
        partners.setdefault(course_id, []).append(org_id)
    courses = {}
    for row in Course.objects.order_by("id").values_list(
        "id", "title", "owner_id", "category", "session_minutes", "in_person", "online", "blended"
    ):
        course_id, title, owner_id, category, minutes, in_person, online, blended = row
        if course_id not in versions:
            continue
        courses[course_id] = CourseInfo(
            id=course_id,
            title=title,
            owner_id=owner_id,
            partner_ids=tuple(partners.get(course_id, ())),
            category=category,
            session_minutes=minutes,
            in_person=in_person,
            online=online,
            blended=blended,
            versions=tuple(versions[course_id]),
        )
    return courses
