"""How support groups and their meetings read on pages. Works on rows already fetched: no queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peerpath.courses.presenters import format_day
from peerpath.delivery.models import GroupMeeting, SupportGroup

Row = dict[str, dict[str, str]]

# The flag only: what the concern was is recorded in the safeguarding system, never here.
SAFEGUARDING_TAG = {"text": "Safeguarding concern raised", "classes": "nhsuk-tag--red"}


def group_status_tag(group: SupportGroup) -> dict[str, str]:
    if group.active:
        return {"text": "Active", "classes": "nhsuk-tag--green"}
    return {"text": "Closed", "classes": "nhsuk-tag--grey"}


def attendance_kind(group: SupportGroup) -> str:
    return "Head count only (anonymous group)" if group.anonymous else "By name"


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def attendance_text(meeting: GroupMeeting, group: SupportGroup) -> str:
    """ "8 people (head count)" for an anonymous group; "5 people, named" for a named one.

    A named meeting counts its attendees (``attendee_count`` from ``group_meetings``),
    so the number shown is the names on record, whoever wrote the row.
    """
    if group.anonymous:
        return f"{_people(meeting.head_count or 0)} (head count)"
    return f"{_people(getattr(meeting, 'attendee_count', meeting.head_count or 0))}, named"


def group_summary_rows(group: SupportGroup) -> list[Row]:
    """Rows for the NHS.UK summary list on the group page (partners from ``access_group``)."""

    def row(key: str, value: str) -> Row:
        return {"key": {"text": key}, "value": {"text": value or "None"}}

    partners = getattr(group, "partner_list", [])
    return [
        row("Run by", group.organisation.name),
        row("Partner organisations", ", ".join(org.name for org in partners)),
        row("Borough", group.area.name if group.area else ""),
        row("When it meets", group.meeting_pattern),
        row("Where it meets", group.venue.name if group.venue else ""),
        row("Attendance", attendance_kind(group)),
    ]


def meeting_rows(meetings: Iterable[GroupMeeting], group: SupportGroup) -> list[dict[str, Any]]:
    """One row per meeting: facilitators from the prefetch, counts from the annotation."""
    return [
        {
            "meeting": meeting,
            "date": format_day(meeting.met_on),
            "attendance": attendance_text(meeting, group),
            "facilitators": ", ".join(person.display_name for person in meeting.facilitators.all()),
            "topics": meeting.topics,
            "safeguarding": SAFEGUARDING_TAG if meeting.safeguarding_concern else None,
        }
        for meeting in meetings
    ]
