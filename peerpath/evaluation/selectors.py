"""Read queries behind the coordinators' evaluation pages: runs, one run's plan and participants,
and safety alerts (ADR 018).

Each function answers for a whole page in a fixed number of queries, whatever the number of
runs, participants, responses or alerts: lists are counted with one grouped query each, and a
run's participants, invitations, responses and scores are fetched once each and joined here.
Rows start from ``access`` (already scoped to the user) or from a run ``access`` returned;
nothing here checks permissions.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from peerpath.courses.models import Term
from peerpath.delivery.models import PLACE_HOLDING, CourseRun, Enrolment
from peerpath.evaluation import access, schedules
from peerpath.evaluation.definitions import Instrument, Scale
from peerpath.evaluation.models import (
    SCHEDULED_TIMEPOINTS,
    InstrumentVersion,
    Invitation,
    Response,
    SafetyAlert,
    Schedule,
    Score,
    Timepoint,
)
from peerpath.evaluation.responses import instrument_for
from peerpath.evaluation.wording import WordingError, wording_for

User = access.User


def timepoint_label(timepoint: str) -> str:
    return str(Timepoint(timepoint).label)


class _Definitions:
    """Parsed instrument definitions, once per stored version however many responses share it."""

    def __init__(self) -> None:
        self._parsed: dict[int, Instrument] = {}

    def __call__(self, version: InstrumentVersion) -> Instrument:
        if version.pk not in self._parsed:
            self._parsed[version.pk] = instrument_for(version)
        return self._parsed[version.pk]


# Runs ------------------------------------------------------------------------------------


def evaluated_run_list(user: User, *, title: str = "", term: str = "", status: str = "") -> QuerySet[CourseRun]:
    """The runs whose evaluation the user follows, latest start first (runs without sessions last).

    ``title`` matches part of the course title, ``term`` a term's slug, ``status`` a run status.
    """
    runs = access.evaluated_runs(user)
    if title:
        runs = runs.filter(version__course__title__icontains=title)
    if term:
        runs = runs.filter(term__slug=term)
    if status:
        runs = runs.filter(status=status)
    return runs.select_related("version__course", "term", "organisation").order_by(
        F("starts_at").desc(nulls_last=True), "pk"
    )


def evaluated_terms(user: User) -> list[Term]:
    """Terms that hold a run whose evaluation the user follows, latest first (one query)."""
    runs = access.evaluated_runs(user)
    return list(Term.objects.filter(pk__in=runs.values("term_id")).select_related("organisation"))


@dataclass(frozen=True)
class TimepointCount:
    """How many were invited at one timepoint of a run and how many completed (withdrawn left out)."""

    timepoint: str
    planned: bool
    invited: int
    completed: int

    @property
    def label(self) -> str:
        return timepoint_label(self.timepoint)

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.completed) / Decimal(self.invited) if self.invited else None


@dataclass(frozen=True)
class RunSummary:
    run: CourseRun
    timepoints: list[TimepointCount]
    open_alerts: int


def _alert_counts(user: User, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    rows = (
        access.followed_alerts(user)
        .filter(status=SafetyAlert.Status.OPEN, response__run_id__in=run_ids)
        .order_by()
        .values("response__run_id")
        .annotate(open=Count("pk"))
    )
    return {row["response__run_id"]: row["open"] for row in rows}


def run_summaries(user: User, runs: Sequence[CourseRun]) -> list[RunSummary]:
    """For each run (with ``version.course`` loaded): per timepoint planned or invited, the
    invited and completed counts; and its open safety alerts that the user follows up.

    A fixed number of queries for any number of runs: the plans (``schedules_for_runs``),
    one grouped count of invitations and one of open alerts.
    """
    if not runs:
        return []
    run_ids = [run.pk for run in runs]
    plans = schedules.schedules_for_runs(runs)
    counted = (
        Invitation.objects.filter(run_id__in=run_ids)
        .exclude(status=Invitation.Status.WITHDRAWN)
        .order_by()
        .values("run_id", "timepoint")
        .annotate(invited=Count("pk"), completed=Count("pk", filter=Q(status=Invitation.Status.COMPLETE)))
    )
    counts = {(row["run_id"], row["timepoint"]): row for row in counted}
    alerts = _alert_counts(user, run_ids)
    summaries = []
    for run in runs:
        plan = plans.get(run.pk, {})
        timepoints = []
        for timepoint in Timepoint.values:
            row = counts.get((run.pk, timepoint))
            planned = plan.get(timepoint) is not None
            if planned or row:
                timepoints.append(
                    TimepointCount(
                        timepoint=timepoint,
                        planned=planned,
                        invited=row["invited"] if row else 0,
                        completed=row["completed"] if row else 0,
                    )
                )
        summaries.append(RunSummary(run=run, timepoints=timepoints, open_alerts=alerts.get(run.pk, 0)))
    return summaries


def open_alert_count(user: User) -> int:
    """How many open safety alerts the user follows up (one query)."""
    return access.followed_alerts(user).filter(status=SafetyAlert.Status.OPEN).count()


# One run: its plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedTimepoint:
    """What a run asks at one timepoint, where that comes from, and when its invitations go."""

    timepoint: str
    schedule: Schedule | None
    switched_off: bool
    # (code, short name) of each instrument asked, in order.
    instruments: list[tuple[str, str]]
    window: schedules.Window | None

    @property
    def label(self) -> str:
        return timepoint_label(self.timepoint)

    @property
    def overridden(self) -> bool:
        """The run has its own schedule here (asking something, or switched off)."""
        return self.switched_off or (self.schedule is not None and self.schedule.run_id is not None)


def run_plan(run: CourseRun) -> list[PlannedTimepoint]:
    """The schedule in effect at each scheduled timepoint of one run (``version.course`` loaded).

    Instruments are named by their newest published version's short name (the code when none
    is published: an invitation would skip it). The window needs the run's sessions; a run
    without any has none.
    """
    plan = schedules.schedules_for_runs([run])[run.pk]
    switched_off = set(Schedule.objects.filter(run=run, active=False).values_list("timepoint", flat=True))
    dates = schedules.run_dates([run.pk]).get(run.pk)
    codes = [item.instrument_code for schedule in plan.values() if schedule for item in schedule.instruments.all()]
    versions = schedules.newest_published(codes)
    planned = []
    for timepoint in SCHEDULED_TIMEPOINTS:
        schedule = plan[timepoint]
        names: list[tuple[str, str]] = []
        if schedule is not None:
            names = [
                (
                    item.instrument_code,
                    versions[item.instrument_code].short_name
                    if item.instrument_code in versions
                    else item.instrument_code,
                )
                for item in schedule.instruments.all()
            ]
        planned.append(
            PlannedTimepoint(
                timepoint=timepoint,
                schedule=schedule,
                switched_off=timepoint in switched_off,
                instruments=names,
                window=schedules.window(schedule, dates) if schedule is not None and dates is not None else None,
            )
        )
    return planned


# One run: its participants ---------------------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    """One scale's stored score (its newest scoring version) on a complete response."""

    code: str
    instrument: str
    scale: str
    value: Decimal
    band: str


@dataclass(frozen=True)
class ScoreChange:
    """One scale scored at both baseline and end on the same instrument version."""

    code: str
    instrument: str
    scale: str
    before: Decimal
    after: Decimal
    direction: str

    @property
    def change(self) -> Decimal:
        return self.after - self.before

    @property
    def reading(self) -> str:
        """'better', 'worse' or '' (no change, or a scale whose direction means nothing)."""
        if not self.change or self.direction == "none":
            return ""
        rises_better = self.direction == "higher_is_better"
        return "better" if (self.change > 0) == rises_better else "worse"


class State:
    """Where one participant stands at one timepoint."""

    NOT_INVITED = "not_invited"
    INVITED = "invited"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


@dataclass
class TimepointEntry:
    """One participant at one timepoint: the invitation (if any), how far they got, their scores."""

    state: str
    invitation: Invitation | None = None
    modes: list[str] = field(default_factory=list)
    scores: list[ScoreLine] = field(default_factory=list)
    completed_at: datetime | None = None


@dataclass
class Participant:
    enrolment: Enrolment
    entries: dict[str, TimepointEntry]
    changes: list[ScoreChange]
    may_enter: bool

    @property
    def person(self) -> Any:
        return self.enrolment.person


def _newest_scores(response: Response) -> dict[str, Score]:
    """Each scale's row made by the newest scoring version (scores prefetched in that order)."""
    newest: dict[str, Score] = {}
    for score in response.scores.all():
        newest.setdefault(score.scale_code, score)
    return newest


def _score_lines(response: Response, instrument: Instrument) -> list[ScoreLine]:
    newest = _newest_scores(response)
    return [
        ScoreLine(
            code=response.instrument_version.code,
            instrument=response.instrument_version.short_name,
            scale=scale.name,
            value=newest[scale.code].value,
            band=newest[scale.code].band,
        )
        for scale in instrument.scales
        if scale.code in newest
    ]


def _changes(baseline: Iterable[Response], end: Iterable[Response], definitions: _Definitions) -> list[ScoreChange]:
    before_by_version = {response.instrument_version_id: response for response in baseline}
    changes: list[ScoreChange] = []
    for after in end:
        before = before_by_version.get(after.instrument_version_id)
        if before is None:
            continue
        scales: Sequence[Scale] = definitions(after.instrument_version).scales
        old, new = _newest_scores(before), _newest_scores(after)
        changes.extend(
            ScoreChange(
                code=after.instrument_version.code,
                instrument=after.instrument_version.short_name,
                scale=scale.name,
                before=old[scale.code].value,
                after=new[scale.code].value,
                direction=scale.direction,
            )
            for scale in scales
            if scale.code in old and scale.code in new
        )
    return changes


def _entry(invitation: Invitation | None, responses: list[Response], now: datetime) -> TimepointEntry:
    complete = [response for response in responses if response.status == Response.Status.COMPLETE]
    started = bool(responses)
    if invitation is not None:
        if invitation.status == Invitation.Status.COMPLETE:
            state = State.COMPLETE
        elif invitation.status == Invitation.Status.WITHDRAWN:
            state = State.WITHDRAWN
        elif invitation.is_expired(now):
            state = State.EXPIRED
        elif started:
            state = State.IN_PROGRESS
        else:
            state = State.INVITED
    elif complete and len(complete) == len(responses):
        state = State.COMPLETE
    else:
        state = State.IN_PROGRESS if started else State.NOT_INVITED
    completed = [response.completed_at for response in complete if response.completed_at is not None]
    return TimepointEntry(
        state=state,
        invitation=invitation,
        modes=sorted({response.get_mode_display() for response in complete}),
        completed_at=(invitation.completed_at if invitation and invitation.completed_at else None)
        or (max(completed) if completed else None),
    )


def run_participants(user: User, run: CourseRun, *, now: datetime | None = None) -> list[Participant]:
    """The run's participants (places held, and those who did not complete) with, for each
    scheduled timepoint, their invitation, how far they got and their scores; and each scale's
    change from baseline to end where both were scored on the same instrument version.

    For each instrument at a timepoint the newest complete response counts. Five queries,
    whatever the number of participants and responses: enrolments, invitations, responses,
    their scores, and whom the user may type answers in for.
    """
    now = now or timezone.now()
    enrolments = list(
        run.enrolments.filter(status__in=PLACE_HOLDING)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "pk")
    )
    if not enrolments:
        return []
    person_ids = [enrolment.person_id for enrolment in enrolments]
    invitations = {
        (invitation.person_id, invitation.timepoint): invitation
        for invitation in Invitation.objects.filter(run=run, timepoint__in=SCHEDULED_TIMEPOINTS)
    }
    fetched = (
        Response.objects.filter(run=run, person_id__in=person_ids, timepoint__in=SCHEDULED_TIMEPOINTS)
        # Prefetched, not joined: a handful of versions, each definition decoded once, not once per response.
        .prefetch_related("instrument_version")
        .prefetch_related(
            Prefetch(
                "scores",
                # Only what the page shows: a run's page holds hundreds of scores.
                queryset=Score.objects.only("response_id", "scale_code", "value", "band", "scoring_version").order_by(
                    "scale_code", "-scoring_version"
                ),
            )
        )
        .order_by("started_at", "pk")
    )
    responses: defaultdict[tuple[uuid.UUID, str], list[Response]] = defaultdict(list)
    for response in fetched:
        responses[(response.person_id, response.timepoint)].append(response)
    enterable = access.enterable_people(user, person_ids)
    definitions = _Definitions()

    participants = []
    for enrolment in enrolments:
        entries: dict[str, TimepointEntry] = {}
        newest: dict[str, list[Response]] = {}
        for timepoint in SCHEDULED_TIMEPOINTS:
            given = responses.get((enrolment.person_id, timepoint), [])
            entry = _entry(invitations.get((enrolment.person_id, timepoint)), given, now)
            # The newest complete response to each instrument version (ordered by start).
            by_version = {
                response.instrument_version_id: response
                for response in given
                if response.status == Response.Status.COMPLETE
            }
            newest[timepoint] = sorted(by_version.values(), key=lambda r: r.instrument_version.short_name.lower())
            entry.scores = [
                line
                for response in newest[timepoint]
                for line in _score_lines(response, definitions(response.instrument_version))
            ]
            entries[timepoint] = entry
        participants.append(
            Participant(
                enrolment=enrolment,
                entries=entries,
                changes=_changes(newest[Timepoint.BASELINE], newest[Timepoint.END], definitions),
                may_enter=enrolment.person_id in enterable,
            )
        )
    return participants


def run_open_alerts(user: User, run: CourseRun) -> int:
    """Open safety alerts on the run's responses that the user follows up (one query)."""
    return access.followed_alerts(user).filter(status=SafetyAlert.Status.OPEN, response__run=run).count()


# Safety alerts ---------------------------------------------------------------------------


def alert_list(user: User, *, status: str = "", run_id: uuid.UUID | None = None) -> QuerySet[SafetyAlert]:
    """Alerts the user follows up: open ones oldest first, then closed ones most recently closed first.

    ``status`` keeps only open or only closed ones, ``run_id`` one run's.
    """
    alerts = access.followed_alerts(user)
    if status:
        alerts = alerts.filter(status=status)
    if run_id is not None:
        alerts = alerts.filter(response__run_id=run_id)
    is_open = Q(status=SafetyAlert.Status.OPEN)
    return alerts.select_related(
        "response__person", "response__instrument_version", "response__run__version__course", "organisation"
    ).order_by(
        Case(When(is_open, then=Value(0)), default=Value(1)),
        Case(When(is_open, then=F("created_at"))).asc(nulls_last=True),
        F("closed_at").desc(nulls_last=True),
        "pk",
    )


def followed_run(user: User, run_id: uuid.UUID) -> CourseRun | None:
    """A run whose evaluation the user follows, with its course, or None (for a filter, not a page)."""
    return access.evaluated_runs(user).select_related("version__course", "term").filter(pk=run_id).first()


@dataclass(frozen=True)
class AlertItem:
    """The question an alert is about: its number as printed, and the answer's label when worded."""

    number: str
    answer: str


def alert_item(alert: SafetyAlert) -> AlertItem:
    """The alert's item number and the label of the answer given (no query: the response is loaded)."""
    instrument = instrument_for(alert.response.instrument_version)
    item = next((item for item in instrument.items if item.id == alert.item_id), None)
    if item is None:
        return AlertItem(number=alert.item_id, answer=plain_number(alert.value))
    label = ""
    if item.response_set:
        try:
            wording = wording_for(instrument)
        except WordingError:
            wording = None
        values = [option.value for option in item.options]
        if wording is not None and alert.value in values:
            label = wording.option_label(item.response_set, values.index(alert.value))
    shown = plain_number(alert.value)
    return AlertItem(number=str(item.number), answer=f"{shown} ({label})" if label else shown)


def plain_number(value: Decimal) -> str:
    """A stored decimal without trailing zeros: 1.00 is 1, 2.50 is 2.5."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
