"""Co-production and fidelity: who delivered the runs, who shaped the courses, and RECOLLECT over time.

Three tables, each from a fixed number of queries whatever the number of runs, sessions,
courses or assessments (twelve in all):

- ``codelivery``: runs and sessions per course category, and how many were co-delivered
  by an accredited peer and a professional tutor (four flat queries, judged in Python);
- ``profiles``: each course's co-production profile from ``courses.coproduction`` (four);
- ``fidelity``: the colleges' RECOLLECT self-assessments per year (four).

Runs, sessions, hours and organisations are not people, so they are ``FIXED`` and pass
disclosure control untouched; the number of people who contributed to a course is a
count of people and is controlled. Contributors are never named.
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Subquery
from django.utils import timezone

from peerpath.accreditation.models import Award
from peerpath.courses.choices import Capacity, Category, Stage
from peerpath.courses.coproduction import Profile, current_rule, profiles_for
from peerpath.courses.models import Contribution, Course
from peerpath.delivery.models import CourseRun, FacilitatorAssignment, Session
from peerpath.evaluation.models import Response, Score
from peerpath.evaluation.responses import instrument_for
from peerpath.evaluation.schedules import newest_published
from peerpath.people.models import Membership
from peerpath.reports.filters import Scope
from peerpath.reports.sections import Chart, Section
from peerpath.reports.tables import Column, Kind, Table

Role = FacilitatorAssignment.Role
RECOLLECT = "recollect"
TOTAL_SCALE = "total"


# Co-delivery -------------------------------------------------------------------------------

# The peer role a run needs, by course category: support-group formats are led by peer facilitators.
PEER_ROLE = {Category.SUPPORT_GROUP.value: Role.PEER_FACILITATOR.value}
PEER_ROLES = (Role.PEER_TRAINER, Role.PEER_FACILITATOR)

Span = tuple[date, date | None]
Team = list[tuple[uuid.UUID, str]]


def peer_role(category: str) -> str:
    return PEER_ROLE.get(category, Role.PEER_TRAINER.value)


def _covered(spans: Iterable[Span], day: date) -> bool:
    return any(start <= day and (until is None or until >= day) for start, until in spans)


@dataclass(frozen=True)
class Staffing:
    """Who was assigned to the runs in scope and when the peers among them were accredited.

    Fetched in four flat queries and judged in Python: each run and session asks about its
    own day, which as correlated subqueries would cost a national network's 60,000 sessions
    several probes and date conversions each, and here costs a dictionary lookup.
    """

    # (run, day of its first session, course category)
    runs: list[tuple[uuid.UUID, date, str]]
    # (session, run, day)
    sessions: list[tuple[uuid.UUID, uuid.UUID, date]]
    # Each run's team (people assigned to the whole run) and each session's stand-ins, as (person, role).
    teams: dict[uuid.UUID, Team]
    stand_ins: dict[uuid.UUID, Team]
    # Each (person, role an award grants)'s award periods.
    spans: dict[tuple[uuid.UUID, str], list[Span]]

    def codelivered(self, people: Iterable[tuple[uuid.UUID, str]], category: str, day: date) -> bool:
        """``people`` include a professional tutor and a peer in the category's role accredited on ``day``."""
        needed = peer_role(category)
        tutor = peer = False
        for person_id, role in people:
            tutor = tutor or role == Role.PROFESSIONAL_TUTOR
            peer = peer or (role == needed and _covered(self.spans.get((person_id, role), ()), day))
        return tutor and peer


def staffing(runs: QuerySet[CourseRun]) -> Staffing:
    """The runs, their sessions, their assignments and their peers' awards (four queries).

    An award counts as ``accreditation.lifecycle.holders_on`` counts it: active, or since
    expired (it still covered the days of its period), never suspended or revoked, both of
    its dates included.
    """
    in_scope = runs.values("pk")
    zone = timezone.get_current_timezone()  # once: looking it up costs more than converting a date
    run_rows = [
        (run_id, starts_at.astimezone(zone).date(), category)
        for run_id, starts_at, category in runs.values_list("pk", "starts_at", "version__course__category")
        if starts_at is not None  # a run without sessions has no first day, and no place in a period
    ]
    sessions = [
        (session_id, run_id, starts_at.astimezone(zone).date())
        for session_id, run_id, starts_at in Session.objects.filter(run__in=in_scope).values_list(
            "pk", "run_id", "starts_at"
        )
    ]
    assignments = FacilitatorAssignment.objects.filter(run__in=in_scope)
    teams: defaultdict[uuid.UUID, Team] = defaultdict(list)
    stand_ins: defaultdict[uuid.UUID, Team] = defaultdict(list)
    for run_id, session_id, person_id, role in assignments.values_list("run_id", "session_id", "person_id", "role"):
        if session_id is None:
            teams[run_id].append((person_id, role))
        else:
            stand_ins[session_id].append((person_id, role))
    spans: defaultdict[tuple[uuid.UUID, str], list[Span]] = defaultdict(list)
    awards = Award.objects.filter(
        holder_id__in=assignments.filter(role__in=PEER_ROLES).values("person_id"),
        status__in=(Award.Status.ACTIVE, Award.Status.EXPIRED),
    )
    for holder_id, grants, valid_from, valid_until in awards.values_list(
        "holder_id", "scheme__grants", "valid_from", "valid_until"
    ):
        spans[(holder_id, grants)].append((valid_from, valid_until))
    return Staffing(runs=run_rows, sessions=sessions, teams=teams, stand_ins=stand_ins, spans=spans)


Tally = dict[str, tuple[int, int]]


def codelivery_counts(staff: Staffing) -> tuple[Tally, Tally]:
    """(all, co-delivered) runs and sessions per course category.

    A run is judged by its team on the day of its first session, the day delivery's staffing
    rule checks. A session is judged by the run's team and its own stand-ins on its own day:
    a session-level assignment adds someone for one session, as nothing records a run-level
    facilitator standing down for one.
    """
    runs: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    sessions: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    category_of = {}
    for run_id, day, category in staff.runs:
        category_of[run_id] = category
        runs[category][0] += 1
        runs[category][1] += staff.codelivered(staff.teams.get(run_id, []), category, day)
    for session_id, run_id, day in staff.sessions:
        category = category_of[run_id]
        people = [*staff.teams.get(run_id, []), *staff.stand_ins.get(session_id, [])]
        sessions[category][0] += 1
        sessions[category][1] += staff.codelivered(people, category, day)
    return (
        {category: (n, co) for category, (n, co) in runs.items()},
        {category: (n, co) for category, (n, co) in sessions.items()},
    )


def _share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _codelivery_row(label: str, runs: tuple[int, int], sessions: tuple[int, int]) -> dict[str, Any]:
    return {
        "category": label,
        "runs": runs[0],
        "runs_codelivered": runs[1],
        "runs_share": _share(runs[1], runs[0]),
        "sessions": sessions[0],
        "sessions_codelivered": sessions[1],
        "sessions_share": _share(sessions[1], sessions[0]),
    }


CODELIVERY_COLUMNS = (
    Column(key="category", label="Course category", kind=Kind.TEXT),
    Column(key="runs", label="Runs", kind=Kind.FIXED, decimals=0),
    Column(
        key="runs_codelivered",
        label="Runs co-delivered",
        kind=Kind.FIXED,
        decimals=0,
        description="With an accredited peer and a professional tutor on the run's team",
    ),
    Column(key="runs_share", label="Runs co-delivered (%)", kind=Kind.FIXED, decimals=1),
    Column(key="sessions", label="Sessions", kind=Kind.FIXED, decimals=0),
    Column(
        key="sessions_codelivered",
        label="Sessions co-delivered",
        kind=Kind.FIXED,
        decimals=0,
        description="With an accredited peer and a professional tutor at the session",
    ),
    Column(key="sessions_share", label="Sessions co-delivered (%)", kind=Kind.FIXED, decimals=1),
)


def codelivery_table(scope: Scope) -> Table:
    """Runs and sessions co-delivered, per course category and in all (four queries)."""
    runs, sessions = codelivery_counts(staffing(scope.runs()))
    # Support-group formats are led by an accredited peer facilitator with no professional
    # tutor (ARCHITECTURE.md): co-delivery does not apply to them, so they are left out.
    for counts in (runs, sessions):
        counts.pop(Category.SUPPORT_GROUP.value, None)
    rows = [
        _codelivery_row(category.label, runs.get(category.value, (0, 0)), sessions.get(category.value, (0, 0)))
        for category in Category
        if category.value in runs
    ]
    all_runs = (sum(n for n, _ in runs.values()), sum(co for _, co in runs.values()))
    all_sessions = (sum(n for n, _ in sessions.values()), sum(co for _, co in sessions.values()))
    return Table(
        key="codelivery",
        title="Runs and sessions co-delivered",
        columns=CODELIVERY_COLUMNS,
        rows=rows,
        total=_codelivery_row("All categories", all_runs, all_sessions),
        description=(
            "How many runs, and how many of their sessions, were co-delivered by an accredited peer "
            "trainer and a professional tutor."
        ),
        notes=(
            "Runs and sessions are not people, so their counts are shown exactly.",
            "Sessions include those of these runs still to come, as staffed now.",
            "Support-group session formats are left out: they are led by an accredited peer facilitator "
            "without a professional tutor.",
        ),
    )


# Co-production profiles ----------------------------------------------------------------------


def profile_courses(scope: Scope) -> QuerySet[Course]:
    """Courses with runs in scope; with a course or category filter, also those the organisations own.

    A filter names what the reader wants to see, so a course the organisations own that has
    not run in the period still shows its profile then; without one, the table follows the runs.
    """
    chosen = Q(pk__in=scope.runs().values("version__course_id"))
    if scope.course is not None or scope.category:
        owned = Q(owner_id__in=scope.organisation_ids)
        if scope.course is not None:
            owned &= Q(pk=scope.course.pk)
        if scope.category:
            owned &= Q(category=scope.category)
        chosen |= owned
    return Course.objects.filter(chosen).order_by("title", "pk")


def contributor_counts(courses: QuerySet[Course]) -> dict[uuid.UUID, int]:
    """People who contributed to each course (one query).

    A contributor on PeerPath counts once however many activities they joined; one who is
    not (no person recorded) counts once per contribution, as nothing tells two such apart.
    """
    rows = (
        Contribution.objects.filter(activity__course_id__in=courses.values("pk"))
        .values("activity__course_id")
        .annotate(named=Count("person_id", distinct=True), unnamed=Count("pk", filter=Q(person__isnull=True)))
        .order_by()
        .values_list("activity__course_id", "named", "unnamed")
    )
    return {course_id: named + unnamed for course_id, named, unnamed in rows}


# Hours columns in the order of the capacities.
HOURS_KEYS = {capacity.value: f"hours_{capacity.value}" for capacity in Capacity}
HOURS_LABELS = {
    Capacity.CARER: "Hours: carers",
    Capacity.SERVICE_USER: "Hours: service users",
    Capacity.PROFESSIONAL: "Hours: professionals",
    Capacity.PARTNER: "Hours: partner organisations",
}


def _profile_row(course: Course, profile: Profile, contributors: int) -> dict[str, Any]:
    hours = {capacity.capacity: capacity.hours for capacity in profile.by_capacity}
    share = profile.lived_design_share
    return {
        "course": course.title,
        "category": Category(course.category).label,
        **{HOURS_KEYS[capacity]: hours.get(capacity, Decimal(0)) for capacity in HOURS_KEYS},
        "contributors": contributors,
        "lived_design_share": None if share is None else share * 100,
        "lived_stages": sum(1 for stage in profile.by_stage if stage.has_lived_experience),
        "coproduced": "Yes" if profile.is_coproduced else "No",
    }


def profiles_table(scope: Scope) -> Table:
    """Each course's co-production profile (four queries: courses, rule, contributions, contributors)."""
    courses = profile_courses(scope)
    listed = list(courses.only("pk", "title", "category"))
    rule = current_rule()
    # A course list, not a list of runs or people: bounded by the catalogue (hundreds at most).
    profiles = profiles_for([course.pk for course in listed], rule)
    contributors = contributor_counts(courses)
    columns = [
        Column(key="course", label="Course", kind=Kind.TEXT),
        Column(key="category", label="Category", kind=Kind.TEXT),
        *(Column(key=HOURS_KEYS[c], label=HOURS_LABELS[Capacity(c)], kind=Kind.FIXED) for c in HOURS_KEYS),
        Column(
            key="contributors",
            label="People who contributed",
            kind=Kind.COUNT,
            additive=False,
            description="Each person once, whatever their capacity",
        ),
        Column(
            key="lived_design_share",
            label="Lived-experience share of design hours (%)",
            kind=Kind.FIXED,
            description="Carers' and service users' hours in the design stages, of all hours there",
        ),
        Column(
            key="lived_stages",
            label="Stages with lived experience",
            kind=Kind.FIXED,
            decimals=0,
            description=f"Of the {len(Stage)} stages of co-production",
        ),
        Column(key="coproduced", label="Co-produced", kind=Kind.TEXT, description=f"Rule: {rule.describe()}"),
    ]
    return Table(
        key="profiles",
        title="Co-production profiles of courses",
        columns=columns,
        rows=[_profile_row(course, profiles[course.pk], contributors.get(course.pk, 0)) for course in listed],
        description=(
            "For each course, the hours people gave to shaping it by the capacity they took part in, "
            "how much of the design was done by people with lived experience, and whether it meets "
            "the co-production rule."
        ),
        notes=("Hours are not people, so they are shown exactly; the number of contributors is controlled.",),
    )


# Fidelity ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    response_id: uuid.UUID
    year: int
    organisation_ids: frozenset[uuid.UUID]


@dataclass(frozen=True)
class Tenure:
    organisation_id: uuid.UUID
    started_on: date
    ended_on: date | None

    def covers(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


def assessments(scope: Scope) -> list[Assessment]:
    """RECOLLECT self-assessments completed in the period, with the organisations in scope they were for.

    Two queries. An assessment is about the college, not a course run: it belongs to the run's
    organisation when one was given, otherwise to the organisations the person answering
    coordinated on the day they completed it. One made by someone coordinating none of the
    scope's organisations that day is left out.
    """
    coordinators = Membership.objects.filter(
        role=Membership.Role.COORDINATOR, organisation_id__in=scope.organisation_ids
    )
    responses = Response.objects.filter(
        instrument_version__code=RECOLLECT,
        status=Response.Status.COMPLETE,
        completed_at__gte=scope.start_at,
        completed_at__lt=scope.end_at,
    ).filter(
        Q(run__organisation_id__in=scope.organisation_ids)
        | Q(run__isnull=True, person_id__in=coordinators.values("person_id"))
    )
    rows = list(responses.values_list("pk", "person_id", "completed_at", "run__organisation_id"))
    tenures: defaultdict[uuid.UUID, list[Tenure]] = defaultdict(list)
    for person_id, organisation_id, started_on, ended_on in coordinators.filter(
        person_id__in=responses.filter(run__isnull=True).values("person_id")
    ).values_list("person_id", "organisation_id", "started_on", "ended_on"):
        tenures[person_id].append(Tenure(organisation_id, started_on, ended_on))
    found = []
    for response_id, person_id, completed_at, run_organisation in rows:
        day = timezone.localdate(completed_at)
        if run_organisation is not None:
            organisations = frozenset({run_organisation})
        else:
            organisations = frozenset(t.organisation_id for t in tenures[person_id] if t.covers(day))
        if organisations:
            found.append(Assessment(response_id, day.year, organisations))
    return found


def newest_scores(response_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Decimal]]:
    """Each assessment's scale scores under the newest RECOLLECT scoring rule (one query).

    Only the newest scoring version is read, so every figure comes from one rule; an
    assessment not yet rescored under it is left out until the rescoring job has run.
    """
    scores: defaultdict[uuid.UUID, dict[str, Decimal]] = defaultdict(dict)
    if not response_ids:
        return scores
    # The newest rule is one look-up of the score_instrument_rule index, not a scan of the scores.
    newest = Subquery(
        Score.objects.filter(instrument_code=RECOLLECT).order_by("-scoring_version").values("scoring_version")[:1]
    )
    # One row per organisation a year: a few hundred ids at most, even nationally.
    rows = Score.objects.filter(
        response_id__in=list(response_ids), instrument_code=RECOLLECT, scoring_version=newest
    ).values_list("response_id", "scale_code", "value")
    for response_id, scale_code, value in rows:
        scores[response_id][scale_code] = value
    return scores


def recollect_scales() -> list[tuple[str, str]]:
    """(code, name) of RECOLLECT's scales, the total first, from its newest published version (one query)."""
    version = newest_published([RECOLLECT]).get(RECOLLECT)
    if version is None:
        return [(TOTAL_SCALE, "RECOLLECT fidelity total")]
    scales = [(scale.code, scale.name) for scale in instrument_for(version).scales]
    return sorted(scales, key=lambda scale: scale[0] != TOTAL_SCALE)


def _mean(values: Sequence[Decimal]) -> float | None:
    return float(statistics.fmean(values)) if values else None


def _fidelity_row(
    year: int, found: Sequence[Assessment], scores: dict[uuid.UUID, dict[str, Decimal]], codes: Sequence[str]
) -> dict[str, Any]:
    scored = [assessment for assessment in found if assessment.response_id in scores]
    totals = [scores[a.response_id][TOTAL_SCALE] for a in scored if TOTAL_SCALE in scores[a.response_id]]
    row: dict[str, Any] = {
        "year": str(year),
        "organisations": len(frozenset().union(*(a.organisation_ids for a in scored))),
        "assessments": len(totals),
        "mean_total": _mean(totals),
        "median_total": float(statistics.median(totals)) if totals else None,
    }
    for code in codes:
        values = [scores[a.response_id][code] for a in scored if code in scores[a.response_id]]
        row[f"n_{code}"] = len(values)
        row[f"mean_{code}"] = _mean(values)
    return row


def fidelity_table(scope: Scope) -> Table:
    """RECOLLECT self-assessment scores per calendar year of completion (four queries)."""
    scales = recollect_scales()
    found = assessments(scope)
    scores = newest_scores([assessment.response_id for assessment in found])
    by_year: defaultdict[int, list[Assessment]] = defaultdict(list)
    for assessment in found:
        by_year[assessment.year].append(assessment)
    components = [(code, name) for code, name in scales if code != TOTAL_SCALE]
    codes = [code for code, _ in components]
    columns = [
        Column(key="year", label="Year", kind=Kind.TEXT),
        Column(
            key="organisations",
            label="Organisations assessed",
            kind=Kind.FIXED,
            decimals=0,
            description="Organisations are not people: shown exactly",
        ),
        Column(key="assessments", label="Self-assessments", kind=Kind.FIXED, decimals=0),
        # Scores of colleges, not of people (REFERENCE.md §8: values not about individuals are
        # neither rounded nor hidden), so a single college's yearly score is shown.
        Column(key="mean_total", label="Mean total score", kind=Kind.FIXED, description="0 to 24"),
        Column(key="median_total", label="Median total score", kind=Kind.FIXED),
        *(
            Column(key=f"mean_{code}", label=name, kind=Kind.FIXED, decimals=2, description="0 to 2")
            for code, name in components
        ),
    ]
    return Table(
        key="fidelity",
        title="RECOLLECT fidelity self-assessments",
        columns=columns,
        rows=[_fidelity_row(year, by_year[year], scores, codes) for year in sorted(by_year)],
        description=(
            "The colleges' own ratings of how closely they follow the Recovery College model, "
            "by the year they were completed: the total from 0 to 24 and each component from 0 to 2. "
            "Higher means closer to the model."
        ),
    )


# The section ---------------------------------------------------------------------------------

METHOD = [
    "A run counts as co-delivered when its team (people assigned to the whole run) includes a "
    "professional tutor and a peer trainer (a peer facilitator for support-group formats) who held an "
    "award granting that role on the day of the run's first session: an active award, or one that has "
    "expired since but covered that day; a suspended or revoked award does not count. Trainee "
    "co-facilitators do not count.",
    "A session counts as co-delivered when the people at it, the run's team and anyone assigned to that "
    "session alone, include a professional tutor and a peer whose award covered the session's own day. "
    "A session-level assignment adds a stand-in to the run's team for that session.",
    "Runs are those of the chosen organisations whose first session falls in the period (cancelled runs "
    "left out); their sessions are counted whenever they fall. The borough filter does not apply: it "
    "describes people, and runs are not people.",
    "Co-production profiles are worked out from the co-production log of each course with runs in the "
    "period (and, when a course or category is chosen, every such course the organisations own), under "
    "the installation's co-production rule. Contributors are counted, never named.",
    "RECOLLECT fidelity self-assessments are the colleges' own ratings (Toney et al. 2019, CC BY-NC-ND 4.0), "
    "grouped by the calendar year they were completed in the period. Each belongs to the organisation "
    "of its run when it has one, otherwise to the organisations its respondent coordinated that day. "
    "Scores are those of the newest scoring rule; the total is kept only when every component was rated.",
]


def build(scope: Scope) -> Section:
    """The co-production and fidelity section for ``scope``: exact figures, twelve queries."""
    codelivery = codelivery_table(scope)
    section = Section(
        key="coproduction",
        title="Co-production and fidelity",
        tables=[codelivery, profiles_table(scope), fidelity_table(scope)],
        charts=[
            Chart(
                table="codelivery",
                kind="bars",
                title="Share of runs co-delivered, by course category",
                label="category",
                values=("runs_share",),
                unit="% of runs",
            ),
            Chart(
                table="fidelity",
                kind="trend",
                title="RECOLLECT fidelity total, mean by year",
                label="year",
                values=("mean_total",),
                unit="points on RECOLLECT (0 to 24)",
            ),
        ],
        method=list(METHOD),
    )
    if not (codelivery.total or {}).get("runs"):
        section.empty = "No runs started in this period"
    return section
