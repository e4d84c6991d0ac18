"""What the programme and import pages show, formatted: rows for tables and summary lists."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from peerpath.accreditation.models import Scheme
from peerpath.bundles.format import Bundle, FrameworkSpec, InstrumentSpec, SchemeSpec
from peerpath.bundles.importing import Preview
from peerpath.bundles.models import ProgrammeImport
from peerpath.courses.models import Course
from peerpath.courses.presenters import category_label, course_status_tag
from peerpath.programmes.terms import Terms

Row = dict[str, Any]


def serves(terms: Terms) -> str:
    """Who a programme serves, in its own words: 'Carers of people living with dementia'."""
    return terms.Served


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def courses_and_schemes(courses: int, schemes: int) -> str:
    """'11 courses, 2 schemes'."""
    return f"{_plural(courses, 'course', 'courses')}, {_plural(schemes, 'scheme', 'schemes')}"


def _summary_row(key: str, value: str) -> Row:
    return {"key": {"text": key}, "value": {"text": value or "None"}}


def word_rows(terms: Terms) -> list[Row]:
    """The words the interface uses for the people a programme serves, as a summary list."""
    return [
        _summary_row("Person", terms.person),
        _summary_row("People", terms.people),
        _summary_row("Speaking to them", terms.cared_for),
        _summary_row("Speaking about them", terms.cared_for_third),
        _summary_row("Condition", terms.condition),
        _summary_row("Who they support", terms.cared_for_group),
        _summary_row("Whom it serves", terms.served),
    ]


def when(moment: datetime) -> str:
    """'26 November 2026 at 2:05pm', as NHS content style writes times."""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    return f"{date_format(local, 'j F Y')} at {hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def origin_rows(record: ProgrammeImport, *, show_who: bool) -> list[Row]:
    """Where an imported programme came from; who imported it only for administrators."""
    rows = [
        _summary_row("Imported from", f"{record.source_name} ({record.source_code})"),
        _summary_row("Imported on", when(record.imported_at)),
        _summary_row("Bundle format version", str(record.format_version)),
    ]
    if show_who:
        rows.append(_summary_row("Imported by", record.imported_by.get_username()))
    return rows


def course_rows(courses: Iterable[Course], terms: Terms, *, linked: Callable[[Course], bool]) -> list[Row]:
    """Courses for a table; ``linked`` says whether the viewer may open a course's own page."""
    return [
        {
            "course": course,
            "linked": linked(course),
            "category": category_label(course.category, terms),
            "status": course_status_tag(course),
        }
        for course in courses
    ]


def scheme_rows(schemes: Iterable[Scheme]) -> list[Row]:
    return [{"name": scheme.name, "code": scheme.code, "grants": scheme.get_grants_display()} for scheme in schemes]


# -- the import preview ---------------------------------------------------------------------


def _instrument(spec: InstrumentSpec) -> str:
    return f"{spec.document.get('short_name') or spec.code}, version {spec.version}"


def _framework(spec: FrameworkSpec) -> str:
    competences = _plural(len(spec.competencies), "competence", "competences")
    return f"{spec.name} ({spec.code}, version {spec.version}, {competences})"


def _scheme(spec: SchemeSpec) -> str:
    return f"{spec.name} ({spec.code})"


def preview_courses(bundle: Bundle) -> list[Row]:
    terms = bundle.programme.terms
    return [
        {
            "title": course.title,
            "category": category_label(course.category, terms),
            "sessions": f"{_plural(course.session_count, 'session', 'sessions')} of {course.session_minutes} minutes",
        }
        for course in bundle.courses
    ]


def preview_summary(plan: Preview) -> list[Row]:
    """What the import brings, as a summary list: the programme, its owner and its words."""
    bundle = plan.bundle
    return [
        _summary_row("Programme in the bundle", bundle.programme.name),
        _summary_row("Who it serves", serves(bundle.programme.terms)),
        _summary_row("Owner after import", str(plan.owner)),
        _summary_row("Bundle format version", str(bundle.format_version)),
        _summary_row("Exported", _exported(bundle.exported_at)),
    ]


def _exported(exported_at: str) -> str:
    if not exported_at:
        return "Not recorded (a model that comes with PeerPath)"
    try:
        return when(datetime.fromisoformat(exported_at))
    except ValueError:
        return exported_at


def preview_sections(plan: Preview) -> list[dict[str, Any]]:
    """What the import creates and what it reuses, grouped for the page; empty groups left out."""
    sections = [
        ("Instruments new to this installation", [_instrument(s) for s in plan.new_instruments]),
        ("Instruments already here, used as they are", [_instrument(s) for s in plan.same_instruments]),
        ("Competency frameworks new to this installation", [_framework(s) for s in plan.new_frameworks]),
        ("Competency frameworks already here, used as they are", [_framework(s) for s in plan.same_frameworks]),
        ("New accreditation schemes", [_scheme(s) for s in plan.new_schemes]),
        ("Accreditation schemes already here, given to this programme", [_scheme(s) for s in plan.adopted_schemes]),
        (f"New questionnaire schedules for {plan.owner}", list(plan.new_schedules)),
    ]
    return [{"heading": heading, "entries": entries} for heading, entries in sections if entries]
