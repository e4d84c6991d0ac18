"""Course runs in a real browser, with axe on every page.

- A carer finds a run in the prospectus on a phone, enrols and sees it in their courses.
- A tutor marks a register on a tablet: with JavaScript each change saves in place (HTMX);
  without it the same form saves on submit.
- A full run puts the next carer on the waiting list; when a place frees, the offer
  reaches them by email and they accept it.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from conftest import make_member
from peerpath.accreditation.models import Award
from peerpath.courses.tests.factories import TermFactory, approved_course
from peerpath.delivery import enrolment
from peerpath.delivery.models import Attendance, CourseRun, Enrolment
from peerpath.delivery.tests.factories import VenueFactory, move_sessions, open_run
from peerpath.people.models import Membership, Organisation, Person
from peerpath.people.tests.factories import TEST_PASSWORD, AreaFactory, OrganisationFactory
from tests.browser.conftest import PHONE, OpenPage, follow, log_in, submit, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}
TITLE = "Understanding psychosis: a course for families"


@pytest.fixture
def college() -> Organisation:
    return OrganisationFactory(
        name="South West London Recovery College", area=AreaFactory(code="E09000032", name="Wandsworth")
    )


@pytest.fixture
def coordinator(college: Organisation) -> Person:
    return make_member(college, Membership.Role.COORDINATOR, username="coordinator")


@pytest.fixture
def tutors(college: Organisation) -> tuple[Person, Person]:
    peer = make_member(college, Membership.Role.TUTOR, Membership.TutorKind.PEER, username="tutor")
    professional = make_member(college, Membership.Role.TUTOR, Membership.TutorKind.PROFESSIONAL, username="nurse")
    return peer, professional


def carer(college: Organisation, username: str, given: str, family: str) -> Person:
    person = make_member(college, Membership.Role.PARTICIPANT, username=username)
    person.given_name, person.family_name = given, family
    person.email = f"{username}@example.org"
    person.save()
    return person


def a_run(college, coordinator, tutors, *, capacity: int, first_day: datetime.date) -> CourseRun:
    today = timezone.localdate()
    course = approved_course(college, coordinator.user, title=TITLE)
    term = TermFactory(organisation=college, name="Spring 2027", starts_on=today - datetime.timedelta(days=30))
    term.courses.add(course)
    run = open_run(
        college,
        coordinator.user,
        capacity=capacity,
        course=course,
        term=term,
        first_day=first_day,
        peer=tutors[0],
        professional=tutors[1],
    )
    venue = VenueFactory(organisation=college, name="Springfield community room", area=college.area)
    run.sessions.update(venue=venue)
    return run


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def test_a_carer_finds_a_course_on_a_phone_and_enrols(open_page: OpenPage, college, coordinator, tutors) -> None:
    run = a_run(college, coordinator, tutors, capacity=12, first_day=timezone.localdate() + datetime.timedelta(days=14))
    carer(college, "amara", "Amara", "Mensah")
    phone = open_page(viewport=PHONE)
    visit(phone, "/prospectus/")
    follow(phone, phone.get_by_role("link", name="Spring 2027", exact=False).first)
    card = phone.locator(".prospectus-entry", has_text=TITLE)
    expect(card).to_contain_text("Places left")
    expect(card).to_contain_text("12")
    # Not signed in: the login page comes first, then back to the course.
    follow(phone, card.get_by_role("link", name="Enrol"))
    phone.get_by_label("Username", exact=True).fill("amara")
    phone.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    submit(phone, "Log in")
    assert heading(phone) == f"Enrol on {TITLE}"
    submit(phone, "Enrol", status=400)
    expect(phone.get_by_role("alert")).to_contain_text("Confirm that you accept the student agreement")
    phone.get_by_text("Read the student agreement", exact=True).click()
    phone.get_by_label("I have read the student agreement and accept it").check()
    submit(phone, "Enrol")
    assert heading(phone) == "My courses"
    expect(phone.get_by_role("alert", name="Success")).to_contain_text("You have a place")
    expect(phone.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(phone.get_by_text("Next session:")).to_be_visible()
    assert run.enrolments.get().status == Enrolment.Status.ENROLLED

    # And in the calendar on their phone: the feed lists the run's sessions.
    follow(phone, phone.get_by_role("link", name="Add your sessions to your phone's calendar"))
    submit(phone, "Make my calendar address")
    address = phone.get_by_label("Calendar address").input_value()
    feed = Calendar.from_ical(Client().get(urlsplit(address).path).content)
    summaries = sorted(str(event["summary"]) for event in feed.walk("VEVENT"))
    assert summaries == sorted(f"{TITLE}: {topic}" for topic in run.sessions.values_list("topic", flat=True))


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_tutor_marks_a_register_on_a_tablet(open_page: OpenPage, college, coordinator, tutors, javascript) -> None:
    run = a_run(college, coordinator, tutors, capacity=12, first_day=timezone.localdate() + datetime.timedelta(days=7))
    people = [carer(college, f"carer{n}", given, "Okafor") for n, given in enumerate(["Ada", "Bola", "Chidi"])]
    for person in people:
        enrolment.enrol(actor=coordinator.user, run_id=run.pk, person=person, agreement_accepted=True)
    move_sessions(run, timezone.localdate())  # the first session is today: its register is open
    tablet = open_page(viewport=TABLET, javascript=javascript)
    log_in(tablet, "tutor", TEST_PASSWORD)
    follow(tablet, tablet.get_by_role("link", name="Runs", exact=True).first)
    follow(tablet, tablet.get_by_role("link", name=TITLE))
    follow(tablet, tablet.get_by_role("link", name="Mark the register for session 1"))
    assert heading(tablet) == "Register: session 1"
    marks = [("Ada Okafor", "Present"), ("Bola Okafor", "Late"), ("Chidi Okafor", "Sent apologies")]
    if javascript:
        # Each change is saved as it is made, with no page load.
        for name, mark in marks:
            with tablet.expect_response(lambda response: response.request.method == "POST") as saved:
                tablet.get_by_role("group", name=name).get_by_label(mark).check()
            assert saved.value.status == 200
            expect(tablet.get_by_role("status").filter(has_text="Saved: 1 change")).to_be_visible()
    else:
        tablet.get_by_role("group", name="Ada Okafor").get_by_label("Present").check()
        tablet.get_by_role("group", name="Bola Okafor").get_by_label("Late").check()
        tablet.get_by_role("group", name="Chidi Okafor").get_by_label("Sent apologies").check()
        submit(tablet, "Save the register")
        expect(tablet.get_by_role("alert", name="Success")).to_contain_text("3 marks saved")
    marks = dict(Attendance.objects.values_list("enrolment__person__given_name", "status"))
    assert marks == {"Ada": "present", "Bola": "late", "Chidi": "apologies"}
    # The saved marks are there when the register is opened again.
    tablet.reload()
    expect(tablet.get_by_role("group", name="Bola Okafor").get_by_label("Late")).to_be_checked()


def test_a_freed_place_is_offered_to_the_next_carer_who_accepts_it(
    open_page: OpenPage, college, coordinator, tutors
) -> None:
    run = a_run(college, coordinator, tutors, capacity=1, first_day=timezone.localdate() + datetime.timedelta(days=14))
    first = carer(college, "amara", "Amara", "Mensah")
    carer(college, "ben", "Ben", "Taylor")
    enrolment.enrol(actor=coordinator.user, run_id=run.pk, person=first, agreement_accepted=True)

    ben = open_page(viewport=PHONE)
    log_in(ben, "ben", TEST_PASSWORD)
    visit(ben, f"/enrol/{run.pk}/")
    assert heading(ben) == f"Join the waiting list for {TITLE}"
    ben.get_by_label("I have read the student agreement and accept it").check()
    submit(ben, "Join the waiting list")
    expect(ben.get_by_role("alert", name="Success")).to_contain_text("number 1 on the waiting list")

    amara = open_page(viewport=PHONE)
    log_in(amara, "amara", TEST_PASSWORD)
    visit(amara, "/my-courses/")
    mail.outbox.clear()
    follow(amara, amara.get_by_role("link", name="Withdraw"))
    submit(amara, "Withdraw from the course")
    expect(amara.get_by_role("alert", name="Success")).to_contain_text("You have withdrawn")

    offer = next(message for message in mail.outbox if message.to == ["ben@example.org"])
    assert "is yours if you want it" in offer.subject
    assert "/my-courses/" in offer.body
    visit(ben, "/my-courses/")
    expect(ben.get_by_text("A place is yours if you accept it by")).to_be_visible()
    submit(ben, "Accept the place")
    expect(ben.get_by_role("alert", name="Success")).to_contain_text("You have a place")
    assert run.enrolments.get(person__given_name="Ben").status == Enrolment.Status.ENROLLED


def test_a_coordinator_sees_a_run_to_re_staff_after_a_suspension(
    open_page: OpenPage, college, coordinator, tutors
) -> None:
    run = a_run(college, coordinator, tutors, capacity=12, first_day=timezone.localdate() + datetime.timedelta(days=14))
    Award.objects.filter(holder=tutors[0]).update(status=Award.Status.SUSPENDED)
    phone = open_page(viewport=PHONE)
    log_in(phone, "coordinator", TEST_PASSWORD)
    follow(phone, phone.get_by_role("link", name="Runs to re-staff"))
    row = phone.get_by_role("row").filter(has_text=tutors[0].display_name)
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("Peer trainer")
    follow(phone, row.get_by_role("link", name=TITLE))
    assert phone.url.endswith(f"/runs/{run.pk}/")


def test_a_peer_trainer_sees_their_award_and_what_the_other_scheme_asks(
    open_page: OpenPage, college, coordinator, tutors
) -> None:
    a_run(college, coordinator, tutors, capacity=12, first_day=timezone.localdate() + datetime.timedelta(days=14))
    phone = open_page(viewport=PHONE)
    log_in(phone, "tutor", TEST_PASSWORD)
    follow(phone, phone.get_by_role("link", name="Your accreditation"))
    expect(phone.get_by_text("Accredited carer peer trainer (Recovery College)").first).to_be_visible()
    expect(phone.get_by_role("heading", name="Towards: Accredited support-group facilitator")).to_be_visible()
    phone.get_by_text("Not yet evidenced (11)").click()
    expect(phone.get_by_text("CPT-10 Co-delivering as an equal partner")).to_be_visible()
