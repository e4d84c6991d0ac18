"""Support group meetings, recorded in a real browser, with axe on every page.

A peer facilitator, on a phone after the group, records who came to a named group;
a coordinator adds an anonymous group with a partner, records a head count and a
safeguarding flag for it, then corrects the count.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import make_member
from peerpath.delivery.models import GroupMeeting, SupportGroup
from peerpath.delivery.tests.factories import GroupMeetingFactory, SupportGroupFactory
from peerpath.people.models import Membership, Organisation, Person
from peerpath.people.tests.factories import TEST_PASSWORD, AreaFactory, MembershipFactory, OrganisationFactory
from tests.browser.conftest import PHONE, OpenPage, follow, log_in, submit, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLEGE = "South West London Recovery College"


@pytest.fixture
def college() -> Organisation:
    return OrganisationFactory(name=COLLEGE, area=AreaFactory(code="E09000024", name="Merton"))


@pytest.fixture
def coordinator(college: Organisation) -> Person:
    return make_member(college, Membership.Role.COORDINATOR, username="coordinator")


@pytest.fixture
def facilitator(college: Organisation) -> Person:
    person = make_member(college, Membership.Role.TUTOR, Membership.TutorKind.PEER, username="facilitator")
    person.given_name, person.family_name = "Grace", "Okafor"
    person.save()
    return person


def carer(college: Organisation, given: str, family: str) -> Person:
    return MembershipFactory(
        organisation=college,
        role=Membership.Role.PARTICIPANT,
        person__given_name=given,
        person__family_name=family,
    ).person


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_peer_facilitator_records_a_named_meeting_on_a_phone(
    open_page: OpenPage, college: Organisation, coordinator: Person, facilitator: Person
) -> None:
    group = SupportGroupFactory(organisation=college, name="Tuesday carers' group", area=college.area)
    ama, ben = carer(college, "Ama", "Boateng"), carer(college, "Ben", "Hughes")
    last_week = GroupMeetingFactory(
        group=group, met_on=timezone.localdate() - timedelta(days=7), recorded_by=coordinator.user
    )
    last_week.facilitators.add(facilitator)
    last_week.attendees.add(ama, ben)

    phone = open_page(viewport=PHONE)
    log_in(phone, "facilitator", TEST_PASSWORD)
    visit(phone, "/groups/")
    assert heading(phone) == "Support groups"
    follow(phone, "Tuesday carers' group")
    assert heading(phone) == "Tuesday carers' group"
    expect(phone.get_by_text("2 people, named")).to_be_visible()
    follow(phone, phone.get_by_role("button", name="Record a meeting"))
    assert heading(phone) == "Record a meeting"

    # They facilitated it: their name is already ticked, and today's date filled in.
    expect(phone.get_by_role("group", name="Who facilitated?").get_by_label("Grace Okafor")).to_be_checked()
    came = phone.get_by_role("group", name="Who came?")
    came.get_by_label("Ama Boateng").check()
    fill_date(phone, "When did the group meet?", timezone.localdate() + timedelta(days=1))
    submit(phone, "Save meeting", status=400)
    expect(phone.get_by_role("alert")).to_contain_text("must be today or in the past")

    fill_date(phone, "When did the group meet?", timezone.localdate())
    expect(came.get_by_label("Ama Boateng")).to_be_checked()  # kept through the error
    phone.get_by_label("What did the group talk about?").fill("Getting a break: respite and sitting services")
    submit(phone, "Save meeting")

    expect(phone.get_by_role("alert", name="Success")).to_be_visible()
    assert heading(phone) == "Tuesday carers' group"
    expect(phone.get_by_text("1 person, named")).to_be_visible()
    meeting = group.meetings.get(met_on=timezone.localdate())
    assert list(meeting.attendees.all()) == [ama]
    assert list(meeting.facilitators.all()) == [facilitator]
    assert meeting.recorded_by == facilitator.user


def test_a_coordinator_records_a_head_count_for_an_anonymous_group(
    open_page: OpenPage, college: Organisation, coordinator: Person, facilitator: Person
) -> None:
    OrganisationFactory(name="Merton Carers Centre", kind=Organisation.Kind.CARERS_CENTRE)

    page = open_page()
    log_in(page, "coordinator", TEST_PASSWORD)
    visit(page, "/groups/")
    follow(page, page.get_by_role("button", name="Add a group"))
    assert heading(page) == "Add a support group"
    page.get_by_label("Name of the group").fill("Evening drop-in")
    page.get_by_role("group", name="Partner organisations").get_by_label("Merton Carers Centre").check()
    page.get_by_label("Borough").select_option(label="Merton")
    submit(page, "Add group", status=400)  # when it meets is missing
    expect(page.get_by_role("alert")).to_contain_text("Enter when the group meets")
    page.get_by_label("When does the group meet?").fill("Every Wednesday, 7pm to 9pm")
    page.get_by_label("As a head count, without names (an anonymous group)").check()
    submit(page, "Add group")
    assert heading(page) == "Evening drop-in"
    expect(page.get_by_text("Head count only (anonymous group)")).to_be_visible()
    expect(page.get_by_text("Merton Carers Centre")).to_be_visible()
    group = SupportGroup.objects.get()
    follow(page, page.get_by_role("button", name="Record a meeting"))

    page.get_by_role("group", name="Who facilitated?").get_by_label("Grace Okafor").check()
    page.get_by_label("How many people came?").fill("lots")
    submit(page, "Save meeting", status=400)
    expect(page.get_by_role("alert")).to_contain_text("How many people came must be a whole number, like 8")

    page.get_by_label("How many people came?").fill("9")
    page.get_by_label("A safeguarding concern was raised").check()
    submit(page, "Save meeting")
    expect(page.get_by_role("alert", name="Success")).to_be_visible()
    expect(page.get_by_text("9 people (head count)")).to_be_visible()
    expect(page.get_by_text("Safeguarding concern raised")).to_be_visible()

    # A late arrival: correct the count.
    follow(page, page.get_by_role("link", name="(change)", exact=False).first)
    assert heading(page).startswith("Change the meeting on")
    page.get_by_label("How many people came?").fill("10")
    submit(page, "Save meeting")
    expect(page.get_by_text("10 people (head count)")).to_be_visible()

    meeting = GroupMeeting.objects.get()
    assert (meeting.head_count, meeting.safeguarding_concern) == (10, True)
    assert not meeting.attendees.exists()
    assert meeting.group == group
