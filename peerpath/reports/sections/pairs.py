"""Before-and-after pairs: one person's baseline and later answers on the same run.

Both the outcomes and the service-use sections start here. A pair is one person on one run
with a completed response at baseline and at the comparison timepoint (end of course or
follow-up); a person on two runs gives two pairs. When someone completed the same
questionnaire twice at one timepoint (a paper form typed in after they answered online),
the later completion counts.

"Lost to follow-up" counts people with a baseline response on a run that has finished but
no response at the comparison timepoint.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, FloatField, Q
from django.db.models.functions import Cast

from peerpath.courses.choices import Category
from peerpath.delivery.models import CourseRun
from peerpath.evaluation.definitions import Instrument
from peerpath.evaluation.models import Answer, InstrumentVersion, Response, ScheduleInstrument, Score, Timepoint
from peerpath.evaluation.responses import instrument_for
from peerpath.evaluation.schedules import newest_published
from peerpath.reports.filters import Scope

COMPARISONS = {"end": Timepoint.END, "follow_up": Timepoint.FOLLOW_UP}
COMPARISON_LABELS = {"end": "End of course", "follow_up": "Follow-up"}

# How results can be broken down: the value fetched with each response, and the heading.
GROUPINGS: dict[str, tuple[str, str]] = {
    "category": ("response__run__version__course__category", "Course category"),
    "course": ("response__run__version__course__title", "Course"),
    "term": ("response__run__term__name", "Term"),
    "borough": ("response__person__area__name", "Borough"),
    "organisation": ("response__run__organisation__name", "Organisation"),
}


def group_label(grouping: str, value: Any) -> str:
    if value in (None, ""):
        return "Not recorded"
    if grouping == "category":
        try:
            return str(Category(value).label)
        except ValueError:
            return str(value)
    return str(value)


def asked_at_baseline() -> dict[str, InstrumentVersion]:
    """The newest published version of every instrument some schedule asks at baseline: the
    before-and-after measures (session feedback and college self-assessments are not)."""
    codes = (
        ScheduleInstrument.objects.filter(schedule__timepoint=Timepoint.BASELINE, schedule__active=True)
        .values_list("instrument_code", flat=True)
        .distinct()
    )
    return newest_published(codes)


def definitions(versions: dict[str, InstrumentVersion]) -> dict[str, Instrument]:
    return {code: instrument_for(version) for code, version in sorted(versions.items())}


@dataclass
class Pair:
    group: Any
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)


@dataclass
class Pairs:
    """Per instrument code: complete pairs (by group) and the number lost, by group."""

    complete: dict[str, list[Pair]]
    lost: dict[str, dict[Any, int]]


def _responses(scope: Scope, codes: Iterable[str], compare: str) -> Q:
    return Q(
        response__status=Response.Status.COMPLETE,
        response__run__in=scope.runs().values("pk"),
        response__timepoint__in=(Timepoint.BASELINE, COMPARISONS[compare]),
        instrument_code__in=list(codes),
    ) & scope.people_filter("response__person__")


def score_pairs(scope: Scope, scales: dict[str, str], *, compare: str, grouping: str) -> Pairs:
    """Pairs of one scale's scores per instrument (``scales`` maps code to scale), in two queries."""
    where = _responses(scope, scales, compare)
    rules = Score.objects.newest_rules(scales)
    wanted = Q()
    for code, scale in scales.items():
        wanted |= Q(instrument_code=code, scale_code=scale, scoring_version=rules.get(code, 0))
    rows = (
        Score.objects.filter(where, wanted)
        .annotate(person=_text("response__person_id"), run=_text("response__run_id"), number=_float("value"))
        .values_list(
            "instrument_code",
            "person",
            "run",
            "response__timepoint",
            "number",
            "response__run__status",
            GROUPINGS[grouping][0],
        )
        .order_by("response__completed_at", "pk")
    )
    return _pair_up(
        (
            (code, person, run, point, {"v": value}, status, group)
            for code, person, run, point, value, status, group in rows
        ),
        compare,
    )


def answer_pairs(scope: Scope, codes: Iterable[str], *, compare: str, grouping: str) -> Pairs:
    """Pairs of every item's answers per instrument (service use), in two queries: the responses,
    then their answers in the same order."""
    in_scope = Q(
        status=Response.Status.COMPLETE,
        run__in=scope.runs().values("pk"),
        timepoint__in=(Timepoint.BASELINE, COMPARISONS[compare]),
        instrument_version__code__in=list(codes),
    ) & scope.people_filter("person__")
    group = GROUPINGS[grouping][0].removeprefix("response__")
    responses: dict[str, list[Any]] = {
        key: [code, person, run, point, {}, status, grouped]
        for key, code, person, run, point, status, grouped in Response.objects.filter(in_scope)
        .annotate(key=_text("pk"), person_key=_text("person_id"), run_key=_text("run_id"))
        .values_list("key", "instrument_version__code", "person_key", "run_key", "timepoint", "run__status", group)
        .order_by("completed_at", "pk")
    }
    answers = (
        Answer.objects.filter(response__in=Response.objects.filter(in_scope).values("pk"))
        .annotate(key=_text("response_id"), number=_float("value"))
        .values_list("key", "item_id", "number")
    )
    for key, item, value in answers:
        entry = responses.get(key)
        if entry is not None:  # completed between the two queries: left for the next build
            entry[4][item] = value
    return _pair_up((tuple(entry) for entry in responses.values()), compare)


def _text(field: str) -> Cast:
    """A key as text: building a UUID per row costs more than the rest of a report's reading."""
    return Cast(field, output_field=CharField())


def _float(field: str) -> Cast:
    """A stored decimal as a float, read by the database rather than one Decimal per row."""
    return Cast(field, output_field=FloatField())


def _pair_up(rows: Iterable[tuple[str, Any, Any, str, dict[str, float], str, Any]], compare: str) -> Pairs:
    later = COMPARISONS[compare]
    found: dict[tuple[str, Any, Any], Pair] = {}
    finished: dict[tuple[str, Any, Any], bool] = {}
    for code, person, run, point, values, status, group in rows:
        key = (code, person, run)
        pair = found.get(key)
        if pair is None:
            pair = found[key] = Pair(group=group)
            finished[key] = status == CourseRun.Status.COMPLETED
        if point == Timepoint.BASELINE:
            pair.before = values
        elif point == later:
            pair.after = values
    complete: dict[str, list[Pair]] = {}
    lost: dict[str, dict[Any, int]] = {}
    for key, pair in found.items():
        code = key[0]
        if pair.before and pair.after:
            complete.setdefault(code, []).append(pair)
        elif pair.before and finished[key]:
            by_group = lost.setdefault(code, {})
            by_group[pair.group] = by_group.get(pair.group, 0) + 1
    return Pairs(complete=complete, lost=lost)
