"""An administrator exports a programme, then adopts the dementia carers' model in two places.

A Recovery College runs the carers' programme (two approved courses, built here rather than
seeded). Its administrator opens Programmes from the header, reads the programme's page and
exports it: the status page says when the bundle is ready, and the bundle she downloads reads
back as the same programme. Then she imports the
dementia carers' model that comes with PeerPath for a carers' centre, checking the preview
first, and finds its dementia courses and schemes on the new programme's page, in that
programme's own words. Last, on her phone, she imports the same model for the college too:
its schemes now belong to the centre's programme, so the preview asks about each, and refuses
to import until she has answered. axe runs on every page, at both widths.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from peerpath.bundles import reading
from peerpath.courses.tests.factories import approved_course
from peerpath.people.models import Organisation
from peerpath.people.tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory
from peerpath.programmes.models import Programme
from tests.browser.conftest import PHONE, OpenPage, follow, log_in, submit, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLEGE = "South West London Recovery College"
CENTRE = "Merton Carers' Centre"
DEMENTIA = "Dementia carers' peer trainer programme"
CARERS = "Carers' peer trainer programme"


@pytest.fixture
def college() -> Organisation:
    return OrganisationFactory(name=COLLEGE)


@pytest.fixture
def centre() -> Organisation:
    return OrganisationFactory(name=CENTRE, kind=Organisation.Kind.CARERS_CENTRE)


@pytest.fixture
def programme(college: Organisation) -> Programme:
    administrator = UserFactory(username="administrator", is_superuser=True, is_staff=True)
    programme = Programme.objects.create(
        owner=college,
        code="carers-mental-health",
        name=CARERS,
        summary="Carers of people with mental health problems trained as peer trainers.",
    )
    for title in ("Coping with a crisis", "Understanding psychosis"):
        approved_course(college, administrator, title=title, programme=programme)
    return programme


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def choose_model_for(page: Page, owner: str) -> None:
    page.get_by_label(f"{DEMENTIA} (a model that comes with PeerPath)").check()
    page.get_by_label("Which organisation will own the programme?").select_option(label=owner)
    submit(page, "Continue")
    assert heading(page) == "Check the programme before you import it"


def answer_every_conflict(page: Page, *, use_bundle: bool) -> int:
    """Choose the same answer to each conflict (the first radio keeps what is here); how many there were."""
    groups = page.locator("fieldset:has(input[name^='conflict-'])")
    for index in range(groups.count()):
        groups.nth(index).locator("input[type=radio]").nth(1 if use_bundle else 0).check()
    return groups.count()


def test_an_administrator_exports_a_programme_and_imports_the_dementia_model(
    open_page: OpenPage, programme: Programme, centre: Organisation, tmp_path: Path
) -> None:
    page = open_page()
    log_in(page, "administrator", TEST_PASSWORD)
    # From the home page (in the header, Programmes sits under "More" for an administrator).
    follow(page, page.get_by_role("main").get_by_role("link", name="Programmes", exact=True))
    assert heading(page) == "Programmes"
    expect(page.get_by_role("table")).to_contain_text("Carers of people with mental health problems")

    follow(page, CARERS)
    assert heading(page) == CARERS
    expect(page.get_by_role("heading", name="Courses for carers of people with mental health problems")).to_be_visible()
    # The bundle is built in the background (inline here): the status page says when it is ready.
    submit(page, "Export this programme")
    assert heading(page) == "Export this programme"
    expect(page.get_by_role("status")).to_have_text("The bundle is ready.")
    expect(page.get_by_text("2 courses, 0 schemes")).to_be_visible()
    with page.expect_download() as started:
        page.get_by_role("button", name="Download the bundle").click()
    saved = tmp_path / started.value.suggested_filename
    started.value.save_as(saved)
    assert saved.name.startswith("carers-mental-health-") and saved.suffix == ".zip"
    exported = reading.read(saved.read_bytes())
    assert exported.programme.name == CARERS
    assert sorted(course.title for course in exported.courses) == ["Coping with a crisis", "Understanding psychosis"]

    follow(page, CARERS)
    expect(page.get_by_role("link", name="Asked for on")).to_be_visible()
    follow(page, "All programmes")
    follow(page, page.get_by_role("button", name="Import a programme"))
    submit(page, "Continue", status=400)
    expect(page.get_by_role("link", name="Choose where the programme comes from")).to_be_visible()
    choose_model_for(page, CENTRE)
    expect(page.get_by_text(f"owned by {CENTRE}")).to_be_visible()
    expect(page.get_by_role("table", name="Courses in the bundle")).to_contain_text(
        "Understanding distressed behaviour"
    )
    answer_every_conflict(page, use_bundle=False)
    submit(page, "Import programme")

    assert heading(page) == DEMENTIA
    expect(page.get_by_role("alert", name="Success")).to_contain_text(f"{DEMENTIA} imported: 11 courses, 2 schemes")
    expect(page.get_by_text("Carers of people living with dementia").first).to_be_visible()
    expect(page.get_by_role("heading", name="Courses for carers of people living with dementia")).to_be_visible()
    courses = page.get_by_role("table", name=f"Courses in {DEMENTIA}")
    expect(courses).to_contain_text("Understanding dementia: types and what to expect")
    expect(page.get_by_role("table", name=f"Accreditation schemes of {DEMENTIA}")).to_contain_text(
        "Accredited dementia carer peer trainer"
    )
    expect(page.locator("dl").first).to_contain_text("dementia")
    follow(page, "Understanding dementia: types and what to expect")

    # On her phone, the same model for the college: the schemes are the centre's now.
    phone = open_page(viewport=PHONE)
    log_in(phone, "administrator", TEST_PASSWORD)
    visit(phone, "/programmes/")
    follow(phone, DEMENTIA)
    visit(phone, "/programmes/import/")
    choose_model_for(phone, COLLEGE)
    expect(phone.get_by_role("heading", name="Conflicts to resolve")).to_be_visible()
    submit(phone, "Import programme", status=400)
    expect(phone.get_by_role("link", name="Choose what to do about accreditation scheme").first).to_be_visible()
    assert answer_every_conflict(phone, use_bundle=True) >= 2
    phone.get_by_label("Programme name").fill("Dementia carers at the college")
    submit(phone, "Import programme")
    assert heading(phone) == "Dementia carers at the college"
    expect(phone.get_by_text(COLLEGE).first).to_be_visible()
    expect(phone.get_by_role("table", name="Accreditation schemes of Dementia carers at the college")).to_contain_text(
        "dementia-carer-peer-trainer-dementia-carers"
    )
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
