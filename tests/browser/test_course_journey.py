"""A course from idea to the public prospectus, in a real browser, with axe on every page.

A coordinator adds a course on a desktop, describes its first version, logs two
co-production activities from a phone, approves the version, offers the course
in a published term; then anyone, without logging in, finds it in the
prospectus and its PDF.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from conftest import make_member
from peerpath.courses.models import Course, CourseVersion
from peerpath.people.models import Membership, Organisation, Person
from peerpath.people.tests.factories import TEST_PASSWORD, AreaFactory, OrganisationFactory
from tests.browser.conftest import PHONE, OpenPage, follow, log_in, submit, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLEGE = "South West London Recovery College"
TITLE = "Understanding psychosis: a course for families"


@pytest.fixture
def college() -> Organisation:
    return OrganisationFactory(name=COLLEGE, area=AreaFactory(code="E09000032", name="Wandsworth"))


@pytest.fixture
def coordinator(college: Organisation) -> Person:
    return make_member(college, Membership.Role.COORDINATOR, username="coordinator")


@pytest.fixture
def carer(college: Organisation) -> Person:
    person = make_member(college, Membership.Role.TUTOR, Membership.TutorKind.PEER, username="carer")
    person.given_name, person.family_name = "Grace", "Okafor"
    person.save()
    return person


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def log_activity(page: Page, *, stage: str, hours: str, people: list[tuple[str, str | None]], decided: str) -> None:
    """Fill the quick activity form: (capacity, person or None) per row."""
    fill_date(page, "When did it happen?", timezone.localdate() - timedelta(days=2))
    page.get_by_role("group", name="Stage").get_by_label(stage, exact=True).check()
    page.get_by_label("How many hours did it take?").fill(hours)
    for index, (capacity, person) in enumerate(people, start=1):
        row = page.get_by_role("group", name=f"Person {index}", exact=True)
        if not row.is_visible():
            page.get_by_text("Add more people").click()
        row.get_by_label("Took part as").select_option(label=capacity)
        if person:
            row.get_by_label("Who (optional)").select_option(label=person)
    page.get_by_label("What was decided?").fill(decided)
    submit(page, "Save activity")
    expect(page.get_by_role("alert", name="Success")).to_be_visible()


def test_a_course_goes_from_idea_to_the_public_prospectus(
    open_page: OpenPage, coordinator: Person, carer: Person
) -> None:
    page = open_page()
    log_in(page, "coordinator", TEST_PASSWORD)

    # Add the course.
    visit(page, "/courses/")
    assert heading(page) == "Courses"
    follow(page, page.get_by_role("button", name="Add a course"))
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Summary").fill("What psychosis is, what helps, and how to look after yourself too.")
    page.get_by_role("group", name="Category").get_by_label("Recovery College course").check()
    page.get_by_role("group", name="Who is it for?").get_by_label("Carers", exact=True).check()
    page.get_by_label("Number of sessions").fill("2")
    page.get_by_label("Length of each session, in minutes").fill("120")
    submit(page, "Add course", status=400)  # no delivery mode chosen yet
    expect(page.get_by_role("alert")).to_contain_text("Select at least one way the course is delivered")
    page.get_by_role("group", name="How is it delivered?").get_by_label("In person").check()
    submit(page, "Add course")
    assert heading(page) == TITLE
    expect(page.get_by_text("Not yet co-produced").first).to_be_visible()

    # Into co-production.
    follow(page, page.get_by_role("button", name="Change status"))
    page.get_by_label("In co-production").check()
    submit(page, "Change status")
    expect(page.get_by_role("alert", name="Success")).to_be_visible()

    # Describe version 1.
    follow(page, page.get_by_role("link", name="Version 1", exact=False).first)
    follow(page, page.get_by_role("button", name="Edit this version"))
    page.get_by_label("Learning outcomes").fill("Describe psychosis in plain words\nName three sources of support")
    page.get_by_role("group", name="Session 1").get_by_label("Title").fill("What is psychosis?")
    page.get_by_role("group", name="Session 2").get_by_label("Title").fill("What helps, and looking after yourself")
    submit(page, "Save version 1")
    expect(page.get_by_text("Describe psychosis in plain words")).to_be_visible()
    version_url = page.url
    course = Course.objects.get(title=TITLE)

    # Two co-production activities, logged from a phone.
    phone = open_page(viewport=PHONE)
    log_in(phone, "coordinator", TEST_PASSWORD)
    for stage, hours, people, decided in [
        (
            "Design workshop",
            "3",
            [
                ("Lived experience as a carer", "Grace Okafor"),
                ("Professional", None),
                ("Lived experience as a service user", None),
            ],
            "Agreed the two session titles and the tone: hopeful and practical.",
        ),
        (
            "Review",
            "1.5",
            [("Lived experience as a carer", "Grace Okafor"), ("Partner organisation representative", None)],
            "Checked the handouts with the carers' group.",
        ),
    ]:
        visit(phone, f"/courses/{course.pk}/activities/new/")
        assert heading(phone) == "Log a co-production activity"
        log_activity(phone, stage=stage, hours=hours, people=people, decided=decided)
    expect(phone.get_by_text("Co-produced", exact=True).first).to_be_visible()

    # Approve the version.
    visit(page, version_url.removeprefix(page.url.split("/courses/")[0]))
    submit(page, "Approve version 1")
    expect(page.get_by_role("alert", name="Success")).to_be_visible()
    assert course.versions.get().status == CourseVersion.Status.APPROVED
    course.refresh_from_db()
    assert course.status == Course.Status.APPROVED

    # Offer it in a published term.
    visit(page, "/")
    follow(page, page.get_by_role("link", name="Terms and the prospectus"))
    follow(page, page.get_by_role("button", name="Add a term"))
    page.get_by_label("Name of the term").fill("Spring 2027")
    today = timezone.localdate()
    fill_date(page, "Start date", today)
    fill_date(page, "End date", today + timedelta(days=90))
    page.get_by_label(TITLE).check()
    page.get_by_label("Publish the prospectus for this term").check()
    submit(page, "Save term")
    expect(page.get_by_role("alert", name="Success")).to_be_visible()

    # Anyone finds it in the prospectus, without logging in.
    visitor = open_page(viewport=PHONE)
    visit(visitor, "/")
    follow(visitor, visitor.get_by_role("link", name="Browse the prospectus"))
    follow(visitor, visitor.get_by_role("link", name="Spring 2027", exact=False).first)
    term_url = visitor.url
    follow(visitor, visitor.get_by_role("link", name=TITLE))
    assert heading(visitor) == TITLE
    expect(visitor.get_by_text("Describe psychosis in plain words")).to_be_visible()
    expect(visitor.get_by_text("Grace Okafor")).to_have_count(0)  # no consent to be named
    visitor.goto(term_url)
    pdf_link = visitor.get_by_role("link", name="Download this prospectus as a PDF")
    response = visitor.request.get(term_url.split("/prospectus/")[0] + (pdf_link.get_attribute("href") or ""))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(response.body())).pages)
    assert "Understanding psychosis" in text
