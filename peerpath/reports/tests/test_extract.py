"""The pseudonymised extract: its rows and columns, its pseudonyms, what it must never hold,
who may take it, and what it costs in queries."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import openpyxl
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerpath.core.models import AuditEvent
from peerpath.delivery.models import CourseRun, Enrolment
from peerpath.evaluation import responses
from peerpath.evaluation.models import Response, Score
from peerpath.evaluation.tests.test_responses import shipped
from peerpath.people.models import Person
from peerpath.people.tests.factories import AreaFactory, CaringRoleFactory
from peerpath.reports.extract import FIXED_COLUMNS, _Follower, plan_extract
from peerpath.reports.filters import ReportFilterForm
from peerpath.reports.tests.builders import answered, came, finished_run, monitored, participant, scope_for, swemwbs

pytestmark = pytest.mark.django_db

EXTRACT = reverse("reports:extract")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE)
SERVICE_USE = {
    "crisis_contacts": 1,
    "ae_attendances": 2,
    "admissions_informal": 0,
    "admissions_section": 1,
    "bed_days": 6,
    "community_contacts": 3,
    "gp_mental_health_contacts": 2,
    "gp_other_contacts": 1,
    "respite_days": 0,
    "carers_assessments": 1,
}


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


@pytest.fixture
def run(home_org, coordinator) -> CourseRun:
    return finished_run(home_org, coordinator, days_ago=60, title="Understanding psychosis")


def carer(run: CourseRun, user: Any, *, end: bool = True, **monitoring: str) -> Person:
    """A carer who came to two sessions of ``run`` and answered SWEMWBS at baseline (and the end)."""
    person = participant(run.organisation)
    came(run, user, [person], sessions=2)
    if monitoring:
        monitored(person, **monitoring)
    answered(user, person, run, "baseline", "swemwbs", swemwbs(14))
    if end:
        answered(user, person, run, "end", "swemwbs", swemwbs(24))
    return person


def extract_rows(scope) -> tuple[list[str], list[dict[str, Any]]]:
    planned = plan_extract(scope)
    names = [column.name for column in planned.columns]
    return names, [dict(zip(names, row, strict=True)) for row in planned.rows()]


def stored_score(person: Person, timepoint: str, code: str, scale: str) -> Any:
    """The score the scoring engine stored (the later completion when there are two)."""
    score = (
        Score.objects.filter(
            response__person=person, response__timepoint=timepoint, instrument_code=code, scale_code=scale
        )
        .order_by("-response__completed_at")
        .first()
    )
    assert score is not None
    return score.value


def download(client, kind: str, **filters: Any):
    response = client.get(EXTRACT, {**filters, "download": kind})
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def xlsx_sheets(body: bytes) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def csv_table(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# ---------------------------------------------------------------------------------------
# Rows and columns


def test_each_person_has_one_row_per_run_and_timepoint_holding_their_scores(home_org, coordinator, run):
    area = AreaFactory(name="Borough of Extract Tests")
    first = carer(run, coordinator, age_band="35_44", sex="female", ethnicity="black_african", disability="no")
    first.area = area
    first.save()
    CaringRoleFactory(carer=first, relationship="12")  # mother of the person cared for
    second = carer(run, coordinator, end=False)

    names, rows = extract_rows(scope_for(home_org))

    assert names[: len(FIXED_COLUMNS)] == [column.name for column in FIXED_COLUMNS]
    assert "swemwbs.metric" in names
    assert len(rows) == 3  # first: baseline and end; second: baseline only
    by_person: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_person.setdefault(row["pseudonym"], []).append(row)
    assert sorted(len(found) for found in by_person.values()) == [1, 2]
    first_rows = {row["timepoint"]: row for row in max(by_person.values(), key=len)}
    assert set(first_rows) == {"baseline", "end"}
    baseline = first_rows["baseline"]
    assert baseline["swemwbs.metric"] == stored_score(first, "baseline", "swemwbs", "metric")
    assert first_rows["end"]["swemwbs.metric"] == stored_score(first, "end", "swemwbs", "metric")
    assert baseline["course_title"] == "Understanding psychosis"
    assert baseline["course_category"] == run.version.course.category
    assert baseline["term"] == run.term.name
    assert baseline["organisation"] == home_org.name
    assert baseline["borough"] == "Borough of Extract Tests"
    assert (baseline["age_band"], baseline["sex"], baseline["disability"]) == ("35_44", "female", "no")
    assert (baseline["ethnicity"], baseline["ethnic_group"]) == ("black_african", "black")
    assert baseline["relationship_group"] == "parent"
    assert baseline["first_or_returning"] == "first"
    assert (baseline["enrolment_status"], baseline["sessions_attended"]) == (Enrolment.Status.COMPLETED, 2)
    assert baseline["mode"] == "paper"
    completed = Response.objects.filter(person=first, timepoint="baseline").get().completed_at
    assert baseline["month_completed"] == timezone.localtime(completed).strftime("%Y-%m")
    only = by_person[next(key for key, found in by_person.items() if len(found) == 1)][0]
    assert only["swemwbs.metric"] == stored_score(second, "baseline", "swemwbs", "metric")
    assert (only["age_band"], only["borough"], only["relationship_group"]) == (None, None, None)
    assert len({row["run_pseudonym"] for row in rows}) == 1


def test_service_use_answers_are_columns_of_their_own_beside_the_scale_scores(home_org, coordinator, run):
    person = carer(run, coordinator, end=False)
    answered(coordinator, person, run, "baseline", "service-use-carer", SERVICE_USE)

    names, rows = extract_rows(scope_for(home_org))

    assert len(rows) == 1
    row = rows[0]
    for item, value in SERVICE_USE.items():
        assert row[f"service-use-carer.item.{item}"] == value
    assert row["service-use-carer.bed_days"] == stored_score(person, "baseline", "service-use-carer", "bed_days")
    assert row["service-use-carer.urgent_contacts"] == stored_score(
        person, "baseline", "service-use-carer", "urgent_contacts"
    )
    # SWEMWBS asks no counts: its answers stay out, its score stays in.
    assert not [name for name in names if name.startswith("swemwbs.item.")]
    assert row["swemwbs.metric"] is not None


def test_the_later_of_two_completions_at_one_timepoint_counts_and_the_mode_says_mixed(home_org, coordinator, run):
    person = carer(run, coordinator, end=False)
    again = responses.start_response(
        actor=coordinator,
        person=person,
        instrument_version=shipped("swemwbs"),
        run=run,
        timepoint="baseline",
        mode="phone",
    )
    responses.save_answers(actor=coordinator, response=again, answers=swemwbs(30))
    responses.submit(actor=coordinator, response=again)

    _, rows = extract_rows(scope_for(home_org))

    assert len(rows) == 1
    later = Score.objects.get(response=again, scale_code="metric").value
    assert rows[0]["swemwbs.metric"] == later
    assert rows[0]["mode"] == "mixed"


def test_a_person_with_a_place_on_a_run_before_the_period_is_returning(home_org, coordinator, run):
    earlier = finished_run(home_org, coordinator, days_ago=500)
    back = carer(run, coordinator, end=False)
    came(earlier, coordinator, [back])
    carer(run, coordinator, end=False)

    _, rows = extract_rows(scope_for(home_org, days=365))

    assert sorted(row["first_or_returning"] for row in rows) == ["first", "returning"]


def test_people_who_withdrew_their_consent_to_evaluation_are_left_out(home_org, coordinator, run):
    from peerpath.people.models import Consent

    stays, leaves, came_back = (carer(run, coordinator) for _ in range(3))
    today = timezone.localdate()
    for person, decisions in (
        (stays, ["given"]),
        (leaves, ["given", "withdrawn"]),
        (came_back, ["withdrawn", "given"]),
    ):
        for index, decision in enumerate(decisions):
            Consent.objects.create(
                person=person,
                purpose="evaluation",
                decision=decision,
                method="paper",
                decided_on=today,
                recorded_at=timezone.now() + datetime.timedelta(seconds=index),
                recorded_by=coordinator,
            )

    _, rows = extract_rows(scope_for(home_org, days=365))

    # Each remaining carer has a baseline and an end row; the one who withdrew has none.
    assert len(rows) == 4
    assert len({row["pseudonym"] for row in rows}) == 2


def test_answers_typed_in_for_someone_without_a_place_leave_the_place_and_attendance_blank(home_org, coordinator, run):
    person = participant(home_org)
    answered(coordinator, person, run, "baseline", "swemwbs", swemwbs(20))

    _, rows = extract_rows(scope_for(home_org))

    assert [(row["enrolment_status"], row["sessions_attended"]) for row in rows] == [(None, None)]


def test_pseudonyms_are_consistent_within_an_extract_and_differ_between_two(home_org, coordinator, run):
    people = [carer(run, coordinator), carer(run, coordinator)]
    scope = scope_for(home_org)

    _, first = extract_rows(scope)
    _, second = extract_rows(scope)

    assert len({row["pseudonym"] for row in first}) == len(people)
    assert all(re.fullmatch(r"[0-9a-f]{16}", row["pseudonym"]) for row in first)
    assert not {row["pseudonym"] for row in first} & {row["pseudonym"] for row in second}
    assert {row["run_pseudonym"] for row in first}.isdisjoint({row["run_pseudonym"] for row in second})
    # The same rows in the same order: only the pseudonyms changed.
    assert [row["swemwbs.metric"] for row in first] == [row["swemwbs.metric"] for row in second]


def test_scores_of_a_response_the_main_query_missed_do_not_hold_up_the_rows_after_it():
    # A response completed between the responses query and the scores query has scores
    # but no row; the rows after it must still get theirs.
    people = sorted(uuid.uuid4() for _ in range(3))
    run_id, missed, kept, last = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    scores = iter(
        [
            (people[0], run_id, "baseline", missed, "phq9", "total", 9),
            (people[1], run_id, "baseline", kept, "phq9", "total", 4),
            (people[1], run_id, "end", kept, "phq9", "total", 3),
            (people[2], run_id, "baseline", last, "phq9", "total", 7),
        ]
    )
    follower = _Follower(scores)

    assert follower.take((people[1], run_id, "baseline", kept)) == [("phq9", "total", 4)]
    assert follower.take((people[1], run_id, "end", uuid.uuid4())) == []
    assert follower.take((people[2], run_id, "baseline", last)) == [("phq9", "total", 7)]


def test_an_extract_with_nothing_in_scope_has_the_header_and_the_dictionary_only(home_org, evaluator_client):
    response = evaluator_client.get(EXTRACT)
    _, data = download(evaluator_client, "csv")

    assert response.status_code == 200
    assert csv_table(data) == [[column.name for column in FIXED_COLUMNS]]
    assert AuditEvent.objects.get(action="reports.extract_made").data["rows"] == 0


# ---------------------------------------------------------------------------------------
# What the files must never hold


def identifying_values(person: Person) -> list[str]:
    values = [person.given_name, person.family_name, person.email, person.phone, person.postcode, str(person.pk)]
    values.append(person.pk.hex)
    if person.date_of_birth is not None:
        values += [person.date_of_birth.isoformat(), person.date_of_birth.strftime("%d/%m/%Y")]
    if person.user is not None:
        values += [person.user.get_username(), person.user.email]
    return [value for value in values if value]


def test_no_name_contact_detail_date_of_birth_or_id_of_anyone_is_in_any_cell(
    home_org, coordinator, run, evaluator_client
):
    carers = [carer(run, coordinator), carer(run, coordinator, end=False)]
    answered(coordinator, carers[0], run, "baseline", "service-use-carer", SERVICE_USE)
    # Every person (carers and staff alike) gets values that cannot turn up by chance.
    for number, person in enumerate(Person.objects.all()):
        person.given_name = f"Zephyrine{number}q"
        person.family_name = f"Quillfeather{number}q"
        person.preferred_name = f"Zeph{number}q"
        person.email = f"zephyrine{number}q@example.org"
        person.phone = f"07700 900{number:03d}"
        person.postcode = f"ZZ9 {number}QX"
        person.date_of_birth = datetime.date(1961, 1, 1) + datetime.timedelta(days=number * 37)
        person.save()
    runs_and_responses = [str(pk) for pk in CourseRun.objects.values_list("pk", flat=True)]
    runs_and_responses += [str(pk) for pk in Response.objects.values_list("pk", flat=True)]

    _, xlsx = download(evaluator_client, "xlsx")
    _, data = download(evaluator_client, "csv")
    _, dictionary = download(evaluator_client, "dictionary")

    sheets = xlsx_sheets(xlsx)
    cells = [cell for rows in sheets.values() for row in rows for cell in row]
    cells += [cell for table in (csv_table(data), csv_table(dictionary)) for row in table for cell in row]
    assert len(sheets["Data"]) == 4  # a header and three rows: the files are not empty
    assert not [cell for cell in cells if isinstance(cell, datetime.date)]
    text = "\n".join(str(cell) for cell in cells if cell is not None)
    for person in Person.objects.select_related("user"):
        for value in [*identifying_values(person), person.preferred_name]:
            assert value not in text, f"{value!r} is in the extract"
        assert person.phone.replace(" ", "") not in text
    for value in runs_and_responses:
        assert value not in text and value.replace("-", "") not in text
    assert not UUID_TEXT.search(text)


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_written_as_text(home_org, coordinator, evaluator_client):
    risky = finished_run(home_org, coordinator, title='=HYPERLINK("http://example.org","Click")')
    carer(risky, coordinator, end=False)

    _, xlsx = download(evaluator_client, "xlsx")
    _, data = download(evaluator_client, "csv")

    header, *rows = xlsx_sheets(xlsx)["Data"]
    title = header.index("course_title")
    assert [row[title] for row in rows] == ["'" + risky.version.course.title]
    header, *rows = csv_table(data)
    assert [row[header.index("course_title")] for row in rows] == ["'" + risky.version.course.title]


# ---------------------------------------------------------------------------------------
# Scope and permissions


def test_an_evaluator_of_one_organisation_gets_none_of_another_organisations_people(
    home_org, other_org, coordinator, run, actors, evaluator_client, admin_client_
):
    carer(run, coordinator)
    elsewhere = finished_run(other_org, actors["outsider"].user, days_ago=30)
    carer(elsewhere, actors["outsider"].user)

    _, own = download(evaluator_client, "csv")
    _, everyone = download(admin_client_, "csv")

    header, *rows = csv_table(own)
    organisation = header.index("organisation")
    assert [row[organisation] for row in rows] == [home_org.name, home_org.name]
    header, *rows = csv_table(everyone)
    assert sorted({row[header.index("organisation")] for row in rows}) == sorted([home_org.name, other_org.name])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("evaluator", 200),
        ("administrator", 200),
        ("coordinator", 403),
        ("participant", 403),
        ("peer_tutor", 403),
        ("outsider", 403),
    ],
)
@pytest.mark.parametrize("kind", ["", "xlsx", "csv", "dictionary"])
def test_only_evaluators_and_administrators_may_see_or_take_the_extract(actors, role, status, kind):
    query = {"download": kind} if kind else {}

    response = actors[role].client.get(EXTRACT, query)

    assert response.status_code == status


def test_someone_not_signed_in_is_sent_to_sign_in(actors):
    response = actors["anonymous"].client.get(EXTRACT, {"download": "csv"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_download_is_not_found(evaluator_client):
    assert evaluator_client.get(EXTRACT, {"download": "pdf"}).status_code == 404


def test_bad_filter_values_are_dropped_with_a_message_on_the_page_and_in_the_file(
    home_org, coordinator, run, evaluator_client
):
    carer(run, coordinator)
    bad = {"term": "no-such-term", "area": "E99999999", "start_day": "31", "start_month": "2", "start_year": "2024"}

    page = evaluator_client.get(EXTRACT, bad)
    _, xlsx = download(evaluator_client, "xlsx", **bad)
    _, data = download(evaluator_client, "csv", **bad)

    assert page.status_code == 200
    text = page.content.decode()
    for field in ("term", "area", "start"):
        assert ReportFilterForm.DROPPED[field] in text
    notes = [value for label, value in xlsx_sheets(xlsx)["About"] if label == "Note"]
    assert ReportFilterForm.DROPPED["term"] in notes
    assert len(csv_table(data)) == 3  # the header and both rows: the extract went ahead without them


def test_the_page_describes_every_column_and_its_download_links_keep_the_filters(
    home_org, coordinator, run, evaluator_client
):
    carer(run, coordinator)
    category = run.version.course.category

    response = evaluator_client.get(EXTRACT, {"category": category})

    text = response.content.decode()
    for column in plan_extract(scope_for(home_org)).columns:
        assert f"<code>{column.name}</code>" in text
    for kind in ("xlsx", "csv", "dictionary"):
        assert f"?{urlencode({'category': category})}&amp;download={kind}" in text


# ---------------------------------------------------------------------------------------
# The data dictionary, the files and the audit


def test_the_data_dictionary_describes_every_column_and_every_code_used(home_org, coordinator, run, evaluator_client):
    person = carer(
        run, coordinator, age_band="55_64", sex="male", ethnicity="prefer_not_to_say", disability="yes_a_lot"
    )
    answered(coordinator, person, run, "end", "service-use-carer", SERVICE_USE)

    _, xlsx = download(evaluator_client, "xlsx")
    _, separate = download(evaluator_client, "dictionary")

    sheets = xlsx_sheets(xlsx)
    header, *rows = sheets["Data"]
    described = {entry[0]: entry for entry in sheets["Data dictionary"][1:]}
    assert list(described) == header
    assert [row[0] for row in csv_table(separate)[1:]] == header
    for name, description, kind, allowed, source in described.values():
        assert description and kind and source, name
        if kind == "code":
            codes = {part.split(" = ", 1)[0] for part in allowed.split("; ")}
            used = {row[header.index(name)] for row in rows} - {None}
            assert used <= codes, f"{name}: {used - codes} not in the dictionary"


def test_the_workbook_says_what_it_covers_and_that_pseudonyms_are_only_valid_within_it(
    home_org, coordinator, run, evaluator_client
):
    carer(run, coordinator)

    response, xlsx = download(evaluator_client, "xlsx")

    assert list(xlsx_sheets(xlsx)) == ["About", "Data", "Data dictionary"]
    about = dict(row[:2] for row in xlsx_sheets(xlsx)["About"])
    assert about["Organisations"] == home_org.name
    assert "only valid within this file" in about["Pseudonyms"]
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]  # row-level data: no browser or proxy keeps a copy


def test_the_csv_reads_into_a_statistics_package_with_the_columns_named(home_org, coordinator, run, evaluator_client):
    carer(run, coordinator)

    _, data = download(evaluator_client, "csv")

    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"pseudonym": str, "run_pseudonym": str})
    assert list(frame.columns) == [column.name for column in plan_extract(scope_for(home_org)).columns]
    assert len(frame) == 2
    assert frame["swemwbs.metric"].notna().all()


def test_every_extract_taken_is_audited_with_its_scope_and_row_count_and_no_personal_data(
    home_org, coordinator, run, actors, evaluator_client
):
    people = [carer(run, coordinator), carer(run, coordinator)]

    _, xlsx = download(evaluator_client, "xlsx")
    _, data = download(evaluator_client, "csv")
    download(evaluator_client, "dictionary")

    events = list(AuditEvent.objects.filter(action="reports.extract_made").order_by("occurred_at"))
    assert [event.data["format"] for event in events] == ["xlsx", "csv"]
    assert all(event.actor == actors["evaluator"].user for event in events)
    assert events[0].data["rows"] == len(xlsx_sheets(xlsx)["Data"]) - 1
    assert events[1].data["rows"] == len(csv_table(data)) - 1 == 4
    assert events[0].data["scope"]["organisations"] == [str(home_org.pk)]
    logged = json.dumps([event.data for event in events])
    for person in people:
        for value in identifying_values(person):
            assert value not in logged


# ---------------------------------------------------------------------------------------
# Queries


def queries_for(fetch: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fetch()
    return len(captured.captured_queries)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_an_extract_costs_the_same_queries_for_two_people_as_for_six(
    home_org, coordinator, run, evaluator_client, kind
):
    def grow(count: int) -> None:
        for _ in range(count):
            person = carer(run, coordinator)
            answered(coordinator, person, run, "baseline", "service-use-carer", SERVICE_USE)

    def fetch() -> None:
        download(evaluator_client, kind)

    grow(2)
    fetch()  # the first request of a session refreshes it; later ones do not
    two = queries_for(fetch)
    grow(4)
    six = queries_for(fetch)

    # session, user, memberships; filters: organisations, terms, areas, courses, policy;
    # columns: instruments in scope, newest rules, definitions; rows: responses, scores,
    # answers; the audit event (with its savepoint and release).
    assert two == six == 17
