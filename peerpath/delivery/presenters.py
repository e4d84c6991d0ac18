"""How delivery's dates, times and statuses read on pages, in emails and on the register."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from peerpath.delivery.models import Attendance, CourseRun, Enrolment

RUN_TAG_COLOURS: dict[str, str] = {
    CourseRun.Status.PLANNED: "grey",
    CourseRun.Status.OPEN: "green",
    CourseRun.Status.FULL: "orange",
    CourseRun.Status.RUNNING: "blue",
    CourseRun.Status.COMPLETED: "white",
    CourseRun.Status.CANCELLED: "red",
}
ENROLMENT_TAG_COLOURS: dict[str, str] = {
    Enrolment.Status.ENROLLED: "green",
    Enrolment.Status.WAITLISTED: "yellow",
    Enrolment.Status.OFFERED: "purple",
    Enrolment.Status.WITHDRAWN: "grey",
    Enrolment.Status.COMPLETED: "blue",
    Enrolment.Status.DID_NOT_COMPLETE: "orange",
}
ATTENDANCE_TAG_COLOURS: dict[str, str] = {
    Attendance.Status.PRESENT: "green",
    Attendance.Status.LATE: "yellow",
    Attendance.Status.APOLOGIES: "grey",
    Attendance.Status.ABSENT: "red",
}


def format_time(moment: datetime) -> str:
    """6pm, 6:30pm, 12pm: the NHS.UK style for times."""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def format_when(starts_at: datetime, ends_at: datetime | None = None) -> str:
    """Tuesday 2 March 2027, 6pm to 8pm"""
    local = timezone.localtime(starts_at)
    text = f"{local:%A} {local.day} {local:%B %Y}, {format_time(starts_at)}"
    return f"{text} to {format_time(ends_at)}" if ends_at else text


def run_status_tag(run: CourseRun) -> dict[str, str]:
    return {"text": run.get_status_display(), "classes": f"nhsuk-tag--{RUN_TAG_COLOURS[run.status]}"}


def enrolment_status_tag(enrolment: Enrolment) -> dict[str, str]:
    return {"text": enrolment.get_status_display(), "classes": f"nhsuk-tag--{ENROLMENT_TAG_COLOURS[enrolment.status]}"}


def places_left_text(run: CourseRun) -> str:
    left = max(run.capacity - run.places_taken, 0)
    if left == 0:
        waiting = "nobody waiting yet" if run.waiting == 0 else f"{run.waiting} waiting"
        return f"Full: waiting list open ({waiting})"
    return "1 place left" if left == 1 else f"{left} places left"
