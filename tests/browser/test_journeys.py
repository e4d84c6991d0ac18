"""The main journeys through people records, in a real browser, with axe on every page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from conftest import make_member
from peerpath.people import choices
from peerpath.people.models import Consent, EqualityMonitoring, Membership, Organisation, Person
from peerpath.people.tests.factories import TEST_PASSWORD, AreaFactory, OrganisationFactory, UserFactory
from tests.browser.conftest import PHONE, OpenPage, follow, log_in, submit, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLEGE = "South West London Recovery College"


@pytest.fixture
def college() -> Organisation:
    # A data migration seeds Merton, but another transactional test's flush may have removed it.
    AreaFactory(code="E09000024", name="Merton")
    return OrganisationFactory(name=COLLEGE)


@pytest.fixture
def coordinator(college: Organisation) -> Person:
    return make_member(college, Membership.Role.COORDINATOR, username="coordinator")


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def menu(page: Page) -> Locator:
    """The header navigation."""
    return page.get_by_role("navigation", name="Menu")


def header_link(page: Page, name: str) -> Locator:
    """A header navigation link, opening "More" first if the header has folded the link into it."""
    link = menu(page).get_by_role("link", name=name, exact=True)
    more = menu(page).get_by_role("button", name="Browse More")
    if not link.is_visible() and more.is_visible():
        expect(more).to_have_attribute("aria-expanded", "false")
        more.click()
        expect(more).to_have_attribute("aria-expanded", "true")
    expect(link).to_be_visible()
    return link


def fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def fill_new_person(page: Page, *, family_name: str) -> None:
    page.get_by_label("First name", exact=True).fill("Ada")
    page.get_by_label("Last name", exact=True).fill(family_name)
    page.get_by_label("Email address (optional)").fill("ada.lovelace@example.org")
    fill_date(page, "Date of birth (optional)", date(1961, 2, 14))
    page.get_by_label("Borough (optional)").select_option(label="Merton")
    page.get_by_label("Organisation", exact=True).select_option(label=COLLEGE)
    page.get_by_role("group", name="Role").get_by_label("Participant").check()
    page.get_by_label("Relationship to the person they care for (optional)").select_option(label="Mother")


def test_coordinator_adds_person_records_consent_and_participant_fills_equality_form(
    page: Page, coordinator: Person
) -> None:
    decided_on = timezone.localdate() - timedelta(days=3)

    # The coordinator logs in through the start page and the real login form.
    visit(page, "/")
    assert heading(page) == "PeerPath"
    follow(page, page.get_by_role("button", name="Log in"))  # a link styled, and announced, as a button
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    submit(page, "Log in")
    assert heading(page) == "Hello"

    follow(page, header_link(page, "People"))
    assert heading(page) == "People"
    follow(page, page.get_by_role("button", name="Add a person"))
    assert heading(page) == "Add a person"

    # First attempt without a last name: the NHS.UK error summary links to the field.
    fill_new_person(page, family_name="")
    submit(page, "Save", status=400)
    expect(page).to_have_title(re.compile(r"^Error: Add a person"))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    summary.get_by_role("link", name="Enter a last name").click()
    last_name = page.get_by_label("Last name", exact=True)
    expect(last_name).to_be_focused()
    expect(last_name).to_have_accessible_description("Error: Enter a last name")
    expect(page.get_by_label("First name", exact=True)).to_have_value("Ada")

    page.get_by_label("Last name", exact=True).fill("Lovelace")
    submit(page, "Save")
    assert heading(page) == "Ada Lovelace"
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Ada Lovelace has been added")
    details = page.locator(".nhsuk-summary-list").first
    expect(details.locator(".nhsuk-summary-list__row", has_text="Date of birth")).to_contain_text("14 February 1961")
    expect(details.locator(".nhsuk-summary-list__row", has_text="Borough")).to_contain_text("Merton")
    expect(page.get_by_role("listitem").filter(has_text=f"Participant, {COLLEGE}")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Mother")).to_be_visible()

    # Consent, recorded from a signed paper form.
    follow(page, "Consent history and recording for Ada Lovelace")
    assert heading(page) == "Consent for Ada Lovelace"
    expect(page.get_by_text("No decisions recorded yet.")).to_be_visible()
    page.get_by_role("group", name="What is the consent for?").get_by_label("Take part in evaluation").check()
    page.get_by_role("group", name="Decision").get_by_label("Given").check()
    page.get_by_role("group", name="How was it given or withdrawn?").get_by_label("Signed paper form").check()
    fill_date(page, "Date of the decision", decided_on)
    submit(page, "Save decision")
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Consent decision recorded")
    history = page.get_by_role("table", name="Consent decisions, newest first")
    rows = history.get_by_role("row")
    expect(rows).to_have_count(2)  # the header and one decision
    expect(rows.nth(1).get_by_role("cell")).to_have_text(
        [decided_on.strftime("%-d %b %Y"), "Take part in evaluation", "Given", "Signed paper form; coordinator"],
        use_inner_text=True,  # leaves out the column names the responsive table shows only on phones
    )

    submit(page, "Log out")
    assert heading(page) == "Log in"

    # There is no screen for giving someone a login yet.
    person = Person.objects.get(email="ada.lovelace@example.org")
    person.user = UserFactory(username="ada")
    person.save(update_fields=["user"])

    log_in(page, "ada", TEST_PASSWORD)
    follow(page, header_link(page, "My profile"))
    assert heading(page) == "Ada Lovelace"
    expect(page.get_by_text("Not completed.")).to_be_visible()
    follow(page, "Fill in the equality monitoring form")
    assert heading(page) == "Equality monitoring"
    page.get_by_role("group", name="What is your age?").get_by_label("55 to 64").check()
    page.get_by_role("group", name="What is your sex?").get_by_label("Female").check()
    orientation = page.get_by_role("group", name="Which of the following best describes your sexual orientation?")
    orientation.get_by_label("Prefer not to say").check()
    page.get_by_role("group", name="What is your religion?").get_by_label("No religion").check()
    submit(page, "Save answers")
    assert heading(page) == "Ada Lovelace"
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Thank you. Your answers have been saved")
    expect(page.get_by_text(f"Completed on {timezone.localdate().strftime('%-d %B %Y')}.")).to_be_visible()

    # Her answers come back when she changes them.
    follow(page, "Change your equality monitoring answers")
    expect(orientation.get_by_label("Prefer not to say")).to_be_checked()
    expect(page.get_by_role("group", name="What is your ethnic group?").get_by_role("radio").first).not_to_be_checked()

    consent = Consent.objects.get(person=person)
    assert (consent.purpose, consent.decision, consent.method, consent.decided_on) == (
        Consent.Purpose.EVALUATION,
        Consent.Decision.GIVEN,
        Consent.Method.PAPER,
        decided_on,
    )
    assert consent.recorded_by == coordinator.user
    answers = EqualityMonitoring.objects.get(person=person)
    assert answers.completed_by_self is True
    assert (answers.age_band, answers.sex, answers.sexual_orientation, answers.religion) == (
        choices.AgeBand.AGE_55_64,
        choices.Sex.FEMALE,
        choices.PREFER_NOT_TO_SAY,
        choices.Religion.NONE,
    )
    assert answers.ethnicity == ""


def test_people_pages_pass_axe_at_phone_width_and_header_menu_works(
    open_page: OpenPage, college: Organisation, coordinator: Person
) -> None:
    grace = make_member(college, Membership.Role.PARTICIPANT, username="grace")
    Person.objects.filter(pk=grace.pk).update(given_name="Grace", family_name="Hopper")
    page = open_page(viewport=PHONE)

    visit(page, "/")
    visit(page, "/accounts/login/")
    submit(page, "Log in", status=400)
    expect(page.get_by_role("alert")).to_contain_text("Enter your username")
    log_in(page, "coordinator", TEST_PASSWORD)
    assert heading(page) == "Hello"

    follow(page, header_link(page, "People"))
    assert heading(page) == "People"
    expect(header_link(page, "People")).to_have_attribute("aria-current", "page")

    follow(page, "Hopper, Grace")
    assert heading(page) == "Grace Hopper"
    follow(page, "Consent history and recording for Grace Hopper")
    submit(page, "Save decision", status=400)
    expect(page.get_by_role("alert")).to_contain_text("Enter the date of the decision")
    visit(page, f"/people/{grace.pk}/equality-monitoring/")
    assert heading(page) == "Equality monitoring: paper form for Grace Hopper"
    visit(page, "/people/?role=nobody", status=400)
    expect(page.get_by_text("Check the filters")).to_be_visible()
    visit(page, "/people/add/")
    submit(page, "Save", status=400)
    expect(page.get_by_role("alert")).to_contain_text("Enter a first name")
    visit(page, "/no-such-page/", status=404)
    assert heading(page) == "Page not found"

    # At 320 CSS pixels (the WCAG reflow width) the header folds what does not fit into "More".
    # An administrator who also coordinates has the most items: Home, People, My profile, Administration.
    User.objects.filter(pk=coordinator.user_id).update(is_superuser=True, is_staff=True)
    page.set_viewport_size({"width": 320, "height": 640})
    visit(page, "/home/")
    more = menu(page).get_by_role("button", name="Browse More")
    expect(more).to_be_visible()
    follow(page, header_link(page, "My profile"))
    assert heading(page) == coordinator.full_name
    submit(page, "Log out")

    # The participant's own versions of the consent and equality pages.
    log_in(page, "grace", TEST_PASSWORD)
    follow(page, header_link(page, "My profile"))
    follow(page, "Change your consent choices for Grace Hopper")
    assert heading(page) == "Your consent choices"
    follow(page, "Back")
    follow(page, "Fill in the equality monitoring form")
    assert heading(page) == "Equality monitoring"


def test_coordinator_can_log_in_and_add_a_person_without_javascript(open_page: OpenPage, coordinator: Person) -> None:
    page = open_page(javascript=False)
    log_in(page, "coordinator", TEST_PASSWORD)
    assert heading(page) == "Hello"
    follow(page, header_link(page, "People"))
    follow(page, page.get_by_role("button", name="Add a person"))

    submit(page, "Save", status=400)
    page.get_by_role("alert").get_by_role("link", name="Enter a last name").click()
    expect(page).to_have_url(re.compile(r"#id_family_name$"))

    fill_new_person(page, family_name="Lovelace")
    submit(page, "Save")
    assert heading(page) == "Ada Lovelace"
    assert Person.objects.filter(family_name="Lovelace", memberships__role=Membership.Role.PARTICIPANT).exists()


def test_pages_run_their_scripts_under_the_content_security_policy(open_page: OpenPage, coordinator: Person) -> None:
    """With the policy enforced, a blocked script or style would show up as a console error."""
    page = open_page(enforce_csp=True)
    log_in(page, "coordinator", TEST_PASSWORD)
    # The inline script in nhsuk/template.jinja runs only if it carries the nonce.
    expect(page.locator("body")).to_have_class(re.compile(r"\bnhsuk-frontend-supported\b"))
    visit(page, "/people/add/")
    submit(page, "Save", status=400)
    # The nhsuk-frontend module, started by the nonce'd inline module script, focuses the summary.
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()


def test_wrong_password_is_explained_and_the_error_summary_links_into_the_page(page: Page, coordinator: Person) -> None:
    visit(page, "/accounts/login/")
    page.get_by_label("Username", exact=True).fill("coordinator")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    submit(page, "Log in", status=400)  # check_page follows every error summary link
    expect(page.get_by_role("alert")).to_contain_text("Enter a correct username and password")
