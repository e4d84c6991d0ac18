"""What the questionnaire pages show: status tags, how long a set takes, a person's scores over time.

Pure formatting over rows the views fetched through ``access``; nothing here queries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from peerpath.courses.presenters import format_day
from peerpath.evaluation import definitions
from peerpath.evaluation.definitions import Instrument, Scale
from peerpath.evaluation.models import InstrumentVersion, InvitationQuestionnaire, Response, Score, Timepoint
from peerpath.evaluation.questionnaire_forms import shown

# A rough pace for reading and answering one question on a phone.
SECONDS_PER_ITEM = 20

TIMEPOINT_PHRASES = {
    Timepoint.BASELINE: "before the course starts",
    Timepoint.END: "at the end of the course",
    Timepoint.FOLLOW_UP: "a while after the course",
    Timepoint.OTHER: "",
}

STATUS_TAGS = {
    "not_started": {"text": "Not started", "classes": "nhsuk-tag--grey"},
    "in_progress": {"text": "In progress", "classes": "nhsuk-tag--blue"},
    "done": {"text": "Done", "classes": "nhsuk-tag--green"},
}

DIRECTION_SENTENCES = {
    "higher_is_better": "A higher score is better.",
    "higher_is_worse": "A higher score means more difficulty.",
    "none": "",
}


def timepoint_phrase(timepoint: str) -> str:
    return TIMEPOINT_PHRASES.get(Timepoint(timepoint), "") if timepoint in Timepoint.values else ""


def questionnaire_status(questionnaire: InvitationQuestionnaire) -> str:
    response: Response | None = getattr(questionnaire, "response", None)
    if response is None:
        return "not_started"
    return "done" if response.status == Response.Status.COMPLETE else "in_progress"


def minutes_for(item_count: int) -> int:
    return max(1, math.ceil(item_count * SECONDS_PER_ITEM / 60))


def about_minutes(item_count: int) -> str:
    minutes = minutes_for(item_count)
    return "about 1 minute" if minutes == 1 else f"about {minutes} minutes"


def item_count(version: InstrumentVersion) -> int:
    return len(version.definition.get("items", ()))


@dataclass(frozen=True)
class QuestionnaireRow:
    position: int
    name: str
    questions: int
    status: str
    tag: dict[str, str]


def questionnaire_rows(asked: Sequence[InvitationQuestionnaire]) -> list[QuestionnaireRow]:
    rows = []
    for questionnaire in asked:
        status = questionnaire_status(questionnaire)
        rows.append(
            QuestionnaireRow(
                position=questionnaire.position,
                name=questionnaire.instrument_version.name,
                questions=item_count(questionnaire.instrument_version),
                status=status,
                tag=STATUS_TAGS[status],
            )
        )
    return rows


def next_position(asked: Sequence[InvitationQuestionnaire], after: int = 0) -> int | None:
    """The first questionnaire not yet done, looking after ``after`` first and then from the start."""
    waiting = [q.position for q in asked if questionnaire_status(q) != "done"]
    later = [position for position in waiting if position > after]
    return next(iter(later or waiting), None)


# Scores ---------------------------------------------------------------------------------


def scale_guide(scale: Scale) -> str:
    """How to read a scale's score: its range and which way is better."""
    lowest, highest = scale.range
    sentence = f"Scores run from {shown(lowest)} to {shown(highest)}."
    direction = DIRECTION_SENTENCES.get(scale.direction, "")
    return f"{sentence} {direction}".strip()


@dataclass(frozen=True)
class ScorePoint:
    day: str
    value: str
    band: str
    number: Decimal


@dataclass
class ScaleHistory:
    code: str
    name: str
    guide: str
    has_bands: bool
    lowest: Decimal
    highest: Decimal
    points: list[ScorePoint] = field(default_factory=list)

    def trend(self, width: int = 300, height: int = 120, margin: int = 12) -> dict[str, Any] | None:
        """Coordinates for an SVG line of the scores over time (two or more), evenly spaced."""
        if len(self.points) < 2 or self.highest <= self.lowest:
            return None
        span = self.highest - self.lowest
        step = (width - 2 * margin) / (len(self.points) - 1)
        coordinates = []
        for index, point in enumerate(self.points):
            x = margin + step * index
            y = margin + float((self.highest - point.number) / span) * (height - 2 * margin)
            coordinates.append((round(x, 1), round(y, 1)))
        return {
            "width": width,
            "height": height,
            "points": " ".join(f"{x},{y}" for x, y in coordinates),
            "dots": coordinates,
            "top": margin,
            "bottom": height - margin,
        }


@dataclass
class InstrumentHistory:
    code: str
    name: str
    scales: list[ScaleHistory]


@dataclass(frozen=True)
class HiddenInstrument:
    name: str
    note: str


def score_histories(scores: Iterable[Score]) -> tuple[list[InstrumentHistory], list[HiddenInstrument]]:
    """A person's scores over time, per instrument they may see, and the instruments they may not.

    ``scores`` come oldest response first, newest scoring version first within a scale
    (``access.own_scores``): the first row met for a response and scale is the one shown.
    Scale names and bands come from the newest instrument version the person answered.
    """
    parsed: dict[int, Instrument] = {}
    newest: dict[str, InstrumentVersion] = {}
    rows: list[Score] = []
    for score in scores:
        version = score.response.instrument_version
        if version.pk not in parsed:
            parsed[version.pk] = definitions.parse(version.definition)
        if score.instrument_code not in newest or version.version > newest[score.instrument_code].version:
            newest[score.instrument_code] = version
        rows.append(score)

    shown_codes = {code for code, version in newest.items() if parsed[version.pk].respondent_feedback.allowed}
    histories: dict[str, InstrumentHistory] = {}
    for code in sorted(shown_codes, key=lambda code: newest[code].name):
        instrument = parsed[newest[code].pk]
        histories[code] = InstrumentHistory(
            code=code,
            name=instrument.name,
            scales=[
                ScaleHistory(
                    code=scale.code,
                    name=scale.name,
                    guide=scale_guide(scale),
                    has_bands=bool(scale.bands),
                    lowest=scale.range[0],
                    highest=scale.range[1],
                )
                for scale in instrument.scales
            ],
        )
    seen: set[tuple[Any, str]] = set()
    for score in rows:
        history = histories.get(score.instrument_code)
        key = (score.response_id, score.scale_code)
        if history is None or key in seen:
            continue
        seen.add(key)
        scale_history = next((s for s in history.scales if s.code == score.scale_code), None)
        if scale_history is None:  # a scale an older version had and the newest does not
            continue
        completed: datetime | None = score.response.completed_at
        scale_history.points.append(
            ScorePoint(day=format_day(completed), value=shown(score.value), band=score.band, number=score.value)
        )
    for history in histories.values():
        history.scales = [scale for scale in history.scales if scale.points]
    hidden = [
        HiddenInstrument(name=parsed[version.pk].name, note=parsed[version.pk].respondent_feedback.note)
        for code, version in sorted(newest.items(), key=lambda pair: pair[1].name)
        if code not in shown_codes
    ]
    return list(histories.values()), hidden


@dataclass(frozen=True)
class ScoreLine:
    name: str
    value: str
    band: str
    guide: str


def score_lines(instrument: Instrument, scores: Iterable[Score]) -> list[ScoreLine]:
    """A submitted response's scores, in the instrument's scale order, for staff."""
    by_code = {score.scale_code: score for score in scores}
    return [
        ScoreLine(name=scale.name, value=shown(score.value), band=score.band, guide=scale_guide(scale))
        for scale in instrument.scales
        if (score := by_code.get(scale.code)) is not None
    ]
