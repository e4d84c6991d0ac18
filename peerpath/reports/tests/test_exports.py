"""CSV and XLSX exports: read back with the csv module and openpyxl, as a user's tools would.

Protected tables are built directly (``ProtectedTable``/``Cell``) so each test says which
cells are hidden; the exports must write exactly those cells.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zoneinfo
from collections.abc import Iterator
from decimal import Decimal

from django.http import StreamingHttpResponse
from openpyxl import load_workbook

from peerpath.reports.exports import (
    csv_response,
    stream_csv_rows,
    xlsx_bytes,
    xlsx_response,
    xlsx_rows_response,
    xlsx_workbook_rows,
)
from peerpath.reports.tables import Cell, Column, Kind, ProtectedTable, Table

EN_DASH = "\u2013"
RULE = "NHS method: counts of 1 to 7 shown as *, other counts rounded to the nearest 5"
ABOUT = [("Report", "Carers' outcomes"), ("Period", "1 April 2026 to 31 March 2027")]
FORMULAS = ['=HYPERLINK("http://x")', "+44 20", "-cmd", "@SUM(A1)", "\tsneaky", "\rsneaky"]

BOROUGH = Column(key="borough", label="Borough", kind=Kind.TEXT)
CARERS = Column(key="carers", label="Carers", kind=Kind.COUNT, description="Carers who started a course")
MEAN = Column(key="mean", label="Mean change", kind=Kind.MEAN, n="carers", decimals=2)
SHARE = Column(key="share", label="Completed", kind=Kind.PERCENT, numerator="done", denominator="carers")


def shown(value: object) -> Cell:
    return Cell(value=value, text=str(value))


def hidden(reason: str = "small") -> Cell:
    return Cell(value=None, text="*", suppressed=True, reason=reason)


def empty() -> Cell:
    return Cell(value=None, text=EN_DASH)


def outcomes(title: str = "Carers by borough", rule: str = RULE) -> ProtectedTable:
    table = Table(key="boroughs", title=title, columns=[BOROUGH, CARERS, MEAN, SHARE], rows=[], notes=["Rounded."])
    return ProtectedTable(
        table=table,
        rows=[
            [shown("Merton"), shown(45), shown(Decimal("3.25")), shown(62.5)],
            [shown("Sutton"), hidden(), hidden("few-values"), hidden("secondary")],
            [shown("Kingston"), shown(20), shown(-1.5), empty()],
        ],
        total=[shown(""), shown(70), shown(1.12), shown(57.1)],
        rule=rule,
        exact=False,
    )


def labels_table(labels: list[str], title: str = "Labels") -> ProtectedTable:
    table = Table(key="labels", title=title, columns=[BOROUGH, MEAN], rows=[])
    return ProtectedTable(
        table=table, rows=[[shown(label), shown(-4.5)] for label in labels], total=None, rule=RULE, exact=False
    )


def body(response: StreamingHttpResponse) -> bytes:
    content = b"".join(response.streaming_content)
    # response.close() would send request_finished, which touches the database these tests
    # keep out of: close only the workbook's file a FileResponse holds.
    file = getattr(response, "file_to_stream", None)
    if file is not None:
        file.close()
    return content


def csv_rows(response: StreamingHttpResponse) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def workbook(response: StreamingHttpResponse):
    return load_workbook(io.BytesIO(body(response)))


def block(rows: list[list[str]], title: str) -> list[list[str]]:
    """The rows of one table in a CSV: from its title to the next blank line."""
    start = rows.index([title])
    end = next((i for i in range(start, len(rows)) if rows[i] == []), len(rows))
    return rows[start:end]


# CSV -------------------------------------------------------------------------


def test_csv_starts_with_the_about_rows_then_a_blank_line():
    rows = csv_rows(csv_response([outcomes()], filename="report", about=ABOUT))

    assert rows[:2] == [list(pair) for pair in ABOUT]
    assert rows[2] == ["Disclosure control", RULE]
    assert rows[3] == []


def test_csv_table_has_its_title_labels_protected_rows_and_a_total_row():
    rows = block(csv_rows(csv_response([outcomes()], filename="report", about=ABOUT)), "Carers by borough")

    assert rows[1] == ["Borough", "Carers", "Mean change", "Completed (%)"]
    assert rows[2] == ["Merton", "45", "3.25", "62.5"]
    assert rows[3] == ["Sutton", "*", "*", "*"]
    assert rows[4] == ["Kingston", "20", "-1.5", ""]
    assert rows[5] == ["Total", "70", "1.12", "57.1"]
    assert rows[6] == ["Rounded."]


def test_csv_guards_text_a_spreadsheet_would_run_but_leaves_negative_numbers_alone():
    rows = block(csv_rows(csv_response([labels_table(FORMULAS)], filename="r", about=[])), "Labels")

    assert [row[0] for row in rows[2:]] == [f"'{text}" for text in FORMULAS]
    assert {row[1] for row in rows[2:]} == {"-4.5"}


def test_csv_names_each_tables_rule_when_the_tables_differ():
    exact = outcomes(title="Exact figures", rule="Exact figures: no disclosure control")
    rows = csv_rows(csv_response([outcomes(), exact], filename="r", about=ABOUT))

    assert ["Disclosure control", RULE] not in rows
    assert block(rows, "Carers by borough")[-1] == [f"Disclosure control: {RULE}"]
    assert block(rows, "Exact figures")[-1] == ["Disclosure control: Exact figures: no disclosure control"]


def test_csv_filename_is_made_safe_for_the_header():
    response = csv_response([], filename='Outcomes "Merton"/..\\Sutton é 2026.csv', about=[])

    disposition = response["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+\.csv"', disposition)
    assert "Merton" in disposition
    assert ".." not in disposition
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_stream_csv_rows_quotes_as_rfc_4180_says_and_reads_back_the_same():
    awkward = ["comma, inside", 'quote " inside', "line\nbreak", "plain"]
    response = stream_csv_rows(["a", "b", "c", "d"], [awkward, [1, 2.5, None, True]], filename="extract")
    raw = body(response)

    assert raw.startswith("\ufeff".encode())
    assert raw.count(b"\r\n") >= 3
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8")[1:], newline="")))
    assert rows == [["a", "b", "c", "d"], awkward, ["1", "2.5", "", "TRUE"]]


def test_stream_csv_rows_reads_rows_only_as_the_response_is_sent():
    read = 0

    def rows() -> Iterator[list[object]]:
        nonlocal read
        for index in range(50_000):
            read += 1
            yield [index, f"person {index}", "2026-04-01"]

    response = stream_csv_rows(["id", "name", "date"], rows(), filename="extract")
    assert read == 0
    chunks = iter(response.streaming_content)
    next(chunks)
    next(chunks)
    assert 0 < read < 50_000
    remaining = sum(1 for _ in chunks)
    assert remaining > 1
    assert read == 50_000


# XLSX ------------------------------------------------------------------------


def test_xlsx_has_an_about_sheet_first_then_a_sheet_per_table():
    book = workbook(xlsx_response([outcomes(), labels_table(["Merton"])], filename="report", about=ABOUT))

    assert book.sheetnames[:3] == ["About", "Carers by borough", "Labels"]
    about = [list(row) for row in book["About"].iter_rows(values_only=True)]
    assert about == [*(list(pair) for pair in ABOUT), ["Disclosure control", RULE]]


def test_xlsx_holds_numbers_as_numbers_with_formats_hidden_cells_as_star_and_a_total():
    sheet = workbook(xlsx_response([outcomes()], filename="report", about=ABOUT))["Carers by borough"]
    rows = list(sheet.iter_rows())

    assert rows[0][0].value == "Carers by borough"
    assert [c.value for c in rows[1]] == ["Borough", "Carers", "Mean change", "Completed (%)"]
    merton, sutton, kingston, total = rows[2:6]
    assert [c.value for c in merton] == ["Merton", 45, 3.25, 62.5]
    assert [c.number_format for c in merton[1:]] == ["#,##0", "0.00", "0.0"]
    assert [c.value for c in sutton] == ["Sutton", "*", "*", "*"]
    assert all(c.data_type == "s" for c in sutton[1:])
    assert kingston[2].value == -1.5
    assert kingston[3].value is None
    assert [c.value for c in total] == ["Total", 70, 1.12, 57.1]
    assert total[0].font.bold
    assert rows[1][0].font.bold
    assert sheet.freeze_panes == "A3"


def test_xlsx_guards_formula_text_so_nothing_runs():
    sheet = workbook(xlsx_response([labels_table(FORMULAS)], filename="r", about=[]))["Labels"]
    cells = [row[0] for row in sheet.iter_rows(min_row=3)]

    # XML reads a stored carriage return back as a line feed.
    assert [c.value for c in cells] == [f"'{text}".replace("\r", "\n") for text in FORMULAS]
    assert all(c.data_type == "s" for c in cells)
    assert {row[1].value for row in sheet.iter_rows(min_row=3)} == {-4.5}


def test_xlsx_sheet_names_are_short_unique_and_free_of_forbidden_characters():
    titles = [
        "About",
        "Outcomes: before/after [SWEMWBS] *all* runs?",
        "A very long table title that goes on well past thirty-one characters",
        "A very long table title that goes on well past thirty-one characters",
        "'Quoted'",
        "history",
    ]
    book = workbook(xlsx_response([labels_table(["x"], title=t) for t in titles], filename="r", about=[]))

    names = book.sheetnames
    assert len(names) == 1 + len(titles)
    assert len({name.casefold() for name in names}) == len(names)
    assert all(0 < len(name) <= 31 for name in names)
    assert not any(re.search(r"[\[\]:*?/\\]", name) for name in names)
    assert not any(name.startswith("'") or name.endswith("'") for name in names)
    assert "history" not in {name.casefold() for name in names}
    # Each sheet still opens with its table's full title.
    assert [book[name]["A1"].value for name in names[1:]] == titles


def test_xlsx_lists_column_descriptions_in_a_data_dictionary_sheet():
    book = workbook(xlsx_response([outcomes()], filename="r", about=ABOUT))

    rows = list(book["Data dictionary"].iter_rows(values_only=True))
    assert ("Carers by borough", "Carers", "Carers who started a course") in rows


def test_xlsx_response_is_a_download_with_a_safe_name():
    response = xlsx_response([outcomes()], filename="Outcomes/2026 é", about=ABOUT)

    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+\.xlsx"', response["Content-Disposition"])
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    body(response)


def test_xlsx_workbook_rows_writes_several_sheets_with_typed_values():
    london = zoneinfo.ZoneInfo("Europe/London")
    sent = datetime.datetime(2026, 7, 1, 8, 30, tzinfo=datetime.UTC)
    extract = [["p-001", datetime.date(2026, 4, 1), sent, 42, "=1+1"], ["p-002", None, None, -3, "bell\x07 rang"]]
    dictionary = [["pseudonym", "A code standing for one person"]]
    book = load_workbook(
        xlsx_workbook_rows(
            [
                ("Extract", ["pseudonym", "enrolled", "sent", "score", "note"], iter(extract)),
                ("Data dictionary", ["Field", "Meaning"], iter(dictionary)),
            ]
        )
    )

    assert book.sheetnames == ["Extract", "Data dictionary"]
    rows = list(book["Extract"].iter_rows(values_only=True))
    assert rows[0] == ("pseudonym", "enrolled", "sent", "score", "note")
    assert rows[1][1].date() == datetime.date(2026, 4, 1)
    assert rows[1][2] == sent.astimezone(london).replace(tzinfo=None)
    assert rows[1][3:] == (42, "'=1+1")
    assert rows[2] == ("p-002", None, None, -3, "bell rang")
    assert book["Extract"].freeze_panes == "A2"
    assert list(book["Data dictionary"].iter_rows(values_only=True))[1] == tuple(dictionary[0])


def test_xlsx_rows_response_streams_a_workbook_of_many_rows():
    rows = ([index, f"person {index}"] for index in range(20_000))
    response = xlsx_rows_response([("Extract", ["id", "name"], rows)], filename="extract")

    sheet = load_workbook(io.BytesIO(body(response)), read_only=True)["Extract"]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 20_001
    assert values[-1] == (19_999, "person 19999")


def test_xlsx_bytes_is_the_same_workbook_for_a_stored_report():
    book = load_workbook(io.BytesIO(xlsx_bytes([outcomes()], about=ABOUT)))

    assert book.sheetnames == ["About", "Carers by borough", "Data dictionary"]
    assert book["Carers by borough"]["B3"].value == 45


def test_xlsx_money_shows_pence_below_a_hundred_pounds_and_whole_pounds_above():
    cost = Column(key="cost", label="Mean cost", kind=Kind.MONEY, n="carers")
    table = Table(key="costs", title="Costs", columns=[BOROUGH, cost], rows=[])
    protected = ProtectedTable(
        table=table,
        rows=[[shown("Merton"), shown(12.5)], [shown("Sutton"), shown(1234.0)]],
        total=None,
        rule=RULE,
        exact=False,
    )
    sheet = load_workbook(io.BytesIO(xlsx_bytes([protected], about=[])))["Costs"]

    assert (sheet["B3"].value, sheet["B3"].number_format) == (12.5, '"£"#,##0.00')
    assert (sheet["B4"].value, sheet["B4"].number_format) == (1234, '"£"#,##0')
