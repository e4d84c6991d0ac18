"""The demo schedules: which questionnaires each kind of course asks, and when (ADR 008, "Evaluation").

The network's schedules (no organisation) cover every course category. Two kinds of
override sit on top, so that every way a run can find its schedule has data: one
organisation asks its follow-up later, and two runs have schedules of their own (one
shortened, one switched off). ``window`` says when a schedule's invitations go for a
run and until when their links work, as ``Schedule`` documents it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from peerpath.courses.choices import Category
from peerpath.evaluation.models import Schedule, ScheduleInstrument, Timepoint

BASELINE, END, FOLLOW_UP = Timepoint.BASELINE.value, Timepoint.END.value, Timepoint.FOLLOW_UP.value

# What a carer on a course is asked before and after it: wellbeing, quality of life as a carer,
# self-efficacy, the programme's own involvement measure, and service use (theirs, and as they
# report it for the person they care for).
CARER_SET = ("swemwbs", "carerqol", "gse", "involvement", "service-use-carer", "service-use-cared-for")
# Self-management courses add the PHQ-9 and GAD-7. They are screening tools for depression and
# anxiety, and the PHQ-9's item 9 asks about thoughts of self-harm, so every answer above zero
# must be followed up by someone who knows the person. Self-management courses are about the
# carer's own mental health, run as a closed group of carers with the same facilitators
# throughout: distress is what they aim to change, and a follow-up call is possible. Recovery
# College courses are open, educational and often one-off; asking them to screen everyone would
# be out of proportion, and wellbeing (SWEMWBS) is their outcome.
SELF_MANAGEMENT_SET = (
    "swemwbs",
    "phq9",
    "gad7",
    "carerqol",
    "gse",
    "involvement",
    "service-use-carer",
    "service-use-cared-for",
)
# Session feedback goes first at the end: it is about the last session, answered in the room.
FEEDBACK = "session-feedback"


@dataclass(frozen=True)
class Plan:
    """One timepoint of a schedule: when it goes (see ``Schedule.days``), how long its link works, what it asks."""

    timepoint: str
    days: int
    open_days: int
    codes: tuple[str, ...]


def _course(codes: tuple[str, ...], *, follow_up: bool = True) -> tuple[Plan, ...]:
    plans = [
        Plan(BASELINE, days=7, open_days=14, codes=codes),
        Plan(END, days=0, open_days=21, codes=(FEEDBACK, *codes)),
    ]
    if follow_up:
        # The same minus self-efficacy: it is what the course teaches, so it is asked at its end;
        # at three months the question is whether wellbeing and service use held.
        plans.append(Plan(FOLLOW_UP, days=90, open_days=28, codes=tuple(code for code in codes if code != "gse")))
    return tuple(plans)


NETWORK: dict[str, tuple[Plan, ...]] = {
    Category.RECOVERY_COLLEGE: _course(CARER_SET),
    Category.SELF_MANAGEMENT: _course(SELF_MANAGEMENT_SET),
    # Trainee peer trainers: confidence and involvement, before and after; no follow-up, as the
    # accreditation record follows what happens next.
    Category.TRAIN_THE_TRAINER: _course(("gse", "involvement"), follow_up=False),
    # Support groups meet on and on, and people come and go: a short set at the first and last
    # meeting of a cycle, no follow-up, and no long service-use forms.
    Category.SUPPORT_GROUP: _course(("swemwbs", "carerqol"), follow_up=False),
}

# One organisation's commissioner wants six-month follow-ups of its Recovery College courses.
ORGANISATION_FOLLOW_UP_DAYS = 182
# One run's last session was held online: its end set was cut to feedback and wellbeing.
SHORT_END = (FEEDBACK, "swemwbs")


@dataclass(frozen=True)
class RunFacts:
    """What choosing a schedule needs to know about a run."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    category: str


@dataclass
class SeededSchedules:
    """The schedules made, by scope, for choosing each run's."""

    network: dict[tuple[str, str], Schedule]
    organisation: dict[tuple[uuid.UUID, str, str], Schedule]
    run: dict[tuple[uuid.UUID, str], Schedule]
    codes: dict[uuid.UUID, tuple[str, ...]]  # schedule id -> instrument codes, in order
    rows: list[Schedule]
    instruments: list[ScheduleInstrument]

    def for_run(self, run: RunFacts, timepoint: str) -> Schedule | None:
        """The schedule in effect: the run's own (None when switched off), its organisation's, the network's."""
        own = self.run.get((run.id, timepoint))
        if own is not None:
            return own if own.active else None
        return self.organisation.get((run.organisation_id, run.category, timepoint)) or self.network.get(
            (run.category, timepoint)
        )


def make_schedules(
    *,
    runs: Sequence[RunFacts],
    settled: Sequence[RunFacts],
    began: datetime,
    new_id: Callable[[], uuid.UUID],
    rng: random.Random,
    home_organisation: uuid.UUID | None,
) -> SeededSchedules:
    """The network's schedules, one organisation's override and two runs' own (not saved).

    The override goes to a partner organisation that runs Recovery College courses, else to
    ``home_organisation``. The runs' own go to two of ``settled`` (runs evaluated from baseline
    to follow-up), Recovery College runs of ``home_organisation`` where it has two, chosen by
    ``rng``, so that the demo shows what they changed.
    """
    result = SeededSchedules(network={}, organisation={}, run={}, codes={}, rows=[], instruments=[])

    def add(
        plan: Plan,
        *,
        category: str = "",
        organisation: uuid.UUID | None = None,
        run: uuid.UUID | None = None,
        active: bool = True,
    ) -> Schedule:
        schedule = Schedule(
            id=new_id(),
            organisation_id=organisation,
            category=category,
            run_id=run,
            timepoint=plan.timepoint,
            days=plan.days,
            open_days=plan.open_days,
            active=active,
            created_at=began,
        )
        result.rows.append(schedule)
        result.codes[schedule.id] = plan.codes if active else ()
        if active:
            result.instruments += [
                ScheduleInstrument(schedule=schedule, instrument_code=code, position=position)
                for position, code in enumerate(plan.codes, start=1)
            ]
        return schedule

    for category, plans in NETWORK.items():
        for plan in plans:
            result.network[(category, plan.timepoint)] = add(plan, category=category)

    college_runs = [run for run in runs if run.category == Category.RECOVERY_COLLEGE]
    partners = sorted(
        {run.organisation_id for run in college_runs if run.organisation_id != home_organisation}, key=str
    )
    chosen = partners[0] if partners else home_organisation
    if chosen is not None:
        network = result.network[(Category.RECOVERY_COLLEGE, FOLLOW_UP)]
        plan = Plan(FOLLOW_UP, days=ORGANISATION_FOLLOW_UP_DAYS, open_days=28, codes=result.codes[network.id])
        key = (chosen, Category.RECOVERY_COLLEGE.value, FOLLOW_UP)
        result.organisation[key] = add(plan, category=Category.RECOVERY_COLLEGE, organisation=chosen)

    settled_college = [run for run in settled if run.category == Category.RECOVERY_COLLEGE]
    own_runs = [run for run in settled_college if run.organisation_id == home_organisation] or settled_college
    if len(own_runs) >= 2:
        shortened, quiet = rng.sample(own_runs, 2)
        result.run[(shortened.id, END)] = add(Plan(END, days=0, open_days=21, codes=SHORT_END), run=shortened.id)
        # The group asked at its last session not to be contacted again: follow-up switched off.
        result.run[(quiet.id, FOLLOW_UP)] = add(
            Plan(FOLLOW_UP, days=90, open_days=28, codes=()), run=quiet.id, active=False
        )
    return result


@dataclass(frozen=True)
class Window:
    """When a timepoint's invitations go (``due``) and when their links stop working (``closes``)."""

    due: datetime
    closes: datetime


def window(schedule: Schedule, first_start: datetime, last_start: datetime, last_end: datetime) -> Window:
    """The invitation window ``schedule`` gives a run with these session times (``Schedule.days``).

    A baseline closes after ``open_days`` but never after the last session ends: a baseline
    answered after the course is no baseline.
    """
    open_for = timedelta(days=schedule.open_days)
    if schedule.timepoint == BASELINE:
        due = first_start - timedelta(days=schedule.days)
        return Window(due, min(due + open_for, last_end))
    due = (last_start if schedule.timepoint == END else last_end) + timedelta(days=schedule.days)
    return Window(due, due + open_for)
