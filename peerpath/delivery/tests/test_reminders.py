"""Session reminders (once each, only to people with a place, retried when an email fails) and
messages to a run's participants (each audience exactly, one email per person)."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command

from peerpath.core.models import AuditEvent
from peerpath.delivery import enrolment, reminders, services, sessions
from peerpath.delivery.models import Attendance, CourseRun, Enrolment, SentMessage, SessionReminder
from peerpath.delivery.services import DeliveryError
from peerpath.delivery.tests.factories import VenueFactory, open_run
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
E = Enrolment.Status
A = SentMessage.Audience
HOURS = datetime.timedelta(hours=settings.PEERPATH_REMINDER_HOURS)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run a call as if it committed on return, so its after-commit tasks run then, as in production."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def carer(organisation, given_name="Sam", email=None):
    person = MembershipFactory(organisation=organisation, role=Membership.Role.PARTICIPANT).person
    person.given_name = given_name
    if email is not None:
        person.email = email
    person.save()
    return person


def enrol(run, person, coordinator):
    return enrolment.enrol(actor=coordinator, run_id=run.pk, person=person, agreement_accepted=True)


@pytest.fixture
def run(home_org, coordinator):
    run = open_run(home_org, coordinator, title="Understanding psychosis", capacity=2)
    room = VenueFactory(organisation=home_org, name="Wellbeing hub", address="12 High Street\nTooting")
    run.sessions.update(venue=room)
    return run


@pytest.fixture
def first(run):
    return run.sessions.get(number=1)


# Reminders ---------------------------------------------------------------------------------


def test_reminders_go_once_to_each_enrolled_participant_in_the_window(run, first, home_org, coordinator, committing):
    alex, jo = carer(home_org, "Alex"), carer(home_org, "Jo")
    enrol(run, alex, coordinator)
    enrol(run, jo, coordinator)
    waiting = carer(home_org, "Kim")
    enrol(run, waiting, coordinator)
    mail.outbox.clear()

    with time_machine.travel(first.starts_at - HOURS + MINUTE, tick=False):
        sent = committing(reminders.send_due_reminders)
        again = committing(reminders.send_due_reminders)

    assert (sent, again) == (2, 0)
    assert sorted(message.to for message in mail.outbox) == sorted([[alex.email], [jo.email]])
    message = next(message for message in mail.outbox if message.to == [alex.email])
    assert message.subject.startswith("Reminder: Understanding psychosis, session 1, ")
    assert message.body.startswith("Hello Alex,")
    assert f"Session 1: {first.topic}" in message.body
    assert "Where: Wellbeing hub, 12 High Street, Tooting, SW17 0QT" in message.body
    assert f"{settings.PEERPATH_SITE_URL}/calendar/" in message.body
    assert not message.cc and not message.bcc
    assert SessionReminder.objects.filter(session=first).count() == 2


def test_a_session_outside_the_window_gets_no_reminder_yet(run, first, home_org, coordinator, committing):
    enrol(run, carer(home_org), coordinator)
    mail.outbox.clear()

    with time_machine.travel(first.starts_at - HOURS - MINUTE, tick=False):
        early = committing(reminders.send_due_reminders)
    with time_machine.travel(first.starts_at + MINUTE, tick=False):
        late = committing(reminders.send_due_reminders)

    assert (early, late) == (0, 0)
    assert mail.outbox == []


def test_a_reminder_can_be_asked_for_with_an_explicit_now(run, first, home_org, coordinator, committing):
    enrol(run, carer(home_org), coordinator)

    assert committing(reminders.send_due_reminders, now=first.starts_at - datetime.timedelta(hours=2)) == 1


def test_nobody_is_reminded_about_a_cancelled_run(run, first, home_org, coordinator, committing):
    enrol(run, carer(home_org), coordinator)
    services.cancel_run(actor=coordinator, run=run, reason="The room flooded")
    mail.outbox.clear()

    with time_machine.travel(first.starts_at - MINUTE * 30, tick=False):
        assert committing(reminders.send_due_reminders) == 0
    assert mail.outbox == []


def test_people_without_an_email_address_are_left_unclaimed(run, first, home_org, coordinator, committing):
    person = carer(home_org, email="")
    enrol(run, person, coordinator)

    with time_machine.travel(first.starts_at - HOURS + MINUTE, tick=False):
        assert committing(reminders.send_due_reminders) == 0
        person.email = "late@example.org"
        person.save(update_fields=["email"])
        assert committing(reminders.send_due_reminders) == 1
    assert mail.outbox[-1].to == ["late@example.org"]


def test_a_failed_email_is_logged_and_tried_again_on_the_next_run(
    run, first, home_org, coordinator, committing, monkeypatch, caplog
):
    enrol(run, carer(home_org), coordinator)
    mail.outbox.clear()
    original = EmailMessage.send

    def broken(self, fail_silently=False):
        raise ConnectionRefusedError("the mail server is down")

    with time_machine.travel(first.starts_at - HOURS + MINUTE, tick=False):
        monkeypatch.setattr(EmailMessage, "send", broken)
        committing(reminders.send_due_reminders)
        assert not SessionReminder.objects.exists()
        assert "send_session_reminder" in caplog.text and "FAILED" in caplog.text
        monkeypatch.setattr(EmailMessage, "send", original)
        assert committing(reminders.send_due_reminders) == 1

    assert len(mail.outbox) == 1
    assert SessionReminder.objects.count() == 1


def test_the_task_sends_nothing_once_the_participant_has_left(run, first, home_org, coordinator):
    placed = enrol(run, carer(home_org), coordinator)
    SessionReminder.objects.create(session=first, enrolment=placed)
    enrolment.withdraw(actor=coordinator, enrolment_id=placed.pk)
    mail.outbox.clear()

    assert reminders.send_session_reminder.call(str(first.pk), str(placed.pk)) is False
    assert mail.outbox == []


def test_the_task_sends_nothing_without_the_jobs_claim(run, first, home_org, coordinator):
    placed = enrol(run, carer(home_org), coordinator)
    mail.outbox.clear()

    assert reminders.send_session_reminder.call(str(first.pk), str(placed.pk)) is False
    assert mail.outbox == []


def test_a_moved_session_is_reminded_again_with_its_new_time(run, first, home_org, coordinator, committing):
    enrol(run, carer(home_org), coordinator)
    mail.outbox.clear()
    with time_machine.travel(first.starts_at - HOURS + MINUTE, tick=False):
        committing(reminders.send_due_reminders)
        later = first.starts_at - datetime.timedelta(hours=2)
        sessions.move_session(
            actor=coordinator, session=first, starts_at=later, ends_at=later + datetime.timedelta(hours=2), venue=None
        )
        assert committing(reminders.send_due_reminders) == 1

    old, new = mail.outbox
    assert "Where: Wellbeing hub" in old.body
    assert "Where: To be confirmed" in new.body
    assert old.subject != new.subject


def test_the_jobs_command_runs_every_periodic_job_once(run, first, home_org, coordinator, committing):
    enrol(run, carer(home_org), coordinator)
    out = io.StringIO()

    with time_machine.travel(first.starts_at - MINUTE, tick=False):
        committing(call_command, "delivery_jobs", stdout=out)

    assert "offers expired: 0; runs started: 0; session reminders queued: 1" in out.getvalue()
    with time_machine.travel(first.starts_at + MINUTE, tick=False):
        committing(call_command, "delivery_jobs", stdout=out)
    assert "runs started: 1; session reminders queued: 0" in out.getvalue()
    assert CourseRun.objects.get(pk=run.pk).status == CourseRun.Status.RUNNING


def test_the_jobs_command_refuses_a_bad_interval():
    with pytest.raises(CommandError, match="1 or more"):
        call_command("delivery_jobs", "--every", "0")


# Audiences -----------------------------------------------------------------------------------


@pytest.fixture
def cohort(home_org, coordinator):
    """Three sessions, two of them past with registers taken; five with places, one waiting, one who left.

    session 1: alex present, blake late, casey absent, drew apologies, frankie present
    session 2: alex present, blake absent, casey present (drew not marked); frankie has left
    session 3: still to come
    drew has no email address.
    """
    run = open_run(home_org, coordinator, title="Coping with stress", capacity=5, session_count=3)
    names = ["alex", "blake", "casey", "drew", "frankie", "erin"]
    people = {name: carer(home_org, name.title(), email="" if name == "drew" else None) for name in names}
    places = {name: enrol(run, people[name], coordinator) for name in names}
    assert places["erin"].status == E.WAITLISTED
    s1, s2, s3 = run.sessions.order_by("number")
    marks = {
        s1: {"alex": "present", "blake": "late", "casey": "absent", "drew": "apologies", "frankie": "present"},
        s2: {"alex": "present", "blake": "absent", "casey": "present"},
    }
    for session, statuses in marks.items():
        for name, status in statuses.items():
            Attendance.objects.create(session=session, enrolment=places[name], status=status, recorded_by=coordinator)
    now = s2.ends_at + datetime.timedelta(hours=1)
    run.refresh_from_db()
    with time_machine.travel(now, tick=False):
        services.change_status(actor=coordinator, run=run, to_status="running")
        enrolment.withdraw(actor=coordinator, enrolment_id=places["frankie"].pk)
    mail.outbox.clear()
    return {"run": run, "sessions": (s1, s2, s3), "people": people, "now": now}


def names(cohort, audience, session=None):
    found = reminders.audience_enrolments(cohort["run"], audience, session, cohort["now"])
    return sorted(found.values_list("person__given_name", flat=True))


def test_everyone_with_a_place_and_the_waiting_list(cohort):
    assert names(cohort, A.ALL) == ["Alex", "Blake", "Casey", "Drew"]
    assert names(cohort, A.WAITLISTED) == ["Erin"]


def test_those_who_attended_a_session_or_any_session(cohort):
    s1, s2, s3 = cohort["sessions"]

    assert names(cohort, A.ATTENDED, s1) == ["Alex", "Blake"]
    assert names(cohort, A.ATTENDED, s2) == ["Alex", "Casey"]
    assert names(cohort, A.ATTENDED, s3) == []
    assert names(cohort, A.ATTENDED) == ["Alex", "Blake", "Casey"]


def test_those_who_missed_a_session_or_any_session(cohort):
    s1, s2, _ = cohort["sessions"]

    assert names(cohort, A.MISSED, s1) == ["Casey", "Drew"]
    assert names(cohort, A.MISSED, s2) == ["Blake"]
    assert names(cohort, A.MISSED) == ["Blake", "Casey", "Drew"]


def test_those_who_attended_every_session_whose_register_was_taken(cohort):
    assert names(cohort, A.ATTENDED_ALL) == ["Alex"]


def test_attended_every_session_is_nobody_before_the_first_register(cohort):
    s1 = cohort["sessions"][0]

    assert reminders.audience_enrolments(cohort["run"], A.ATTENDED_ALL, now=s1.starts_at - MINUTE).count() == 0


def test_the_audience_size_counts_who_can_be_emailed(cohort):
    size = reminders.audience_size(cohort["run"], A.MISSED, now=cohort["now"])

    assert (size.reached, size.without_email) == (2, 1)


# Sending messages -------------------------------------------------------------------------------


def test_a_message_goes_to_each_person_on_their_own(cohort, coordinator, committing):
    s1 = cohort["sessions"][0]
    with time_machine.travel(cohort["now"], tick=False):
        message = committing(
            reminders.send_run_message,
            actor=coordinator,
            run=cohort["run"],
            audience=A.ATTENDED,
            subject="  Slides from session 1  ",
            body="Here are the slides.\n\nSee you next week.",
            session=s1,
        )

    message.refresh_from_db()
    assert (message.recipients, message.delivered, message.session) == (2, 2, s1)
    assert message.subject == "Slides from session 1"
    people = cohort["people"]
    assert sorted(email.to for email in mail.outbox) == sorted([[people["alex"].email], [people["blake"].email]])
    for email in mail.outbox:
        assert not email.cc and not email.bcc
        assert email.subject == "Slides from session 1"
        assert "Here are the slides.\n\nSee you next week." in email.body
        assert "have a place on Coping with stress" in email.body
    assert next(e for e in mail.outbox if e.to == [people["alex"].email]).body.startswith("Hello Alex,")
    event = AuditEvent.objects.get(action="message.sent")
    assert event.data == {"run": str(cohort["run"].pk), "audience": "attended", "session": str(s1.pk), "recipients": 2}


def test_the_waiting_list_is_told_why_it_hears(cohort, coordinator, committing):
    committing(
        reminders.send_run_message,
        actor=coordinator,
        run=cohort["run"],
        audience=A.WAITLISTED,
        subject="Still waiting",
        body="No place yet.",
    )

    (email,) = mail.outbox
    assert "are on the waiting list for Coping with stress" in email.body


def test_a_session_is_kept_only_for_audiences_that_use_it(cohort, coordinator):
    message = reminders.send_run_message(
        actor=coordinator,
        run=cohort["run"],
        audience=A.ALL,
        subject="Room change",
        body="We are in room 2.",
        session=cohort["sessions"][0],
    )

    assert message.session is None
    assert message.recipients == 3


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        ({"audience": "everyone"}, "Choose who", "audience"),
        ({"subject": "   "}, "Enter a subject", "subject"),
        ({"body": ""}, "Enter a message", "body"),
    ],
)
def test_a_message_is_refused_when(cohort, coordinator, changes, message, field):
    arguments = {"audience": A.ALL, "subject": "Hello", "body": "Hello", **changes}

    with pytest.raises(DeliveryError, match=message) as refused:
        reminders.send_run_message(actor=coordinator, run=cohort["run"], **arguments)

    assert refused.value.field == field
    assert not SentMessage.objects.exists()


def test_a_message_nobody_can_receive_is_refused(cohort, coordinator):
    s1, _, s3 = cohort["sessions"]

    for audience, session in [(A.ATTENDED, s3), (A.MISSED, None)]:
        if session is None:
            # Only drew, who has no email address, missed session 1 and nothing else; narrow to them.
            Attendance.objects.filter(session=s1, status="absent").delete()
            Attendance.objects.filter(session__number=2, status="absent").delete()
        with pytest.raises(DeliveryError, match="Nobody in this group"):
            reminders.send_run_message(
                actor=coordinator, run=cohort["run"], audience=audience, subject="Hi", body="Hi", session=session
            )
    assert not SentMessage.objects.exists()


def test_a_session_of_another_run_is_refused(cohort, coordinator, home_org):
    other = open_run(home_org, coordinator).sessions.first()

    with pytest.raises(DeliveryError, match="session of this run"):
        reminders.send_run_message(
            actor=coordinator, run=cohort["run"], audience=A.ATTENDED, subject="Hi", body="Hi", session=other
        )


def test_one_bad_address_does_not_stop_the_rest(cohort, coordinator, committing, monkeypatch, caplog):
    original = EmailMessage.send
    refused = cohort["people"]["blake"].email

    def picky(self, fail_silently=False):
        if self.to == [refused]:
            raise ConnectionRefusedError("mailbox unavailable")
        return original(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", picky)
    message = committing(
        reminders.send_run_message, actor=coordinator, run=cohort["run"], audience=A.ALL, subject="Hi", body="Hi"
    )

    message.refresh_from_db()
    assert (message.recipients, message.delivered) == (3, 2)
    assert "could not be sent" in caplog.text


def test_a_message_is_never_sent_twice(cohort, coordinator, committing):
    message = committing(
        reminders.send_run_message, actor=coordinator, run=cohort["run"], audience=A.ALL, subject="Hi", body="Hi"
    )

    assert reminders.send_message_emails.call(str(message.pk)) == 0
    assert len(mail.outbox) == 3
