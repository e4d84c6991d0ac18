"""Calendars and messages in a real browser, on a phone, with axe on every page.

- A carer makes their calendar address, which a calendar app can then read without signing
  in; the address is shown once; they delete it.
- A coordinator moves a session, which the run's calendar then shows, and writes a message
  to everyone with a place, checking who it reaches before sending.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from conftest import make_member
from peerpath.courses.tests.factories import TermFactory, approved_course
from peerpath.delivery import calendar, enrolment
from peerpath.delivery.models import CourseRun
from peerpath.delivery.tests.factories import VenueFactory, open_run
from peerpath.people.models import Membership, Organisation, Person
from peerpath.people.tests.factories import TEST_PASSWORD, OrganisationFactory
from tests.browser.conftest import PHONE, OpenPage, log_in, submit, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Understanding psychosis: a course for families"


@pytest.fixture
def college() -> Organisation:
    return OrganisationFactory(name="South West London Recovery College")


@pytest.fixture
def coordinator(college: Organisation) -> Person:
    return make_member(college, Membership.Role.COORDINATOR, username="coordinator")


@pytest.fixture
def run(college: Organisation, coordinator: Person) -> CourseRun:
    peer = make_member(college, Membership.Role.TUTOR, Membership.TutorKind.PEER, username="tutor")
    Membership.objects.filter(role=Membership.Role.TUTOR).update(
        started_on=timezone.localdate() - datetime.timedelta(days=90)
    )
    course = approved_course(college, coordinator.user, title=TITLE)
    term = TermFactory(organisation=college, name="Spring 2027", starts_on=timezone.localdate())
    run = open_run(college, coordinator.user, course=course, term=term, peer=peer)
    run.sessions.update(venue=VenueFactory(organisation=college, name="Springfield community room"))
    for username, given in [("amara", "Amara"), ("ben", "Ben")]:
        person = make_member(college, Membership.Role.PARTICIPANT, username=username)
        person.given_name, person.email = given, f"{username}@example.org"
        person.save()
        enrolment.enrol(actor=coordinator.user, run_id=run.pk, person=person, agreement_accepted=True)
    mail.outbox.clear()
    return run


def path_of(address: str) -> str:
    return "/" + address.split("/", 3)[3]


def read_feed(address: str) -> Calendar:
    """Fetch an address as a calendar app would: no cookie, no sign-in."""
    response = Client().get(path_of(address))
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def test_a_carer_adds_their_sessions_to_their_phones_calendar(open_page: OpenPage, run: CourseRun) -> None:
    phone = open_page(viewport=PHONE)
    log_in(phone, "amara", TEST_PASSWORD)
    visit(phone, "/calendar/")
    submit(phone, "Make my calendar address")

    expect(phone.get_by_role("heading", name="Keep this address private")).to_be_visible()
    address = phone.get_by_label("Calendar address").input_value()
    assert phone.get_by_role("button", name="Add to my calendar").get_attribute("href").startswith("webcal://")
    feed = read_feed(address)
    assert sorted(str(event["summary"]) for event in feed.walk("VEVENT")) == sorted(
        f"{TITLE}: {topic}" for topic in run.sessions.values_list("topic", flat=True)
    )

    visit(phone, "/calendar/")
    expect(phone.get_by_text("it cannot be shown again")).to_be_visible()
    assert address not in phone.content()
    submit(phone, "Delete my calendar address")
    expect(phone.get_by_role("alert", name="Success")).to_contain_text("deleted")
    assert Client().get(path_of(address)).status_code == 404


def test_a_coordinator_moves_a_session_and_messages_the_run(
    open_page: OpenPage, run: CourseRun, coordinator: Person
) -> None:
    token = calendar.create_run_feed(actor=coordinator.user, run=run).token
    second = run.sessions.get(number=2)
    day = timezone.localdate(second.starts_at) + datetime.timedelta(days=1)
    phone = open_page(viewport=PHONE)
    log_in(phone, "coordinator", TEST_PASSWORD)

    visit(phone, f"/calendar/runs/{run.pk}/sessions/{second.pk}/move/")
    phone.get_by_label("Day").fill(str(day.day))
    phone.get_by_label("Month").fill(str(day.month))
    phone.get_by_label("Year").fill(str(day.year))
    phone.get_by_label("Start time").fill("6pm")
    phone.get_by_label("End time").fill("8pm")
    submit(phone, "Save the new time")
    expect(phone.get_by_role("alert", name="Success")).to_contain_text("Session 2 now meets on")
    event = next(
        event
        for event in read_feed(f"http://x/calendar/{token}.ics").walk("VEVENT")
        if str(event["uid"]) == calendar.event_uid(second.pk)
    )
    assert int(event["sequence"]) == 1
    assert timezone.localtime(event.decoded("dtstart")).hour == 18

    visit(phone, f"/runs/{run.pk}/messages/")
    phone.get_by_role("button", name="Write a message").click()
    phone.wait_for_url(f"**/runs/{run.pk}/messages/new/")
    submit(phone, "Continue", status=400)
    expect(phone.get_by_role("alert")).to_contain_text("Select who the message is for")
    phone.get_by_label("Everyone with a place").check()
    phone.get_by_label("Subject").fill("Session 2 has moved")
    phone.get_by_label("Message").fill("We now meet on the evening after.\nSame room.")
    submit(phone, "Continue")
    expect(phone.get_by_text("2 people", exact=True)).to_be_visible()
    submit(phone, "Send to 2 people")
    expect(phone.get_by_role("alert", name="Success")).to_contain_text("on its way to 2 people")
    expect(phone.get_by_role("cell", name="2 of 2")).to_be_visible()
    assert sorted(message.to[0] for message in mail.outbox) == ["amara@example.org", "ben@example.org"]
