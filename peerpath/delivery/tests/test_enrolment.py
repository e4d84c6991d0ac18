"""Places on runs: enrolment, the waiting list, offers that expire, withdrawal and completion."""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from peerpath.core.models import AuditEvent
from peerpath.delivery import enrolment, services
from peerpath.delivery.models import Attendance, CourseRun, Enrolment
from peerpath.delivery.services import DeliveryError
from peerpath.delivery.tests.factories import open_run
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
E = Enrolment.Status
R = CourseRun.Status


@pytest.fixture(autouse=True)
def _committing(django_capture_on_commit_callbacks, monkeypatch):
    """Each service call 'commits' on return, so its after-commit emails go out then, as in production."""
    for name in ("enrol", "withdraw", "accept_offer", "expire_offers", "start_due_runs", "complete_run", "cancel_run"):
        original = getattr(enrolment, name)

        def committed(*args, _original=original, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return _original(*args, **kwargs)

        monkeypatch.setattr(enrolment, name, committed)


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


def carer(organisation, n=0):
    return MembershipFactory(organisation=organisation, role=Membership.Role.PARTICIPANT).person


def enrol(user, run, person):
    return enrolment.enrol(actor=user, run_id=run.pk, person=person, agreement_accepted=True)


@pytest.fixture
def run(home_org, coordinator):
    return open_run(home_org, coordinator, capacity=2)


def test_places_fill_then_people_queue_in_order(run, home_org, coordinator):
    people = [carer(home_org, n) for n in range(5)]
    results = [enrol(coordinator, run, person) for person in people]
    assert [r.status for r in results] == [E.ENROLLED, E.ENROLLED, E.WAITLISTED, E.WAITLISTED, E.WAITLISTED]
    assert [r.position for r in results[2:]] == [1, 2, 3]
    assert [r.place_in_queue() for r in results[2:]] == [1, 2, 3]
    run.refresh_from_db()
    assert (run.places_taken, run.waiting, run.status) == (2, 3, R.FULL)
    assert list(run.status_changes.values_list("to_status", flat=True)[:1]) == [R.FULL]
    # Every change has a history row, and each person got the email for their status.
    assert results[0].status_changes.get().to_status == E.ENROLLED
    assert [m.subject.split(" ")[:4] for m in mail.outbox][:3] == [["You", "have", "a", "place"]] * 2 + [
        ["You", "are", "on", "the"]
    ]


def test_enrolling_twice_is_refused_with_a_message(run, home_org, coordinator):
    person = carer(home_org)
    enrol(coordinator, run, person)
    with pytest.raises(DeliveryError, match="already enrolled"):
        enrol(coordinator, run, person)
    assert Enrolment.objects.filter(run=run, person=person).count() == 1


def test_the_database_refuses_a_second_row_and_an_overbooked_run(run, home_org):
    person = carer(home_org)
    Enrolment.objects.create(
        run=run, person=person, status=E.ENROLLED, channel="self", agreement_accepted_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            run=run,
            person=person,
            status=E.WAITLISTED,
            position=1,
            channel="self",
            agreement_accepted_at=timezone.now(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseRun.objects.filter(pk=run.pk).update(places_taken=run.capacity + 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": R.PLANNED}, "not opened yet"),
        ({"status": R.RUNNING}, "already started"),
        ({"status": R.CANCELLED, "cancellation_reason": "Venue closed"}, "cancelled"),
        ({"enrolment_opens_on": datetime.date(2099, 1, 1)}, "Enrolment opens on 1 January 2099"),
        ({"enrolment_closes_on": datetime.date(2000, 1, 1)}, "Enrolment closed on 1 January 2000"),
    ],
)
def test_closed_runs_refuse_enrolment(run, home_org, coordinator, change, message):
    CourseRun.objects.filter(pk=run.pk).update(**change)
    with pytest.raises(DeliveryError, match=message):
        enrol(coordinator, run, carer(home_org))
    assert not run.enrolments.exists()


def test_a_run_whose_first_session_has_begun_refuses_enrolment_before_the_start_job_runs(run, home_org, coordinator):
    first = run.sessions.order_by("starts_at").first().starts_at
    with time_machine.travel(first, tick=False), pytest.raises(DeliveryError, match="already started"):
        enrol(coordinator, run, carer(home_org))
    assert run.status == R.OPEN


def test_the_student_agreement_must_be_accepted(run, home_org, coordinator):
    with pytest.raises(DeliveryError, match="student agreement") as caught:
        enrolment.enrol(actor=coordinator, run_id=run.pk, person=carer(home_org), agreement_accepted=False)
    assert caught.value.field == "agreement"


def _full_run_with_queue(run, home_org, coordinator, waiting=2):
    placed = [enrol(coordinator, run, carer(home_org, n)) for n in range(run.capacity)]
    queued = [enrol(coordinator, run, carer(home_org, 10 + n)) for n in range(waiting)]
    return placed, queued


def test_a_freed_place_is_offered_to_the_front_of_the_queue(run, home_org, coordinator, settings):
    settings.PEERPATH_OFFER_HOURS = 24
    placed, queued = _full_run_with_queue(run, home_org, coordinator)
    mail.outbox.clear()
    with time_machine.travel(timezone.now(), tick=False):
        enrolment.withdraw(actor=placed[0].person.user or coordinator, enrolment_id=placed[0].pk)
        offered = Enrolment.objects.get(pk=queued[0].pk)
        assert offered.status == E.OFFERED
        assert offered.offer_expires_at == timezone.now() + datetime.timedelta(hours=24)
    assert Enrolment.objects.get(pk=queued[1].pk).place_in_queue() == 1
    run.refresh_from_db()
    # The offer holds the place, so the run stays full.
    assert (run.places_taken, run.waiting, run.status) == (2, 1, R.FULL)
    subjects = sorted(message.subject for message in mail.outbox)
    assert any("is yours if you want it" in subject for subject in subjects)
    offer_mail = next(m for m in mail.outbox if "yours" in m.subject)
    assert offer_mail.to == [queued[0].person.email]
    assert "accept it by" in offer_mail.body


def test_an_offer_never_outlasts_the_start_of_the_course(run, home_org, coordinator, settings):
    settings.PEERPATH_OFFER_HOURS = 24 * 60
    placed, queued = _full_run_with_queue(run, home_org, coordinator, waiting=1)
    first = run.sessions.order_by("starts_at").first().starts_at
    enrolment.withdraw(actor=coordinator, enrolment_id=placed[0].pk)
    assert Enrolment.objects.get(pk=queued[0].pk).offer_expires_at == first


def test_accepting_an_offer_takes_the_place(run, home_org, coordinator):
    placed, queued = _full_run_with_queue(run, home_org, coordinator)
    enrolment.withdraw(actor=coordinator, enrolment_id=placed[1].pk)
    accepted = enrolment.accept_offer(actor=coordinator, enrolment_id=queued[0].pk)
    assert accepted.status == E.ENROLLED
    assert list(accepted.status_changes.values_list("to_status", flat=True)) == [E.WAITLISTED, E.OFFERED, E.ENROLLED]


def test_an_expired_offer_passes_to_the_next_person(run, home_org, coordinator, settings):
    settings.PEERPATH_OFFER_HOURS = 48
    placed, queued = _full_run_with_queue(run, home_org, coordinator)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        enrolment.withdraw(actor=coordinator, enrolment_id=placed[0].pk)
    # One second before the offer ends nothing happens; at the end it passes on.
    with time_machine.travel(start + datetime.timedelta(hours=48) - datetime.timedelta(seconds=1), tick=False):
        assert enrolment.expire_offers() == 0
        assert Enrolment.objects.get(pk=queued[0].pk).status == E.OFFERED
    with time_machine.travel(start + datetime.timedelta(hours=48), tick=False):
        mail.outbox.clear()
        assert enrolment.expire_offers() == 1
        with pytest.raises(DeliveryError, match="no offer to accept"):
            enrolment.accept_offer(actor=coordinator, enrolment_id=queued[0].pk)
    first, second = (Enrolment.objects.get(pk=e.pk) for e in queued)
    assert first.status == E.WITHDRAWN
    assert first.status_changes.last().reason == "The offer was not accepted in time"
    assert first.status_changes.last().changed_by_label == "offer expiry"
    assert second.status == E.OFFERED
    assert {m.to[0] for m in mail.outbox} == {first.person.email, second.person.email}
    assert AuditEvent.objects.filter(action="enrolment.status_changed", actor_label="system:offer expiry").count() == 2


def test_an_offer_past_its_time_cannot_be_accepted_before_the_job_runs(run, home_org, coordinator):
    placed, queued = _full_run_with_queue(run, home_org, coordinator, waiting=1)
    enrolment.withdraw(actor=coordinator, enrolment_id=placed[0].pk)
    later = Enrolment.objects.get(pk=queued[0].pk).offer_expires_at + datetime.timedelta(seconds=1)
    with time_machine.travel(later, tick=False), pytest.raises(DeliveryError, match="expired"):
        enrolment.accept_offer(actor=coordinator, enrolment_id=queued[0].pk)


def test_a_crash_during_the_hand_over_loses_nobodys_place(run, home_org, coordinator, monkeypatch):
    placed, queued = _full_run_with_queue(run, home_org, coordinator)
    enrolment.withdraw(actor=coordinator, enrolment_id=placed[0].pk)
    expires = Enrolment.objects.get(pk=queued[0].pk).offer_expires_at

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(enrolment, "_offer_places", crash)
    with time_machine.travel(expires, tick=False), pytest.raises(RuntimeError):
        enrolment.expire_offers()
    # The expiry rolled back with the failed hand-over: the first person still holds the offer.
    assert Enrolment.objects.get(pk=queued[0].pk).status == E.OFFERED
    assert Enrolment.objects.get(pk=queued[1].pk).status == E.WAITLISTED
    monkeypatch.undo()
    with time_machine.travel(expires, tick=False):
        assert enrolment.expire_offers() == 1
    assert Enrolment.objects.get(pk=queued[1].pk).status == E.OFFERED


def test_leaving_the_waiting_list_closes_the_gap(run, home_org, coordinator):
    _, queued = _full_run_with_queue(run, home_org, coordinator, waiting=3)
    enrolment.withdraw(actor=coordinator, enrolment_id=queued[0].pk)
    assert [Enrolment.objects.get(pk=e.pk).place_in_queue() for e in queued] == [None, 1, 2]
    run.refresh_from_db()
    assert (run.places_taken, run.waiting, run.status) == (2, 2, R.FULL)


def test_a_freed_place_with_nobody_waiting_reopens_the_run(run, home_org, coordinator):
    placed, _ = _full_run_with_queue(run, home_org, coordinator, waiting=0)
    enrolment.withdraw(actor=coordinator, enrolment_id=placed[0].pk)
    run.refresh_from_db()
    assert (run.status, run.places_taken) == (R.OPEN, 1)
    # And the person who left may come back.
    back = enrol(coordinator, run, placed[0].person)
    assert back.pk == placed[0].pk and back.status == E.ENROLLED


def test_withdrawing_twice_is_refused(run, home_org, coordinator):
    person = enrol(coordinator, run, carer(home_org))
    enrolment.withdraw(actor=coordinator, enrolment_id=person.pk)
    with pytest.raises(DeliveryError, match="nothing to withdraw"):
        enrolment.withdraw(actor=coordinator, enrolment_id=person.pk)


def test_starting_a_run_closes_offers_and_the_waiting_list(run, home_org, coordinator):
    placed, _ = _full_run_with_queue(run, home_org, coordinator)
    enrolment.withdraw(actor=coordinator, enrolment_id=placed[0].pk)
    first = run.sessions.order_by("starts_at").first().starts_at
    assert enrolment.start_due_runs(first - datetime.timedelta(minutes=1)) == 0
    assert enrolment.start_due_runs(first) == 1
    run.refresh_from_db()
    assert run.status == R.RUNNING
    assert run.enrolments.filter(status__in=(E.OFFERED, E.WAITLISTED)).count() == 0
    assert (run.places_taken, run.waiting) == (1, 0)


@pytest.mark.parametrize(
    ("attended", "sessions", "percent", "expected"),
    [
        (4, 5, 80, True),
        (3, 5, 80, False),
        (8, 10, 80, True),
        (7, 10, 80, False),
        (2, 3, 67, False),  # 66.67% is below 67%
        (2, 3, 66, True),
        (1, 1, 100, True),
        (0, 1, 1, False),
        (0, 0, 80, False),
    ],
)
def test_completion_threshold_boundaries(attended, sessions, percent, expected):
    assert enrolment.has_completed(attended, sessions, Fraction(percent, 100)) is expected


def test_completing_a_run_decides_completion_from_the_registers(home_org, coordinator, settings):
    settings.PEERPATH_COMPLETION_PERCENT = 80
    run = open_run(home_org, coordinator, capacity=4, session_count=5)
    people = [enrol(coordinator, run, carer(home_org, n)) for n in range(3)]
    sessions = list(run.sessions.order_by("number"))
    # 5 of 5 (some late), 4 of 5, 3 of 5 with apologies.
    marks = {
        people[0].pk: ["present", "late", "present", "present", "late"],
        people[1].pk: ["present", "present", "absent", "present", "present"],
        people[2].pk: ["present", "apologies", "present", "absent", "present"],
    }
    for enrolment_id, statuses in marks.items():
        for session, status in zip(sessions, statuses, strict=True):
            Attendance.objects.create(
                session=session, enrolment_id=enrolment_id, status=status, recorded_by=coordinator
            )
    services.change_status(actor=coordinator, run=run, to_status=R.RUNNING)
    result = enrolment.complete_run(actor=coordinator, run_id=run.pk)
    assert (result.completed, result.did_not_complete) == (2, 1)
    statuses = [Enrolment.objects.get(pk=p.pk).status for p in people]
    assert statuses == [E.COMPLETED, E.COMPLETED, E.DID_NOT_COMPLETE]
    assert Enrolment.objects.get(pk=people[2].pk).status_changes.last().reason == "Attended 3 of 5 sessions"


def test_cancelling_a_run_withdraws_and_tells_everyone_on_it(run, home_org, coordinator):
    placed, queued = _full_run_with_queue(run, home_org, coordinator, waiting=1)
    enrolment.withdraw(actor=coordinator, enrolment_id=placed[0].pk)  # the queue's first now holds an offer
    mail.outbox.clear()
    enrolment.cancel_run(actor=coordinator, run_id=run.pk, reason="The venue has closed")
    run.refresh_from_db()
    assert (run.status, run.places_taken, run.waiting) == (R.CANCELLED, 0, 0)
    people = [placed[1], queued[0]]
    for person in people:
        person.refresh_from_db()
        assert person.status == E.WITHDRAWN
        assert person.status_changes.last().reason == "The run was cancelled: The venue has closed"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.person.email for p in people)
    assert all("has been cancelled" in m.subject and "The venue has closed" in m.body for m in mail.outbox)


def test_a_cancellation_without_a_reason_changes_nothing(run, home_org, coordinator):
    placed = enrol(coordinator, run, carer(home_org))
    with pytest.raises(DeliveryError, match="Enter why"):
        enrolment.cancel_run(actor=coordinator, run_id=run.pk, reason="  ")
    placed.refresh_from_db()
    assert placed.status == E.ENROLLED
