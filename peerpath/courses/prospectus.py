"""The public prospectus: what a term offers, who it is for, and who shaped each course.

Everything here is read by pages anyone can open without signing in, so it
hands out only what a prospectus prints: course descriptions, organisation
names, boroughs and counts. People are named only while they consent to be
credited (``Consent.Purpose.CREDIT``), and never with contact details.

Entries and sources
-------------------
A prospectus is a list of :class:`ProspectusEntry`, gathered from *sources*:
callables registered with :func:`register_source` that take a term and return
entries. The default source, :func:`approved_courses`, lists the approved
courses the term offers, one entry per course.

The delivery app will register a second source listing the term's scheduled
runs, one entry per run, with ``run_id``, ``starts_on``, ``venue`` and
``places_left``, ``waiting`` and ``enrol_url`` filled in and ``boroughs`` set to the venue's borough (build them
with :func:`course_entry`). When any run of a course exists for a term, its run
entries replace that course's course-level entry (:func:`all_entries`); courses
without runs still appear once, as courses. Filters apply to every entry alike.

Query cost is constant in the number of entries: the default source makes four
queries (courses with owner areas, partners with areas, the co-production rule,
grouped contributions), however many courses a term offers.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from peerpath.courses import coproduction, presenters
from peerpath.courses.choices import Audience, Capacity, DeliveryMode
from peerpath.courses.models import Contribution, Course, CourseVersion, Term
from peerpath.courses.querysets import CourseQuerySet, TermQuerySet
from peerpath.people.models import Consent, Organisation, Person
from peerpath.people.services import consenting
from peerpath.programmes.context import terms_of
from peerpath.programmes.terms import DEFAULT, Terms

# Formatting ------------------------------------------------------------------


# Numbers, shares and days are written as on the staff pages (``presenters``); these add the words.


def format_hours(hours: Decimal) -> str:
    """'18 hours', '1.5 hours', '1 hour'."""
    return f"{presenters.format_hours(hours)} hour{'' if hours == 1 else 's'}"


def format_dates(starts_on: date, ends_on: date) -> str:
    """'12 January to 30 March 2027'; the first year is shown only when the years differ."""
    if starts_on == ends_on:
        return presenters.format_day(starts_on)
    start = f"{starts_on.day} {starts_on:%B}" if starts_on.year == ends_on.year else presenters.format_day(starts_on)
    return f"{start} to {presenters.format_day(ends_on)}"


def format_sessions(count: int, minutes: int) -> str:
    """'6 sessions of 2 hours', '1 session of 90 minutes'."""
    if minutes % 60 == 0:
        length = f"{minutes // 60} hour{'' if minutes == 60 else 's'}"
    elif minutes > 60:
        length = f"{minutes // 60} hour{'' if minutes < 120 else 's'} {minutes % 60} minutes"
    else:
        length = f"{minutes} minutes"
    return f"{count} session{'' if count == 1 else 's'} of {length}"


# Entries -----------------------------------------------------------------------


@dataclass(frozen=True)
class Borough:
    code: str
    name: str


@dataclass(frozen=True)
class CoproductionSummary:
    """What a prospectus says about how a course was made: counts, never people."""

    coproduced: bool
    contributions: int
    hours: Decimal
    lived_hours: Decimal

    @classmethod
    def of(cls, profile: coproduction.Profile) -> CoproductionSummary:
        return cls(profile.is_coproduced, profile.total_contributions, profile.total_hours, profile.lived_hours)

    @property
    def lived_share(self) -> Decimal | None:
        return self.lived_hours / self.hours if self.hours else None

    @property
    def text(self) -> str:
        return self.describe(DEFAULT)

    def describe(self, terms: Terms) -> str:
        """How the course was made, in the words of its programme."""
        if not self.contributions:
            return "No co-production activity has been recorded for this course yet."
        share = self.lived_share
        hours = (
            f"People with lived experience gave {presenters.format_percent(share)} of the "
            f"{format_hours(self.hours)} spent shaping it."
        )
        if self.coproduced:
            return f"Co-produced with {terms.people} and people with lived experience. {hours}"
        return f"Does not yet meet the co-production rule. {hours}"


@dataclass(frozen=True)
class ProspectusEntry:
    """One thing on offer in a term: a course, or (from the delivery app) one run of it.

    The run fields are None for course-level entries. ``terms`` are the words of the
    course's programme, for its labels.
    """

    course_id: uuid.UUID
    title: str
    summary: str
    category: str
    audience: str
    delivery_modes: tuple[str, ...]  # DeliveryMode values
    boroughs: tuple[Borough, ...]
    session_count: int
    session_minutes: int
    organisations: tuple[str, ...]  # the owner first, then partners by name
    coproduction: CoproductionSummary
    run_id: uuid.UUID | None = None
    starts_on: date | None = None
    venue: str | None = None
    places_left: int | None = None
    waiting: int | None = None
    enrol_url: str | None = None
    terms: Terms = DEFAULT

    @property
    def is_run(self) -> bool:
        return self.run_id is not None

    @property
    def coproduced(self) -> bool:
        return self.coproduction.coproduced

    @property
    def category_label(self) -> str:
        return presenters.category_label(self.category, self.terms)

    @property
    def audience_label(self) -> str:
        return presenters.audience_label(self.audience, self.terms)

    @property
    def coproduction_text(self) -> str:
        return self.coproduction.describe(self.terms)

    @property
    def delivery_mode_labels(self) -> list[str]:
        return [DeliveryMode(mode).label for mode in self.delivery_modes]

    @property
    def sessions_text(self) -> str:
        return format_sessions(self.session_count, self.session_minutes)

    @property
    def starts_on_text(self) -> str:
        return presenters.format_day(self.starts_on)

    def sort_key(self) -> tuple[date, str, str]:
        return (self.starts_on or date.max, self.title.casefold(), str(self.run_id or ""))


def _areas_of(organisations: Iterable[Organisation]) -> tuple[Borough, ...]:
    found = {org.area.code: Borough(org.area.code, org.area.name) for org in organisations if org.area is not None}
    return tuple(sorted(found.values(), key=lambda borough: borough.name))


def course_entry(
    course: Course,
    summary: CoproductionSummary,
    *,
    boroughs: tuple[Borough, ...] | None = None,
    **run: Any,
) -> ProspectusEntry:
    """An entry for a course (``course.owner.area``, ``course.programme`` and ``course.partners`` loaded).

    Without ``boroughs``, a course is in the boroughs of its owner and partners.
    A run source passes the venue's borough and ``run_id``, ``starts_on``,
    ``venue`` and ``places_left``.
    """
    partners = sorted(course.partners.all(), key=lambda org: org.name)
    return ProspectusEntry(
        course_id=course.pk,
        title=course.title,
        summary=course.summary,
        category=course.category,
        audience=course.audience,
        delivery_modes=tuple(mode.value for mode in DeliveryMode if getattr(course, mode.value)),
        boroughs=_areas_of([course.owner, *partners]) if boroughs is None else boroughs,
        session_count=course.session_count,
        session_minutes=course.session_minutes,
        organisations=(course.owner.name, *(org.name for org in partners if org.pk != course.owner_id)),
        coproduction=summary,
        terms=terms_of(course.programme),
        **run,
    )


def coproduction_summaries(course_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, CoproductionSummary]:
    """Summaries for many courses at once: two queries (the rule, the grouped contributions)."""
    return {pk: CoproductionSummary.of(profile) for pk, profile in coproduction.profiles_for(course_ids).items()}


def offered_courses(term: Term) -> CourseQuerySet:
    """The approved courses a term offers, with what an entry needs (two queries; the programme is joined)."""
    partners = Organisation.objects.select_related("area").order_by("name")
    courses: CourseQuerySet = term.courses.all()
    return (
        courses.approved()
        .select_related("owner__area", "programme")
        .prefetch_related(Prefetch("partners", queryset=partners))
        .order_by("title")
    )


# Sources -----------------------------------------------------------------------

Source = Callable[[Term], Iterable[ProspectusEntry]]
_SOURCES: list[Source] = []


def register_source(source: Source) -> Source:
    """Add a source of entries (usable as a decorator; registering twice adds it once).

    Apps register their sources in ``AppConfig.ready``.
    """
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def approved_courses(term: Term) -> list[ProspectusEntry]:
    """The default source: one entry per approved course the term offers."""
    courses = list(offered_courses(term))
    summaries = coproduction_summaries([course.pk for course in courses])
    return [course_entry(course, summaries[course.pk]) for course in courses]


register_source(approved_courses)


# Filters -----------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a visitor narrowed the prospectus to; empty strings mean "any"."""

    category: str = ""
    audience: str = ""
    borough: str = ""  # an Area code
    mode: str = ""  # a DeliveryMode value

    @property
    def active(self) -> bool:
        return any((self.category, self.audience, self.borough, self.mode))

    def matches(self, entry: ProspectusEntry) -> bool:
        if self.category and entry.category != self.category:
            return False
        # A course for everyone is also for carers, staff and people with lived experience.
        if self.audience and entry.audience not in (self.audience, Audience.EVERYONE):
            return False
        # A course with no borough (its organisations serve the whole area) is open to every borough.
        if self.borough and entry.boroughs and self.borough not in {borough.code for borough in entry.boroughs}:
            return False
        return not (self.mode and self.mode not in entry.delivery_modes)

    def describe(self, boroughs: Iterable[Borough] = (), terms: Terms = DEFAULT) -> str:
        """'Carers' self-management course, for carers, in Merton, online' (empty when no filter is set)."""
        names = {borough.code: borough.name for borough in boroughs}
        parts = []
        if self.category:
            parts.append(presenters.category_label(self.category, terms))
        if self.audience:
            parts.append(f"for {presenters.audience_label(self.audience, terms).lower()}")
        if self.borough:
            parts.append(f"in {names.get(self.borough, self.borough)}")
        if self.mode:
            parts.append(DeliveryMode(self.mode).label.lower())
        return ", ".join(parts)


NO_FILTERS = Filters()


def all_entries(term: Term) -> list[ProspectusEntry]:
    """Every entry of every source for the term, runs replacing their courses, soonest first."""
    entries = [entry for source in _SOURCES for entry in source(term)]
    with_runs = {entry.course_id for entry in entries if entry.is_run}
    kept = [entry for entry in entries if entry.is_run or entry.course_id not in with_runs]
    return sorted(kept, key=ProspectusEntry.sort_key)


def filter_entries(entries: Iterable[ProspectusEntry], filters: Filters) -> list[ProspectusEntry]:
    return [entry for entry in entries if filters.matches(entry)]


def entries_for(term: Term, filters: Filters = NO_FILTERS) -> list[ProspectusEntry]:
    """The term's prospectus, narrowed by ``filters``."""
    return filter_entries(all_entries(term), filters)


def boroughs_of(entries: Iterable[ProspectusEntry]) -> list[Borough]:
    """The boroughs a visitor can filter by: those some entry is in, by name."""
    found = {borough for entry in entries for borough in entry.boroughs}
    return sorted(found, key=lambda borough: borough.name)


# Terms -----------------------------------------------------------------------


def offered_count() -> Count:
    """Annotation: how many approved courses a term offers (what its prospectus lists)."""
    return Count("courses", filter=Q(courses__status=Course.Status.APPROVED), distinct=True)


def visible_term(user: Any, slug: str) -> Term:
    """A term whose prospectus this visitor may see, or Http404.

    Everyone sees published terms. An unpublished term is a preview for those
    who may edit it (its organisation's coordinators and administrators) and
    does not exist for anyone else.
    """
    try:
        term = Term.objects.select_related("organisation").get(slug=slug)
    except Term.DoesNotExist:
        raise Http404("No such prospectus") from None
    if term.published or (user.is_authenticated and user.has_perm("courses.edit_term", term)):
        return term
    raise Http404("No such prospectus")


@dataclass(frozen=True)
class TermLink:
    name: str
    slug: str
    dates: str
    course_count: int


@dataclass(frozen=True)
class OrganisationTerms:
    organisation: str
    terms: list[TermLink]


def open_terms(today: date) -> list[OrganisationTerms]:
    """Published terms that have not ended, grouped by organisation, soonest first (one query)."""
    terms: TermQuerySet = Term.objects.published().not_ended(today)
    rows = (
        terms.select_related("organisation")
        .annotate(course_count=offered_count())
        .order_by("organisation__name", "starts_on", "name")
    )
    grouped: dict[str, list[TermLink]] = defaultdict(list)
    for term in rows:
        grouped[term.organisation.name].append(
            TermLink(term.name, term.slug, format_dates(term.starts_on, term.ends_on), term.course_count)  # type: ignore[attr-defined]
        )
    return [OrganisationTerms(name, links) for name, links in grouped.items()]


# One course ------------------------------------------------------------------


def offered_course(term: Term, course_id: uuid.UUID) -> Course:
    """An approved course the term offers (owner area and partners loaded), or Http404.

    When the delivery app lists runs, a run's course is one the term offers,
    so this stays the test of whether a course belongs to a prospectus.
    """
    try:
        return offered_courses(term).get(pk=course_id)
    except Course.DoesNotExist:
        raise Http404("This course is not in this prospectus") from None


def approved_version(course: Course) -> CourseVersion | None:
    """The course's current approved version with its outline (two queries)."""
    return (
        course.versions.filter(status=CourseVersion.Status.APPROVED)
        .prefetch_related("outline")
        .order_by("-number")
        .first()
    )


def approved_outcomes(course_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Learning outcomes of each course's approved version (one query)."""
    versions = CourseVersion.objects.filter(course_id__in=list(course_ids), status=CourseVersion.Status.APPROVED).only(
        "course_id", "learning_outcomes"
    )
    return {version.course_id: version.outcomes for version in versions}


@dataclass(frozen=True)
class CapacityRow:
    label: str
    contributions: int
    hours: str
    share: str  # of all co-production hours


@dataclass(frozen=True)
class StageRow:
    label: str
    contributions: int
    hours: str  # a number: the column says "Hours"
    lived_experience: bool


def profile_rows(profile: coproduction.Profile, terms: Terms = DEFAULT) -> tuple[list[CapacityRow], list[StageRow]]:
    """The profile as display rows: capacities that took part, and every stage."""
    capacities = [
        CapacityRow(
            presenters.capacity_label(row.capacity, terms),
            row.contributions,
            format_hours(row.hours),
            presenters.format_percent(row.hours_share),
        )
        for row in profile.by_capacity
        if row.contributions
    ]
    stages = [
        StageRow(row.label, row.contributions, presenters.format_hours(row.hours), row.has_lived_experience)
        for row in profile.by_stage
    ]
    return capacities, stages


@dataclass(frozen=True)
class Credit:
    """Who took part in one capacity: names of those who consent, a count of the rest."""

    capacity: str
    label: str
    names: list[str]
    unnamed: int


def credits_for(course_id: uuid.UUID, terms: Terms = DEFAULT) -> list[Credit]:
    """Contributors to a course by capacity, named only while they consent to be credited.

    Three queries at most: the contributions, the consent decisions in force,
    and the names of those who consent. Nobody else's name is ever read.
    A contribution without a person (someone not on PeerPath) is counted
    once; a person is counted once per capacity however often they took part.
    """
    rows = (
        Contribution.objects.filter(activity__course_id=course_id)
        .values_list("capacity", "person_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    anonymous: defaultdict[str, int] = defaultdict(int)
    people: defaultdict[str, set[uuid.UUID]] = defaultdict(set)
    for capacity, person_id, count in rows:
        if person_id is None:
            anonymous[capacity] += count
        else:
            people[capacity].add(person_id)
    everyone = {pk for ids in people.values() for pk in ids}
    credited = consenting(everyone, Consent.Purpose.CREDIT)
    names: dict[uuid.UUID, str] = {}
    if credited:
        for person in Person.objects.filter(pk__in=credited).only("id", "given_name", "preferred_name", "family_name"):
            names[person.pk] = person.display_name
    credits = []
    for capacity in Capacity:
        ids = people.get(capacity.value, set())
        if not ids and not anonymous.get(capacity.value):
            continue
        named = sorted((names[pk] for pk in ids if pk in names), key=str.casefold)
        label = presenters.capacity_label(capacity, terms)
        credits.append(Credit(capacity.value, label, named, len(ids) - len(named) + anonymous[capacity.value]))
    return credits


def rule_text(rule: coproduction.Rule) -> str:
    return f"A course counts as co-produced when {rule.describe()}."
