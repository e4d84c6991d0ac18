"""Which courses each term runs, when and where each run meets, and who delivers it.

A run is planned a few months before its term by a coordinator of the
organisation running it (the course's owner, now and then a partner), of the
version approved at that moment. Its sessions follow that version's outline,
one a week at a usual local time, inside the term. Tutors are assigned as the
version requires: from the running organisation first, then the course's owner
and partners (as ``services.assign_facilitator`` allows), only people who were
tutors by then, never two sessions at once, at most ``MAX_RUNS_PER_TUTOR`` runs
a term each. A run that cannot be staffed is not made; a quarter of the runs
whose enrolment has not opened yet are still a tutor short.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from peerpath.core.seeding import SeedError
from peerpath.courses.choices import Category
from peerpath.courses.seeding.terms import SeededTerm
from peerpath.delivery.models import FacilitatorAssignment
from peerpath.delivery.seeding.pools import CourseInfo, Member, OrgPeople, VersionInfo
from peerpath.delivery.seeding.venues import SeededVenue
from peerpath.people.models import Membership

LONDON = ZoneInfo("Europe/London")
Role = FacilitatorAssignment.Role
TutorKind = Membership.TutorKind
# Runs a tutor delivers in one term, shadowing included: most runs are two to four sessions,
# so 15 is about three sessions a week.
MAX_RUNS_PER_TUTOR = 15
MAX_COHORTS = 6  # runs of one course in one term
# How often each kind of course runs, relative to the others.
CATEGORY_WEIGHT: dict[str, float] = {
    Category.RECOVERY_COLLEGE: 1.0,
    Category.SELF_MANAGEMENT: 1.0,
    Category.SUPPORT_GROUP: 0.6,
    Category.TRAIN_THE_TRAINER: 0.35,
}
IN_PERSON_TIMES = ("10:00", "10:00", "10:30", "13:30", "14:00", "18:00", "18:30")
ONLINE_TIMES = ("10:00", "13:30", "18:00", "18:30", "19:00", "19:00")
LATEST_END = 21 * 60  # minutes after midnight
TRAINEE_SHARE = 0.12


@dataclass(frozen=True)
class Assignment:
    person_id: uuid.UUID
    user_id: int | None
    role: str
    assigned_at: datetime
    assigned_by: int


@dataclass(eq=False)
class RunPlan:
    """One run as planned, before its enrolments are played out."""

    id: uuid.UUID
    course: CourseInfo
    version: VersionInfo
    term: SeededTerm
    organiser: OrgPeople
    creator: Member  # the coordinator who made it
    created_by: int  # their login
    created_at: datetime
    capacity: int
    venue: SeededVenue | None
    starts: list[datetime]
    minutes: int
    opens_at: datetime  # when enrolment opens (or would have, for runs never opened)
    closes_on: date
    assignments: list[Assignment] = field(default_factory=list)
    staffed: bool = True
    # Set by the seeder for the demo logins' runs.
    demo: str = ""

    @property
    def opens_on(self) -> date:
        return self.opens_at.astimezone(LONDON).date()

    @property
    def first_day(self) -> date:
        return self.starts[0].date()

    @property
    def ends_at(self) -> datetime:
        return self.starts[-1] + timedelta(minutes=self.minutes)


def at(day: date, clock: str, tz: ZoneInfo = LONDON) -> datetime:
    hours, minutes = clock.split(":")
    return datetime.combine(day, time(int(hours), int(minutes)), tzinfo=tz)


def office_moment(day: date, rng: random.Random) -> datetime:
    """A time during office hours on that day (UTC, like the people step's timestamps)."""
    minutes = rng.randrange(9 * 60, 17 * 60 + 30)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=UTC)


def weighted_sample(items: list[CourseInfo], count: int, rng: random.Random) -> list[CourseInfo]:
    """``count`` courses without repeats, the more often run kinds more likely (Efraimidis and Spirakis)."""
    keyed = sorted(items, key=lambda course: rng.random() ** (1 / CATEGORY_WEIGHT.get(course.category, 1.0)))
    return keyed[-count:] if count else []


class Scheduler:
    """Plans the runs of one college and its partners, term by term, keeping track of who teaches when."""

    def __init__(
        self,
        pools: list[OrgPeople],
        venues: dict[uuid.UUID, list[SeededVenue]],
        *,
        rng: random.Random,
        new_id: Callable[[], uuid.UUID],
        now: datetime,
    ) -> None:
        self.pools = {pool.id: pool for pool in pools}
        self.venues = venues
        self.rng = rng
        self.new_id = new_id
        self.now = now
        self.booked: dict[uuid.UUID, dict[date, list[tuple[int, int]]]] = {}
        self.load: Counter[tuple[uuid.UUID, uuid.UUID]] = Counter()
        self.dropped = 0

    # Which courses ----------------------------------------------------------------------------

    def pick_courses(self, offered: list[CourseInfo], count: int) -> list[CourseInfo]:
        """Each offered course once while there are runs to give, then the more popular kinds again.

        A Train the Trainer course a term offers always gets its cohort: the programme trains
        its peer trainers through them, and accreditation starts from their registers.
        """
        rng = self.rng
        count = min(count, len(offered) * MAX_COHORTS)
        if count <= len(offered):
            picks = weighted_sample(offered, count, rng)
            trainings = [course for course in offered if course.category == Category.TRAIN_THE_TRAINER]
            for course in trainings:
                others = [i for i, pick in enumerate(picks) if pick.category != Category.TRAIN_THE_TRAINER]
                if course not in picks and others:
                    picks[others[0]] = course  # in place of the least likely pick (keys ascend)
            return picks
        picks = list(offered)
        # Further cohorts go more often to the longer courses, the core of a prospectus.
        weights = [CATEGORY_WEIGHT.get(course.category, 1.0) * course.sessions**0.5 for course in offered]
        cohorts = Counter(course.id for course in picks)
        while len(picks) < count:
            course = rng.choices(offered, weights)[0]
            if cohorts[course.id] < MAX_COHORTS:
                cohorts[course.id] += 1
                picks.append(course)
        return picks

    # One run ----------------------------------------------------------------------------------

    def plan(
        self,
        course: CourseInfo,
        term: SeededTerm,
        *,
        first_day: date | None = None,
        clock: str = "",
        must: tuple[tuple[Member, str], ...] = (),
    ) -> RunPlan | None:
        """A run of ``course`` in ``term``; None when there are not the tutors for it.

        ``first_day``, ``clock`` and ``must`` (tutors with their roles) pin the demo run.
        """
        rng = self.rng
        created_at = self._created_at(course, term)
        version = course.version_on(created_at)
        if version is None:
            return None
        organiser = self._organiser(course)
        online = course.online and (not course.in_person or rng.random() < 0.35)
        minutes = course.session_minutes
        clock = clock or self._clock(minutes, online)
        count = len(version.outline)
        first_day = first_day or self._first_day(term, count)
        starts = [at(first_day + timedelta(weeks=week), clock) for week in range(count)]
        venue = self._venue(organiser, course, online)
        capacity = self._capacity(course, venue)
        # Enrolment opens six to thirteen weeks before the term, after the run is made and staffed.
        opens_on = term.starts_on - timedelta(days=rng.randint(42, 90))
        opens_on = min(max(opens_on, created_at.date() + timedelta(days=5)), first_day - timedelta(days=7))
        opens_on = max(opens_on, created_at.date())
        latest = min(office_moment(opens_on, rng) - timedelta(days=1), self.now - timedelta(hours=1))
        assigned_at = created_at + timedelta(days=rng.randint(1, 21), minutes=rng.randrange(300))
        assigned_at = max(created_at + timedelta(minutes=5), min(assigned_at, latest))
        if must:  # pinned tutors are assigned once they have joined
            assigned_at = max(assigned_at, office_moment(max(member.since for member, _ in must), rng))
        opens_at = max(office_moment(opens_on, rng), assigned_at + timedelta(hours=1))
        closes_on = first_day - timedelta(days=1)
        creator = organiser.coordinator_on(created_at.date(), rng)
        if creator.user_id is None:
            raise SeedError(f"{organiser.org.name} has no coordinator with a login to plan runs.")
        plan = RunPlan(
            id=self.new_id(),
            course=course,
            version=version,
            term=term,
            organiser=organiser,
            creator=creator,
            created_by=creator.user_id,
            created_at=created_at,
            capacity=capacity,
            venue=venue,
            starts=starts,
            minutes=minutes,
            opens_at=opens_at,
            closes_on=closes_on,
        )
        if not self._staff(plan, must, assigned_at):
            self.dropped += 1
            return None
        return plan

    def _created_at(self, course: CourseInfo, term: SeededTerm) -> datetime:
        rng = self.rng
        created = office_moment(term.starts_on - timedelta(days=rng.randint(75, 130)), rng)
        first_approved = course.versions[0].approved_at
        if created <= first_approved:
            created = first_approved + timedelta(days=rng.randint(1, 5), minutes=rng.randrange(600))
        if created >= self.now:  # the term is still being planned
            created = office_moment(self.now.date() - timedelta(days=rng.randint(1, 14)), rng)
        return created

    def _organiser(self, course: CourseInfo) -> OrgPeople:
        owner = self.pools[course.owner_id]
        partners = [self.pools[org_id] for org_id in course.partner_ids if org_id in self.pools]
        if partners and self.rng.random() < 0.15:
            return self.rng.choice(partners)
        return owner

    def _clock(self, minutes: int, online: bool) -> str:
        if minutes > 200:
            return "09:30"
        for _ in range(5):
            clock = self.rng.choice(ONLINE_TIMES if online else IN_PERSON_TIMES)
            hours, mins = clock.split(":")
            if int(hours) * 60 + int(mins) + minutes <= LATEST_END:
                return clock
        return "10:00"

    def _first_day(self, term: SeededTerm, sessions: int) -> date:
        weeks = (term.ends_on - term.starts_on).days // 7 + 1
        week = self.rng.randint(0, max(0, weeks - sessions))
        day = term.starts_on + timedelta(weeks=week, days=self.rng.randrange(5))
        return min(day, term.ends_on)

    def _venue(self, organiser: OrgPeople, course: CourseInfo, online: bool) -> SeededVenue | None:
        own = self.venues.get(organiser.id, [])
        owners = self.venues.get(course.owner_id, [])
        for choices in (own, owners):
            fitting = [venue for venue in choices if venue.online == online]
            if fitting:
                return self.rng.choice(fitting)
        return self.rng.choice(own or owners) if own or owners else None

    def _capacity(self, course: CourseInfo, venue: SeededVenue | None) -> int:
        rng = self.rng
        if course.category == Category.TRAIN_THE_TRAINER:
            capacity = rng.randint(8, 12)
        elif course.category == Category.SUPPORT_GROUP:
            capacity = rng.choice((10, 12, 15, 20))
        else:
            capacity = rng.choice((8, 10, 12, 12, 14, 15, 16, 16, 18, 20))
        if venue is not None and venue.capacity is not None:
            capacity = min(capacity, venue.capacity)
        return max(8, capacity)

    # Staffing ---------------------------------------------------------------------------------

    def _staff(self, plan: RunPlan, must: tuple[tuple[Member, str], ...], assigned_at: datetime) -> bool:
        """Assign tutors as the version requires; False when there are not enough free ones."""
        rng = self.rng
        day = assigned_at.date()
        course, version = plan.course, plan.version
        orgs = [plan.organiser.id, course.owner_id, *course.partner_ids]
        pools = [self.pools[org_id] for org_id in dict.fromkeys(orgs) if org_id in self.pools]
        taken: set[uuid.UUID] = set()
        chosen: list[tuple[Member, str]] = []
        for member, role in must:
            taken.add(member.person_id)
            chosen.append((member, role))
        wanted = (
            (Role.PEER_TRAINER, TutorKind.PEER, version.peer_trainers),
            (Role.PROFESSIONAL_TUTOR, TutorKind.PROFESSIONAL, version.professional_tutors),
            (Role.PEER_FACILITATOR, TutorKind.PEER, version.peer_facilitators),
        )
        short = False
        for role, kind, needed in wanted:
            have = sum(1 for _member, assigned in chosen if assigned == role)
            for _ in range(needed - have):
                tutor = self._free_tutor(plan, pools, kind, day, taken)
                if tutor is None:
                    short = True
                    break
                taken.add(tutor.person_id)
                chosen.append((tutor, role))
        if short:
            return False
        if plan.opens_at > self.now and chosen and rng.random() < 0.25:
            chosen.pop()  # still being staffed: a gap the coordinator must fill before opening
            short = True
        if not short and rng.random() < TRAINEE_SHARE:
            trainee = self._free_tutor(plan, pools, TutorKind.PEER, day, taken)
            if trainee is not None:
                taken.add(trainee.person_id)
                chosen.append((trainee, Role.TRAINEE))
        plan.staffed = not short
        for member, role in chosen:
            by = plan.organiser.coordinator_on(day, rng)
            if by.user_id is None:
                raise SeedError(f"{plan.organiser.org.name} has no coordinator with a login to assign tutors.")
            plan.assignments.append(Assignment(member.person_id, member.user_id, role, assigned_at, by.user_id))
            self._book(member.person_id, plan)
        return True

    def _free_tutor(
        self, plan: RunPlan, pools: list[OrgPeople], kind: str, day: date, taken: set[uuid.UUID]
    ) -> Member | None:
        """The least busy free tutor of that kind, from the running organisation first."""
        best: tuple[int, int, float] | None = None
        found = None
        last_day = plan.starts[-1].date()
        for rank, pool in enumerate(pools):
            for member in pool.tutors(kind):
                if member.person_id in taken or not member.current(day, last_day):
                    continue
                load = self.load[(member.person_id, plan.term.id)]
                if load >= MAX_RUNS_PER_TUTOR or not self._free(member.person_id, plan):
                    continue
                key = (min(rank, 1), load, self.rng.random())
                if best is None or key < best:
                    best, found = key, member
        return found

    def _slots(self, plan: RunPlan) -> list[tuple[date, int, int]]:
        start = plan.starts[0].hour * 60 + plan.starts[0].minute
        return [(moment.date(), start, start + plan.minutes) for moment in plan.starts]

    def _free(self, person_id: uuid.UUID, plan: RunPlan) -> bool:
        booked = self.booked.get(person_id)
        if not booked:
            return True
        for day, start, end in self._slots(plan):
            for other_start, other_end in booked.get(day, ()):
                if start < other_end and other_start < end:
                    return False
        return True

    def _book(self, person_id: uuid.UUID, plan: RunPlan) -> None:
        booked = self.booked.setdefault(person_id, {})
        for day, start, end in self._slots(plan):
            booked.setdefault(day, []).append((start, end))
        self.load[(person_id, plan.term.id)] += 1
