"""How delivery's dates, times and statuses read on pages, in emails and on the register."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from peerpath.courses.presenters import format_day
from peerpath.delivery.models import ATTENDED, Attendance, CourseRun, Enrolment, Session, Venue, queue_places

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


def run_row(run: CourseRun) -> dict[str, Any]:
    first = run.starts_at
    return {
        "run": run,
        "status": run_status_tag(run),
        "starts": format_day(first) if first else "No sessions",
        "places": f"{run.places_taken} of {run.capacity}",
        "waiting": run.waiting,
    }


def session_rows(run: CourseRun, *, with_registers: bool) -> list[dict[str, Any]]:
    """The run's sessions with when, where and how much of each register is marked (one query)."""
    sessions = run.sessions.select_related("venue").annotate(marked=Count("attendance")).order_by("number")
    return [
        {
            "session": session,
            "when": format_when(session.starts_at, session.ends_at),
            "where": venue_text(session.venue),
            "marked": session.marked,
            "register": with_registers,
        }
        for session in sessions
    ]


def venue_text(venue: Venue | None) -> str:
    if venue is None:
        return "To be confirmed"
    if venue.online:
        return f"{venue.name} (online)"
    return f"{venue.name}, {venue.postcode}" if venue.postcode else venue.name


def run_summary_rows(run: CourseRun, sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def row(key: str, value: str) -> dict[str, Any]:
        return {"key": {"text": key}, "value": {"text": value}}

    opens = format_day(run.enrolment_opens_on) if run.enrolment_opens_on else "When the run opens"
    closes = format_day(run.enrolment_closes_on) if run.enrolment_closes_on else "When it starts"
    rows = [
        row("Course", f"{run.version.course.title} (version {run.version.number})"),
        row("Term", run.term.name),
        row("Run by", run.organisation.name),
        row("Places", f"{run.places_taken} taken of {run.capacity}"),
        row("Waiting list", "Nobody" if run.waiting == 0 else f"{run.waiting} waiting"),
        row("Enrolment", f"Opens: {opens}. Closes: {closes}"),
        row("Sessions", f"{len(sessions)}, {sessions[0]['when']} first" if sessions else "None"),
    ]
    if run.status == CourseRun.Status.CANCELLED:
        rows.append(row("Why it was cancelled", run.cancellation_reason))
    return rows


ENROLMENT_GROUPS = [
    ("Enrolled", (Enrolment.Status.ENROLLED,)),
    ("Offered a place", (Enrolment.Status.OFFERED,)),
    ("Waiting list", (Enrolment.Status.WAITLISTED,)),
    ("Finished", (Enrolment.Status.COMPLETED, Enrolment.Status.DID_NOT_COMPLETE)),
    ("Withdrawn", (Enrolment.Status.WITHDRAWN,)),
]


def enrolment_groups(enrolments: list[Enrolment]) -> list[dict[str, Any]]:
    """Enrolments grouped by status for the run page; the waiting list numbered from 1."""
    groups = []
    for title, statuses in ENROLMENT_GROUPS:
        rows = [e for e in enrolments if e.status in statuses]
        if title == "Waiting list":
            rows.sort(key=lambda e: e.position or 0)
        groups.append(
            {
                "title": title,
                "rows": [
                    {
                        "enrolment": e,
                        "tag": enrolment_status_tag(e),
                        "place": index if title == "Waiting list" else None,
                        "expires": format_when(e.offer_expires_at) if e.offer_expires_at else "",
                    }
                    for index, e in enumerate(rows, start=1)
                ],
            }
        )
    return [group for group in groups if group["rows"]]


def enrolled_message(enrolment: Enrolment, name: str | None = None) -> str:
    """What enrolling did, said to the person (``name`` None) or to staff about them."""
    who, has, is_ = (name, "has", "is") if name else ("You", "have", "are")
    if enrolment.status == Enrolment.Status.ENROLLED:
        return f"{who} {has} a place"
    return f"The run is full: {who} {is_} number {enrolment.place_in_queue()} on the waiting list"


def run_dates(run: CourseRun) -> list[dict[str, str]]:
    """Each session's number, topic, when and where (one query)."""
    return [
        {
            "number": str(session.number),
            "topic": session.topic,
            "when": format_when(session.starts_at, session.ends_at),
            "where": venue_text(session.venue),
        }
        for session in run.sessions.select_related("venue").order_by("number")
    ]


def my_courses(enrolments: Any) -> dict[str, Any]:
    """A participant's enrolments in three lists (current, waiting or offered, past), with sessions.

    Three queries: enrolments with their runs, sessions with venues, and attendance.
    """
    rows = list(
        enrolments.select_related("run__version__course", "run__term", "run__organisation").order_by("-created_at")
    )
    run_ids = [row.run_id for row in rows]
    sessions: dict[Any, list[Any]] = {}
    for session in Session.objects.filter(run_id__in=run_ids).select_related("venue").order_by("starts_at"):
        sessions.setdefault(session.run_id, []).append(session)
    attended = dict(
        Attendance.objects.filter(enrolment__in=rows)
        .values("enrolment_id")
        .annotate(n=Count("pk", filter=Q(status__in=ATTENDED)))
        .values_list("enrolment_id", "n")
    )
    places = queue_places([row.pk for row in rows if row.status == Enrolment.Status.WAITLISTED])
    now = timezone.now()
    current, waiting, past = [], [], []
    for row in rows:
        run_sessions = sessions.get(row.run_id, [])
        upcoming = [s for s in run_sessions if s.ends_at >= now]
        holds_place = row.status == Enrolment.Status.ENROLLED
        item = {
            "enrolment": row,
            "course": row.run.version.course,
            "run": row.run,
            "tag": enrolment_status_tag(row),
            "next": format_when(upcoming[0].starts_at, upcoming[0].ends_at) if upcoming else "",
            "sessions": [
                {
                    "number": s.number,
                    "topic": s.topic,
                    "when": format_when(s.starts_at, s.ends_at),
                    "where": venue_text(s.venue),
                    "link": s.venue.joining_link if holds_place and s.venue and s.venue.online else "",
                    "past": s.ends_at < now,
                }
                for s in run_sessions
            ],
            "attended": attended.get(row.pk, 0),
            "place": places.get(row.pk),
            "expires": format_when(row.offer_expires_at) if row.offer_expires_at else "",
            "cancelled": row.run.status == CourseRun.Status.CANCELLED,
        }
        if row.status in (Enrolment.Status.WAITLISTED, Enrolment.Status.OFFERED):
            waiting.append(item)
        elif row.status == Enrolment.Status.ENROLLED and row.run.status != CourseRun.Status.CANCELLED:
            current.append(item)
        else:
            past.append(item)
    return {"current": current, "waiting": waiting, "past": past}


def saved_message(saved: Any) -> str:
    count = saved.created + saved.changed
    if count == 0:
        return "Nothing had changed, so nothing was saved"
    noun = "mark" if count == 1 else "marks"
    return f"{count} {noun} saved{' as a late entry' if saved.late else ''}"


def leave_action(enrolment: Enrolment) -> dict[str, str]:
    """The words for leaving, which depend on what the person is leaving."""
    course = enrolment.run.version.course.title
    if enrolment.status == Enrolment.Status.WAITLISTED:
        return {"title": f"Leave the waiting list for {course}", "button": "Leave the waiting list"}
    if enrolment.status == Enrolment.Status.OFFERED:
        return {"title": f"Decline your place on {course}", "button": "Decline the place"}
    return {"title": f"Withdraw from {course}", "button": "Withdraw from the course"}


def left_message(enrolment: Enrolment) -> str:
    course = enrolment.run.version.course.title
    if enrolment.status == Enrolment.Status.WAITLISTED:
        return f"You have left the waiting list for {course}"
    if enrolment.status == Enrolment.Status.OFFERED:
        return f"You have declined the place on {course}; it will be offered to the next person"
    return f"You have withdrawn from {course}"


def history_rows(changes: Any) -> list[dict[str, str]]:
    """A run's status changes as lines for its page, dated in local time."""
    return [
        {
            "day": format_day(change.changed_at),
            "status": change.get_to_status_display(),
            "by": change.changed_by_label,
            "reason": change.reason,
        }
        for change in changes
    ]
