"""Expiry reminders reach the holder and their coordinators once, before the end and in grace."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from peerpath.accreditation import tasks
from peerpath.accreditation.models import Award, AwardReminder, Scheme
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
ENDS = datetime.date(2029, 1, 15)


@pytest.fixture
def award(home_org, actors):
    holder = MembershipFactory(organisation=home_org, role=Membership.Role.TUTOR).person
    return Award.objects.create(
        holder=holder,
        scheme=Scheme.objects.get(code="carer-peer-trainer-rc"),
        valid_from=datetime.date(2027, 1, 15),
        valid_until=ENDS,
        granted_by=actors["assessor"].person,
    )


def run_job(day, capture):
    with capture(execute=True):
        return tasks.send_expiry_reminders(day)


def test_reminders_go_once_when_the_award_is_expiring_and_again_in_grace(
    award, actors, django_capture_on_commit_callbacks
):
    coordinator_email = actors["coordinator"].person.email
    assert run_job(ENDS - datetime.timedelta(days=61), django_capture_on_commit_callbacks) == 0
    assert run_job(ENDS - datetime.timedelta(days=60), django_capture_on_commit_callbacks) == 1
    assert run_job(ENDS - datetime.timedelta(days=59), django_capture_on_commit_callbacks) == 0
    holder_mail, coordinator_mail = mail.outbox
    assert holder_mail.to == [award.holder.email]
    assert holder_mail.subject == "Your Accredited carer peer trainer (Recovery College) ends on 15 January 2029"
    assert coordinator_email in coordinator_mail.to and award.holder.email not in coordinator_mail.to
    assert award.holder.display_name in coordinator_mail.subject
    mail.outbox.clear()
    assert run_job(ENDS + datetime.timedelta(days=1), django_capture_on_commit_callbacks) == 1
    assert "renew it by 16 March 2029" in mail.outbox[0].subject
    assert set(AwardReminder.objects.values_list("kind", flat=True)) == {"expiring", "expired"}


def test_a_failed_send_is_tried_again_next_time(award, monkeypatch, django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(tasks, "send_mail", broken)
    run_job(ENDS - datetime.timedelta(days=30), django_capture_on_commit_callbacks)
    assert not AwardReminder.objects.exists()
    monkeypatch.undo()
    assert run_job(ENDS - datetime.timedelta(days=29), django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 2


def test_the_jobs_command_expires_and_reminds(award, capsys, django_capture_on_commit_callbacks):
    day_after = datetime.datetime.combine(ENDS + datetime.timedelta(days=1), datetime.time(9), tzinfo=datetime.UTC)
    with time_machine.travel(day_after, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("accreditation_jobs")
    assert "awards expired: 1; reminders queued: 1" in capsys.readouterr().out
    award.refresh_from_db()
    assert award.status == Award.Status.EXPIRED
    assert "renew it by" in mail.outbox[0].subject


def test_the_jobs_command_refuses_a_loop_faster_than_a_minute():
    with pytest.raises(CommandError, match="60 or more"):
        call_command("accreditation_jobs", "--every", "5")
