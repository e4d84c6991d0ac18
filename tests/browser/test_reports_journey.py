"""An evaluator builds the programme report for a term and downloads it; axe on every report page.

A Recovery College ran two carers' courses in its autumn term. Twenty carers came, three of
them Black African, and each answered the Short Warwick-Edinburgh Mental Wellbeing Scale at
the start and at the end. The college's evaluator opens Reports from the header, reads each
report (a small count is hidden there, and no carer is named anywhere), narrows the outcomes
to SWEMWBS by course, then builds the programme report for the term, downloads the PDF and the
spreadsheet and opens the HTML version. The college's coordinator sees the exact figures for
her own organisation. Last, the evaluator reads the dashboard and a report on her phone.

The report is built by the immediate task backend (the test settings), so it is ready by
the time the page that asked for it has loaded.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from conftest import make_member
from peerpath.courses.models import Term
from peerpath.courses.tests.factories import TermFactory
from peerpath.delivery.models import CourseRun
from peerpath.delivery.tests.factories import move_sessions, open_run
from peerpath.people.models import Membership, Organisation, Person
from peerpath.people.tests.factories import TEST_PASSWORD, AreaFactory, OrganisationFactory
from peerpath.reports.tests.builders import answered, asked_at_baseline, came, monitored, participant, swemwbs
from tests.browser.conftest import PHONE, OpenPage, follow, log_in, submit, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TERM = "Autumn term for carers"
PSYCHOSIS = "Caring for someone with psychosis"
WELLBEING = "Looking after yourself while caring"
TITLE = "Report to our funder"
# Report pages in the order the dashboard lists them, by their headings.
REPORTS = (
    "Reach: people trained and served",
    "Outcomes for carers",
    "Mental health service use",
    "Co-production and fidelity",
    "Accreditation",
)
# Rare names, so that finding one on a page cannot be a coincidence.
CARERS = [
    ("Adaeze", "Quarrington"),
    ("Bronwen", "Featherstonehaugh"),
    ("Caoimhe", "Mountstephen"),
    ("Dervla", "Ollerenshaw"),
    ("Eilidh", "Pennycuick"),
    ("Folasade", "Winterbottom"),
    ("Gwenllian", "Trethowan"),
    ("Hafsa", "Longbottom"),
    ("Ifeoma", "Kettlewell"),
    ("Jolanta", "Szczepanska"),
    ("Kerensa", "Polglase"),
    ("Lowenna", "Tregenza"),
    ("Morwenna", "Chenoweth"),
    ("Nkechi", "Obiekwe"),
    ("Oonagh", "Fitzmaurice"),
    ("Perpetua", "Higginbottom"),
    ("Rhiannon", "Llewellyn-Bowen"),
    ("Saoirse", "Ni Bhriain"),
    ("Tamsin", "Penhaligon"),
    ("Ulrika", "Sandqvist"),
]
# On the psychosis course: the first twelve, of whom the first three are Black African.
ON_PSYCHOSIS_COURSE = 12
BLACK_AFRICAN = 3


@pytest.fixture
def college() -> Organisation:
    return OrganisationFactory(
        name="South West London Recovery College", area=AreaFactory(code="E09000032", name="Wandsworth")
    )


@pytest.fixture
def term(college: Organisation) -> Term:
    today = timezone.localdate()
    return TermFactory(
        organisation=college,
        name=TERM,
        starts_on=today - datetime.timedelta(days=150),
        ends_on=today + datetime.timedelta(days=30),
    )


def finished_run_in(term: Term, user, *, title: str, days_ago: int) -> CourseRun:
    """A run of a new course in ``term`` whose sessions took place from ``days_ago`` days ago, now completed."""
    run = open_run(term.organisation, user, term=term, title=title)
    move_sessions(run, timezone.localdate() - datetime.timedelta(days=days_ago))
    CourseRun.objects.filter(pk=run.pk).update(status=CourseRun.Status.COMPLETED)
    run.refresh_from_db()
    return run


def took_part(user, run: CourseRun, people: list[Person], *, black_african: int = 0) -> None:
    """The carers came to ``run``, filled in equality monitoring and SWEMWBS at the start and the end."""
    came(run, user, people)
    for index, person in enumerate(people):
        monitored(person, ethnicity="black_african" if index < black_african else "white_british")
        answered(user, person, run, "baseline", "swemwbs", swemwbs(14 + index % 5))
        answered(user, person, run, "end", "swemwbs", swemwbs(18 + index % 7))


@pytest.fixture
def staff(college: Organisation) -> dict[str, Person]:
    return {
        "coordinator": make_member(college, Membership.Role.COORDINATOR, username="coordinator"),
        "evaluator": make_member(college, Membership.Role.EVALUATOR, username="evaluator"),
    }


@pytest.fixture
def carers(college: Organisation, term: Term, staff: dict[str, Person]) -> list[Person]:
    """Twenty carers on the term's two courses, which the coordinator set up."""
    user = staff["coordinator"].user
    asked_at_baseline("swemwbs")
    people = [participant(college, given_name=given, family_name=family) for given, family in CARERS]
    took_part(
        user,
        finished_run_in(term, user, title=PSYCHOSIS, days_ago=100),
        people[:ON_PSYCHOSIS_COURSE],
        black_african=BLACK_AFRICAN,
    )
    took_part(user, finished_run_in(term, user, title=WELLBEING, days_ago=80), people[ON_PSYCHOSIS_COURSE:])
    return people


def names_of(people: Iterable[Person]) -> list[str]:
    return [name for person in people for name in (person.full_name, person.family_name)]


def assert_nobody_named(text: str, names: list[str], where: str) -> None:
    found = [name for name in names if name in text]
    assert not found, f"{where} names carers: {found}"


def ethnicity_count(page: Page, label: str) -> Locator:
    """The count cell of one row in the reach page's ethnicity table."""
    table = page.get_by_role("table", name="Ethnicity (19 categories)", exact=True)
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))
    return row.get_by_role("cell").first


def back_link(page: Page) -> Locator:
    return page.locator("a.nhsuk-back-link")


def fits_the_screen(page: Page) -> bool:
    """Whether the page is no wider than the window (wide tables and charts scroll inside it)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def download(page: Page, link: str, folder: Path) -> Path:
    """Click a download link as a person would, and keep the file it gives."""
    with page.expect_download() as started:
        page.get_by_role("link", name=link, exact=True).click()
    saved = folder / started.value.suggested_filename
    started.value.save_as(saved)
    return saved


def test_an_evaluator_builds_the_programme_report_for_a_term_and_downloads_it(
    open_page: OpenPage, term: Term, carers: list[Person], tmp_path: Path
) -> None:
    names = names_of(carers)

    evaluator = open_page()
    log_in(evaluator, "evaluator", TEST_PASSWORD)
    follow(evaluator, evaluator.locator("header").get_by_role("link", name="Reports", exact=True))
    expect(evaluator.get_by_role("heading", level=1)).to_have_text("Reports")
    dashboard = evaluator.url
    assert_nobody_named(evaluator.content(), names, "The dashboard")

    # Each report by its link on the dashboard (read once: axe has checked the dashboard).
    links = {title: evaluator.get_by_role("link", name=title, exact=True).get_attribute("href") for title in REPORTS}
    for title, href in links.items():
        assert href
        visit(evaluator, href)
        expect(evaluator.get_by_role("heading", level=1)).to_have_text(title)
        assert_nobody_named(evaluator.content(), names, title)
        if title == REPORTS[0]:
            # Three is a small count: hidden from an evaluator.
            expect(evaluator.get_by_text("Disclosure control").first).to_be_visible()
            hidden = ethnicity_count(evaluator, "African")
            expect(hidden.locator("[aria-hidden=true]")).to_have_text("*")
            expect(hidden).to_contain_text("hidden")
            expect(evaluator.get_by_text("Exact figures")).to_have_count(0)

    # The outcomes for SWEMWBS alone, course by course.
    follow(evaluator, back_link(evaluator))
    assert evaluator.url == dashboard
    follow(evaluator, REPORTS[1])
    evaluator.get_by_label("Measure", exact=True).select_option(label="Short Warwick-Edinburgh Mental Wellbeing Scale")
    evaluator.get_by_label("Break down by", exact=True).select_option(label="Course")
    submit(evaluator, "Show figures")
    assert "instrument=swemwbs" in evaluator.url and "by=course" in evaluator.url
    for course in (PSYCHOSIS, WELLBEING):
        expect(evaluator.get_by_role("rowheader", name=course, exact=True).first).to_be_visible()
    assert_nobody_named(evaluator.content(), names, "The outcomes by course")

    # The programme report for the term.
    visit(evaluator, dashboard)
    follow(evaluator, "Build a programme report")
    evaluator.get_by_label("Term", exact=True).select_option(label=TERM)
    submit(evaluator, "Show figures")
    assert f"term={term.slug}" in evaluator.url
    expect(evaluator.locator(".nhsuk-summary-list").first).to_contain_text(TERM)
    evaluator.get_by_label("Report title", exact=True).fill(TITLE)
    submit(evaluator, "Build the report")
    expect(evaluator.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(evaluator.get_by_role("status")).to_have_text("Your report is ready.")

    pdf = download(evaluator, "Download the report (PDF)", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    flat = " ".join(text.split())
    assert TITLE in flat and TERM in flat
    assert_nobody_named(flat, names, "The PDF")

    workbook = load_workbook(download(evaluator, "Download every table (XLSX)", tmp_path), read_only=True)
    assert workbook.sheetnames[0] == "About"
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True) if row and row[0]}
    assert about["Term"] == TERM
    # The default policy hides counts of 1 to 7.
    assert "1 to 7" in about["Disclosure control"] and "*" in about["Disclosure control"]
    cells = " ".join(
        str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row
    )
    assert_nobody_named(cells, names, "The workbook")

    follow(evaluator, "Open the report in the browser")
    expect(evaluator.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(evaluator.locator("body")).to_contain_text(TERM)
    assert_nobody_named(evaluator.content(), names, "The HTML report")

    # The coordinator sees her own organisation's figures exactly.
    coordinator = open_page()
    log_in(coordinator, "coordinator", TEST_PASSWORD)
    visit(coordinator, "/reports/reach/")
    expect(coordinator.get_by_text("Exact figures for your own organisation").first).to_be_visible()
    expect(ethnicity_count(coordinator, "African")).to_have_text(str(BLACK_AFRICAN))
    assert_nobody_named(coordinator.content(), names, "The coordinator's reach page")

    # On a phone: nothing wider than the screen.
    phone = open_page(viewport=PHONE)
    log_in(phone, "evaluator", TEST_PASSWORD)
    visit(phone, "/reports/")
    assert fits_the_screen(phone)
    visit(phone, "/reports/outcomes/?instrument=swemwbs&by=course")
    assert fits_the_screen(phone)
