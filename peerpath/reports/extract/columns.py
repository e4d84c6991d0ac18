"""The extract's columns: the fixed ones, each instrument's, and the data dictionary describing them.

Nothing here reads the database: the instruments in scope are found by ``queries.measures``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from peerpath.courses.choices import Category
from peerpath.courses.models import Course, Term
from peerpath.delivery.models import Attendance, CourseRun, Enrolment
from peerpath.evaluation.definitions import Instrument, Item, Scale
from peerpath.evaluation.models import Answer, Response, Score, Timepoint
from peerpath.people import choices
from peerpath.people.models import Area, CaringRole, EqualityMonitoring, Organisation, Person

MIXED_MODES = "mixed"


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


def data_dictionary(columns: Sequence[ExtractColumn]) -> list[list[str]]:
    """The data dictionary: a header, then one row per column."""
    return [
        ["Column", "Description", "Type", "Allowed values", "Source"],
        *([column.name, column.description, column.type, column.allowed, column.source] for column in columns),
    ]


def _number(value: Decimal) -> int | Decimal:
    """A stored decimal without its trailing zeros (21.5400 is 21.54, 3.00 is 3)."""
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()
