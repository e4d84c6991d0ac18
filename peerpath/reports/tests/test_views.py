"""The report pages, their exports and the programme report, as each role uses them."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import count_queries
from peerpath.core.models import AuditEvent
from peerpath.courses.choices import Category
from peerpath.reports.models import ReportBuild
from peerpath.reports.tests.builders import (
    answered,
    asked_at_baseline,
    came,
    finished_run,
    monitored,
    participant,
    swemwbs,
)

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")
SECTION_KEYS = ("reach", "outcomes", "service-use", "coproduction", "accreditation")


def section_url(key: str) -> str:
    return reverse("reports:section", kwargs={"key": key})


def text_of(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", unescape(body))


@pytest.fixture
def user(actors):
    return actors["coordinator"].user


@pytest.fixture
def programme(home_org, user):
    """Twelve carers on one finished run (three of them Black African), who answered SWEMWBS twice."""
    asked_at_baseline("swemwbs")
    run = finished_run(home_org, user, title="Caring for someone with psychosis")
    people = [participant(home_org) for _ in range(12)]
    came(run, user, people)
    for index, person in enumerate(people):
        monitored(person, ethnicity="black_african" if index < 3 else "white_british")
        answered(user, person, run, "baseline", "swemwbs", swemwbs(14 + index % 5))
        answered(user, person, run, "end", "swemwbs", swemwbs(18 + index % 7))
    return run


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("administrator", 200),
        ("coordinator", 200),
        ("evaluator", 200),
        ("outsider", 200),
        ("peer_tutor", 403),
        ("professional_tutor", 403),
        ("assessor", 403),
        ("participant", 403),
    ],
)
def test_reports_are_for_administrators_coordinators_and_evaluators(role, status, actors):
    client = actors[role].client
    assert client.get(DASHBOARD).status_code == status
    for key in SECTION_KEYS:
        assert client.get(section_url(key)).status_code == status, key


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(section_url("reach"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_an_unknown_report_is_a_404(coordinator_client):
    assert coordinator_client.get(section_url("nonsense")).status_code == 404
    assert coordinator_client.get(reverse("reports:export", kwargs={"key": "reach", "fmt": "pdf"})).status_code == 404


def test_the_coordinator_sees_exact_figures_and_the_evaluator_controlled_ones(programme, actors):
    coordinator = text_of(actors["coordinator"].client.get(section_url("reach")))
    evaluator = text_of(actors["evaluator"].client.get(section_url("reach")))

    assert "Exact figures for your own organisation" in coordinator
    assert "African 3 " in coordinator
    assert "Disclosure control" in evaluator and "Exact figures" not in evaluator
    assert "African 3 " not in evaluator and "African * " in evaluator


def test_a_bad_filter_is_dropped_with_a_message_and_the_page_still_shows(programme, coordinator_client, other_org):
    response = coordinator_client.get(
        section_url("outcomes"),
        {"organisation": str(other_org.pk), "start_day": "31", "start_month": "2", "start_year": "2026", "by": "x"},
    )
    page = text_of(response)
    assert response.status_code == 200
    assert "An organisation in the address was not recognised" in page
    assert "The start date was not a real date" in page
    assert "The breakdown in the address was not recognised" in page
    assert other_org.name not in page


def test_the_outsider_sees_only_their_own_organisations_figures(programme, outsider_client, home_org):
    page = text_of(outsider_client.get(section_url("reach")))
    assert home_org.name not in page
    assert "Caring for someone with psychosis" not in page


def test_exports_are_disclosure_controlled_even_for_a_coordinator(programme, coordinator_client):
    response = coordinator_client.get(reverse("reports:export", kwargs={"key": "reach", "fmt": "csv"}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    flat = [cell for row in rows for cell in row]
    assert any(cell.startswith("Disclosure control") for cell in flat)
    african = next(row for row in rows if row and row[0] == "African")
    assert african[1] == "*"

    workbook = coordinator_client.get(reverse("reports:export", kwargs={"key": "outcomes", "fmt": "xlsx"}))
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(workbook.streaming_content)), read_only=True)
    assert book.sheetnames[0] == "About"


def test_the_outcomes_page_breaks_one_measure_down(programme, coordinator_client):
    page = text_of(coordinator_client.get(section_url("outcomes"), {"instrument": "swemwbs", "by": "course"}))
    assert "SWEMWBS metric score" in page
    assert "Caring for someone with psychosis" in page
    assert "SWEMWBS: SWEMWBS metric score: reliable and clinically significant change, by course" in page


def test_a_programme_report_is_built_and_downloaded_as_pdf_and_xlsx(
    programme, evaluator_client, actors, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = evaluator_client.post(reverse("reports:programme_new"), {"title": "Report to our funder"})
    build = ReportBuild.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:programme_status", kwargs={"build_id": build.pk}
    )
    assert build.status == ReportBuild.Status.DONE, build.error
    status = text_of(evaluator_client.get(response["Location"]))
    assert "Your report is ready" in status

    pdf = evaluator_client.get(reverse("reports:programme_document", kwargs={"build_id": build.pk, "fmt": "pdf"}))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Report to our funder" in text and "Disclosure control" in text
    xlsx = evaluator_client.get(reverse("reports:programme_document", kwargs={"build_id": build.pk, "fmt": "xlsx"}))
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content))
    assert len(book.sheetnames) > 1
    assert AuditEvent.objects.filter(action="reports.programme_report_requested").exists()
    # Nobody else, not even an administrator, opens someone's report by its address.
    other = actors["administrator"].client.get(reverse("reports:programme_status", kwargs={"build_id": build.pk}))
    assert other.status_code == 404


def test_a_programme_report_needs_a_title(coordinator_client):
    response = coordinator_client.post(reverse("reports:programme_new"), {"title": ""})
    assert response.status_code == 400
    assert "Enter a report title" in text_of(response)
    assert not ReportBuild.objects.exists()


@pytest.mark.parametrize("url", [DASHBOARD, *(section_url(key) for key in SECTION_KEYS)])
def test_report_pages_cost_the_same_queries_for_few_and_many_runs(url, home_org, user, coordinator_client):
    asked_at_baseline("swemwbs", category=Category.RECOVERY_COLLEGE)

    def grow(count: int) -> None:
        for _ in range(count):
            run = finished_run(home_org, user, days_ago=40)
            people = [participant(home_org) for _ in range(2)]
            came(run, user, people)
            for person in people:
                answered(user, person, run, "baseline", "swemwbs", swemwbs(15))
                answered(user, person, run, "end", "swemwbs", swemwbs(22))

    coordinator_client.get(url)
    grow(1)
    few = count_queries(lambda: coordinator_client.get(url))
    grow(3)
    many = count_queries(lambda: coordinator_client.get(url))
    assert few == many


def test_each_kind_of_reader_has_a_dashboard_of_their_own(programme, actors):
    coordinator = text_of(actors["coordinator"].client.get(DASHBOARD))
    evaluator = text_of(actors["evaluator"].client.get(DASHBOARD))
    administrator = text_of(actors["administrator"].client.get(DASHBOARD))

    assert "Awards to renew" in coordinator and "Pseudonymised extract" not in coordinator
    assert "What difference the programme made" in evaluator and "Awards to renew" not in evaluator
    assert "Pseudonymised extract" in evaluator
    assert "The whole network" in administrator
    # Every dashboard leads to every report and to the programme report.
    for page in (coordinator, evaluator, administrator):
        assert "Build a programme report" in page and "Accreditation" in page


def test_each_table_downloads_on_its_own_and_an_unknown_table_is_not_found(programme, evaluator_client):
    page = evaluator_client.get(section_url("reach")).content.decode()
    assert "table=ethnic_group" in page

    url = reverse("reports:export", kwargs={"key": "reach", "fmt": "csv"})
    one = b"".join(evaluator_client.get(url, {"table": "ethnic_group"}).streaming_content).decode("utf-8-sig")
    assert "Ethnic group (5 groups)" in one and "People served by course category" not in one
    assert evaluator_client.get(url, {"table": "nonsense"}).status_code == 404
