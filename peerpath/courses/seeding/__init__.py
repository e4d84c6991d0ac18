"""Demo courses: each college's catalogue, its versions and co-production record, its terms.

Importing this module registers the ``courses`` step with ``peerpath.core.seeding``,
to run after ``people``. Every college (and its partners) gets a catalogue drawn
from :mod:`catalogue` (the 25 courses as written at the ``small`` scale; with
variants for parents, online, in a language or a borough at larger scales),
each course with a status history, numbered versions with outlines, the
co-production activities that shaped it and who took part in which capacity.
Some contributors consent to be named in the prospectus; each college has
terms across the period whose prospectuses offer approved courses.

Later steps find what was made in ``context.shared[SHARED_KEY]`` (a :class:`SeededCourses`).
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from peerpath.core import seeding
from peerpath.core.seeding import SeedContext, SeedError
from peerpath.courses.coproduction import DEFAULT_RULE
from peerpath.courses.models import CoproductionRule, Course, Term
from peerpath.courses.seeding.history import Contributed, CourseHistory, Rows
from peerpath.courses.seeding.plans import Plan, courses_per_group, plan_group
from peerpath.courses.seeding.pools import Group, load_groups
from peerpath.courses.seeding.terms import OfferedCourse, SeededTerm, credit_consents, make_terms, term_rows
from peerpath.people.seeding import SHARED_KEY as PEOPLE_KEY
from peerpath.people.seeding import SeededPeople
from peerpath.programmes.models import Programme

SHARED_KEY = "courses"
PROGRAMME_CODE = "carers-mental-health"
# Programme ids come from the college's id, not the step's generator, so adding programmes
# changed none of the other seeded data.
PROGRAMME_NAMESPACE = uuid.UUID("5b0c0a52-3d5e-4c49-9d1b-6f1f3a3e8f21")
ORDER = 20  # after people (10)
# Courses saved per transaction, with their versions, outlines, history and co-production record.
COURSES_PER_CHUNK = 1_000


class AscendingIds:
    """Version 4 UUIDs that look random but each sort after the one before.

    Courses, versions and activities are saved in the order they are made; with
    ascending ids every index that leads with one (a version's course, an
    activity's course, a contribution's activity) grows at its end instead of
    having pages rewritten all over it at each commit, as the people step does
    with person ids. The top 48 bits rise by at least one each time, so the
    version and variant bits, which lie below them, never break the order.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.value = rng.getrandbits(127)

    def __call__(self) -> uuid.UUID:
        self.value += (self.rng.randrange(1, 1 << 24) << 80) | self.rng.getrandbits(80)
        return uuid.UUID(int=self.value, version=4)


@dataclass(frozen=True)
class SeededCourse:
    """One seeded course, for later steps (runs are of approved versions)."""

    id: uuid.UUID
    owner_id: uuid.UUID
    title: str
    category: str
    status: str
    session_count: int
    session_minutes: int
    approved_version_id: uuid.UUID | None
    first_approved_on: date | None


@dataclass
class SeededCourses:
    courses: list[SeededCourse]
    terms: list[SeededTerm]


class CourseSeeder:
    def __init__(self, context: SeedContext) -> None:
        people = context.shared.get(PEOPLE_KEY)
        if not isinstance(people, SeededPeople):
            raise SeedError("The courses step needs the people step to have run first.")
        self.context = context
        self.people = people
        self.rng = context.rng
        self.today = context.today
        self.rows = Rows()
        self.new_id = AscendingIds(context.rng)
        self.contributed: dict[uuid.UUID, Contributed] = {}
        self.courses: list[SeededCourse] = []
        self.statuses: Counter[str] = Counter()
        self.credits = 0
        self.programme: Programme | None = None

    def run(self) -> SeededCourses:
        if Course.objects.exists() or Term.objects.exists():
            raise SeedError(
                "This database already has courses but no finished seed run. Empty it with 'manage.py flush' "
                "and run seed_demo again."
            )
        self.ensure_rule()
        groups = load_groups(self.people, self.rng)
        count = courses_per_group(self.context.sizes)
        offered: list[list[OfferedCourse]] = []
        programmes = [self.programme_for(group) for group in groups]
        self.context.save_chunk(programmes)
        for group, programme in zip(groups, programmes, strict=True):
            self.programme = programme
            built = [self.build(plan) for plan in plan_group(group, count, self.rng)]
            offered.append([course for course in built if course is not None])
            if len(self.rows) >= COURSES_PER_CHUNK:
                self.flush()
        self.flush()
        consents = credit_consents(
            self.contributed,
            always=self.demo_contributors(),
            today=self.today,
            rng=self.rng,
            new_uuid=self.context.uuid,
        )
        terms: list[SeededTerm] = []
        slugs: set[str] = set()
        for group, on_offer in zip(groups, offered, strict=True):
            terms += make_terms(
                group,
                on_offer,
                today=self.today,
                years=self.context.sizes.years,
                rng=self.rng,
                new_uuid=self.context.uuid,
                slugs=slugs,
            )
        term_list, term_links = term_rows(terms)
        self.credits = len(consents)
        self.context.save_chunk(consents, term_list, term_links)
        return SeededCourses(courses=self.courses, terms=terms)

    @staticmethod
    def programme_for(group: Group) -> Programme:
        """Each college runs the carers' peer trainer programme with its partners."""
        college = group.college.org
        return Programme(
            id=uuid.uuid5(PROGRAMME_NAMESPACE, str(college.id)),
            owner_id=college.id,
            code=PROGRAMME_CODE,
            name="Carers' peer trainer programme",
            summary=(
                "Carers of people with mental health problems are trained and accredited as peer trainers "
                "and facilitators. They co-produce and co-deliver Recovery College courses and carers' "
                "self-management courses with professional tutors, and run carers' support groups with a "
                "national mental health charity and local carers' organisations."
            ),
        )

    def ensure_rule(self) -> None:
        """The installation's co-production rule: a migration makes it, but ``flush`` empties the table."""
        if not CoproductionRule.objects.exists():
            rule = CoproductionRule(
                lived_experience_stages=list(DEFAULT_RULE.lived_experience_stages),
                design_stages=list(DEFAULT_RULE.design_stages),
                minimum_lived_design_share=DEFAULT_RULE.minimum_lived_design_share,
            )
            self.context.save_chunk([rule])

    def build(self, plan: Plan) -> OfferedCourse | None:
        """Build one course's rows; what a term may offer if it is approved."""
        span = timedelta(days=365 * (self.context.sizes.years + 2))
        earliest = self.today - span
        first_coordinator = plan.owner.first_coordinator_since
        if first_coordinator is not None:
            earliest = max(earliest, first_coordinator + timedelta(days=1))
        history = CourseHistory(
            plan,
            rng=self.rng,
            today=self.today,
            earliest=min(earliest, self.today),
            new_uuid=self.new_id,
            rows=self.rows,
            contributed=self.contributed,
        )
        outcome = history.build()
        course = outcome.course
        course.programme = self.programme
        self.statuses[course.status] += 1
        self.courses.append(
            SeededCourse(
                id=course.id,
                owner_id=course.owner_id,
                title=course.title,
                category=course.category,
                status=course.status,
                session_count=course.session_count,
                session_minutes=course.session_minutes,
                approved_version_id=outcome.approved_version.id if outcome.approved_version else None,
                first_approved_on=outcome.first_approved_on,
            )
        )
        if course.status != Course.Status.APPROVED or outcome.first_approved_on is None:
            return None
        return OfferedCourse(course.id, course.owner_id, outcome.first_approved_on)

    def flush(self) -> None:
        rows = self.rows
        self.context.save_chunk(
            rows.courses,
            rows.partner_links,
            rows.versions,
            rows.outline,
            rows.status_changes,
            rows.activities,
            rows.contributions,
        )
        self.context.progress(f"courses: {self.context.counts['courses.course']:,} courses saved")
        self.rows = Rows()

    def demo_contributors(self) -> set[uuid.UUID]:
        """The demo peer tutor, professional tutor and carer are named wherever they took part."""
        ids = self.people.demo_person_ids
        return {ids[name] for name in ("peer.tutor", "professional.tutor", "participant") if name in ids}


def seed_courses(context: SeedContext) -> None:
    """Seed catalogues, versions, co-production records, credit consents and terms for ``context.scale``."""
    seeder = CourseSeeder(context)
    result = seeder.run()
    context.shared[SHARED_KEY] = result
    counts = context.counts
    statuses = seeder.statuses
    context.write(
        f"courses: {counts['courses.course']:,} courses ({statuses['approved']:,} approved, "
        f"{statuses['in_coproduction']:,} in co-production, {statuses['idea']:,} ideas, "
        f"{statuses['retired']:,} retired), {counts['courses.courseversion']:,} versions, "
        f"{counts['courses.outlinesession']:,} outline sessions, {counts['courses.coproductionactivity']:,} "
        f"co-production activities, {counts['courses.contribution']:,} contributions, "
        f"{counts['courses.term']:,} terms, {seeder.credits:,} consents to be named"
    )


seeding.register(SHARED_KEY, ORDER, seed_courses)
