"""The audit log: who did what, written with the change or not at all.

Services write their event inside their own transaction; the log never holds
the personal values it describes (names, emails, equality answers).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction

from peerpath.core import audit
from peerpath.core.models import AuditEvent
from peerpath.people import services
from peerpath.people.models import Consent, EqualityMonitoring, Membership, Person
from peerpath.people.tests.factories import AreaFactory, MembershipFactory, PersonFactory, UserFactory

# Answers picked so that each is a distinctive string, unlikely to turn up by accident.
EQUALITY_ANSWERS = {
    "age_band": "45_54",
    "ethnicity": "asian_bangladeshi",
    "sex": "female",
    "gender_same_as_sex_at_birth": "prefer_not_to_say",
    "sexual_orientation": "bisexual",
    "religion": "sikh",
    "disability": "yes_a_little",
    "marital_status": "widowed",
    "pregnant_or_recent_birth": "yes",
}
DETAILS = {
    "given_name": "Zebedee",
    "family_name": "Quillfeather",
    "preferred_name": "Zeb",
    "email": "zebedee.quillfeather@example.org",
    "phone": "020 7946 0000",
    "date_of_birth": dt.date(1968, 3, 27),
    "postcode": "SW17 0QT",
}


def _personal_values() -> list[str]:
    values = [str(value) for value in DETAILS.values()]
    return [*values, "1968-03-27", *EQUALITY_ANSWERS.values()]


def _text_of(event: AuditEvent) -> str:
    return json.dumps(event.data, default=str)


@pytest.fixture
def coordinator(actors) -> User:
    return actors["coordinator"].user


@pytest.fixture
def carer(home_org) -> Person:
    return MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person


# audit.record -----------------------------------------------------------------


@pytest.mark.parametrize(
    "actor",
    [None, AnonymousUser(), User(username="never-saved"), "coordinator", 42],
    ids=["none", "anonymous", "unsaved-user", "a-string", "an-int"],
)
@pytest.mark.django_db
def test_record_refuses_to_write_without_a_real_actor(actor):
    with pytest.raises(audit.MissingActorError):
        audit.record(actor=actor, action="test.happened")

    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_person_actor_accepts_a_user_and_refuses_system_jobs_and_non_actors():
    user = UserFactory()
    assert audit.person_actor(user) is user
    with pytest.raises(audit.MissingActorError, match="nightly-offers"):
        audit.person_actor(audit.SystemActor("nightly-offers"))
    for actor in (None, AnonymousUser(), User(username="never-saved")):
        with pytest.raises(audit.MissingActorError):
            audit.person_actor(actor)


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_system_actor_needs_a_name(name):
    with pytest.raises(ValueError, match="name"):
        audit.SystemActor(name)


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_write_outside_a_transaction():
    user = UserFactory()

    with pytest.raises(audit.NotInTransactionError):
        audit.record(actor=user, action="test.happened")

    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_record_writes_inside_a_transaction_when_autocommit_is_on():
    user = UserFactory()

    with transaction.atomic():
        audit.record(actor=user, action="test.happened")

    assert AuditEvent.objects.get().action == "test.happened"


def test_record_names_a_user_actor_and_the_target(carer, coordinator):
    event = audit.record(actor=coordinator, action="person.viewed", target=carer, data={"field": "email"})

    event.refresh_from_db()
    assert event.actor == coordinator
    assert event.actor_label == "coordinator"
    assert (event.target_type, event.target_id) == ("people.person", str(carer.pk))
    assert event.data == {"field": "email"}


def test_record_stamps_the_event_with_the_current_utc_time(coordinator):
    moment = dt.datetime(2026, 3, 2, 23, 30, 15, tzinfo=dt.UTC)

    with time_machine.travel(moment, tick=False):
        event = audit.record(actor=coordinator, action="report.exported")

    event.refresh_from_db()
    assert event.occurred_at == moment
    assert event.occurred_at.utcoffset() == dt.timedelta(0)


def test_record_labels_a_system_actor_without_a_user(carer):
    event = audit.record(actor=audit.SystemActor("retention"), action="person.anonymised", target=carer)

    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_label == "system:retention"
    assert event.target_id == str(carer.pk)


def test_record_without_a_target_leaves_the_target_blank(coordinator):
    event = audit.record(actor=coordinator, action="report.exported", ip_address="203.0.113.9")

    event.refresh_from_db()
    assert (event.target_type, event.target_id) == ("", "")
    assert event.ip_address == "203.0.113.9"


def test_audit_event_keeps_its_actor_label_when_the_user_is_deleted(carer):
    user = UserFactory(username="leaver")
    event = audit.record(actor=user, action="person.viewed", target=carer)

    user.delete()

    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_label == "leaver"


# Services write exactly the expected rows ---------------------------------------------


def _create(actor, home_org, **overrides) -> Person:
    details = {**DETAILS, "area": AreaFactory(), **overrides}
    return services.create_person(
        actor=actor,
        details=details,
        membership=services.NewMembership(home_org, Membership.Role.PARTICIPANT),
        relationship="12",
    )


def test_create_person_writes_one_person_created_event_without_personal_values(coordinator, home_org):
    AuditEvent.objects.all().delete()

    person = _create(coordinator, home_org)

    events = list(AuditEvent.objects.all())
    assert [(e.action, e.target_type, e.target_id, e.actor_id) for e in events] == [
        ("person.created", "people.person", str(person.pk), coordinator.pk)
    ]
    assert events[0].data == {"organisation": str(home_org.pk), "role": "participant"}
    text = _text_of(events[0]).lower()
    assert not [value for value in _personal_values() if value.lower() in text]


def test_update_person_records_the_changed_field_names_not_their_values(coordinator, carer):
    AuditEvent.objects.all().delete()

    services.update_person(
        actor=coordinator,
        person=carer,
        details={
            "given_name": "Zebedee",
            "email": "zebedee.quillfeather@example.org",
            "family_name": carer.family_name,
        },
    )

    event = AuditEvent.objects.get()
    assert (event.action, event.target_id) == ("person.updated", str(carer.pk))
    assert event.data == {"fields": ["email", "given_name"]}
    assert "zebedee" not in _text_of(event).lower()


def test_update_person_with_nothing_changed_writes_no_event(coordinator, carer):
    AuditEvent.objects.all().delete()

    services.update_person(actor=coordinator, person=carer, details={"given_name": carer.given_name})

    assert not AuditEvent.objects.exists()


def test_record_consent_writes_one_event_named_for_the_decision(coordinator, carer):
    AuditEvent.objects.all().delete()

    consent = services.record_consent(
        actor=coordinator,
        person=carer,
        purpose=Consent.Purpose.EVALUATION,
        decision=Consent.Decision.WITHDRAWN,
        method=Consent.Method.PHONE,
        decided_on=dt.date(2026, 1, 5),
    )

    event = AuditEvent.objects.get()
    assert (event.action, event.target_type, event.target_id) == ("consent.withdrawn", "people.person", str(carer.pk))
    assert event.data == {"purpose": "evaluation", "method": "phone", "consent": str(consent.pk)}


def test_save_equality_monitoring_writes_that_it_happened_never_the_answers(coordinator, carer):
    AuditEvent.objects.all().delete()

    services.save_equality_monitoring(actor=coordinator, person=carer, answers=EQUALITY_ANSWERS, by_self=False)

    event = AuditEvent.objects.get()
    assert (event.action, event.target_id) == ("equality_monitoring.saved", str(carer.pk))
    assert event.data == {"by_self": False, "answered": len(EQUALITY_ANSWERS)}
    assert set(event.data).isdisjoint(EQUALITY_ANSWERS)
    assert EqualityMonitoring.objects.get(person=carer).religion == "sikh"


def test_no_audit_event_ever_holds_an_equality_answer(coordinator, carer):
    services.save_equality_monitoring(actor=coordinator, person=carer, answers=EQUALITY_ANSWERS, by_self=False)
    services.save_equality_monitoring(actor=coordinator, person=carer, answers={"religion": "jewish"}, by_self=False)

    answers = {*EQUALITY_ANSWERS.values(), "jewish"}
    stored = [json.dumps(data) for data in AuditEvent.objects.values_list("data", flat=True)]
    assert AuditEvent.objects.filter(action="equality_monitoring.saved").count() == 2
    assert not [(text, answer) for text in stored for answer in answers if f'"{answer}"' in text]


# Services roll back their audit event with the change ---------------------------------


def test_create_person_with_a_taken_email_writes_neither_person_nor_event(coordinator, home_org):
    PersonFactory(email="zebedee.quillfeather@example.org")
    people, events = Person.objects.count(), AuditEvent.objects.count()

    with pytest.raises(services.DuplicateEmailError):
        _create(coordinator, home_org, email="Zebedee.Quillfeather@EXAMPLE.org")

    assert (Person.objects.count(), AuditEvent.objects.count()) == (people, events)


def test_create_person_losing_the_email_race_writes_neither_person_nor_event(coordinator, home_org, monkeypatch):
    # The database constraint, not the pre-check, is what stops a concurrent duplicate.
    monkeypatch.setattr(services, "_check_email_free", lambda *args, **kwargs: None)
    PersonFactory(email="zebedee.quillfeather@example.org")
    people, events = Person.objects.count(), AuditEvent.objects.count()

    with pytest.raises(services.DuplicateEmailError):
        _create(coordinator, home_org)

    assert (Person.objects.count(), AuditEvent.objects.count()) == (people, events)


def test_create_person_failing_after_the_insert_rolls_back_the_person(coordinator, home_org):
    people, events = Person.objects.count(), AuditEvent.objects.count()

    # A tutor without a kind breaks a check constraint after the person row is written.
    with pytest.raises(IntegrityError):
        services.create_person(
            actor=coordinator,
            details=DETAILS,
            membership=services.NewMembership(home_org, Membership.Role.TUTOR, ""),
        )

    assert (Person.objects.count(), AuditEvent.objects.count()) == (people, events)


def test_a_failing_audit_write_rolls_back_the_change(coordinator, carer, monkeypatch):
    def broken_record(**kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(audit, "record", broken_record)
    old_name = carer.given_name

    with pytest.raises(RuntimeError):
        services.update_person(actor=coordinator, person=carer, details={"given_name": "Zebedee"})

    assert Person.objects.get(pk=carer.pk).given_name == old_name


def test_update_person_to_a_taken_email_changes_nothing(coordinator, carer):
    PersonFactory(email="zebedee.quillfeather@example.org")
    AuditEvent.objects.all().delete()
    old = (carer.given_name, carer.email)

    with pytest.raises(services.DuplicateEmailError):
        services.update_person(
            actor=coordinator,
            person=carer,
            details={"given_name": "Zebedee", "email": "zebedee.quillfeather@example.org"},
        )

    stored = Person.objects.get(pk=carer.pk)
    assert (stored.given_name, stored.email) == old
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_services_refuse_to_change_anything_without_an_actor(actor, carer, home_org):
    people = Person.objects.count()

    with pytest.raises(audit.MissingActorError):
        _create(actor, home_org)
    with pytest.raises(audit.MissingActorError):
        services.update_person(actor=actor, person=carer, details={"given_name": "Zebedee"})
    with pytest.raises(audit.MissingActorError):
        services.save_equality_monitoring(actor=actor, person=carer, answers=EQUALITY_ANSWERS, by_self=False)

    assert Person.objects.count() == people
    assert Person.objects.get(pk=carer.pk).given_name != "Zebedee"
    assert not EqualityMonitoring.objects.filter(person=carer).exists()
