"""Invitations: links (tokens), schedules and their windows, the job that invites, sends and
reminds, consent, and answering through a link."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from peerpath.core.models import AuditEvent
from peerpath.delivery import enrolment
from peerpath.delivery.models import Attendance, CourseRun, Enrolment
from peerpath.delivery.tests.factories import move_sessions, open_run
from peerpath.evaluation import invitations, responses, schedules, tokens
from peerpath.evaluation.models import (
    InstrumentVersion,
    Invitation,
    Response,
    SafetyAlert,
    Schedule,
    ScheduleInstrument,
)
from peerpath.evaluation.responses import AnswerError
from peerpath.evaluation.tests.test_responses import shipped
from peerpath.people.models import Consent, Membership, Person
from peerpath.people.services import record_consent
from peerpath.people.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

GSE_ANSWERS = {f"q{n}": 3 for n in range(1, 11)}
PHQ9_ANSWERS = {f"q{n}": 1 for n in range(1, 9)} | {"q9": 0}


# ---------------------------------------------------------------------------------------
# Building blocks


def consent(person: Person, actor, decision: str = Consent.Decision.GIVEN) -> None:
    record_consent(
        actor=actor,
        person=person,
        purpose=Consent.Purpose.EVALUATION,
        decision=decision,
        method=Consent.Method.ONLINE,
        decided_on=timezone.localdate(),
    )


def schedule(category: str = "", *, timepoint: str, codes: list[str], days: int = 0, **fields) -> Schedule:
    for code in codes:
        shipped(code)
    made = Schedule.objects.create(category=category, timepoint=timepoint, days=days, **fields)
    ScheduleInstrument.objects.bulk_create(
        ScheduleInstrument(schedule=made, instrument_code=code, position=index) for index, code in enumerate(codes)
    )
    return made


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


@pytest.fixture
def run(home_org, coordinator) -> CourseRun:
    """An open run of a recovery-college course whose first session is in 5 days."""
    return open_run(home_org, coordinator, first_day=timezone.localdate() + timedelta(days=5))


def carer_on(run: CourseRun, coordinator, *, email: str = "", consenting: bool = True) -> Person:
    person = MembershipFactory(organisation=run.organisation, role=Membership.Role.PARTICIPANT).person
    person.email = "" if email is None else email or f"{person.pk.hex[:12]}@example.org"
    person.save(update_fields=["email"])
    if consenting:
        consent(person, coordinator)
    enrolment.enrol(actor=coordinator, run_id=run.pk, person=person, agreement_accepted=True)
    return person


def baseline_schedule(run: CourseRun, codes=("gse", "phq9")) -> Schedule:
    return schedule(run.version.course.category, timepoint="baseline", codes=list(codes), days=7)


def invite_all(run: CourseRun, coordinator, count: int = 1) -> list[Person]:
    people = [carer_on(run, coordinator) for _ in range(count)]
    baseline_schedule(run)
    assert invitations.create_due_invitations() == count
    return people


# ---------------------------------------------------------------------------------------
# Tokens


def test_a_token_opens_its_invitation_and_nothing_else(run, coordinator):
    [person] = invite_all(run, coordinator)
    invitation = Invitation.objects.get(person=person)
    token = tokens.token_for(invitation)

    assert len(token) == 64
    assert tokens.find(token) == invitation
    # The same id with another tag, a tag moved to another id, junk and nothing are all refused.
    assert tokens.find(token[:32] + "0" * 32) is None
    other = Invitation.objects.create(
        person=person, run=run, timepoint="end", nonce=tokens.new_nonce(), expires_at=invitation.expires_at
    )
    assert tokens.find(other.pk.hex + token[32:]) is None
    assert tokens.find(token.upper()) is None
    assert tokens.find(token[:-1]) is None
    assert tokens.find("") is None


def test_a_new_nonce_kills_every_earlier_link(run, coordinator):
    [person] = invite_all(run, coordinator)
    invitation = Invitation.objects.get(person=person)
    old = tokens.token_for(invitation)

    invitation.nonce = tokens.new_nonce()
    invitation.save(update_fields=["nonce"])

    assert tokens.find(old) is None
    assert tokens.find(tokens.token_for(invitation)) == invitation


def test_the_database_alone_cannot_make_a_token(run, coordinator):
    """Someone holding a copy of the database (the id and the nonce) but not the site's key
    makes a token the site does not accept."""
    [person] = invite_all(run, coordinator)
    stored = Invitation.objects.get(person=person)
    with override_settings(SECRET_KEY="a-guess-at-the-secret-key-made-by-someone-with-the-data"):
        forged = tokens.token_for(stored)

    assert forged[:32] == stored.pk.hex  # the id part is public
    assert tokens.find(forged) is None
    assert tokens.find(tokens.token_for(stored)) == stored


# ---------------------------------------------------------------------------------------
# Schedules


def test_a_run_uses_its_own_schedule_then_its_organisations_then_the_networks(run, home_org):
    category = run.version.course.category
    network = schedule(category, timepoint="baseline", codes=["gse"])
    network_end = schedule(category, timepoint="end", codes=["gse"])
    organisation = schedule(category, timepoint="end", codes=["phq9"], organisation=home_org)
    own = schedule(timepoint="follow_up", codes=["gse"], run=run, days=90)
    switched_off = schedule(timepoint="baseline", codes=["gse"], run=run, active=False)

    [plan] = schedules.schedules_for_runs([run]).values()

    assert plan == {"baseline": None, "end": organisation, "follow_up": own}
    switched_off.delete()
    [plan] = schedules.schedules_for_runs([run]).values()
    assert plan["baseline"] == network
    assert network_end != plan["end"]


def test_schedules_for_many_runs_cost_a_fixed_number_of_queries(home_org, coordinator, django_assert_num_queries):
    runs = [open_run(home_org, coordinator) for _ in range(3)]
    schedule(runs[0].version.course.category, timepoint="baseline", codes=["gse", "phq9"])
    schedule(timepoint="end", codes=["gse"], run=runs[1])
    loaded = list(CourseRun.objects.filter(pk__in=[r.pk for r in runs]).select_related("version__course"))

    with django_assert_num_queries(4):  # own, their instruments, shared, their instruments
        plans = schedules.schedules_for_runs(loaded)
    assert plans[runs[1].pk]["end"] is not None


def test_windows_follow_the_timepoint(run):
    dates = schedules.run_dates([run.pk])[run.pk]
    sessions = list(run.sessions.order_by("starts_at"))
    baseline = schedules.window(Schedule(timepoint="baseline", days=7, open_days=60), dates)
    end = schedules.window(Schedule(timepoint="end", days=0, open_days=28), dates)
    follow_up = schedules.window(Schedule(timepoint="follow_up", days=90, open_days=28), dates)

    assert baseline.due == sessions[0].starts_at - timedelta(days=7)
    assert baseline.closes == sessions[-1].ends_at  # never after the course ends
    assert end.due == sessions[-1].starts_at and end.closes == end.due + timedelta(days=28)
    assert follow_up.due == sessions[-1].ends_at + timedelta(days=90)


# ---------------------------------------------------------------------------------------
# Making invitations


def test_the_job_invites_consenting_people_with_an_email_and_emails_each_their_link(
    run, coordinator, django_capture_on_commit_callbacks
):
    invited = carer_on(run, coordinator)
    no_consent = carer_on(run, coordinator, consenting=False)
    withdrawn = carer_on(run, coordinator)
    consent(withdrawn, coordinator, Consent.Decision.WITHDRAWN)
    no_email = carer_on(run, coordinator, email=None)
    baseline_schedule(run)

    with django_capture_on_commit_callbacks(execute=True):
        made = invitations.create_due_invitations()

    assert made == 1
    invitation = Invitation.objects.get()
    assert invitation.person == invited
    assert {no_consent, withdrawn, no_email}.isdisjoint({invitation.person})
    assert [q.instrument_version.code for q in invitation.questionnaires.all()] == ["gse", "phq9"]
    assert invitation.expires_at == run.sessions.order_by("-ends_at").first().ends_at
    [email] = mail.outbox
    assert email.to == [invited.email]
    assert tokens.link_for(invitation) in email.body
    assert "2 short questionnaires" in email.body
    assert "General Self-Efficacy Scale" in email.body
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    event = AuditEvent.objects.get(action="evaluation.invitations_created")
    assert event.data["invitations"] == 1 and event.data["left_out_without_consent"] == 2


def test_the_job_is_safe_to_run_again(run, coordinator, django_capture_on_commit_callbacks):
    invite_all(run, coordinator, count=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations.create_due_invitations() == 0
    assert Invitation.objects.count() == 2


def test_nothing_is_made_before_the_window_opens_or_after_it_closes(run, coordinator):
    carer_on(run, coordinator)
    schedule(run.version.course.category, timepoint="baseline", codes=["gse"], days=2)
    due = run.sessions.order_by("starts_at").first().starts_at - timedelta(days=2)
    assert invitations.create_due_invitations(due - timedelta(minutes=1)) == 0
    last_end = run.sessions.order_by("-ends_at").first().ends_at
    assert invitations.create_due_invitations(last_end + timedelta(minutes=1)) == 0
    assert invitations.create_due_invitations(due + timedelta(minutes=1)) == 1


def test_licensed_wording_that_is_not_installed_and_the_colleges_own_measure_are_left_out(run, coordinator):
    carer_on(run, coordinator)
    shipped("recollect")
    schedule(run.version.course.category, timepoint="baseline", codes=["swemwbs", "gse", "recollect"], days=7)

    invitations.create_due_invitations()

    invitation = Invitation.objects.get()
    assert [q.instrument_version.code for q in invitation.questionnaires.all()] == ["gse"]


def test_installed_wording_lets_a_licensed_instrument_go_online(run, coordinator, settings, tmp_path):
    carer_on(run, coordinator)
    swemwbs = responses.instrument_for(shipped("swemwbs"))
    settings.PEERPATH_INSTRUMENT_WORDING_DIR = tmp_path
    (tmp_path / "swemwbs-v1.json").write_text(
        json.dumps(
            {
                "items": {item.id: f"Statement {item.number}" for item in swemwbs.items},
                "response_sets": {
                    name: [f"Label {i}" for i in range(len(o))] for name, o in swemwbs.response_sets.items()
                },
            }
        )
    )
    schedule(run.version.course.category, timepoint="baseline", codes=["swemwbs"], days=7)

    assert invitations.create_due_invitations() == 1


def test_a_schedule_with_nothing_askable_invites_nobody(run, coordinator):
    carer_on(run, coordinator)
    schedule(run.version.course.category, timepoint="baseline", codes=["swemwbs"], days=7)
    assert invitations.create_due_invitations() == 0


def test_end_and_follow_up_go_to_those_who_came(run, coordinator, settings):
    came = carer_on(run, coordinator)
    never_came = carer_on(run, coordinator)
    move_sessions(run, timezone.localdate() - timedelta(days=60))
    first = run.sessions.order_by("starts_at").first()
    Attendance.objects.create(
        session=first,
        enrolment=Enrolment.objects.get(person=came),
        status=Attendance.Status.PRESENT,
        recorded_by=coordinator,
    )
    Attendance.objects.create(
        session=first,
        enrolment=Enrolment.objects.get(person=never_came),
        status=Attendance.Status.ABSENT,
        recorded_by=coordinator,
    )
    category = run.version.course.category
    schedule(category, timepoint="end", codes=["gse"], open_days=365)
    schedule(category, timepoint="follow_up", codes=["gse"], days=1, open_days=365)

    assert invitations.create_due_invitations() == 2
    assert set(Invitation.objects.values_list("person", "timepoint")) == {(came.pk, "end"), (came.pk, "follow_up")}


# ---------------------------------------------------------------------------------------
# Sending, reminding, consent


def test_reminders_go_after_the_interval_at_most_the_limit(
    run, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.PEERPATH_INVITATION_REMINDERS = 2
    settings.PEERPATH_INVITATION_REMIND_DAYS = 3
    with django_capture_on_commit_callbacks(execute=True):
        invite_all(run, coordinator)
    mail.outbox.clear()
    now = timezone.now()

    def remind(at):
        with django_capture_on_commit_callbacks(execute=True):
            return invitations.send_due_reminders(at)

    assert remind(now + timedelta(days=2)) == 0
    assert remind(now + timedelta(days=3, minutes=1)) == 1
    assert remind(now + timedelta(days=3, minutes=2)) == 0  # claimed: not twice
    assert remind(now + timedelta(days=6, minutes=2)) == 1
    assert remind(now + timedelta(days=30)) == 0  # the limit
    assert [email.subject.startswith("Reminder:") for email in mail.outbox] == [True, True]
    assert Invitation.objects.get().reminders == 2


def test_answered_invitations_are_not_reminded(run, coordinator, settings, django_capture_on_commit_callbacks):
    settings.PEERPATH_INVITATION_REMIND_DAYS = 1
    with django_capture_on_commit_callbacks(execute=True):
        invite_all(run, coordinator)
    invitation = Invitation.objects.get()
    for version in (shipped("gse"), shipped("phq9")):
        answer_through(invitation, version, GSE_ANSWERS if version.code == "gse" else PHQ9_ANSWERS)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.COMPLETE

    assert invitations.send_due_reminders(timezone.now() + timedelta(days=2)) == 0


def test_an_invitation_answered_on_paper_is_completed_not_reminded(
    run, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.PEERPATH_INVITATION_REMIND_DAYS = 1
    with django_capture_on_commit_callbacks(execute=True):
        [person] = invite_all(run, coordinator)
    mail.outbox.clear()
    for version, given in ((shipped("gse"), GSE_ANSWERS), (shipped("phq9"), PHQ9_ANSWERS)):
        paper = responses.start_response(
            actor=coordinator, person=person, instrument_version=version, run=run, timepoint="baseline", mode="paper"
        )
        responses.save_answers(actor=coordinator, response=paper, answers=given)
        responses.submit(actor=coordinator, response=paper)
    # The last form typed in completes the invitation: its link stops working at once.
    assert Invitation.objects.get().status == Invitation.Status.COMPLETE

    with django_capture_on_commit_callbacks(execute=True):
        invitations.send_due_reminders(timezone.now() + timedelta(days=2))

    assert mail.outbox == []
    assert Invitation.objects.get().status == Invitation.Status.COMPLETE


def test_consent_withdrawn_after_inviting_stops_every_email_and_the_link(
    run, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.PEERPATH_INVITATION_REMIND_DAYS = 1
    with django_capture_on_commit_callbacks(execute=True):
        [person] = invite_all(run, coordinator)
    mail.outbox.clear()
    consent(person, coordinator, Consent.Decision.WITHDRAWN)

    with django_capture_on_commit_callbacks(execute=True):
        invitations.send_due_reminders(timezone.now() + timedelta(days=2))

    assert mail.outbox == []
    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.WITHDRAWN
    assert AuditEvent.objects.filter(action="evaluation.invitation_withdrawn").exists()


def test_the_job_withdraws_open_invitations_without_consent(run, coordinator):
    [person, other] = invite_all(run, coordinator, count=2)
    consent(person, coordinator, Consent.Decision.WITHDRAWN)

    assert invitations.withdraw_without_consent() == 1
    assert set(Invitation.objects.values_list("person", "status")) == {
        (person.pk, Invitation.Status.WITHDRAWN),
        (other.pk, Invitation.Status.OPEN),
    }


def test_a_failed_email_is_sent_again_by_the_next_job(
    run, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    carer_on(run, coordinator)
    baseline_schedule(run)

    def broken(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        invitations.create_due_invitations()  # the task fails, and the task log records why
    assert Invitation.objects.get().sent_at is None

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations.queue_unsent(timezone.now() + invitations.SEND_GRACE) == 1
    assert len(mail.outbox) == 1
    assert Invitation.objects.get().sent_at is not None


def test_the_command_runs_every_job(run, coordinator, django_capture_on_commit_callbacks):
    carer_on(run, coordinator)
    baseline_schedule(run)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("evaluation_jobs", stdout=out)

    assert "invitations made: 1;" in out.getvalue()
    assert len(mail.outbox) == 1


# ---------------------------------------------------------------------------------------
# Answering through a link


def answer_through(invitation: Invitation, version: InstrumentVersion, given: dict) -> Response:
    link = responses.INVITATION_LINK
    response = responses.start_response(
        actor=link, person=invitation.person, instrument_version=version, mode="online", invitation=invitation
    )
    responses.save_answers(actor=link, response=response, answers=given, invitation=invitation)
    assert responses.submit(actor=link, response=response, invitation=invitation).ok
    return response


def test_answers_through_a_link_belong_to_the_invitations_person_run_and_timepoint(run, coordinator):
    [person] = invite_all(run, coordinator)
    invitation = Invitation.objects.get()

    response = answer_through(invitation, shipped("gse"), GSE_ANSWERS)

    assert (response.person, response.run, response.timepoint, response.mode) == (person, run, "baseline", "online")
    assert response.entered_by is None
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN  # PHQ-9 still to do
    answer_through(invitation, shipped("phq9"), PHQ9_ANSWERS)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.COMPLETE and invitation.completed_at is not None


def test_a_completed_or_expired_link_refuses_answers_and_keeps_what_was_saved(run, coordinator):
    invite_all(run, coordinator)
    invitation = Invitation.objects.get()
    link = responses.INVITATION_LINK
    phq9 = responses.start_response(
        actor=link, person=invitation.person, instrument_version=shipped("phq9"), mode="online", invitation=invitation
    )
    responses.save_answers(actor=link, response=phq9, answers={"q1": "2"}, invitation=invitation)

    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    invitation.refresh_from_db()
    with pytest.raises(AnswerError, match="expired"):
        responses.save_answers(actor=link, response=phq9, answers={"q1": "3"}, invitation=invitation)
    with pytest.raises(AnswerError, match="expired"):
        responses.submit(actor=link, response=phq9, invitation=invitation)
    assert dict(phq9.answers.values_list("item_id", "value")) == {"q1": 2}


def test_a_link_cannot_answer_another_invitations_questionnaire(run, coordinator):
    first, second = invite_all(run, coordinator, count=2)
    mine, theirs = Invitation.objects.get(person=first), Invitation.objects.get(person=second)
    response = answer_through(theirs, shipped("gse"), GSE_ANSWERS)
    pending = responses.start_response(
        actor=responses.INVITATION_LINK,
        person=second,
        instrument_version=shipped("phq9"),
        mode="online",
        invitation=theirs,
    )

    with pytest.raises(AnswerError, match="someone else's"):
        responses.save_answers(actor=responses.INVITATION_LINK, response=pending, answers={"q1": 1}, invitation=mine)
    with pytest.raises(AnswerError):
        responses.start_response(
            actor=responses.INVITATION_LINK,
            person=second,
            instrument_version=shipped("gse"),
            mode="online",
            invitation=mine,
        )
    assert response.answers.count() == 10


def test_a_link_asks_only_its_own_questionnaires(run, coordinator):
    invite_all(run, coordinator)
    invitation = Invitation.objects.get()
    with pytest.raises(AnswerError, match="does not ask"):
        responses.start_response(
            actor=responses.INVITATION_LINK,
            person=invitation.person,
            instrument_version=shipped("k10"),
            mode="online",
            invitation=invitation,
        )


def test_a_safety_answer_through_a_link_is_followed_up_by_the_runs_coordinators(
    run, coordinator, django_capture_on_commit_callbacks
):
    coordinator_person = coordinator.person
    coordinator_person.email = "coordinator@example.org"
    coordinator_person.save(update_fields=["email"])
    invite_all(run, coordinator)
    invitation = Invitation.objects.get()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer_through(invitation, shipped("phq9"), PHQ9_ANSWERS | {"q9": 2})

    alert = SafetyAlert.objects.get()
    assert alert.organisation == run.organisation
    [email] = mail.outbox
    assert email.to == ["coordinator@example.org"]
    assert invitation.person.given_name not in email.body
    assert f"/evaluation/safety-alerts/{alert.pk}/" in email.body
    event = AuditEvent.objects.get(action="evaluation.safety_alert_notified")
    assert event.data == {"coordinators_emailed": 1}


def test_a_link_says_why_it_is_closed_completion_and_withdrawal_before_expiry():
    now = timezone.now()
    past, future = now - timedelta(days=1), now + timedelta(days=1)

    assert Invitation(status="open", expires_at=future).closed_because(now) is None
    assert Invitation(status="open", expires_at=past).closed_because(now) == "expired"
    assert Invitation(status="open", expires_at=now).closed_because(now) == "expired"  # the expiry moment itself
    assert Invitation(status="complete", expires_at=past).closed_because(now) == "complete"
    assert Invitation(status="withdrawn", expires_at=future).closed_because(now) == "withdrawn"


def test_starting_a_links_questionnaire_twice_goes_on_with_the_first(run, coordinator):
    invite_all(run, coordinator)
    invitation = Invitation.objects.get()

    def start():
        return responses.start_response(
            actor=responses.INVITATION_LINK,
            person=invitation.person,
            instrument_version=shipped("gse"),
            mode="online",
            invitation=invitation,
        )

    first = start()
    responses.save_answers(actor=responses.INVITATION_LINK, response=first, answers={"q1": 2}, invitation=invitation)

    assert start() == first
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert AuditEvent.objects.filter(action="evaluation.response_started").count() == 1
    assert dict(first.answers.values_list("item_id", "value")) == {"q1": 2}
