"""Reach: how many people were trained and served, and how far they reflect the population.

Definitions (also in the section's method notes, which every output carries):

- **Served**: a person who attended at least one session (present or late) of a run in
  scope, or a named attendee of a support-group meeting of the scope's organisations in the
  period. Head-count-only groups add attendances but no people.
- **Train the Trainer funnel**, for people who attended a Train the Trainer run in scope:
  started (attended a session), completed (their enrolment completed), accredited (holds or
  held any award), active (holds an active award today) and renewed (holds a renewed award
  period). Each stage is a subset of the one before only as the data allows: an award can
  come from training outside PeerPath, so "accredited" counts awards, not completions.
- **Range**: each breakdown counts served people once, by their equality monitoring answers,
  borough of residence, their current caring relationship, and whether they had a place on
  an earlier run (returning) or not (first time). "Share of those who answered" leaves out
  "Prefer not to say" and "Not recorded"; the representation ratio compares it with the
  population share for the same area (1 means represented as in the population).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from peerpath.accreditation.models import Award
from peerpath.courses.choices import Category
from peerpath.delivery.models import ATTENDED, PLACE_HOLDING, Attendance, CourseRun, Enrolment, GroupMeeting
from peerpath.people import choices
from peerpath.people.models import CaringRole, Person
from peerpath.reports.filters import Scope
from peerpath.reports.models import PopulationBenchmark
from peerpath.reports.sections import Chart, Section
from peerpath.reports.tables import Column, Kind, Table

NOT_RECORDED = "not_recorded"
# A run list longer than this is left out of pages: choose a term or a course to see each run.
MAX_RUN_ROWS = 200


def build(scope: Scope) -> Section:
    runs = scope.runs()
    started = _started_enrolments(runs, scope)
    meetings = GroupMeeting.objects.filter(
        group__organisation_id__in=scope.organisation_ids, met_on__gte=scope.start, met_on__lte=scope.end
    )
    served = _served_people(started, meetings, scope)
    tables = [
        _funnel(started, scope),
        _by_category(started, served),
        _support_groups(meetings, scope),
    ]
    run_table = _by_run(runs, started)
    if run_table is not None:
        tables.append(run_table)
    tables.extend(_range(served, scope))
    everyone = tables[1].total or {}
    charts = [
        Chart(
            table="funnel",
            kind="funnel",
            title="Train the Trainer: from starting to renewal",
            label="stage",
            values=("people",),
            unit="people",
        ),
        Chart(
            table="categories",
            kind="bars",
            title="People served by course category",
            label="category",
            values=("people",),
            unit="people",
        ),
    ]
    ethnic = next(table for table in tables if table.key == "ethnic_group")
    if any(column.key == "ratio" for column in ethnic.columns):
        charts.append(
            Chart(
                table="ethnic_group",
                kind="bars",
                title="Representation by ethnic group",
                label="group",
                values=("ratio",),
                unit="times the population share",
            ),
        )
    else:
        charts.append(
            Chart(
                table="ethnic_group",
                kind="bars",
                title="People served by ethnic group",
                label="group",
                values=("people",),
                unit="people",
            )
        )
    return Section(
        key="reach",
        title="Reach: people trained and served",
        tables=tables,
        charts=charts,
        method=_method(scope),
        empty=""
        if everyone.get("people")
        else "Nobody attended a run or a named support-group meeting in this period.",
    )


# People ----------------------------------------------------------------------------------


def _attended(enrolment: str = "pk") -> Exists:
    return Exists(Attendance.objects.filter(enrolment_id=OuterRef(enrolment), status__in=ATTENDED))


def _started_enrolments(runs: QuerySet[CourseRun], scope: Scope) -> QuerySet[Enrolment]:
    """Enrolments on runs in scope whose person came to at least one session."""
    return Enrolment.objects.filter(scope.people_filter("person__"), run__in=runs.values("pk")).filter(_attended())


def _served_people(started: QuerySet[Enrolment], meetings: QuerySet[GroupMeeting], scope: Scope) -> QuerySet[Person]:
    named = GroupMeeting.attendees.through.objects.filter(groupmeeting__in=meetings.values("pk"))
    return Person.objects.filter(
        Q(pk__in=started.values("person_id")) | Q(pk__in=named.values("person_id")), scope.people_filter()
    )


# Tables ----------------------------------------------------------------------------------


def _funnel(started: QuerySet[Enrolment], scope: Scope) -> Table:
    trainees = started.filter(run__version__course__category=Category.TRAIN_THE_TRAINER)
    today = timezone.localdate()
    awards = Award.objects.filter(holder_id=OuterRef("pk"))
    active = awards.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today), status=Award.Status.ACTIVE)
    people = Person.objects.filter(pk__in=trainees.values("person_id")).annotate(
        completed=Exists(trainees.filter(person_id=OuterRef("pk"), status=Enrolment.Status.COMPLETED)),
        accredited=Exists(awards),
        active=Exists(active),
        renewed=Exists(awards.filter(period__gte=2)),
    )
    # Summed here: Django's aggregate over EXISTS annotations counted none of them (5.2, SQLite).
    flags = list(people.values_list("completed", "accredited", "active", "renewed"))
    counts = {"started": len(flags)}
    for index, key in enumerate(("completed", "accredited", "active", "renewed")):
        counts[key] = sum(1 for row in flags if row[index])
    stages = [
        ("started", "Started Train the Trainer"),
        ("completed", "Completed Train the Trainer"),
        ("accredited", "Accredited (any award)"),
        ("active", "Holding an active award today"),
        ("renewed", "Renewed an award"),
    ]
    return Table(
        key="funnel",
        title="Train the Trainer: people at each stage",
        description=(
            "People who attended a Train the Trainer run in this period, and how many of them went "
            "on to each later stage."
        ),
        columns=(
            Column(key="stage", label="Stage", kind=Kind.TEXT),
            Column(key="people", label="People", kind=Kind.COUNT, additive=False),
            Column(
                key="share",
                label="Share of those who started",
                kind=Kind.PERCENT,
                numerator="people",
                denominator="starters",
            ),
        ),
        rows=[{"stage": label, "people": counts[key], "starters": counts["started"]} for key, label in stages],
    )


def _by_category(started: QuerySet[Enrolment], served: QuerySet[Person]) -> Table:
    grouped = (
        started.values("run__version__course__category")
        .annotate(
            runs=Count("run_id", distinct=True),
            people=Count("person_id", distinct=True),
            completed=Count("person_id", distinct=True, filter=Q(status=Enrolment.Status.COMPLETED)),
        )
        .order_by()
    )
    by_code = {row["run__version__course__category"]: row for row in grouped}
    rows = []
    for category in Category:
        row = by_code.get(category.value, {})
        rows.append(
            {
                "category": category.label,
                "runs": row.get("runs", 0),
                "people": row.get("people", 0),
                "completed": row.get("completed", 0),
            }
        )
    totals = started.aggregate(
        runs=Count("run_id", distinct=True),
        people=Count("person_id", distinct=True),
        completed=Count("person_id", distinct=True, filter=Q(status=Enrolment.Status.COMPLETED)),
    )
    everyone = served.aggregate(n=Count("pk"))["n"]
    return Table(
        key="categories",
        title="People served by course category",
        description=(
            "Runs that started in the period, and the people who came to at least one of their "
            "sessions, by category. A person on courses of two categories is counted in each, and "
            "once in the total."
        ),
        columns=(
            Column(key="category", label="Course category", kind=Kind.TEXT),
            Column(
                key="runs", label="Runs", kind=Kind.FIXED, decimals=0, description="Runs are not people: not controlled"
            ),
            Column(key="people", label="People who attended", kind=Kind.COUNT, additive=False),
            Column(key="completed", label="People who completed", kind=Kind.COUNT, additive=False),
        ),
        rows=rows,
        total={"category": "All courses", **totals, "served": everyone},
        notes=("People served in all, counting named support-group attendees too: see the range tables below.",),
    )


def _support_groups(meetings: QuerySet[GroupMeeting], scope: Scope) -> Table:
    grouped = (
        meetings.values("group_id", "group__name", "group__organisation__name")
        .annotate(meetings=Count("pk"), head_count=Sum("head_count"))
        .order_by("group__name", "group_id")
    )
    attendees = GroupMeeting.attendees.through.objects.filter(
        groupmeeting__in=meetings.values("pk"), **({"person__area": scope.area} if scope.area else {})
    )
    named = (
        attendees.values("groupmeeting__group_id")
        .annotate(attendances=Count("pk"), people=Count("person_id", distinct=True))
        .order_by()
    )
    by_group = {row["groupmeeting__group_id"]: row for row in named}
    rows = []
    for row in grouped:
        names = by_group.get(row["group_id"], {})
        rows.append(
            {
                "group": row["group__name"],
                "organisation": row["group__organisation__name"],
                "meetings": row["meetings"],
                "attendances": names.get("attendances", 0) + (row["head_count"] or 0),
                "people": names.get("people", 0),
            }
        )
    return Table(
        key="support_groups",
        title="Support groups",
        description=(
            "Meetings held in the period, attendances (named attendees plus head counts) and the named people who came."
        ),
        columns=(
            Column(key="group", label="Group", kind=Kind.TEXT),
            Column(key="organisation", label="Organisation", kind=Kind.TEXT),
            Column(key="meetings", label="Meetings", kind=Kind.FIXED, decimals=0),
            Column(key="attendances", label="Attendances", kind=Kind.COUNT),
            Column(key="people", label="Named people", kind=Kind.COUNT, additive=False),
        ),
        rows=rows,
        total={
            "group": "All groups",
            "organisation": "",
            "meetings": sum(row["meetings"] for row in rows),
            "attendances": sum(row["attendances"] for row in rows),
            "people": attendees.aggregate(n=Count("person_id", distinct=True))["n"],
        },
    )


def _by_run(runs: QuerySet[CourseRun], started: QuerySet[Enrolment]) -> Table | None:
    if runs.count() > MAX_RUN_ROWS:
        return None
    listed = (
        runs.annotate(
            places=Count("enrolments", filter=Q(enrolments__status__in=PLACE_HOLDING), distinct=True),
            completed=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.COMPLETED), distinct=True),
        )
        .values("pk", "version__course__title", "term__name", "organisation__name", "places", "completed")
        .order_by("starts_at", "pk")
    )
    attended = dict(
        started.values("run_id").annotate(n=Count("person_id", distinct=True)).values_list("run_id", "n").order_by()
    )
    rows = [
        {
            "course": row["version__course__title"],
            "term": row["term__name"],
            "organisation": row["organisation__name"],
            "places": row["places"],
            "attended": attended.get(row["pk"], 0),
            "completed": row["completed"],
        }
        for row in listed
    ]
    return Table(
        key="runs",
        title="People served by run",
        description=(
            "Each run that started in the period: places taken, people who came to a session and people who completed."
        ),
        columns=(
            Column(key="course", label="Course", kind=Kind.TEXT),
            Column(key="term", label="Term", kind=Kind.TEXT),
            Column(key="organisation", label="Organisation", kind=Kind.TEXT),
            Column(key="places", label="Places taken", kind=Kind.COUNT),
            Column(key="attended", label="Attended", kind=Kind.COUNT),
            Column(key="completed", label="Completed", kind=Kind.COUNT),
        ),
        rows=rows,
        total={
            "course": "All runs",
            "term": "",
            "organisation": "",
            "places": sum(row["places"] for row in rows),
            "attended": sum(row["attended"] for row in rows),
            "completed": sum(row["completed"] for row in rows),
        },
    )


# Range -----------------------------------------------------------------------------------


def _counts(served: QuerySet[Person], field: str) -> dict[Any, int]:
    return dict(served.values_list(field).annotate(n=Count("pk")).order_by())


def _benchmarks(scope: Scope) -> dict[str, dict[str, Decimal]]:
    rows = PopulationBenchmark.objects.filter(area=scope.area).values_list("dimension", "category", "share")
    found: dict[str, dict[str, Decimal]] = {}
    for dimension, category, share in rows:
        found.setdefault(dimension, {})[category] = share * 100
    return found


def _range(served: QuerySet[Person], scope: Scope) -> list[Table]:
    benchmarks = _benchmarks(scope)
    tables: list[Table] = []
    monitoring = "equality_monitoring__"

    ethnicity = _counts(served, f"{monitoring}ethnicity")
    groups: dict[Any, int] = {}
    for code, n in ethnicity.items():
        group = choices.ethnic_group(code) if code else None
        key = group.value if group else (code or None)
        groups[key] = groups.get(key, 0) + n
    tables.append(
        _breakdown(
            "ethnic_group",
            "Ethnic group (5 groups)",
            "group",
            groups,
            [(g.value, g.label) for g in choices.EthnicGroup],
            benchmarks.get(PopulationBenchmark.Dimension.ETHNIC_GROUP),
        )
    )
    tables.append(
        _breakdown(
            "ethnicity",
            "Ethnicity (19 categories)",
            "ethnicity",
            ethnicity,
            [(e.value, e.label) for e in choices.Ethnicity if e != choices.Ethnicity.PREFER_NOT_TO_SAY],
            benchmarks.get(PopulationBenchmark.Dimension.ETHNICITY),
        )
    )
    for key, title, field, options, dimension in (
        ("age_band", "Age band", "age_band", choices.AgeBand, PopulationBenchmark.Dimension.AGE_BAND),
        ("sex", "Sex", "sex", choices.Sex, PopulationBenchmark.Dimension.SEX),
        ("disability", "Disability", "disability", choices.Disability, PopulationBenchmark.Dimension.DISABILITY),
    ):
        tables.append(
            _breakdown(
                key,
                title,
                "answer",
                _counts(served, f"{monitoring}{field}"),
                [(str(o.value), str(o.label)) for o in options if o != choices.PREFER_NOT_TO_SAY],
                benchmarks.get(dimension),
            )
        )

    boroughs = dict(served.values_list("area__name").annotate(n=Count("pk")).order_by())
    tables.append(
        _breakdown(
            "borough",
            "Borough of residence",
            "borough",
            boroughs,
            [(n, n) for n in sorted(b for b in boroughs if b)],
            None,
        )
    )

    latest = (
        CaringRole.objects.filter(carer_id=OuterRef("pk")).order_by("-started_on", "-pk").values("relationship")[:1]
    )
    relationship_codes = dict(
        served.annotate(rel=Subquery(latest)).values_list("rel").annotate(n=Count("pk")).order_by()
    )
    relationships: dict[Any, int] = {}
    for code, n in relationship_codes.items():
        key = choices.relationship_group(code).value if code else None
        relationships[key] = relationships.get(key, 0) + n
    tables.append(
        _breakdown(
            "relationship",
            "Relationship to the person cared for",
            "relationship",
            relationships,
            [(g.value, g.label) for g in choices.RelationshipGroup],
            None,
        )
    )

    earlier = Enrolment.objects.filter(
        person_id=OuterRef("pk"), status__in=PLACE_HOLDING, run__starts_at__lt=scope.start_at
    )
    returning = dict(
        served.annotate(returning=Exists(earlier)).values_list("returning").annotate(n=Count("pk")).order_by()
    )
    tables.append(
        _breakdown(
            "returning",
            "First time or returning",
            "kind",
            {"first": returning.get(False, 0), "returning": returning.get(True, 0)},
            [("first", "First time on a PeerPath course"), ("returning", "Had a place on an earlier run")],
            None,
        )
    )
    return tables


def _breakdown(
    key: str,
    title: str,
    label_key: str,
    counts: Mapping[Any, int],
    options: Sequence[tuple[str, str]],
    benchmark: Mapping[str, Decimal] | None,
) -> Table:
    """One dimension of the range: each answer, then "Prefer not to say" and "Not recorded"."""
    known = {code for code, _ in options}
    everyone = sum(counts.values())
    unanswered = counts.get(choices.PREFER_NOT_TO_SAY, 0) + sum(n for code, n in counts.items() if not code)
    answered = everyone - unanswered
    # Codes the options do not list (a retired code) count among the answers, under their code.
    extra = sorted(code for code in counts if code and code not in known and code != choices.PREFER_NOT_TO_SAY)
    rows: list[dict[str, Any]] = []
    for code, label in [*options, *((code, str(code)) for code in extra)]:
        row: dict[str, Any] = {
            label_key: label,
            "people": counts.get(code, 0),
            "everyone": everyone,
            "answered": answered,
        }
        if benchmark is not None:
            row["population"] = benchmark.get(code)
        rows.append(row)
    if key != "returning":
        rows.append(
            {
                label_key: "Prefer not to say",
                "people": counts.get(choices.PREFER_NOT_TO_SAY, 0),
                "everyone": everyone,
                "answered": None,
            }
        )
        rows.append(
            {
                label_key: "Not recorded",
                "people": sum(n for code, n in counts.items() if not code),
                "everyone": everyone,
                "answered": None,
            }
        )
    columns = [
        Column(key=label_key, label=title, kind=Kind.TEXT),
        Column(key="people", label="People", kind=Kind.COUNT),
        Column(key="share", label="Share of everyone", kind=Kind.PERCENT, numerator="people", denominator="everyone"),
    ]
    if key != "returning":
        columns.append(
            Column(
                key="answered_share",
                label="Share of those who answered",
                kind=Kind.PERCENT,
                numerator="people",
                denominator="answered",
            )
        )
    if benchmark is not None:
        columns.append(Column(key="population", label="Population share (%)", kind=Kind.FIXED, decimals=1))
        columns.append(
            Column(
                key="ratio",
                label="Representation ratio",
                kind=Kind.RATIO,
                decimals=2,
                n="people",
                numerator="people",
                denominator="answered",
                benchmark="population",
                description="Share of those who answered divided by the population share: below 1 is under-represented",
            )
        )
    return Table(
        key=key,
        title=title,
        description=f"People served, by {title[0].lower()}{title[1:]}.",
        columns=tuple(columns),
        rows=rows,
        # The total's share of those who answered would divide everyone by fewer people: no figure.
        total={label_key: "Everyone", "people": everyone, "everyone": everyone, "answered": None},
    )


def _method(scope: Scope) -> list[str]:
    notes = [
        (
            "Served: attended at least one session (present or late) of a run that started in the "
            "period, or was a named attendee at a support-group meeting in the period."
        ),
        (
            "Train the Trainer stages count people who attended a Train the Trainer run in the "
            "period; accredited, active and renewed are as recorded today."
        ),
        (
            "Range tables count each person served once. Shares of those who answered leave out "
            "'Prefer not to say' and 'Not recorded'."
        ),
    ]
    sources = PopulationBenchmark.objects.filter(area=scope.area).values_list("source", "year").distinct().order_by()
    for source, year in sources:
        notes.append(f"Population shares: {source} ({year}).")
    return notes
