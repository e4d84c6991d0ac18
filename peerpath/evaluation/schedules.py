"""Which schedule a run follows at each timepoint, and when its invitations are due (ADR 018).

A run uses, for each timepoint, the first schedule found of:

1. its own (``Schedule.run``); one that is not active switches the timepoint off for the run;
2. its organisation's for the course's category;
3. the network's for the category (no organisation).

Reading is batched: ``schedules_for_runs`` and ``run_dates`` answer for any number of runs in
a fixed number of queries, so the job and the run list pages stay flat as runs grow.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Min, Prefetch, Q

from peerpath.delivery.models import CourseRun, Session
from peerpath.evaluation.models import SCHEDULED_TIMEPOINTS, InstrumentVersion, Schedule, ScheduleInstrument, Timepoint

Plan = dict[str, Schedule | None]


INSTRUMENTS_IN_ORDER = Prefetch(
    "instruments", queryset=ScheduleInstrument.objects.order_by("position", "instrument_code")
)


def schedules_for_runs(runs: Sequence[CourseRun]) -> dict[uuid.UUID, Plan]:
    """For each run, the schedule in effect at each scheduled timepoint (None: nothing asked).

    Each run must have ``version.course`` loaded (its category); two queries in all, plus one
    for the schedules' instruments.
    """
    if not runs:
        return {}
    run_ids = [run.pk for run in runs]
    own: dict[tuple[uuid.UUID, str], Schedule] = {
        (schedule.run_id, schedule.timepoint): schedule
        for schedule in Schedule.objects.filter(run_id__in=run_ids).prefetch_related(INSTRUMENTS_IN_ORDER)
        if schedule.run_id is not None
    }
    categories = {run.version.course.category for run in runs}
    organisations = {run.organisation_id for run in runs}
    shared = Schedule.objects.filter(run__isnull=True, category__in=categories, active=True).filter(
        Q(organisation__isnull=True) | Q(organisation_id__in=organisations)
    )
    by_scope: dict[tuple[uuid.UUID | None, str, str], Schedule] = {
        (schedule.organisation_id, schedule.category, schedule.timepoint): schedule
        for schedule in shared.prefetch_related(INSTRUMENTS_IN_ORDER)
    }
    plans: dict[uuid.UUID, Plan] = {}
    for run in runs:
        category = run.version.course.category
        plan: Plan = {}
        for timepoint in SCHEDULED_TIMEPOINTS:
            chosen = own.get((run.pk, timepoint))
            if chosen is not None:
                plan[timepoint] = chosen if chosen.active else None
                continue
            plan[timepoint] = by_scope.get((run.organisation_id, category, timepoint)) or by_scope.get(
                (None, category, timepoint)
            )
        plans[run.pk] = plan
    return plans


@dataclass(frozen=True)
class RunDates:
    """When a run's sessions begin and end: what invitations are timed from."""

    first_start: datetime
    last_start: datetime
    last_end: datetime


def run_dates(run_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, RunDates]:
    """Session dates per run, in one query; runs without sessions are left out."""
    rows = (
        Session.objects.filter(run_id__in=list(run_ids))
        .values("run_id")
        .annotate(first_start=Min("starts_at"), last_start=Max("starts_at"), last_end=Max("ends_at"))
    )
    return {
        row["run_id"]: RunDates(first_start=row["first_start"], last_start=row["last_start"], last_end=row["last_end"])
        for row in rows
    }


@dataclass(frozen=True)
class Window:
    """When a timepoint's invitations go (``due``) and until when their links work (``closes``)."""

    due: datetime
    closes: datetime

    def is_open(self, now: datetime) -> bool:
        return self.due <= now < self.closes


def window(schedule: Schedule, dates: RunDates) -> Window:
    """The invitation window a schedule gives a run.

    - Baseline: ``days`` before the first session; closes after ``open_days`` but never after
      the last session ends (a baseline answered after the course is no baseline).
    - End: ``days`` after the last session starts (0: on the day).
    - Follow-up: ``days`` after the last session ends.
    """
    open_for = timedelta(days=schedule.open_days)
    if schedule.timepoint == Timepoint.BASELINE:
        due = dates.first_start - timedelta(days=schedule.days)
        return Window(due=due, closes=min(due + open_for, dates.last_end))
    if schedule.timepoint == Timepoint.END:
        due = dates.last_start + timedelta(days=schedule.days)
    else:
        due = dates.last_end + timedelta(days=schedule.days)
    return Window(due=due, closes=due + open_for)


def newest_published(codes: Iterable[str]) -> dict[str, InstrumentVersion]:
    """The newest published version of each instrument code (codes with none are left out)."""
    versions: dict[str, InstrumentVersion] = {}
    for version in InstrumentVersion.objects.filter(
        code__in=set(codes), status=InstrumentVersion.Status.PUBLISHED
    ).order_by("code", "-version"):
        versions.setdefault(version.code, version)
    return versions
