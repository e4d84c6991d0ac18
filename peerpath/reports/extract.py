"""The pseudonymised extract for evaluators: one row per person, run and timepoint (ADR 019).

A row stands for one person's completed questionnaires on one run in the report's scope at
one timepoint, with what an analyst needs beside the scores: the course, the organisation,
the person's equality monitoring answers, their place and attendance on the run. It never
holds a name, contact detail, postcode, date of birth, free text, user id or database id.

**Pseudonyms.** Each extract draws a fresh random 256-bit key, held in memory only while the
file is written; a person's pseudonym is HMAC-SHA256 of their id under that key (16 hex
characters), a run's the same with another domain prefix. Rows of one file can be linked;
two files cannot be linked to each other, and nobody (PeerPath included) can turn a
pseudonym back into a person, because the key is never stored or shown.

**One list of column specs** (``ExtractColumn``) drives the data, the data dictionary sheet
and the page that describes the extract, so the three cannot disagree.

**Scores** are those of the newest scoring version of each instrument, as in the reports
(``sections.pairs``): a response not yet rescored under the newest rule leaves its scale
columns blank. When a person completed the same questionnaire twice at one timepoint (a
paper form typed in after they answered online), the later completion counts.

**Queries.** Working out the columns takes three queries; the rows take three more
(responses, their scores, service-use answers), each streamed in chunks and walked side by
side, whatever the number of rows. At national scale that is about 900,000 responses, so
nothing holds more than the row being assembled.

Caveat: the combination of borough, organisation, age band, sex, ethnicity and disability
can single out a person in a small cohort. The extract is for evaluators working under an
information-sharing agreement, not for publication: figures made from it must go through
the disclosure policy before they leave the evaluation.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from peerpath.core import audit
from peerpath.courses.choices import Category
from peerpath.courses.models import Course, Term
from peerpath.delivery.models import ATTENDED, PLACE_HOLDING, Attendance, CourseRun, Enrolment
from peerpath.evaluation.definitions import Instrument, Item, Scale
from peerpath.evaluation.models import Answer, InstrumentVersion, Response, Score, Timepoint
from peerpath.evaluation.responses import instrument_for
from peerpath.people import choices
from peerpath.people.models import Area, CaringRole, Consent, EqualityMonitoring, Organisation, Person
from peerpath.reports import exports
from peerpath.reports.filters import Scope

# Rows fetched per round trip from each stream.
CHUNK_SIZE = 2000
PSEUDONYM_LENGTH = 16
PERSON_DOMAIN = b"peerpath-extract-person:"
RUN_DOMAIN = b"peerpath-extract-run:"
MIXED_MODES = "mixed"
PSEUDONYM_NOTE = (
    "Pseudonyms are only valid within this file: they were made with a random key that was "
    "thrown away once the file was written, so they cannot be matched with any other extract "
    "or traced back to a person."
)


class ColumnType:
    """How a column's values are written, in the words of the data dictionary."""

    PSEUDONYM = "pseudonym (16 hexadecimal characters, text)"
    TEXT = "text"
    CODE = "code"
    WHOLE = "whole number"
    DECIMAL = "decimal number"
    MONTH = "month (YYYY-MM)"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtractColumn:
    """One column of the extract, as the data dictionary describes it."""

    name: str
    description: str
    type: str
    source: str
    # CODE columns: every code a cell may hold, with its label. A blank cell is "not recorded".
    codes: tuple[tuple[str, str], ...] = ()
    # Other columns: the values allowed, in words (a range, a unit).
    values: str = ""

    @property
    def allowed(self) -> str:
        if self.codes:
            return "; ".join(f"{code} = {label}" for code, label in self.codes)
        return self.values


def _source(model: Any, field_name: str) -> str:
    """``table.column``: read from the model so that it follows a rename."""
    return f"{model._meta.db_table}.{field_name}"


def _choices(options: Sequence[tuple[Any, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(code), str(label)) for code, label in options)


FIXED_COLUMNS: tuple[ExtractColumn, ...] = (
    ExtractColumn(
        name="pseudonym",
        description=(
            "The person. The same in every row of this file for the same person, and different in "
            "any other extract. Read it as text: a few pseudonyms are all digits."
        ),
        type=ColumnType.PSEUDONYM,
        source=f"{_source(Person, 'id')} (keyed hash, HMAC-SHA256)",
        values="16 characters 0-9 and a-f",
    ),
    ExtractColumn(
        name="run_pseudonym",
        description="The course run (one cohort of a course), so that people on the same run can be grouped.",
        type=ColumnType.PSEUDONYM,
        source=f"{_source(CourseRun, 'id')} (keyed hash, HMAC-SHA256)",
        values="16 characters 0-9 and a-f",
    ),
    ExtractColumn(
        name="course_category",
        description="The kind of course.",
        type=ColumnType.CODE,
        source=_source(Course, "category"),
        codes=_choices(Category.choices),
    ),
    ExtractColumn(
        name="course_title",
        description="The course's title.",
        type=ColumnType.TEXT,
        source=_source(Course, "title"),
    ),
    ExtractColumn(
        name="term",
        description="The term the run belongs to.",
        type=ColumnType.TEXT,
        source=_source(Term, "name"),
    ),
    ExtractColumn(
        name="organisation",
        description="The organisation that ran the course.",
        type=ColumnType.TEXT,
        source=_source(Organisation, "name"),
    ),
    ExtractColumn(
        name="borough",
        description="The borough the person lives in. Blank: not recorded.",
        type=ColumnType.TEXT,
        source=f"{_source(Area, 'name')} (the person's area)",
    ),
    ExtractColumn(
        name="age_band",
        description="Age band, from equality monitoring. Blank: not recorded.",
        type=ColumnType.CODE,
        source=_source(EqualityMonitoring, "age_band"),
        codes=_choices(choices.AgeBand.choices),
    ),
    ExtractColumn(
        name="sex",
        description="Sex, from equality monitoring. Blank: not recorded.",
        type=ColumnType.CODE,
        source=_source(EqualityMonitoring, "sex"),
        codes=_choices(choices.Sex.choices),
    ),
    ExtractColumn(
        name="ethnic_group",
        description="Ethnic group in the 5 ONS groups, worked out from ethnicity. Blank: not recorded.",
        type=ColumnType.CODE,
        source=f"{_source(EqualityMonitoring, 'ethnicity')} (grouped)",
        codes=(*_choices(choices.EthnicGroup.choices), (choices.PREFER_NOT_TO_SAY, "Prefer not to say")),
    ),
    ExtractColumn(
        name="ethnicity",
        description="Ethnicity in the 19 ONS Census 2021 categories, from equality monitoring. Blank: not recorded.",
        type=ColumnType.CODE,
        source=_source(EqualityMonitoring, "ethnicity"),
        codes=_choices(choices.Ethnicity.choices),
    ),
    ExtractColumn(
        name="disability",
        description="Disability (Equality Act, asked the ONS 2021 way), from equality monitoring. Blank: not recorded.",
        type=ColumnType.CODE,
        source=_source(EqualityMonitoring, "disability"),
        codes=_choices(choices.Disability.choices),
    ),
    ExtractColumn(
        name="relationship_group",
        description=(
            "What the carer is to the person they care for, grouped, from their most recently "
            "started caring role (as in the reach report). Blank: no caring role recorded."
        ),
        type=ColumnType.CODE,
        source=f"{_source(CaringRole, 'relationship')} (grouped)",
        codes=_choices(choices.RelationshipGroup.choices),
    ),
    ExtractColumn(
        name="first_or_returning",
        description=(
            "Whether the person had a place on a run that started before the extract's period (as in the reach report)."
        ),
        type=ColumnType.CODE,
        source=_source(Enrolment, "status"),
        codes=(("first", "First time on a PeerPath course"), ("returning", "Had a place on an earlier run")),
    ),
    ExtractColumn(
        name="enrolment_status",
        description="The person's place on this run. Blank: answers recorded for someone with no place on the run.",
        type=ColumnType.CODE,
        source=_source(Enrolment, "status"),
        codes=_choices(Enrolment.Status.choices),
    ),
    ExtractColumn(
        name="sessions_attended",
        description="Sessions of this run the person came to (present or late). Blank: no place on the run.",
        type=ColumnType.WHOLE,
        source=_source(Attendance, "status"),
        values="0 or more",
    ),
    ExtractColumn(
        name="timepoint",
        description="When in the run the questionnaires were asked.",
        type=ColumnType.CODE,
        source=_source(Response, "timepoint"),
        codes=_choices(Timepoint.choices),
    ),
    ExtractColumn(
        name="month_completed",
        description=(
            "The month (UK time) the last questionnaire in this row was completed. The day is left out on purpose."
        ),
        type=ColumnType.MONTH,
        source=_source(Response, "completed_at"),
        values="for example 2025-03",
    ),
    ExtractColumn(
        name="mode",
        description="How the answers were collected.",
        type=ColumnType.CODE,
        source=_source(Response, "mode"),
        codes=(
            *_choices(Response.Mode.choices),
            (MIXED_MODES, "In more than one way (for example some questionnaires online, others on paper)"),
        ),
    ),
)

# The response fields each row is assembled from, in the order ``_Assembler`` unpacks them.
RESPONSE_FIELDS = (
    "pk",
    "person_id",
    "run_id",
    "timepoint",
    "completed_at",
    "mode",
    "instrument_version__code",
    "run__version__course__category",
    "run__version__course__title",
    "run__term__name",
    "run__organisation__name",
    "person__area__name",
    "person__equality_monitoring__age_band",
    "person__equality_monitoring__sex",
    "person__equality_monitoring__ethnicity",
    "person__equality_monitoring__disability",
    "relationship",
    "returning",
    "enrolment_status",
    "sessions_attended",
)


# ---------------------------------------------------------------------------------------
# Pseudonyms


class Pseudonymiser:
    """Keyed hashes of ids under a random key made for one extract and never stored or shown."""

    __slots__ = ("_key",)

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def __repr__(self) -> str:
        return "Pseudonymiser(key hidden)"

    def person(self, person_id: uuid.UUID) -> str:
        return self._digest(PERSON_DOMAIN, person_id)

    def run(self, run_id: uuid.UUID) -> str:
        return self._digest(RUN_DOMAIN, run_id)

    def _digest(self, domain: bytes, value: uuid.UUID) -> str:
        # The domain prefix keeps a run's pseudonym from ever equalling a person's.
        return hmac.new(self._key, domain + value.bytes, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


# ---------------------------------------------------------------------------------------
# Columns


@dataclass(frozen=True, kw_only=True)
class Measure:
    """An instrument some response in scope completed: the scales and answers its columns hold."""

    code: str
    instrument: Instrument
    scoring_version: int
    scales: tuple[Scale, ...]
    # Service-use questionnaires only: each count question's answer is a column too.
    items: tuple[Item, ...] = ()

    def scale_column(self, scale_code: str) -> str:
        return f"{self.code}.{scale_code}"

    def item_column(self, item_id: str) -> str:
        # "item" keeps an answer apart from a scale of the same name (bed_days is both).
        return f"{self.code}.item.{item_id}"


def is_service_use(instrument: Instrument) -> bool:
    """A service-use questionnaire: its scales have no direction (more use is not better or worse)."""
    return bool(instrument.scales) and all(scale.direction == "none" for scale in instrument.scales)


def withdrawn_from_evaluation() -> QuerySet[Consent, Any]:
    """People whose decision in force about evaluation is "withdrawn" (their latest one)."""
    evaluation = Consent.Purpose.EVALUATION
    later = Consent.objects.filter(
        person_id=OuterRef("person_id"), purpose=evaluation, recorded_at__gt=OuterRef("recorded_at")
    )
    return (
        Consent.objects.filter(purpose=evaluation, decision=Consent.Decision.WITHDRAWN)
        .exclude(Exists(later))
        .values("person_id")
    )


def _completed_in_scope(scope: Scope, prefix: str = "") -> Q:
    """Completed responses on runs in scope (``prefix`` reaches Response from another model).

    Row-level data leaves PeerPath in an extract, so the answers of anyone who has since
    withdrawn their consent to evaluation are left out (aggregate reports still count them:
    ADR 019).
    """
    return (
        Q(
            **{
                f"{prefix}status": Response.Status.COMPLETE,
                f"{prefix}run__in": scope.runs().values("pk"),
            }
        )
        & scope.people_filter(f"{prefix}person__")
        & ~Q(**{f"{prefix}person__in": withdrawn_from_evaluation()})
    )


def measures(scope: Scope) -> list[Measure]:
    """Every instrument with a completed response in scope, by code (three queries, or one when none)."""
    codes = sorted(
        set(
            Response.objects.filter(_completed_in_scope(scope))
            .values_list("instrument_version__code", flat=True)
            .distinct()
            .order_by()
        )
    )
    if not codes:
        return []
    # The newest rule over every score, as the reports choose it (sections.pairs).
    newest_rule = dict(
        Score.objects.filter(instrument_code__in=codes)
        .values_list("instrument_code")
        .annotate(v=Max("scoring_version"))
        .order_by()
    )
    versions: dict[str, InstrumentVersion] = {}
    for version in (
        InstrumentVersion.objects.filter(code__in=codes)
        .exclude(status=InstrumentVersion.Status.DRAFT)
        .order_by("code", "-version")
    ):
        versions.setdefault(version.code, version)
    found = []
    for code in codes:
        if code not in versions:
            continue  # only a draft: nobody can have completed it, but never guess a definition
        instrument = instrument_for(versions[code])
        found.append(
            Measure(
                code=code,
                instrument=instrument,
                scoring_version=newest_rule.get(code, instrument.scoring_version),
                scales=instrument.scales,
                items=tuple(item for item in instrument.items if item.kind == "number")
                if is_service_use(instrument)
                else (),
            )
        )
    return found


def _number_words(low: Any, high: Any, unit: str | None = None) -> str:
    words = f"{_number(low)} to {_number(high)}"
    return f"{words} {unit}" if unit else words


def _direction_words(direction: str) -> str:
    return {
        "higher_is_better": "higher is better",
        "higher_is_worse": "higher is worse",
    }.get(direction, "a count, neither better nor worse")


def measure_columns(measure: Measure) -> list[ExtractColumn]:
    """The scale columns of one instrument, then (service use) its answer columns."""
    instrument = measure.instrument
    columns = []
    for scale in measure.scales:
        columns.append(
            ExtractColumn(
                name=measure.scale_column(scale.code),
                description=(
                    f"{instrument.short_name}: {scale.name} score, scoring version {measure.scoring_version} "
                    f"({_direction_words(scale.direction)}). Blank: not answered at this timepoint, or too "
                    "many questions missing to score."
                ),
                type=ColumnType.DECIMAL,
                source=_source(Score, "value"),
                values=_number_words(*scale.range),
            )
        )
    for item in measure.items:
        wording = item.text or f"question {item.number}"
        recall = f" ({instrument.recall_period.lower()})" if instrument.recall_period else ""
        whole = item.step is None or item.step == item.step.to_integral_value()
        columns.append(
            ExtractColumn(
                name=measure.item_column(item.id),
                description=f"{instrument.short_name}: {wording}{recall}. Blank: not answered.",
                type=ColumnType.WHOLE if whole else ColumnType.DECIMAL,
                source=_source(Answer, "value"),
                values=_number_words(item.min, item.max, item.unit) if item.min is not None else "",
            )
        )
    return columns


# ---------------------------------------------------------------------------------------
# The extract


@dataclass(kw_only=True)
class Extract:
    """An extract ready to write: its columns are known, its rows are read when asked for.

    Each walk of ``rows()`` reads the database again, with the same pseudonyms; another
    ``Extract`` of the same scope has a key of its own, so its pseudonyms differ.
    """

    scope: Scope
    measures: list[Measure]
    columns: tuple[ExtractColumn, ...]
    made_at: datetime.datetime
    pseudonyms: Pseudonymiser = field(default_factory=Pseudonymiser, repr=False)

    def rows(self) -> Iterator[list[Any]]:
        """One list of values per person, run and timepoint, in column order (None: blank)."""
        assembler = _Assembler(self)
        scores = _Follower(_score_stream(self.scope, self.measures))
        answers = _Follower(_answer_stream(self.scope, self.measures))
        for record in _response_stream(self.scope).iterator(chunk_size=CHUNK_SIZE):
            key = (record[1], record[2], record[3], record[0])
            row = assembler.add(record, scores.take(key), answers.take(key))
            if row is not None:
                yield row
        last = assembler.finish()
        if last is not None:
            yield last


def plan_extract(scope: Scope) -> Extract:
    """The extract of ``scope``: its columns now, its rows when written (see the module docstring)."""
    found = measures(scope)
    columns = list(FIXED_COLUMNS)
    for measure in found:
        columns.extend(measure_columns(measure))
    return Extract(scope=scope, measures=found, columns=tuple(columns), made_at=timezone.now())


def data_dictionary(columns: Sequence[ExtractColumn]) -> list[list[str]]:
    """The data dictionary: a header, then one row per column."""
    return [
        ["Column", "Description", "Type", "Allowed values", "Source"],
        *([column.name, column.description, column.type, column.allowed, column.source] for column in columns),
    ]


def _response_stream(scope: Scope) -> QuerySet[Response, tuple[Any, ...]]:
    """Completed responses in scope with their person's and run's details, sorted by row key."""
    latest_role = (
        CaringRole.objects.filter(carer_id=OuterRef("person_id")).order_by("-started_on", "-pk").values("relationship")
    )
    earlier = Enrolment.objects.filter(
        person_id=OuterRef("person_id"), status__in=PLACE_HOLDING, run__starts_at__lt=scope.start_at
    )
    place = Enrolment.objects.filter(person_id=OuterRef("person_id"), run_id=OuterRef("run_id"))
    attended = (
        Attendance.objects.filter(
            enrolment__person_id=OuterRef("person_id"), enrolment__run_id=OuterRef("run_id"), status__in=ATTENDED
        )
        .order_by()
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Response.objects.filter(_completed_in_scope(scope))
        .annotate(
            relationship=Subquery(latest_role[:1]),
            returning=Exists(earlier),
            enrolment_status=Subquery(place.values("status")[:1]),
            sessions_attended=Subquery(attended[:1]),
        )
        .values_list(*RESPONSE_FIELDS)
        .order_by("person_id", "run_id", "timepoint", "pk")
    )


def _newest_scores(measures: Sequence[Measure]) -> Q:
    wanted = Q()
    for measure in measures:
        wanted |= Q(instrument_code=measure.code, scoring_version=measure.scoring_version)
    return wanted


# Scores and answers are sorted like the responses, so each stream is walked once beside them.
_FOLLOWER_ORDER = ("response__person_id", "response__run_id", "response__timepoint", "response_id")


def _score_stream(scope: Scope, measures: Sequence[Measure]) -> Iterator[tuple[Any, ...]]:
    if not measures:
        return iter(())
    return (
        Score.objects.filter(_completed_in_scope(scope, "response__"), _newest_scores(measures))
        .values_list(*_FOLLOWER_ORDER, "instrument_code", "scale_code", "value")
        .order_by(*_FOLLOWER_ORDER)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _answer_stream(scope: Scope, measures: Sequence[Measure]) -> Iterator[tuple[Any, ...]]:
    codes = [measure.code for measure in measures if measure.items]
    if not codes:
        return iter(())
    return (
        Answer.objects.filter(_completed_in_scope(scope, "response__"), response__instrument_version__code__in=codes)
        .values_list(*_FOLLOWER_ORDER, "response__instrument_version__code", "item_id", "value")
        .order_by(*_FOLLOWER_ORDER)
        .iterator(chunk_size=CHUNK_SIZE)
    )


class _Follower:
    """Hands over, for each response, the rows of a stream sorted the same way that belong to it.

    A row whose key sorts before the response asked for belongs to a response the main
    stream did not return (one completed between the two queries); it is skipped rather
    than allowed to hold up every row after it. Python's order of the keys (UUIDs, a
    timepoint code) is the database's: UUIDs sort by their bytes in PostgreSQL and as hex
    text in SQLite, both as ``uuid.UUID`` does, and the timepoint codes differ in their
    first letter, so no collation can reorder them.
    """

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self._rows = rows
        self._next: tuple[Any, ...] | None = None
        self._started = False

    def take(self, key: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        if not self._started:
            self._started = True
            self._next = next(self._rows, None)
        taken = []
        while self._next is not None and self._next[:4] < key:
            self._next = next(self._rows, None)
        while self._next is not None and self._next[:4] == key:
            taken.append(self._next[4:])
            self._next = next(self._rows, None)
        return taken


@dataclass
class _Row:
    """The row being assembled: one person, run and timepoint."""

    key: tuple[Any, ...]
    values: list[Any]
    latest: datetime.datetime
    modes: set[str]
    # Per instrument: when the response whose values the row holds was completed, and the values.
    taken: dict[str, tuple[datetime.datetime, dict[str, Any]]] = field(default_factory=dict)


class _Assembler:
    """Gathers responses (sorted by person, run and timepoint) into extract rows."""

    def __init__(self, extract: Extract) -> None:
        self._pseudonyms = extract.pseudonyms
        self._measures = {measure.code: measure for measure in extract.measures}
        self._names = [column.name for column in extract.columns[len(FIXED_COLUMNS) :]]
        self._current: _Row | None = None

    def add(
        self, record: tuple[Any, ...], scores: list[tuple[Any, ...]], answers: list[tuple[Any, ...]]
    ) -> list[Any] | None:
        """Add one response; return the finished row when this response starts a new one."""
        (_, person_id, run_id, timepoint, completed_at, mode, code, *details) = record
        finished = None
        key = (person_id, run_id, timepoint)
        if self._current is None or self._current.key != key:
            finished = self.finish()
            self._current = _Row(
                key=key,
                values=self._fixed(person_id, run_id, timepoint, details),
                latest=completed_at,
                modes=set(),
            )
        row = self._current
        row.latest = max(row.latest, completed_at)
        row.modes.add(mode)
        measure = self._measures.get(code)
        earlier = row.taken.get(code)
        if measure is not None and (earlier is None or completed_at >= earlier[0]):
            values = {measure.scale_column(scale): _number(value) for _, scale, value in scores}
            values.update({measure.item_column(item): _number(value) for _, item, value in answers})
            row.taken[code] = (completed_at, values)
        return finished

    def finish(self) -> list[Any] | None:
        row, self._current = self._current, None
        if row is None:
            return None
        values: dict[str, Any] = {}
        for _, taken in row.taken.values():
            values.update(taken)
        mode = next(iter(row.modes)) if len(row.modes) == 1 else MIXED_MODES
        month = f"{timezone.localtime(row.latest):%Y-%m}"
        return [*row.values, month, mode, *(values.get(name) for name in self._names)]

    def _fixed(self, person_id: uuid.UUID, run_id: uuid.UUID, timepoint: str, details: list[Any]) -> list[Any]:
        """The columns up to the timepoint, from the first response of a row (the same in all of them)."""
        (
            category,
            title,
            term,
            organisation,
            borough,
            age_band,
            sex,
            ethnicity,
            disability,
            relationship,
            returning,
            enrolment_status,
            sessions,
        ) = details
        group = choices.ethnic_group(ethnicity) if ethnicity else None
        return [
            self._pseudonyms.person(person_id),
            self._pseudonyms.run(run_id),
            category,
            title,
            term,
            organisation,
            borough,
            age_band or None,
            sex or None,
            group.value if group else (ethnicity or None),
            ethnicity or None,
            disability or None,
            choices.relationship_group(relationship).value if relationship else None,
            "returning" if returning else "first",
            enrolment_status,
            (sessions or 0) if enrolment_status else None,
            timepoint or None,
        ]


def _number(value: Decimal) -> int | Decimal:
    """A stored decimal without its trailing zeros (21.5400 is 21.54, 3.00 is 3)."""
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


# ---------------------------------------------------------------------------------------
# Writing (the files themselves are made by ``peerpath.reports.exports``)


def about_rows(extract: Extract, notes: Sequence[str] = ()) -> list[tuple[str, str]]:
    """What the extract covers, when it was made, and what its pseudonyms are good for."""
    made = timezone.localtime(extract.made_at)
    return [
        ("Extract", "PeerPath pseudonymised extract: one row per person, course run and timepoint"),
        *extract.scope.describe(),
        ("Made", f"{made:%-d %B %Y, %H:%M}"),
        ("Pseudonyms", PSEUDONYM_NOTE),
        ("Columns", f"Each column is described in the sheet '{exports.DICTIONARY_SHEET}'."),
        *(("Note", note) for note in notes),
    ]


def audited_rows(extract: Extract, *, actor: User, fmt: str) -> Iterator[list[Any]]:
    """The extract's rows, recording the audit event once they have all been read.

    When the reading stops part way (a CSV download the browser gave up on, a failed
    workbook), the event is written as the generator is closed, marked incomplete with the
    rows read so far. Rows never asked for were never sent: nothing is recorded then.
    """
    read = 0
    complete = False
    try:
        for row in extract.rows():
            read += 1
            yield row
        complete = True
    finally:
        record_extract_made(actor=actor, extract=extract, fmt=fmt, rows=read, complete=complete)


def xlsx_file(extract: Extract, *, actor: User, notes: Sequence[str] = ()) -> IO[bytes]:
    """The workbook (About, Data, Data dictionary) as a file at its start; the event is recorded."""
    about = about_rows(extract, notes)
    dictionary = data_dictionary(extract.columns)
    return exports.xlsx_workbook_rows(
        [
            ("About", about[0], about[1:]),
            ("Data", [column.name for column in extract.columns], audited_rows(extract, actor=actor, fmt="xlsx")),
            (exports.DICTIONARY_SHEET, dictionary[0], dictionary[1:]),
        ]
    )


# ---------------------------------------------------------------------------------------
# Audit


def scope_identifiers(scope: Scope) -> dict[str, Any]:
    """What an extract covered, as identifiers only (the audit log outlives the people in it)."""
    return {
        "start": scope.start.isoformat(),
        "end": scope.end.isoformat(),
        "organisations": "all" if scope.all_organisations else sorted(str(pk) for pk in scope.organisation_ids),
        "term": str(scope.term.pk) if scope.term is not None else None,
        "area": scope.area.code if scope.area is not None else None,
        "category": scope.category or None,
        "course": str(scope.course.pk) if scope.course is not None else None,
    }


@transaction.atomic
def record_extract_made(*, actor: User, extract: Extract, fmt: str, rows: int, complete: bool = True) -> None:
    """Record that ``actor`` took an extract: its scope, format and row count, no personal data."""
    audit.record(
        actor=actor,
        action="reports.extract_made",
        data={
            "format": fmt,
            "rows": rows,
            "complete": complete,
            "columns": len(extract.columns),
            "scope": scope_identifiers(extract.scope),
        },
    )
