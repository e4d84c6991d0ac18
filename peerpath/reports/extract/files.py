"""Writing the extract and recording who took it (the files themselves are made by ``peerpath.reports.exports``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from peerpath.core import audit
from peerpath.reports import exports
from peerpath.reports.extract.columns import data_dictionary
from peerpath.reports.extract.pseudonyms import PSEUDONYM_NOTE
from peerpath.reports.extract.rows import Extract
from peerpath.reports.filters import Scope


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
