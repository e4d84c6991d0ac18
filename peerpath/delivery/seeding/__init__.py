"""Demo delivery: venues, course runs with their sessions, staff, enrolments and registers, and support groups.

Importing this module registers the ``delivery`` step with ``peerpath.core.seeding``,
to run after ``courses``. For every college and its partners it makes venues, then,
term by term, runs of the courses each term's prospectus offers (about
``runs_per_year`` a year across the colleges, fewer in the term not yet
published), plans each one (:mod:`schedule`) and plays its life up to the seed's
``now`` (:mod:`lives`): enrolments, waiting lists, offers, withdrawals, registers,
completion; :mod:`rows` turns each into rows. Then the college's support groups
and their monthly meetings (:mod:`groups`). The demo logins get something to look at (:mod:`demo`): the
peer tutor and the professional tutor deliver a run that is half-way through,
with a session today and the last register part taken; the participant has a
place on a run that has not started, is on another's waiting list, has finished
a course if they joined early enough, and goes to a support group.

``now`` is 9am on the anchor date (London time): sessions earlier than that have
happened, later ones have not. Later steps find what was made in
``context.shared[SHARED_KEY]`` (a :class:`SeededDelivery`).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from peerpath.core import seeding
from peerpath.core.seeding import SeedContext, SeedError
from peerpath.courses.seeding import SHARED_KEY as COURSES_KEY
from peerpath.courses.seeding import AscendingIds, SeededCourses
from peerpath.courses.seeding.terms import SeededTerm
from peerpath.delivery.enrolment import completion_threshold
from peerpath.delivery.models import CourseRun, SupportGroup, Venue
from peerpath.delivery.seeding.demo import DemoPlanner, DemoRuns
from peerpath.delivery.seeding.groups import GroupRows, GroupSeeder, SeededGroup
from peerpath.delivery.seeding.lives import Demands, RunLife
from peerpath.delivery.seeding.pools import CourseInfo, OrgPeople, load_courses, load_people
from peerpath.delivery.seeding.rows import Rows, write_run
from peerpath.delivery.seeding.schedule import MAX_COHORTS, RunPlan, Scheduler, at
from peerpath.delivery.seeding.text import CANCELLATION_REASONS
from peerpath.delivery.seeding.venues import SeededVenue, make_venues, seeded
from peerpath.people.models import Area, Organisation
from peerpath.people.seeding import SHARED_KEY as PEOPLE_KEY
from peerpath.people.seeding import SeededPeople

SHARED_KEY = "delivery"
ORDER = 30  # after courses (20)
# Registers, enrolments and their history saved per transaction (about 60 MB of model instances).
ROWS_PER_CHUNK = 150_000
# The term not yet published is still being planned: about half its runs exist.
UNPUBLISHED_SHARE = 0.5
CANCELLED_SHARE = 0.04  # of runs that opened, cancelled before they started
EARLY_CANCELLED_SHARE = 0.01  # of runs, cancelled before enrolment opened
LATE_WITHDRAWAL_SHARE = 0.15  # of runs not started, with an offer out since yesterday


@dataclass(frozen=True)
class SeededRun:
    id: uuid.UUID
    course_id: uuid.UUID
    version_id: uuid.UUID
    organisation_id: uuid.UUID
    term_id: uuid.UUID
    status: str
    capacity: int
    starts_at: datetime
    ends_at: datetime


@dataclass
class SeededDelivery:
    """What the delivery step made, for later steps (evaluation reads runs and their enrolments from the database)."""

    now: datetime
    venues: list[SeededVenue]
    runs: list[SeededRun]
    groups: list[SeededGroup]
    demo: DemoRuns


class DeliverySeeder:
    def __init__(self, context: SeedContext) -> None:
        people = context.shared.get(PEOPLE_KEY)
        courses = context.shared.get(COURSES_KEY)
        if not isinstance(people, SeededPeople) or not isinstance(courses, SeededCourses):
            raise SeedError("The delivery step needs the people and courses steps to have run first.")
        self.context = context
        self.people = people
        self.courses = courses
        self.rng = context.rng
        self.today = context.today
        self.now = at(context.today, "09:00")
        self.new_id = AscendingIds(context.rng)
        self.threshold = completion_threshold()
        self.rows = Rows()
        self.group_rows = GroupRows()
        self.runs: list[SeededRun] = []
        self.groups: list[SeededGroup] = []
        self.venues: dict[uuid.UUID, list[SeededVenue]] = {}
        self.demo = DemoPlanner(people, rng=context.rng, today=context.today, now=self.now, progress=context.progress)
        self.statuses: Counter[str] = Counter()
        self.dropped = 0
        self._reliability: dict[uuid.UUID, float] = {}
        self.pools: dict[uuid.UUID, OrgPeople] = {}
        self.catalogue: dict[uuid.UUID, CourseInfo] = {}
        self.area_names: dict[int, str] = {}

    def run(self) -> SeededDelivery:
        if CourseRun.objects.exists() or Venue.objects.exists() or SupportGroup.objects.exists():
            raise SeedError(
                "This database already has course runs, venues or support groups but no finished seed run. "
                "Empty it with 'manage.py flush' and run seed_demo again."
            )
        exclude = {self.demo.participant_id} if self.demo.participant_id else set()
        self.pools = load_people(self.people, exclude=exclude)
        self.catalogue = load_courses()
        self.make_venues()
        by_group: dict[int, list[OrgPeople]] = {}
        for org in self.people.organisations:
            by_group.setdefault(org.group, []).append(self.pools[org.id])
        terms: dict[uuid.UUID, list[SeededTerm]] = {}
        for term in sorted(self.courses.terms, key=lambda term: (term.starts_on, term.slug)):
            terms.setdefault(term.organisation_id, []).append(term)
        for number, pools in by_group.items():
            college = next((pool for pool in pools if pool.org.kind == Organisation.Kind.RECOVERY_COLLEGE), pools[0])
            self.deliver(college, pools, terms.get(college.id, []), demo=number == 0)
            self.support_groups(college, [pool for pool in pools if pool is not college], demo=number == 0)
            if len(self.rows) >= ROWS_PER_CHUNK:
                self.flush()
        self.flush()
        return SeededDelivery(
            now=self.now,
            venues=[venue for venues in self.venues.values() for venue in venues],
            runs=self.runs,
            groups=self.groups,
            demo=self.demo.runs,
        )

    # Venues -----------------------------------------------------------------------------------

    def make_venues(self) -> None:
        area_names = dict(Area.objects.values_list("id", "name"))
        rows: list[Venue] = []
        for org in self.people.organisations:
            made = make_venues(
                org,
                college=org.kind == Organisation.Kind.RECOVERY_COLLEGE,
                area_names=area_names,
                rng=self.rng,
                new_id=self.new_id,
            )
            rows += made
            self.venues[org.id] = [seeded(venue) for venue in made]
        self.area_names = area_names
        self.context.save_chunk(rows)

    # Runs -------------------------------------------------------------------------------------

    def deliver(self, college: OrgPeople, pools: list[OrgPeople], terms: list[SeededTerm], *, demo: bool) -> None:
        scheduler = Scheduler(pools, self.venues, rng=self.rng, new_id=self.new_id, now=self.now)
        plans: list[RunPlan] = []
        demands: dict[uuid.UUID, Demands] = {}
        for term, count in zip(terms, self.allocate(terms), strict=True):
            offered = [self.catalogue[course_id] for course_id in term.course_ids if course_id in self.catalogue]
            if demo and term.starts_on <= self.today <= term.ends_on:
                plan = self.demo.tutors_run(scheduler, college, term, offered)
                if plan is not None:
                    plans.append(plan)
                    demands[plan.id] = Demands(popularity=1.1, unmarked=2)
                    count -= 1
            for course in scheduler.pick_courses(offered, count):
                made = scheduler.plan(course, term)
                if made is not None:
                    plans.append(made)
        self.dropped += scheduler.dropped
        if demo:
            self.demo.participants_runs(plans, demands)
        self.deal_demands(plans, demands)
        for plan in plans:
            life = RunLife(
                plan,
                demands[plan.id],
                rng=self.rng,
                now=self.now,
                new_id=self.new_id,
                reliability=self.reliability,
                threshold=self.threshold,
            )
            life.play()
            run = write_run(life, self.rows)
            self.statuses[run.status] += 1
            self.runs.append(
                SeededRun(
                    run.id,
                    plan.course.id,
                    plan.version.id,
                    plan.organiser.id,
                    plan.term.id,
                    run.status,
                    plan.capacity,
                    plan.starts[0],
                    plan.ends_at,
                )
            )
            if len(self.rows) >= ROWS_PER_CHUNK:
                self.flush()

    def allocate(self, terms: list[SeededTerm]) -> list[int]:
        """Runs per term: ``runs_per_year`` a year per college, evenly, none beyond what a term can offer.

        A term offering few courses (early in a catalogue's life) runs each at most
        ``MAX_COHORTS`` times; what it cannot take goes to the other terms.
        """
        sizes = self.context.sizes
        share = [1.0 if term.published else UNPUBLISHED_SHARE for term in terms]
        total = sizes.runs_per_year / max(1, sizes.colleges) / 3 * sum(share)
        caps = [MAX_COHORTS * sum(1 for course_id in term.course_ids if course_id in self.catalogue) for term in terms]
        exact = [0.0] * len(terms)
        open_terms = set(range(len(terms)))
        while open_terms and total > 1e-9:
            weight = sum(share[index] for index in open_terms)
            full = {index for index in open_terms if exact[index] + total * share[index] / weight >= caps[index]}
            if not full:
                for index in open_terms:
                    exact[index] += total * share[index] / weight
                break
            for index in full:
                total -= caps[index] - exact[index]
                exact[index] = caps[index]
            open_terms -= full
        counts = [int(value) for value in exact]
        by_remainder = sorted(range(len(terms)), key=lambda index: exact[index] - counts[index], reverse=True)
        for index in by_remainder[: round(sum(exact)) - sum(counts)]:
            counts[index] += 1
        return counts

    def deal_demands(self, plans: list[RunPlan], demands: dict[uuid.UUID, Demands]) -> None:
        """How popular each run is; which are cancelled for everyday reasons (dealt, so every college has some)."""
        rng, now = self.rng, self.now
        for plan in plans:
            demands.setdefault(plan.id, Demands(popularity=rng.uniform(0.6, 1.45)))
        free = [plan for plan in plans if not plan.demo]
        windows = {}
        for plan in free:
            earliest, latest = plan.opens_at + timedelta(days=3), min(plan.starts[0] - timedelta(days=2), now)
            if plan.staffed and earliest < latest:
                windows[plan.id] = (earliest, latest)
        for ended in (True, False):  # past terms always show one
            after_opening = [plan for plan in free if plan.id in windows and (plan.term.ends_on < self.today) == ended]
            count = round(len(after_opening) * CANCELLED_SHARE)
            for plan in rng.sample(after_opening, max(count, 1) if ended and after_opening else count):
                earliest, latest = windows[plan.id]
                moment = earliest + (latest - earliest) * rng.random()
                demands[plan.id].cancel = (moment, rng.choice(CANCELLATION_REASONS))
        # A few full runs lost someone yesterday: the front of the queue holds an offer still open.
        waiting = [
            plan
            for plan in free
            if plan.staffed
            and plan.starts[0] > now + timedelta(days=3)
            and now - plan.opens_at > (plan.starts[0] - plan.opens_at) * 0.6  # long enough to fill up
        ]
        for plan in rng.sample(waiting, max(1, round(len(waiting) * LATE_WITHDRAWAL_SHARE)) if waiting else 0):
            demand = demands[plan.id]
            demand.popularity = max(demand.popularity, 1.5)
            demand.late_withdrawal = at(self.today - timedelta(days=1), "10:00") + timedelta(minutes=rng.randrange(420))
        before_opening = [
            plan
            for plan in free
            if demands[plan.id].cancel is None and plan.created_at + timedelta(days=7) < min(plan.opens_at, now)
        ]
        for plan in rng.sample(before_opening, round(len(before_opening) * EARLY_CANCELLED_SHARE)):
            latest = min(plan.opens_at, now) - timedelta(days=1)
            moment = plan.created_at + (latest - plan.created_at) * rng.random()
            demands[plan.id].cancel = (moment, rng.choice(CANCELLATION_REASONS))

    def reliability(self, person_id: uuid.UUID) -> float:
        """How likely this person is to come to any one session: most nearly always, a few seldom."""
        value = self._reliability.get(person_id)
        if value is None:
            roll = self.rng.random()
            value = 0.93 if roll < 0.7 else 0.7 if roll < 0.92 else 0.35
            self._reliability[person_id] = value
        return value

    # Support groups ---------------------------------------------------------------------------

    def support_groups(self, college: OrgPeople, partners: list[OrgPeople], *, demo: bool) -> None:
        rng = self.rng
        lead = self.demo.tutor("peer.tutor", [college], "peer") if demo else None
        regular = self.demo.participant_memberships().get(college.id) if demo else None
        count = (2 if self.context.sizes.people < 1000 else 3) if demo else rng.randint(1, 3)
        seeder = GroupSeeder(
            college,
            partners,
            self.venues.get(college.id, []),
            self.area_names,
            rng=rng,
            new_id=self.new_id,
            today=self.today,
            years=self.context.sizes.years,
            rows=self.group_rows,
        )
        self.groups += seeder.build(count, lead=lead, regular=regular)

    # Saving -----------------------------------------------------------------------------------

    def flush(self) -> None:
        rows, groups = self.rows, self.group_rows
        self.context.save_chunk(
            rows.runs,
            rows.run_changes,
            rows.sessions,
            rows.assignments,
            rows.enrolments,
            rows.enrolment_changes,
            rows.attendance,
            groups.groups,
            groups.partner_links,
            groups.meetings,
            groups.facilitators,
            groups.attendees,
        )
        self.context.progress(f"delivery: {self.context.counts['delivery.courserun']:,} runs saved")
        self.rows = Rows()
        self.group_rows = GroupRows()


def seed_delivery(context: SeedContext) -> None:
    """Seed venues, course runs with their sessions, staff, enrolments and registers, and support groups."""
    seeder = DeliverySeeder(context)
    result = seeder.run()
    context.shared[SHARED_KEY] = result
    counts, statuses = context.counts, seeder.statuses
    context.write(
        f"delivery: {counts['delivery.venue']:,} venues, {counts['delivery.courserun']:,} runs "
        f"({statuses['completed']:,} completed, {statuses['running']:,} running, {statuses['open']:,} open, "
        f"{statuses['full']:,} full, {statuses['planned']:,} planned, {statuses['cancelled']:,} cancelled; "
        f"{seeder.dropped:,} left out for want of tutors), {counts['delivery.session']:,} sessions, "
        f"{counts['delivery.facilitatorassignment']:,} tutor assignments, {counts['delivery.enrolment']:,} "
        f"enrolments, {counts['delivery.attendance']:,} attendance marks, {counts['delivery.supportgroup']:,} "
        f"support groups with {counts['delivery.groupmeeting']:,} meetings"
    )


seeding.register(SHARED_KEY, ORDER, seed_delivery)
