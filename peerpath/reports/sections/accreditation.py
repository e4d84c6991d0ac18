"""Accreditation: how far candidates have got, how long awards take, and which run out soon.

Three tables, from six queries whatever the number of people or awards:

- ``pipeline``: people at each stage, from training to an award and past it (one query);
- ``time_to_award``: first awards in the period per scheme and the days from completing
  Train the Trainer to the award (three, with the scheme list shared with the next);
- ``expiring``: awards running out in the next 90 days, by month and scheme (one).

Candidates are the people of the scope's organisations (see :func:`candidates`). The
pipeline and the expiring awards are where things stand today, whatever the period; only
the time to award follows the period. Course filters (term, category, course) do not apply:
accreditation is about people, not the courses they teach. The borough filter does.
"""

from __future__ import annotations

import calendar
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from peerpath.accreditation.models import Award, Observation, PortfolioEntry, Scheme
from peerpath.courses.choices import Category
from peerpath.delivery.models import PLACE_HOLDING, CourseRun, Enrolment
from peerpath.people.models import Membership, Person
from peerpath.reports.filters import Scope
from peerpath.reports.sections import Chart, Section
from peerpath.reports.tables import Column, Kind, Table

S = Award.Status
EXPIRING_DAYS = 90


def candidates(scope: Scope) -> QuerySet[Person]:
    """People whose accreditation the scope's organisations follow (a subquery, never an id list).

    Those with a current membership there (any role), as the accreditation pages scope
    candidates, and those who took a place on one of the organisations' Train the Trainer
    runs, who stay theirs after a membership ends. Narrowed to the scope's borough.
    """
    members = Membership.objects.current().filter(organisation_id__in=scope.organisation_ids)
    trainees = Enrolment.objects.filter(
        run__organisation_id__in=scope.organisation_ids,
        run__version__course__category=Category.TRAIN_THE_TRAINER,
        status__in=PLACE_HOLDING,
    )
    return Person.objects.filter(Q(pk__in=members.values("person_id")) | Q(pk__in=trainees.values("person_id"))).filter(
        scope.people_filter()
    )


# Pipeline --------------------------------------------------------------------------------------


def _lets_facilitate(today: date) -> QuerySet[Award]:
    """A person's awards that let them facilitate today (active, expiring soon or not)."""
    return Award.objects.filter(holder_id=OuterRef("pk"), status=S.ACTIVE, valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def expiring_awards(today: date) -> QuerySet[Award]:
    """Active awards whose last day is in the next ``EXPIRING_DAYS`` days and that nobody has renewed yet."""
    return Award.objects.filter(
        status=S.ACTIVE,
        valid_from__lte=today,
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=EXPIRING_DAYS),
        renewed_by__isnull=True,
    )


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    condition: Q


def pipeline_stages(today: date) -> list[Stage]:
    """Each stage as a condition on a person; a person may be at several (trained and awarded)."""
    ttt = Enrolment.objects.filter(person_id=OuterRef("pk"), run__version__course__category=Category.TRAIN_THE_TRAINER)
    finished = (CourseRun.Status.COMPLETED, CourseRun.Status.CANCELLED)
    training = ttt.filter(status__in=(Enrolment.Status.ENROLLED, Enrolment.Status.OFFERED)).exclude(
        run__status__in=finished
    )
    awards = Award.objects.filter(holder_id=OuterRef("pk"))
    entries = PortfolioEntry.objects.filter(candidate_id=OuterRef("pk"))
    observations = Observation.objects.filter(candidate_id=OuterRef("pk"))
    active = Exists(_lets_facilitate(today))
    ended = awards.filter(status__in=(S.ACTIVE, S.EXPIRED), valid_until__lt=today)
    return [
        Stage("in_training", "In Train the Trainer now", Q(Exists(training))),
        Stage("trained", "Completed Train the Trainer", Q(Exists(ttt.filter(status=Enrolment.Status.COMPLETED)))),
        Stage(
            "portfolio",
            "Building a portfolio, no award yet",
            (Q(Exists(entries)) | Q(Exists(observations))) & ~Q(Exists(awards)),
        ),
        Stage(
            "observed",
            "Observed co-delivering and rated competent",
            Q(Exists(observations.filter(outcome=Observation.Outcome.COMPETENT))),
        ),
        Stage("awarded", "Awarded (ever)", Q(Exists(awards))),
        Stage("active", "Holding an award now", Q(active)),
        Stage(
            "expiring",
            f"Award running out in the next {EXPIRING_DAYS} days",
            Q(Exists(expiring_awards(today).filter(holder_id=OuterRef("pk")))),
        ),
        Stage("expired", "Award expired, none held now", Q(Exists(ended)) & ~Q(active)),
        Stage(
            "withdrawn",
            "Award suspended or revoked",
            Q(Exists(awards.filter(status__in=(S.SUSPENDED, S.REVOKED)))),
        ),
    ]


def pipeline_table(scope: Scope, today: date) -> Table:
    """People at each stage of the pathway today (one query)."""
    stages = pipeline_stages(today)
    # Every stage needs one of these, so only people in them are tested stage by stage: uncorrelated
    # IN lists, each built once, instead of nine probes for everyone in a national network.
    involved = (
        Q(
            pk__in=Enrolment.objects.filter(run__version__course__category=Category.TRAIN_THE_TRAINER).values(
                "person_id"
            )
        )
        | Q(pk__in=PortfolioEntry.objects.values("candidate_id"))
        | Q(pk__in=Observation.objects.values("candidate_id"))
        | Q(pk__in=Award.objects.values("holder_id"))
    )
    counts = (
        candidates(scope)
        .filter(involved)
        .aggregate(**{stage.key: Count("pk", filter=stage.condition) for stage in stages})
    )
    return Table(
        key="pipeline",
        title="Accreditation pipeline",
        columns=(
            Column(key="stage", label="Stage", kind=Kind.TEXT),
            Column(
                key="people",
                label="People",
                kind=Kind.COUNT,
                additive=False,
                description="A person is counted at every stage they are at",
            ),
        ),
        rows=[{"stage": stage.label, "people": counts[stage.key]} for stage in stages],
        description=(
            f"How many people are at each stage of the pathway to an award on {today:%-d %B %Y}: "
            "training, building a portfolio, observed, awarded, and after."
        ),
        notes=("The stages overlap, so they do not add up to a total.",),
    )


# Time to award --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    person_id: uuid.UUID
    course_id: uuid.UUID
    is_train_the_trainer: bool
    finished_on: date


def completions(holders: QuerySet[Award], training_course_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[Completion]]:
    """Each award holder's completed training places, with the day of their run's last session (one query).

    The last session is when the training ended; the enrolment's move to "completed" is
    recorded later, whenever a coordinator closes the run.
    """
    counted = Q(run__version__course__category=Category.TRAIN_THE_TRAINER)
    if training_course_ids:
        counted |= Q(run__version__course_id__in=list(training_course_ids))
    rows = (
        Enrolment.objects.filter(status=Enrolment.Status.COMPLETED, person_id__in=holders.values("holder_id"))
        .filter(counted)
        .annotate(finished=Max("run__sessions__ends_at"))
        .values_list("person_id", "run__version__course_id", "run__version__course__category", "finished")
    )
    found: defaultdict[uuid.UUID, list[Completion]] = defaultdict(list)
    for person_id, course_id, category, finished in rows:
        if finished is not None:
            is_ttt = category == Category.TRAIN_THE_TRAINER
            found[person_id].append(Completion(person_id, course_id, is_ttt, timezone.localdate(finished)))
    return found


def days_to_award(valid_from: date, courses: set[uuid.UUID], done: Sequence[Completion]) -> int | None:
    """Days from the last training that counts for the scheme, completed by the award's first day.

    The scheme's training courses count, or any Train the Trainer course when it names none,
    as for the award's requirement. None when the holder has no such training (an award
    granted by exception, or training recorded elsewhere).
    """
    counts = [c.finished_on for c in done if (c.course_id in courses if courses else c.is_train_the_trainer)]
    before = [day for day in counts if day <= valid_from]
    return (valid_from - max(before)).days if before else None


def _days_row(label: str, awards: int, days: Sequence[int]) -> dict[str, Any]:
    values = np.asarray(days, dtype=float)
    empty = values.size == 0
    return {
        "scheme": label,
        "awards": awards,
        "timed": int(values.size),
        "median_days": None if empty else float(np.median(values)),
        "mean_days": None if empty else float(values.mean()),
        "lower_quartile_days": None if empty else float(np.percentile(values, 25)),
        "upper_quartile_days": None if empty else float(np.percentile(values, 75)),
    }


TIME_COLUMNS = (
    Column(key="scheme", label="Scheme", kind=Kind.TEXT),
    Column(
        key="awards",
        label="First awards",
        kind=Kind.COUNT,
        description="First periods of the scheme that began in the period (renewals are not counted)",
    ),
    Column(key="median_days", label="Median days from training", kind=Kind.MEAN, n="timed", decimals=0),
    Column(key="mean_days", label="Mean days from training", kind=Kind.MEAN, n="timed", decimals=0),
    Column(key="lower_quartile_days", label="Lower quartile (days)", kind=Kind.MEAN, n="timed", decimals=0),
    Column(key="upper_quartile_days", label="Upper quartile (days)", kind=Kind.MEAN, n="timed", decimals=0),
)


def time_to_award_table(scope: Scope, schemes: Sequence[Scheme]) -> Table:
    """First awards in the period per scheme and the days from training to them (three queries)."""
    first = Award.objects.filter(
        period=1, valid_from__gte=scope.start, valid_from__lte=scope.end, holder_id__in=candidates(scope).values("pk")
    )
    awards = list(first.values_list("holder_id", "scheme_id", "valid_from"))
    courses: defaultdict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for scheme_id, course_id in Scheme.training_courses.through.objects.values_list("scheme_id", "course_id"):
        courses[scheme_id].add(course_id)
    done = completions(first, set().union(*courses.values()))
    by_scheme: defaultdict[uuid.UUID, list[int]] = defaultdict(list)
    counted: defaultdict[uuid.UUID, int] = defaultdict(int)
    for holder_id, scheme_id, valid_from in awards:
        counted[scheme_id] += 1
        days = days_to_award(valid_from, courses[scheme_id], done.get(holder_id, []))
        if days is not None:
            by_scheme[scheme_id].append(days)
    shown = [scheme for scheme in schemes if scheme.active or scheme.pk in counted]
    return Table(
        key="time_to_award",
        title="Time from Train the Trainer to a first award",
        columns=TIME_COLUMNS,
        rows=[_days_row(scheme.name, counted[scheme.pk], by_scheme[scheme.pk]) for scheme in shown],
        total=_days_row("All schemes", len(awards), [day for days in by_scheme.values() for day in days]),
        description=(
            "First awards of each scheme that began in the period, and how many days after completing "
            "Train the Trainer they began: the median, mean and interquartile range."
        ),
        notes=(
            "Days are counted from the last session of the holder's latest Train the Trainer run completed "
            "by the award's first day; an award without one (granted by exception) is counted in first "
            "awards but not in the days.",
        ),
    )


# Expiring ------------------------------------------------------------------------------------------


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _scheme_key(scheme: Scheme) -> str:
    return "scheme_" + scheme.code.replace("-", "_")


def _expiring_row(label: str, shown: Sequence[Scheme], counts: dict[uuid.UUID, int]) -> dict[str, Any]:
    by_scheme = {_scheme_key(scheme): counts.get(scheme.pk, 0) for scheme in shown}
    return {"month": label, **by_scheme, "total": sum(by_scheme.values())}


def expiring_table(scope: Scope, schemes: Sequence[Scheme], today: date) -> Table:
    """Awards running out in the next 90 days, by the month of their last day and scheme (one query)."""
    rows = (
        expiring_awards(today)
        .filter(holder_id__in=candidates(scope).values("pk"))
        .values_list("valid_until", "scheme_id")
    )
    tally: defaultdict[tuple[int, int], dict[uuid.UUID, int]] = defaultdict(dict)
    overall: dict[uuid.UUID, int] = {}
    for valid_until, scheme_id in rows:
        if valid_until is None:  # the filter needs an end date; this keeps the type checker sure of it
            continue
        month = tally[(valid_until.year, valid_until.month)]
        month[scheme_id] = month.get(scheme_id, 0) + 1
        overall[scheme_id] = overall.get(scheme_id, 0) + 1
    shown = [scheme for scheme in schemes if scheme.active or scheme.pk in overall]
    keys = tuple(_scheme_key(scheme) for scheme in shown)
    last = today + timedelta(days=EXPIRING_DAYS)
    return Table(
        key="expiring",
        title=f"Awards running out in the next {EXPIRING_DAYS} days",
        columns=(
            Column(key="month", label="Month", kind=Kind.TEXT),
            *(Column(key=key, label=scheme.name, kind=Kind.COUNT) for key, scheme in zip(keys, shown, strict=True)),
            Column(key="total", label="All schemes", kind=Kind.COUNT, total_of=keys),
        ),
        rows=[
            _expiring_row(f"{calendar.month_name[month]} {year}", shown, tally.get((year, month), {}))
            for year, month in _months(today, last)
        ],
        total=_expiring_row(f"Next {EXPIRING_DAYS} days", shown, overall),
        description=(
            f"Active awards whose last day falls between {today:%-d %B %Y} and {last:%-d %B %Y}, "
            "by month and scheme, leaving out those already renewed."
        ),
        notes=("The first and last months are part months.",),
    )


# The section -----------------------------------------------------------------------------------

METHOD = [
    "Candidates are people with a current membership of the chosen organisations, as on the accreditation "
    "pages, and people who took a place on one of their Train the Trainer runs. The borough filter applies "
    "to them; the term, category and course filters do not.",
    "The pipeline and the expiring awards show where things stand today, whatever the period. A person is "
    "counted at every stage they are at, so the stages do not add up. 'In Train the Trainer now' is a place "
    "on a Train the Trainer run that has not finished; 'Completed' is a completed place (at least the "
    "completion share of sessions attended); 'Building a portfolio' is portfolio entries or observations "
    "and no award; 'Holding an award now' is an active award covering today; 'Award expired' is an award "
    "whose last day has passed and no award held now.",
    "Time to award: the first period of each scheme a person was granted, beginning in the period. Days run "
    "from the last session of their latest completed Train the Trainer run (the scheme's training courses "
    "when it names them) up to the award's first day. Quartiles are numpy's linear interpolation.",
    f"Expiring: active awards whose last day is in the next {EXPIRING_DAYS} days, by the month of that day; "
    "an award already renewed is left out, as its holder stays accredited.",
]


def build(scope: Scope) -> Section:
    """The accreditation section for ``scope``: exact figures, six queries."""
    today = timezone.localdate()
    schemes = list(Scheme.objects.order_by("name", "pk"))
    pipeline = pipeline_table(scope, today)
    section = Section(
        key="accreditation",
        title="Accreditation",
        tables=[pipeline, time_to_award_table(scope, schemes), expiring_table(scope, schemes, today)],
        charts=[
            Chart(
                table="pipeline",
                kind="funnel",
                title="People at each stage of the pathway",
                label="stage",
                values=("people",),
                unit="people",
            ),
            Chart(
                table="expiring",
                kind="bars",
                title=f"Awards running out in the next {EXPIRING_DAYS} days, by month",
                label="month",
                values=("total",),
                unit="awards",
            ),
        ],
        method=list(METHOD),
    )
    if not any(row["people"] for row in pipeline.rows):
        section.empty = "No one from these organisations is training for an award or holds one"
    return section
