"""People services: one transaction per change, with its audit event."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from peerpath.core.audit import MissingActorError, SystemActor
from peerpath.core.models import AuditEvent
from peerpath.people import services
from peerpath.people.choices import EthnicGroup, ethnic_group, relationship_group
from peerpath.people.models import CaringRole, Consent, EqualityMonitoring, Membership, Person
from peerpath.people.tests.factories import PersonFactory


def test_create_person_writes_person_membership_caring_role_and_audit_together(actors, home_org):
    person = services.create_person(
        actor=actors["coordinator"].user,
        details={"given_name": "Tariq", "family_name": "Hussain", "email": " Tariq@Example.ORG "},
        membership=services.NewMembership(home_org, Membership.Role.PARTICIPANT),
        relationship="13",
    )
    assert person.email == "tariq@example.org"
    assert person.memberships.get().role == Membership.Role.PARTICIPANT
    assert person.caring_roles.get().plain_label == "Father"
    event = AuditEvent.objects.get(action="person.created")
    assert event.actor == actors["coordinator"].user
    assert event.target_id == str(person.pk)
    assert "Tariq" not in str(event.data)


def test_create_person_drops_tutor_kind_for_other_roles(actors, home_org):
    person = services.create_person(
        actor=actors["coordinator"].user,
        details={"given_name": "A", "family_name": "B"},
        membership=services.NewMembership(home_org, Membership.Role.ASSESSOR, Membership.TutorKind.PEER),
    )
    assert person.memberships.get().tutor_kind == ""


def test_duplicate_email_is_refused_and_nothing_is_written(actors, home_org):
    PersonFactory(email="same@example.org")
    people, events = Person.objects.count(), AuditEvent.objects.count()
    with pytest.raises(services.DuplicateEmailError) as caught:
        services.create_person(
            actor=actors["coordinator"].user,
            details={"given_name": "A", "family_name": "B", "email": "SAME@example.org"},
            membership=services.NewMembership(home_org, Membership.Role.PARTICIPANT),
        )
    assert caught.value.field == "email"
    assert (Person.objects.count(), AuditEvent.objects.count()) == (people, events)


def test_a_failure_after_the_person_insert_rolls_everything_back(actors, home_org, monkeypatch):
    people, memberships = Person.objects.count(), Membership.objects.count()

    def fail(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(CaringRole.objects, "create", fail)
    with pytest.raises(RuntimeError):
        services.create_person(
            actor=actors["coordinator"].user,
            details={"given_name": "A", "family_name": "B"},
            membership=services.NewMembership(home_org, Membership.Role.PARTICIPANT),
            relationship="12",
        )
    assert Person.objects.count() == people
    assert Membership.objects.count() == memberships
    assert not CaringRole.objects.exists()


def test_services_refuse_to_run_without_an_actor(home_org):
    with pytest.raises(MissingActorError):
        services.create_person(
            actor=None,  # type: ignore[arg-type]
            details={"given_name": "A", "family_name": "B"},
            membership=services.NewMembership(home_org, Membership.Role.PARTICIPANT),
        )
    assert not Person.objects.exists()


def test_update_person_saves_only_changed_fields_and_skips_no_op_edits(actors, home_org):
    person = PersonFactory(given_name="Ada", family_name="Lovell", email="ada@example.org")
    services.update_person(
        actor=actors["coordinator"].user, person=person, details={"given_name": "Ada", "family_name": "Lovell"}
    )
    assert not AuditEvent.objects.filter(action="person.updated").exists()
    services.update_person(
        actor=actors["coordinator"].user, person=person, details={"given_name": "Ada", "family_name": "King"}
    )
    person.refresh_from_db()
    assert person.family_name == "King"
    assert AuditEvent.objects.get(action="person.updated").data == {"fields": ["family_name"]}


def test_update_person_refuses_someone_elses_email(actors):
    PersonFactory(email="taken@example.org")
    person = PersonFactory(email="mine@example.org")
    with pytest.raises(services.DuplicateEmailError):
        services.update_person(actor=actors["coordinator"].user, person=person, details={"email": "Taken@example.org"})
    person.refresh_from_db()
    assert person.email == "mine@example.org"


@time_machine.travel(datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_consent_history_is_appended_and_latest_decision_is_in_force(actors):
    person = PersonFactory()
    user = actors["coordinator"].user
    services.record_consent(
        actor=user,
        person=person,
        purpose="evaluation",
        decision="given",
        method="paper",
        decided_on=datetime.date(2026, 4, 1),
    )
    with time_machine.travel(datetime.datetime(2026, 5, 2, tzinfo=datetime.UTC)):
        services.record_consent(
            actor=user,
            person=person,
            purpose="evaluation",
            decision="withdrawn",
            method="phone",
            decided_on=datetime.date(2026, 5, 2),
        )
    in_force = services.current_consents(person)
    assert in_force["evaluation"].decision == Consent.Decision.WITHDRAWN
    assert Consent.objects.filter(person=person).count() == 2
    assert list(
        AuditEvent.objects.filter(target_id=str(person.pk)).values_list("action", flat=True).order_by("occurred_at")
    ) == [
        "consent.given",
        "consent.withdrawn",
    ]


@time_machine.travel(datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_consent_cannot_be_dated_in_the_future_or_recorded_by_a_job(actors):
    person = PersonFactory()
    with pytest.raises(services.PeopleError):
        services.record_consent(
            actor=actors["coordinator"].user,
            person=person,
            purpose="contact",
            decision="given",
            method="phone",
            decided_on=datetime.date(2026, 5, 2),
        )
    with pytest.raises(services.PeopleError):
        services.record_consent(
            actor=SystemActor("import"),
            person=person,
            purpose="contact",
            decision="given",
            method="phone",
            decided_on=datetime.date(2026, 5, 1),
        )
    assert not Consent.objects.exists()


def test_equality_monitoring_replaces_answers_and_audits_only_a_count(actors):
    person = actors["participant"].person
    user = actors["participant"].user
    services.save_equality_monitoring(actor=user, person=person, answers={"ethnicity": "white_irish"}, by_self=True)
    services.save_equality_monitoring(actor=user, person=person, answers={"sex": "female"}, by_self=True)
    record = EqualityMonitoring.objects.get(person=person)
    assert (record.ethnicity, record.sex) == ("", "female")
    events = AuditEvent.objects.filter(action="equality_monitoring.saved")
    assert [event.data for event in events] == [{"by_self": True, "answered": 1}] * 2
    assert "female" not in str([event.data for event in events])


def test_create_person_refuses_a_relationship_code_not_in_the_list(actors, home_org):
    with pytest.raises(services.PeopleError):
        services.create_person(
            actor=actors["coordinator"].user,
            details={"given_name": "A", "family_name": "B"},
            membership=services.NewMembership(home_org, Membership.Role.PARTICIPANT),
            relationship="77",
        )
    assert not Person.objects.filter(given_name="A", family_name="B").exists()


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("white_roma", EthnicGroup.WHITE),
        ("mixed_other", EthnicGroup.MIXED),
        ("other_arab", EthnicGroup.OTHER),
        ("prefer_not_to_say", None),
    ],
)
def test_ethnicity_maps_to_its_census_group(code, group):
    assert ethnic_group(code) == group


def test_relationship_codes_group_for_reporting():
    assert relationship_group("12") == "parent"
    assert relationship_group("01") == "partner"
    assert relationship_group("L1") == "friend"
    assert relationship_group("98") == "other"
