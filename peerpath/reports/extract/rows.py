"""The extract itself: its columns planned, its rows assembled as the streams are walked side by side."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from peerpath.people import choices
from peerpath.reports.extract.columns import (
    FIXED_COLUMNS,
    MIXED_MODES,
    ExtractColumn,
    Measure,
    _number,
    measure_columns,
)
from peerpath.reports.extract.pseudonyms import Pseudonymiser
from peerpath.reports.extract.queries import CHUNK_SIZE, _answer_stream, _response_stream, _score_stream, measures
from peerpath.reports.filters import Scope


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
    """The extract of ``scope``: its columns now, its rows when written (see the package docstring)."""
    found = measures(scope)
    columns = list(FIXED_COLUMNS)
    for measure in found:
        columns.extend(measure_columns(measure))
    return Extract(scope=scope, measures=found, columns=tuple(columns), made_at=timezone.now())


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
