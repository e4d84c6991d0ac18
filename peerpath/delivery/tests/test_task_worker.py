"""With the production task backend, emails wait in the database until ``db_worker`` sends them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from peerpath.delivery import enrolment
from peerpath.delivery.tests.factories import open_run
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings):
    """The production backend (django-tasks resets its backends when TASKS changes)."""
    settings.TASKS = DATABASE_TASKS


@pytest.mark.django_db(transaction=True)
def test_an_enrolment_email_is_queued_and_sent_by_the_worker(database_tasks, actors, home_org):
    run = open_run(home_org, actors["coordinator"].user)
    person = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person
    enrolment.enrol(actor=actors["coordinator"].user, run_id=run.pk, person=person, agreement_accepted=True)

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "peerpath.delivery.tasks.send_enrolment_email"
    assert mail.outbox == []

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert [message.to for message in mail.outbox] == [[person.email]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
