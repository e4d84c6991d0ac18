"""Formatting courses, versions and the co-production profile for display.

Everything here works on rows the view has already fetched: no queries.
Charts are drawn with CSS widths in steps of 5% (the site's Content Security
Policy allows no inline styles), so every bar has a class ``peerpath-w-<n>``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from peerpath.courses.choices import LIVED_EXPERIENCE, Audience, Capacity, Category
from peerpath.courses.coproduction import Profile
from peerpath.courses.models import Contribution, CoproductionActivity, Course, CourseStatusChange, CourseVersion
from peerpath.programmes.context import fill
from peerpath.programmes.terms import DEFAULT, Terms

Row = dict[str, dict[str, str]]

COURSE_STATUS_COLOURS: dict[str, str] = {
    Course.Status.IDEA: "nhsuk-tag--grey",
    Course.Status.IN_COPRODUCTION: "nhsuk-tag--blue",
    Course.Status.APPROVED: "nhsuk-tag--green",
    Course.Status.RETIRED: "nhsuk-tag--white",
}
VERSION_STATUS_COLOURS: dict[str, str] = {
    CourseVersion.Status.DRAFT: "nhsuk-tag--yellow",
    CourseVersion.Status.APPROVED: "nhsuk-tag--green",
    CourseVersion.Status.SUPERSEDED: "nhsuk-tag--grey",
}
# Labels that name the people a programme serves, in its words (``programmes.context.fill``);
# the stored values and the other labels stay as the choices say.
CATEGORY_WORDING: dict[str, str] = {Category.SELF_MANAGEMENT: "{People_possessive} self-management course"}
AUDIENCE_WORDING: dict[str, str] = {Audience.CARERS: "{People}"}
CAPACITY_WORDING: dict[str, str] = {Capacity.CARER: "Lived experience as {a_person}"}
# How a contributor is counted in a sentence: "2 carers, 1 professional".
CAPACITY_NOUNS: dict[str, tuple[str, str]] = {
    Capacity.CARER: ("{person}", "{people}"),
    Capacity.SERVICE_USER: ("service user", "service users"),
    Capacity.PROFESSIONAL: ("professional", "professionals"),
    Capacity.PARTNER: ("partner representative", "partner representatives"),
}


def category_label(category: str, terms: Terms = DEFAULT) -> str:
    """'Carers' self-management course', or 'Members' self-management course' in another programme."""
    wording = CATEGORY_WORDING.get(category)
    return fill(wording, terms) if wording else Category(category).label


def audience_label(audience: str, terms: Terms = DEFAULT) -> str:
    wording = AUDIENCE_WORDING.get(audience)
    return fill(wording, terms) if wording else Audience(audience).label


def capacity_label(capacity: str, terms: Terms = DEFAULT) -> str:
    """'Lived experience as a carer', in the programme's words."""
    wording = CAPACITY_WORDING.get(capacity)
    return fill(wording, terms) if wording else Capacity(capacity).label


def category_choices(terms: Terms = DEFAULT) -> list[tuple[str, str]]:
    """The categories for a form, labelled in the programme's words (the values as stored)."""
    return [(value, category_label(value, terms)) for value in Category.values]


def audience_choices(terms: Terms = DEFAULT) -> list[tuple[str, str]]:
    return [(value, audience_label(value, terms)) for value in Audience.values]


def course_status_tag(course: Course) -> dict[str, str]:
    return {"text": course.get_status_display(), "classes": COURSE_STATUS_COLOURS.get(course.status, "")}


def version_status_tag(version: CourseVersion) -> dict[str, str]:
    return {"text": version.get_status_display(), "classes": VERSION_STATUS_COLOURS.get(version.status, "")}


def coproduced_tag(profile: Profile) -> dict[str, str]:
    if profile.is_coproduced:
        return {"text": "Co-produced", "classes": "nhsuk-tag--green"}
    return {"text": "Not yet co-produced", "classes": "nhsuk-tag--white"}


def format_hours(value: Decimal | None) -> str:
    """2 → "2", 1.50 → "1.5", 0.25 → "0.25"."""
    if value is None:
        return "0"
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_percent(share: Decimal | None) -> str:
    """A fraction as a whole percentage, halves rounded up: 0.4 → "40%" (None → "")."""
    if share is None:
        return ""
    return f"{(Decimal(share) * 100).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"


def width_class(fraction: Decimal | None) -> str:
    """A bar's CSS class for a fraction of the full width, in steps of 5%.

    A bar for a small but non-zero amount stays visible (1%) rather than vanishing.
    """
    if not fraction:
        return "peerpath-w-0"
    steps = int((Decimal(fraction) * 20).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    steps = max(0, min(20, steps))
    return f"peerpath-w-{steps * 5}" if steps else "peerpath-w-1"


def format_day(moment: datetime | date | None) -> str:
    """A date, or a moment as the local date: "3 March 2026"."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date()
    return f"{moment:%-d %B %Y}"


def user_name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def course_summary_rows(course: Course, terms: Terms = DEFAULT) -> list[Row]:
    """Rows for the NHS.UK summary list on the course page (partners from ``access_course``)."""

    def row(key: str, value: str) -> Row:
        return {"key": {"text": key}, "value": {"text": value or "None"}}

    partners = getattr(course, "partner_list", [])
    sessions = _plural(course.session_count, "session", "sessions")
    return [
        row("Category", category_label(course.category, terms)),
        row("Who it is for", audience_label(course.audience, terms)),
        row("Sessions", f"{sessions} of {course.session_minutes} minutes"),
        row("How it is delivered", ", ".join(course.delivery_modes)),
        row("Owned by", course.owner.name),
        row("Partner organisations", ", ".join(org.name for org in partners)),
        row("Status", course.get_status_display()),
    ]


def contributors_summary(contributions: Iterable[Contribution], terms: Terms = DEFAULT) -> str:
    """Who took part, counted by capacity in the usual order: "2 carers, 1 professional"."""
    counts = Counter(contribution.capacity for contribution in contributions)
    parts = [
        fill(_plural(counts[capacity], *CAPACITY_NOUNS[capacity]), terms)
        for capacity in Capacity
        if counts.get(capacity.value)
    ]
    return ", ".join(parts) or "No one recorded"


def activity_rows(activities: Iterable[CoproductionActivity], terms: Terms = DEFAULT) -> list[dict[str, str]]:
    """Recent activities; ``contributions`` must be prefetched and ``version`` selected."""
    return [
        {
            "date": format_day(activity.occurred_on),
            "stage": activity.get_stage_display(),
            "hours": format_hours(activity.hours),
            "contributors": contributors_summary(activity.contributions.all(), terms),
            "version": f"Version {activity.version.number}" if activity.version else "",
            "decisions": activity.decisions,
        }
        for activity in activities
    ]


def history_rows(changes: Iterable[CourseStatusChange]) -> list[dict[str, str]]:
    """Status changes, newest first; ``changed_by`` must be selected."""
    return [
        {
            "date": format_day(change.changed_at),
            "status": Course.Status(change.to_status).label,
            "by": user_name(change.changed_by),
            "reason": change.reason,
        }
        for change in changes
    ]


def version_rows(versions: Iterable[CourseVersion]) -> list[dict[str, Any]]:
    """The versions table; ``approved_by`` must be selected."""
    return [
        {
            "number": version.number,
            "tag": version_status_tag(version),
            "approval": (
                f"{user_name(version.approved_by)} on {format_day(version.approved_at)}"
                if version.approved_at
                else "Not approved yet"
            ),
            "change_note": version.change_note,
        }
        for version in versions
    ]


def capacity_rows(profile: Profile, terms: Terms = DEFAULT) -> list[dict[str, str]]:
    """Hours and contributions by capacity, with each one's share of the hours."""
    return [
        {
            "label": capacity_label(share.capacity, terms),
            "contributions": str(share.contributions),
            "hours": format_hours(share.hours),
            "share": format_percent(share.hours_share),
            "width": width_class(share.hours_share),
            "kind": "lived" if share.capacity in LIVED_EXPERIENCE else "other",
        }
        for share in profile.by_capacity
    ]


def stage_rows(profile: Profile) -> list[dict[str, Any]]:
    """Each stage's lived-experience and other hours; bars are scaled to the busiest stage."""
    busiest = max((stage.hours for stage in profile.by_stage), default=Decimal(0))
    rows = []
    for stage in profile.by_stage:
        other = stage.hours - stage.lived_hours
        lived_width = width_class(stage.lived_hours / busiest if busiest else None)
        other_width = width_class(other / busiest if busiest else None)
        rows.append(
            {
                "label": stage.label,
                "lived_hours": format_hours(stage.lived_hours),
                "other_hours": format_hours(other),
                "hours": format_hours(stage.hours),
                "contributions": str(stage.contributions),
                "has_lived_experience": stage.has_lived_experience,
                "lived_input": "Yes" if stage.has_lived_experience else "No",
                "lived_width": lived_width,
                "other_width": other_width,
                "empty": not stage.hours,
            }
        )
    return rows


def capacity_chart_label(rows: Iterable[dict[str, str]]) -> str:
    """The capacity chart (``capacity_rows``) in words, for its ``aria-label``."""
    parts = [f"{row['label']} {row['share']} ({row['hours']} hours)" for row in rows]
    return "Share of co-production hours by capacity: " + "; ".join(parts)


def stage_chart_label(rows: Iterable[dict[str, Any]]) -> str:
    """The stage chart (``stage_rows``) in words, for its ``aria-label``."""
    parts = [
        f"{row['label']}: {row['lived_hours']} lived-experience hours, {row['other_hours']} other hours" for row in rows
    ]
    return "Co-production hours by stage: " + "; ".join(parts)
