"""The message screens: a run's sent messages, and writing one with a check of who it reaches first."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from markupsafe import escape

from peerpath.delivery import enrolment, reminders
from peerpath.delivery.models import SentMessage
from peerpath.delivery.tests.factories import open_run
from peerpath.people.models import Membership, Person
from peerpath.people.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
A = SentMessage.Audience


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


@pytest.fixture
def run(home_org, coordinator, actors):
    run = open_run(
        home_org,
        coordinator,
        title="Understanding psychosis",
        peer=actors["peer_tutor"].person,
        professional=actors["professional_tutor"].person,
    )
    for _ in range(2):
        person = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person
        enrolment.enrol(actor=coordinator, run_id=run.pk, person=person, agreement_accepted=True)
    mail.outbox.clear()
    return run


def list_url(run):
    return reverse("messages:message_list", kwargs={"pk": run.pk})


def create_url(run):
    return reverse("messages:message_create", kwargs={"pk": run.pk})


MESSAGE = {"audience": "all", "session": "", "subject": "Parking", "body": "Park behind the library.\nIt is free."}


def test_staff_see_the_runs_sent_messages(run, actors):
    reminders.send_run_message(actor=actors["coordinator"].user, run=run, audience=A.ALL, subject="Parking", body="Hi")

    response = actors["peer_tutor"].client.get(list_url(run))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Parking" in page
    assert "Everyone with a place" in page
    assert escape(actors["coordinator"].person.display_name) in page
    assert "0 of 2" in page  # queued: nothing goes until the transaction commits


def test_the_message_list_costs_the_same_queries_however_many_messages(run, actors, assert_flat_query_count):
    client = actors["coordinator"].client
    session = run.sessions.first()
    senders = [actors["coordinator"].user, actors["peer_tutor"].user, UserFactory()]

    def grow(count: int) -> None:
        SentMessage.objects.bulk_create(
            SentMessage(
                run=run,
                session=session if index % 2 else None,
                audience=A.ATTENDED if index % 2 else A.ALL,
                subject=f"Message {index}",
                body="Hello",
                sent_by=senders[index % 3],
                recipients=2,
            )
            for index in range(count)
        )

    # session, user, the user's roles, the run, whether they facilitate it, the messages with senders.
    assert_flat_query_count(lambda: client.get(list_url(run)), grow, expected=6)


def test_continuing_shows_who_the_message_reaches_before_anything_is_sent(run, actors):
    response = actors["peer_tutor"].client.post(create_url(run), MESSAGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Check your message" in page
    assert "Send to 2 people" in page
    assert "Park behind the library.<br>It is free." in page
    assert 'type="hidden" name="subject" value="Parking"' in page
    assert not SentMessage.objects.exists()
    assert mail.outbox == []


def test_the_check_page_counts_people_without_an_email_address(run, actors):
    Person.objects.filter(pk=run.enrolments.first().person_id).update(email="")

    page = actors["coordinator"].client.post(create_url(run), MESSAGE).content.decode()

    assert "Send to 1 person" in page
    assert "1 person in this group has no email address" in page


def test_sending_records_the_message_and_emails_each_person(run, actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = actors["coordinator"].client.post(create_url(run), {**MESSAGE, "send": "yes"})

    assert response.status_code == 302
    assert response["Location"] == list_url(run)
    message = SentMessage.objects.get()
    assert (message.recipients, message.delivered, message.sent_by) == (2, 2, actors["coordinator"].user)
    assert message.body == "Park behind the library.\nIt is free."
    assert len(mail.outbox) == 2
    assert all(len(email.to) == 1 for email in mail.outbox)
    banner = actors["coordinator"].client.get(list_url(run)).content.decode()
    assert "Your message is on its way to 2 people" in banner


def test_changing_the_message_goes_back_to_the_form_with_what_was_written(run, actors):
    response = actors["coordinator"].client.post(create_url(run), {**MESSAGE, "change": "yes"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Write a message" in page
    assert 'value="Parking"' in page
    assert "Park behind the library." in page
    assert not SentMessage.objects.exists()


def test_an_empty_message_is_shown_again_with_its_errors(run, actors):
    response = actors["coordinator"].client.post(create_url(run), {})

    page = response.content.decode()
    assert response.status_code == 400
    for error in ("Select who the message is for", "Enter a subject", "Enter a message"):
        assert error in page
    assert page.count("There is a problem") == 1


def test_sending_to_a_group_with_nobody_in_it_is_refused_on_the_form(run, actors):
    check = actors["coordinator"].client.post(create_url(run), {**MESSAGE, "audience": "waitlisted"})
    sent = actors["coordinator"].client.post(create_url(run), {**MESSAGE, "audience": "waitlisted", "send": "yes"})

    assert "Nobody to send to" in check.content.decode()
    assert "Send to" not in check.content.decode()
    assert sent.status_code == 400
    assert "Nobody in this group has an email address" in sent.content.decode()
    assert not SentMessage.objects.exists()


def test_the_message_is_escaped_on_the_check_page(run, actors):
    body = '<script>alert("hi")</script>'

    page = actors["coordinator"].client.post(create_url(run), {**MESSAGE, "body": body}).content.decode()

    assert body not in page
    assert "&lt;script&gt;" in page


def test_only_sessions_that_have_started_can_be_chosen(run, actors):
    first = run.sessions.get(number=1)

    before = actors["coordinator"].client.get(create_url(run)).content.decode()
    with time_machine.travel(first.starts_at + datetime.timedelta(minutes=5), tick=False):
        client = Client()  # weeks later: a new sign-in
        client.force_login(actors["coordinator"].user)
        during = client.get(create_url(run)).content.decode()

    assert "Which session?" not in before
    assert "Which session?" in during
    assert f"Session 1: {first.topic}" in during
    assert "Session 2:" not in during


def test_a_session_of_another_run_cannot_be_chosen(run, home_org, actors):
    other = open_run(home_org, actors["coordinator"].user).sessions.first()

    response = actors["coordinator"].client.post(create_url(run), {**MESSAGE, "session": str(other.pk)})

    assert response.status_code == 400
    assert "Select a session from the list" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("participant", 404), ("assessor", 404), ("outsider", 404), ("anonymous", 302), ("professional_tutor", 200)],
)
def test_who_may_write_messages(run, actors, role, status):
    assert actors[role].client.get(create_url(run)).status_code == status


def test_the_coordinator_of_the_course_owner_sees_a_partners_run_but_cannot_message_it(run, other_org, actors):
    course = run.version.course
    course.owner = other_org
    course.save(update_fields=["owner"])

    assert actors["outsider"].client.get(list_url(run)).status_code == 403
