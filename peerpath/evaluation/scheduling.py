"""A run's own evaluation schedule: coordinators change what one run asks at a timepoint (ADR 018).

A run follows its category's schedule (its organisation's, else the network's) unless it has
one of its own for the timepoint (``schedules.schedules_for_runs``). These services write that
override, each in one transaction with its audit event:

- ``set_run_schedule``: ask these instruments, with these days, at this timepoint;
- ``switch_off_timepoint``: ask nothing at this timepoint for this run;
- ``use_category_schedule``: remove the override, so the category's schedule applies again.

Invitations already made keep the questionnaires they were made with; an override changes
only the invitations made after it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from peerpath.core import audit
from peerpath.core.audit import Actor
from peerpath.delivery.models import CourseRun
from peerpath.evaluation.models import SCHEDULED_TIMEPOINTS, InstrumentVersion, Schedule, ScheduleInstrument
from peerpath.evaluation.schedules import newest_published

# The bounds the model's validators set, repeated in messages people read.
MAX_DAYS = 730
MIN_OPEN_DAYS, MAX_OPEN_DAYS = 1, 365
# Instruments a college answers about itself are never sent to participants.
COLLEGE = "college"


class SchedulingError(Exception):
    """A schedule change was refused; the message is fit to show and nothing changed.

    ``field`` names the form field the message belongs beside, when there is one.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def askable_versions() -> list[InstrumentVersion]:
    """The newest published version of every instrument a participant can be asked, by short name."""
    codes = (
        InstrumentVersion.objects.filter(status=InstrumentVersion.Status.PUBLISHED)
        .exclude(respondent=COLLEGE)
        .order_by("code")
        .values_list("code", flat=True)
        .distinct()
    )
    versions = newest_published(codes)
    # A newer published version could in principle change the respondent: judge the newest.
    return sorted(
        (version for version in versions.values() if version.respondent != COLLEGE),
        key=lambda version: (version.short_name.lower(), version.code),
    )


def _check_timepoint(timepoint: str) -> None:
    if timepoint not in SCHEDULED_TIMEPOINTS:
        raise SchedulingError("Choose baseline, end of course or follow-up")


def _locked_run(run: CourseRun) -> CourseRun:
    """The run row, locked, so two coordinators' changes to its schedules happen one after the other."""
    current = CourseRun.objects.select_for_update().get(pk=run.pk)
    if current.status == CourseRun.Status.CANCELLED:
        raise SchedulingError("This run was cancelled: nobody will be asked anything about it")
    return current


def _check_instruments(codes: Sequence[str]) -> list[str]:
    """The codes in order, once each, every one asking a participant and published; or a refusal."""
    chosen = list(dict.fromkeys(codes))
    if not chosen:
        raise SchedulingError("Select at least one questionnaire", field="instruments")
    versions = newest_published(chosen)
    for code in chosen:
        version = versions.get(code)
        if version is None:
            raise SchedulingError(f"There is no published questionnaire {code!r}", field="instruments")
        if version.respondent == COLLEGE:
            raise SchedulingError(
                f"{version.short_name} is answered by the college, not by participants", field="instruments"
            )
    return chosen


def _check_days(days: int, open_days: int) -> None:
    if not 0 <= days <= MAX_DAYS:
        raise SchedulingError(f"Days must be between 0 and {MAX_DAYS}", field="days")
    if not MIN_OPEN_DAYS <= open_days <= MAX_OPEN_DAYS:
        raise SchedulingError(
            f"The link must work for between {MIN_OPEN_DAYS} and {MAX_OPEN_DAYS} days", field="open_days"
        )


@transaction.atomic
def set_run_schedule(
    *, actor: Actor, run: CourseRun, timepoint: str, instrument_codes: Sequence[str], days: int, open_days: int
) -> Schedule:
    """Make (or change) the run's own schedule for a timepoint: these instruments, in this order.

    Refused with a ``SchedulingError`` for a timepoint that is not scheduled, a cancelled run,
    no instruments, an instrument with no published version or answered by the college, and
    days out of bounds. Audited as ``evaluation.run_schedule_set`` (codes and numbers only).
    """
    actor = audit.check_actor(actor)
    _check_timepoint(timepoint)
    codes = _check_instruments(instrument_codes)
    _check_days(days, open_days)
    current = _locked_run(run)
    schedule, created = Schedule.objects.get_or_create(
        run=current,
        timepoint=timepoint,
        defaults={"category": "", "organisation": None, "days": days, "open_days": open_days, "active": True},
    )
    if not created:
        schedule.days, schedule.open_days, schedule.active = days, open_days, True
        schedule.save(update_fields=["days", "open_days", "active"])
        schedule.instruments.all().delete()
    ScheduleInstrument.objects.bulk_create(
        ScheduleInstrument(schedule=schedule, instrument_code=code, position=position)
        for position, code in enumerate(codes, start=1)
    )
    audit.record(
        actor=actor,
        action="evaluation.run_schedule_set",
        target=schedule,
        data={
            "run": str(current.pk),
            "timepoint": timepoint,
            "instruments": codes,
            "days": days,
            "open_days": open_days,
        },
    )
    return schedule


@transaction.atomic
def switch_off_timepoint(*, actor: Actor, run: CourseRun, timepoint: str) -> Schedule:
    """Ask nothing at this timepoint for this run: its own schedule, inactive and without instruments.

    Audited as ``evaluation.run_schedule_switched_off``.
    """
    actor = audit.check_actor(actor)
    _check_timepoint(timepoint)
    current = _locked_run(run)
    schedule, created = Schedule.objects.get_or_create(
        run=current, timepoint=timepoint, defaults={"category": "", "organisation": None, "active": False}
    )
    if not created:
        if not schedule.active:
            raise SchedulingError("This timepoint is already switched off for this run")
        schedule.active = False
        schedule.save(update_fields=["active"])
        schedule.instruments.all().delete()
    audit.record(
        actor=actor,
        action="evaluation.run_schedule_switched_off",
        target=schedule,
        data={"run": str(current.pk), "timepoint": timepoint},
    )
    return schedule


@transaction.atomic
def use_category_schedule(*, actor: Actor, run: CourseRun, timepoint: str) -> None:
    """Remove the run's own schedule for a timepoint, so its category's schedule applies again.

    Invitations made under the removed schedule keep their questionnaires (their link to the
    schedule is cleared). Refused when the run has no schedule of its own for the timepoint.
    Audited as ``evaluation.run_schedule_removed``.
    """
    actor = audit.check_actor(actor)
    _check_timepoint(timepoint)
    current = _locked_run(run)
    schedule = Schedule.objects.filter(run=current, timepoint=timepoint).first()
    if schedule is None:
        raise SchedulingError("This run already uses its category's schedule for this timepoint")
    audit.record(
        actor=actor,
        action="evaluation.run_schedule_removed",
        target=schedule,
        data={"run": str(current.pk), "timepoint": timepoint},
    )
    schedule.delete()
