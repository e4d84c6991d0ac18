"""The demo schedules: which questionnaires each kind of course asks, and when (ADR 008, "Evaluation").

The network's schedules (no organisation) cover every course category. Two kinds of
override sit on top, so that every way a run can find its schedule has data: one
organisation asks its follow-up later, and two runs have schedules of their own (one
shortened, one switched off). Which one a run follows, and when, is
``peerpath.evaluation.schedules``' business, as for the invitation job.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

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
# The network's follow-up: this many days after the last session.
FOLLOW_UP_DAYS = 90
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
        plans.append(
            Plan(FOLLOW_UP, days=FOLLOW_UP_DAYS, open_days=28, codes=tuple(code for code in codes if code != "gse"))
        )
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
    """What placing the overrides needs to know about a run."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    category: str


@dataclass
class SeededSchedules:
    """The schedules made (not saved), and the instruments they ask."""

    rows: list[Schedule]
    instruments: list[ScheduleInstrument]

    def codes(self) -> set[str]:
        return {row.instrument_code for row in self.instruments}


def make_schedules(
    *,
    settled: Sequence[RunFacts],
    settled_late: Sequence[RunFacts],
    began: datetime,
    new_id: Callable[[], uuid.UUID],
    rng: random.Random,
    home_organisation: uuid.UUID | None,
) -> SeededSchedules:
    """The network's schedules, one organisation's override and two runs' own.

    ``settled`` are runs evaluated from baseline to follow-up; ``settled_late`` those whose
    follow-up would have fallen due at ``ORGANISATION_FOLLOW_UP_DAYS``. The override goes to
    the partner organisation with the most Recovery College runs among ``settled_late``, else
    to ``home_organisation``; the runs' own to two Recovery College runs of ``settled`` (of
    ``home_organisation`` where it has two), chosen by ``rng``. So the demo shows what each
    of them changed.
    """
    result = SeededSchedules(rows=[], instruments=[])

    def add(
        plan: Plan,
        *,
        category: str = "",
        organisation: uuid.UUID | None = None,
        run: uuid.UUID | None = None,
        active: bool = True,
    ) -> None:
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
        result.instruments += [
            ScheduleInstrument(schedule=schedule, instrument_code=code, position=position)
            for position, code in enumerate(plan.codes, start=1)
        ]

    for category, plans in NETWORK.items():
        for plan in plans:
            add(plan, category=category)

    late = Counter(
        run.organisation_id
        for run in settled_late
        if run.category == Category.RECOVERY_COLLEGE and run.organisation_id != home_organisation
    )
    chosen = min(late, key=lambda organisation: (-late[organisation], str(organisation))) if late else home_organisation
    if chosen is not None:
        network = next(plan for plan in NETWORK[Category.RECOVERY_COLLEGE] if plan.timepoint == FOLLOW_UP)
        later = Plan(FOLLOW_UP, days=ORGANISATION_FOLLOW_UP_DAYS, open_days=network.open_days, codes=network.codes)
        add(later, category=Category.RECOVERY_COLLEGE, organisation=chosen)

    settled_college = [run for run in settled if run.category == Category.RECOVERY_COLLEGE]
    own_runs = [run for run in settled_college if run.organisation_id == home_organisation] or settled_college
    if len(own_runs) >= 2:
        shortened, quiet = rng.sample(own_runs, 2)
        add(Plan(END, days=0, open_days=21, codes=SHORT_END), run=shortened.id)
        # The group asked at its last session not to be contacted again: follow-up switched off.
        add(Plan(FOLLOW_UP, days=FOLLOW_UP_DAYS, open_days=28, codes=()), run=quiet.id, active=False)
    return result
