"""CSV and XLSX downloads of report tables and of plain row extracts, streamed.

Report exports (``csv_response``, ``xlsx_response``) write the protected cells only: the
same ``Cell.value`` a page shows, "*" where a figure is hidden, blank where there is no
value. Each starts with an "About" block (the report's scope and rules, as the caller
passes them) and names the disclosure control applied; then each table follows with its
title, column labels, rows and a "Total" row.

Extracts (``stream_csv_rows``, ``xlsx_workbook_rows``, ``xlsx_rows_response``) write plain
rows, 100,000 and more, from an iterable the caller fills lazily (a queryset's
``.iterator()``).

Memory stays flat with the number of rows: CSV is written by a generator in chunks to a
``StreamingHttpResponse``; XLSX is written by openpyxl in write-only mode (each sheet goes
to a temporary file as rows arrive), zipped into a spooled temporary file (on disk past
``SPOOL_BYTES``) and sent back from it by ``FileResponse``. The XLSX is built before the
response starts, so its time is spent inside the request; ``bench/export_bench.py``
measures both.

Formula injection (OWASP "CSV injection"): a text value starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading apostrophe in both formats, so a
spreadsheet shows it as text instead of running it. Numbers stay numbers: ``-4.5`` the
number is written as a number, "-4.5" the string is guarded.

Percentages are written as the percentage number a page shows (45.0 for 45%), with "(%)"
added to the column label and a ``0.0`` format in XLSX, not as a fraction with a ``%``
format: that keeps CSV, XLSX and page holding the same number.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import math
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

from peerpath.reports.presenters import money_places
from peerpath.reports.tables import Cell, Column, Kind, ProtectedTable

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters a spreadsheet may read as the start of a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HIDDEN = "*"
TOTAL = "Total"
ABOUT_SHEET = "About"
DICTIONARY_SHEET = "Data dictionary"
RULE_LABEL = "Disclosure control"
# CSV text is handed to the response in pieces of about this many characters.
CSV_CHUNK_CHARS = 64 * 1024
# A workbook stays in memory up to this size, then moves to a file on disk.
SPOOL_BYTES = 1024 * 1024
SHEET_NAME_LIMIT = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
FILENAME_STEM_LIMIT = 100
BOLD = Font(bold=True)
NUMBER_FORMATS = {Kind.COUNT: "#,##0"}
MONEY_FORMAT = '"£"#,##0.00'
WHOLE_POUNDS_FORMAT = '"£"#,##0'
DECIMAL_KINDS = frozenset({Kind.MEAN, Kind.PERCENT, Kind.STAT, Kind.RATIO})

Sheet = tuple[str, Sequence[str], Iterable[Sequence[object]]]


@dataclass(frozen=True)
class _Line:
    """One row of a report export, with what it is (for bold and number formats in XLSX)."""

    values: list[object]
    # "about", "blank", "title", "header", "row", "total", "note",
    # "dictionary" (its title), "dictionary-header" or "dictionary-row".
    role: str
    table: ProtectedTable | None = None


# Files -----------------------------------------------------------------------


def safe_filename(filename: str, extension: str) -> str:
    """An ASCII ``name.extension`` safe inside a quoted header value and on any file system."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(rf"\.{re.escape(extension)}$", "", ascii_name.strip(), flags=re.IGNORECASE)
    stem = re.sub(r"\.{2,}", ".", FILENAME_UNSAFE.sub("-", stem)).strip(".-_")[:FILENAME_STEM_LIMIT].strip(".-_")
    return f"{stem or 'report'}.{extension}"


def guard_text(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading apostrophe where it might."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


# CSV -------------------------------------------------------------------------


def csv_response(
    tables: Sequence[ProtectedTable], *, filename: str, about: Sequence[tuple[str, str]]
) -> StreamingHttpResponse:
    """The report's tables as one CSV: the about block, a blank line, then each table."""
    return _csv_download((line.values for line in _report_lines(tables, about)), filename)


def stream_csv_rows(header: Sequence[str], rows: Iterable[Sequence[object]], *, filename: str) -> StreamingHttpResponse:
    """Plain rows under one header row, streamed as they are read from ``rows``."""
    return _csv_download(itertools.chain([list(header)], rows), filename)


def _csv_download(rows: Iterable[Sequence[object]], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_chunks(rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename, "csv")}"'
    return response


def _csv_chunks(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text in chunks: a byte order mark (so Excel reads UTF-8), then RFC 4180 rows."""
    buffer = io.StringIO()
    # The excel dialect quotes only where needed and ends lines with CRLF, as RFC 4180 says.
    writer = csv.writer(buffer, dialect="excel")
    # Looked up once: the lookup costs more than writing a row.
    zone = timezone.get_current_timezone()
    yield "\ufeff"
    for row in rows:
        writer.writerow([_csv_value(value, zone) for value in row])
        if buffer.tell() >= CSV_CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_value(value: object, zone: datetime.tzinfo) -> str:
    """A value as CSV text; the commonest kinds are tested first (it runs once per cell)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return guard_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else ""
    if isinstance(value, datetime.datetime):
        return (value.astimezone(zone) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return guard_text(str(value))


# XLSX ------------------------------------------------------------------------


def xlsx_response(tables: Sequence[ProtectedTable], *, filename: str, about: Sequence[tuple[str, str]]) -> FileResponse:
    """The report's tables as a workbook download (see :func:`report_workbook`)."""
    return _file_response(report_workbook(tables, about=about), safe_filename(filename, "xlsx"))


def xlsx_bytes(tables: Sequence[ProtectedTable], *, about: Sequence[tuple[str, str]]) -> bytes:
    """The same workbook as bytes, for a document that is stored (the programme report).

    Held in memory whole: right for a report's tables, not for an extract's rows.
    """
    with report_workbook(tables, about=about) as file:
        return file.read()


def report_workbook(tables: Sequence[ProtectedTable], *, about: Sequence[tuple[str, str]]) -> IO[bytes]:
    """The report's tables as a workbook file at its start: "About", then a sheet per table.

    Each table's sheet has its title in row 1 and column labels in row 2 (kept in view
    when scrolling), then its rows, the "Total" row and its notes; a "Data dictionary"
    sheet ends it when any column has a description.
    """
    workbook = Workbook(write_only=True)
    names = _SheetNames(taken=[ABOUT_SHEET])
    sheet = _sheet(workbook, ABOUT_SHEET, widths=[30, 80])
    for line in _report_lines(tables, about):
        if line.role == "blank":
            continue  # the CSV's separators: in a workbook each block has its own sheet
        if line.role == "title" and line.table is not None:
            sheet = _sheet(workbook, names.name_for(line.table.title), widths=[_width(c) for c in line.table.columns])
            sheet.freeze_panes = "A3"
        elif line.role == "dictionary":
            sheet = _sheet(workbook, names.name_for(DICTIONARY_SHEET), widths=[40, 30, 80])
            sheet.freeze_panes = "A3"
        sheet.append(_xlsx_line(sheet, line))
    return _save(workbook)


def xlsx_workbook_rows(sheets: Sequence[Sheet]) -> IO[bytes]:
    """A workbook of plain sheets (name, header, rows), as a file positioned at its start.

    Used for the pseudonymised extract and its "Data dictionary": rows are read lazily and
    written to disk as they come. Sheet names are made safe and unique.
    """
    workbook = Workbook(write_only=True)
    names = _SheetNames()
    zone = timezone.get_current_timezone()
    for name, header, rows in sheets:
        sheet = _sheet(workbook, names.name_for(name), widths=[max(10, min(40, len(h) + 2)) for h in header])
        sheet.freeze_panes = "A2"
        sheet.append([_bold(sheet, label) for label in header])
        for row in rows:
            sheet.append([_xlsx_value(value, zone) for value in row])
    return _save(workbook)


def xlsx_rows_response(sheets: Sequence[Sheet], *, filename: str) -> FileResponse:
    """:func:`xlsx_workbook_rows` as a download."""
    return _file_response(xlsx_workbook_rows(sheets), safe_filename(filename, "xlsx"))


def _sheet(workbook: Workbook, name: str, *, widths: Sequence[float]) -> WriteOnlyWorksheet:
    sheet: WriteOnlyWorksheet = workbook.create_sheet(name)
    # Column widths must be set before the first row: write-only sheets write them first.
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


def _width(column: Column) -> float:
    return 40 if column.kind == Kind.TEXT else max(10, min(30, len(column.label) + 4))


def _save(workbook: Workbook) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    workbook.save(spool)
    spool.seek(0)
    return spool


def _file_response(file: IO[bytes], filename: str) -> FileResponse:
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def _xlsx_line(sheet: WriteOnlyWorksheet, line: _Line) -> list[object]:
    """A report row as cells: titles and labels bold, figures typed with their column's format."""
    if line.role in {"title", "header", "dictionary", "dictionary-header"}:
        return [_bold(sheet, value) for value in line.values]
    if line.role == "about":
        name, *rest = line.values
        return [_bold(sheet, name), *(_xlsx_value(value) for value in rest)]
    if line.role in {"row", "total"} and line.table is not None:
        return [
            _figure(sheet, value, column, bold=line.role == "total")
            for value, column in zip(line.values, line.table.columns, strict=True)
        ]
    return [_xlsx_value(value) for value in line.values]


def _figure(sheet: WriteOnlyWorksheet, value: object, column: Column, *, bold: bool) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, _xlsx_value(value))
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        cell.number_format = _number_format(column, value)
    if bold:
        cell.font = BOLD
    return cell


def _bold(sheet: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, _xlsx_value(value))
    cell.font = BOLD
    return cell


def _number_format(column: Column, value: int | float | Decimal) -> str:
    """The format a page's text has: counts with thousands, figures to the column's decimals."""
    if column.kind == Kind.MONEY:
        # As the pages show money: pence below £100, whole pounds from there.
        return MONEY_FORMAT if money_places(value) else WHOLE_POUNDS_FORMAT
    if column.kind in DECIMAL_KINDS:
        return "0." + "0" * column.decimals if column.decimals > 0 else "0"
    return NUMBER_FORMATS.get(column.kind, "General")


def _xlsx_value(value: object, zone: datetime.tzinfo | None = None) -> object:
    """A value openpyxl stores as itself: numbers and dates typed, text guarded and cleaned.

    An aware date-time becomes local wall-clock time in ``zone`` (the current time zone
    when not given), as the pages show it: Excel has no time zones.
    """
    if value is None:
        return None
    if isinstance(value, str):
        # Control characters make openpyxl refuse the whole file; they carry nothing a reader needs.
        return guard_text(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, int | datetime.date | datetime.time):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return value.astimezone(zone or timezone.get_current_timezone()).replace(tzinfo=None)
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    return _xlsx_value(str(value))


class _SheetNames:
    """Sheet names Excel accepts: at most 31 characters, none of ``[]:*?/\\``, unique
    regardless of case, no leading or trailing apostrophe, never "History" (reserved)."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = {name.casefold() for name in taken}

    def name_for(self, title: str) -> str:
        base = SHEET_NAME_FORBIDDEN.sub("-", ILLEGAL_CHARACTERS_RE.sub("", title)).strip().strip("'").strip()
        if not base or base.casefold() == "history":
            base = f"Sheet {len(self.taken) + 1}" if not base else f"{base} table"
        name = base[:SHEET_NAME_LIMIT].strip()
        for number in itertools.count(2):
            if name.casefold() not in self.taken:
                break
            suffix = f" ({number})"
            name = base[: SHEET_NAME_LIMIT - len(suffix)].strip() + suffix
        self.taken.add(name.casefold())
        return name


# Report lines, shared by CSV and XLSX -----------------------------------------


def _report_lines(tables: Sequence[ProtectedTable], about: Sequence[tuple[str, str]]) -> Iterator[_Line]:
    """Every row of a report export in order: about, then tables, then the data dictionary."""
    rules = list(dict.fromkeys(table.rule for table in tables))
    named = {value for _name, value in about}
    for name, value in about:
        yield _Line([name, value], "about")
    # Every output names the rule set applied: once here when the tables share one.
    if len(rules) == 1 and rules[0] not in named:
        yield _Line([RULE_LABEL, rules[0]], "about")
    for table in tables:
        yield _Line([], "blank")
        yield from _table_lines(table, name_rule=len(rules) > 1)
    dictionary = [
        [table.title, column.label, column.description]
        for table in tables
        for column in table.columns
        if column.description
    ]
    if dictionary:
        yield _Line([], "blank")
        yield _Line([DICTIONARY_SHEET], "dictionary")
        yield _Line(["Table", "Column", "Meaning"], "dictionary-header")
        for row in dictionary:
            yield _Line(list(row), "dictionary-row")


def _table_lines(table: ProtectedTable, *, name_rule: bool) -> Iterator[_Line]:
    yield _Line([table.title], "title", table)
    yield _Line([_column_label(column) for column in table.columns], "header", table)
    for row in table.rows:
        yield _Line([_export_value(cell) for cell in row], "row", table)
    if table.total is not None:
        values = [_export_value(cell) for cell in table.total]
        if table.columns and table.columns[0].kind == Kind.TEXT:
            values[0] = TOTAL
        yield _Line(values, "total", table)
    for note in table.table.notes:
        yield _Line([note], "note", table)
    if name_rule:
        yield _Line([f"{RULE_LABEL}: {table.rule}"], "note", table)


def _column_label(column: Column) -> str:
    if column.kind == Kind.PERCENT and "%" not in column.label:
        return f"{column.label} (%)"
    return column.label


def _export_value(cell: Cell) -> object:
    """What an export holds for a protected cell: "*" when hidden, else its value (None is blank)."""
    return HIDDEN if cell.suppressed else cell.value
