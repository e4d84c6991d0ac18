"""seed_demo: one login per role, safe to run twice, the same data for the same seed."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import RequestFactory

from peerpath.core import seeding
from peerpath.core.models import AuditEvent
from peerpath.people.models import Area, CaringRole, Consent, EqualityMonitoring, Membership, Organisation, Person
from peerpath.people.seeding import SHARED_KEY, SWL_BOROUGHS, SWL_COLLEGE, SeededPeople

# Two colleges so that the invented areas and partners of the national scale are exercised too.
TINY = dataclasses.replace(seeding.SCALES["national"], people=150, colleges=2, partners_per_college=3)
LOGINS = {
    "administrator": None,
    "coordinator": (Membership.Role.COORDINATOR, ""),
    "peer.tutor": (Membership.Role.TUTOR, Membership.TutorKind.PEER),
    "professional.tutor": (Membership.Role.TUTOR, Membership.TutorKind.PROFESSIONAL),
    "assessor": (Membership.Role.ASSESSOR, ""),
    "evaluator": (Membership.Role.EVALUATOR, ""),
    "participant": (Membership.Role.PARTICIPANT, ""),
}
MODELS = (User, Area, Organisation, Person, Membership, CaringRole, Consent, EqualityMonitoring, AuditEvent)


def _seed_small() -> str:
    out = StringIO()
    call_command("seed_demo", "--scale", "small", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in MODELS}


def _fingerprint() -> str:
    """A checksum of every seeded value that should repeat with the seed (not database-generated ids)."""
    dump = [
        list(Organisation.objects.order_by("id").values_list("id", "name", "kind", "area__code", "created_at")),
        list(Area.objects.order_by("code").values_list("code", "name")),
        list(
            Person.objects.order_by("id").values_list(
                "id",
                "given_name",
                "family_name",
                "preferred_name",
                "email",
                "phone",
                "date_of_birth",
                "postcode",
                "area__code",
                "created_at",
                "updated_at",
                "user__username",
            )
        ),
        list(
            User.objects.order_by("username").values_list(
                "username", "email", "first_name", "last_name", "is_staff", "is_superuser", "date_joined"
            )
        ),
        sorted(
            Membership.objects.values_list(
                "person_id", "organisation_id", "role", "tutor_kind", "started_on", "ended_on"
            ),
            key=repr,
        ),
        sorted(
            CaringRole.objects.values_list("carer_id", "relationship", "cared_for_label", "started_on", "ended_on"),
            key=repr,
        ),
        list(
            Consent.objects.order_by("id").values_list(
                "id", "person_id", "purpose", "decision", "method", "decided_on", "recorded_at", "recorded_by__username"
            )
        ),
        list(EqualityMonitoring.objects.order_by("person_id").values()),
    ]
    for table in dump:
        for row in table:
            if isinstance(row, dict):
                row.pop("id")  # database-generated
    return hashlib.sha256(repr(dump).encode()).hexdigest()


def _run_tiny(seed: int, batch_size: int) -> tuple[str, dict[str, int]]:
    """Seed TINY inside a savepoint, fingerprint it and roll it back."""
    seeding.autodiscover()
    with transaction.atomic():
        seeding.run(scale="tiny", sizes=TINY, seed=seed, batch_size=batch_size, write=lambda message: None)
        result = _fingerprint(), _counts()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_small_scale_prints_a_login_per_role_and_each_can_sign_in() -> None:
    output = _seed_small()

    assert seeding.DEMO_PASSWORD in output
    for username, role in LOGINS.items():
        assert f" {username} " in output
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=username, password=seeding.DEMO_PASSWORD)
        assert user is not None, username
        if role is None:
            assert user.is_superuser and user.is_staff
            continue
        assert not user.is_staff
        membership = Membership.objects.get(person__user=user, organisation__name=SWL_COLLEGE)
        assert (membership.role, membership.tutor_kind) == role
        assert membership.ended_on is None


@pytest.mark.django_db
def test_small_scale_builds_a_college_with_partners_and_about_200_people() -> None:
    _seed_small()

    kinds = sorted(Organisation.objects.values_list("kind", flat=True))
    assert kinds == ["carers_centre", "carers_centre", "charity_group", "recovery_college"]
    assert Person.objects.count() == 200
    participants = Person.objects.with_role(Membership.Role.PARTICIPANT)
    assert participants.count() > 150
    assert CaringRole.objects.values("carer").distinct().count() > 0.75 * participants.count()
    assert 0.45 < EqualityMonitoring.objects.count() / 200 < 0.75
    assert Consent.objects.filter(decision=Consent.Decision.WITHDRAWN).exists()
    # Only staff have logins, and they share one password hash.
    assert User.objects.count() < 40
    assert User.objects.values("password").distinct().count() == 1


@pytest.mark.django_db
def test_every_seeded_coded_value_is_one_of_the_fields_choices() -> None:
    _seed_small()

    for model in (Organisation, Membership, CaringRole, Consent, EqualityMonitoring):
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            allowed = {value for value, _label in field.flatchoices} | ({""} if field.blank else set())
            used = set(model._default_manager.values_list(field.name, flat=True).distinct())
            assert used <= allowed, (model.__name__, field.name, used - allowed)


@pytest.mark.django_db
def test_seeded_contact_details_are_synthetic_and_local() -> None:
    _seed_small()

    emails = [email for email in Person.objects.values_list("email", flat=True) if email]
    assert len(emails) == len({email.lower() for email in emails})
    assert all(email.rsplit("@", 1)[1] in {"example.org", "example.net", "example.com"} for email in emails)
    phones = [phone for phone in Person.objects.values_list("phone", flat=True) if phone]
    assert all(phone.startswith(("07700 900", "020 7946 0")) for phone in phones)
    outward_codes = {code: outward for code, _name, outward in SWL_BOROUGHS}
    for postcode, area in Person.objects.exclude(postcode="").values_list("postcode", "area__code"):
        assert len(postcode) <= 8
        assert postcode.split()[0] in outward_codes[area], (postcode, area)


@pytest.mark.django_db
def test_anchor_date_is_the_latest_day_in_the_data() -> None:
    call_command("seed_demo", "--anchor-date", "2025-06-30", stdout=StringIO())

    assert max(Person.objects.values_list("created_at", flat=True)).date() <= date(2025, 6, 30)
    assert max(Consent.objects.values_list("decided_on", flat=True)) <= date(2025, 6, 30)
    assert max(Membership.objects.values_list("started_on", flat=True)) <= date(2025, 6, 30)


@pytest.mark.django_db
def test_a_seeded_database_has_planner_statistics() -> None:
    seeding.autodiscover()
    seeding.run(scale="tiny", sizes=TINY, seed=1, batch_size=50, write=lambda message: None)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'people_person'")
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'people_person'")
        (rows,) = cursor.fetchone()
    assert rows > 0


@pytest.mark.django_db
def test_running_twice_adds_nothing_and_says_already_seeded() -> None:
    _seed_small()
    before = _counts()

    output = _seed_small()

    assert "already seeded" in output
    assert "participant" in output  # the logins are printed again
    assert _counts() == before


@pytest.mark.django_db
def test_seed_run_writes_one_audit_event_as_a_system_job() -> None:
    _seed_small()

    event = AuditEvent.objects.get()
    assert event.action == "seed.completed"
    assert event.actor is None
    assert event.actor_label == "system:seed_demo"
    assert event.data["scale"] == "small"
    assert event.data["counts"]["people.person"] == 200


@pytest.mark.django_db
def test_a_part_seeded_database_is_refused_with_advice() -> None:
    Organisation.objects.create(name=SWL_COLLEGE, kind=Organisation.Kind.RECOVERY_COLLEGE)

    with pytest.raises(CommandError, match="flush"):
        _seed_small()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_database_with_real_logins_is_never_seeded() -> None:
    User.objects.create_user("someone.real", password="not-the-demo-password-1")

    with pytest.raises(CommandError, match="already has logins"):
        _seed_small()
    assert not User.objects.filter(username="administrator").exists()


@pytest.mark.django_db
def test_same_seed_gives_the_same_data_whatever_the_batch_size() -> None:
    first, first_counts = _run_tiny(seed=7, batch_size=37)
    second, second_counts = _run_tiny(seed=7, batch_size=5000)

    assert first_counts == second_counts
    assert first_counts["people.Person"] == 150
    assert first == second


@pytest.mark.django_db
def test_another_seed_gives_other_data() -> None:
    assert _run_tiny(seed=7, batch_size=5000)[0] != _run_tiny(seed=8, batch_size=5000)[0]


@pytest.mark.django_db
def test_steps_run_in_order_and_later_steps_see_the_people(monkeypatch: pytest.MonkeyPatch) -> None:
    seeding.autodiscover()
    seen: list[str] = []

    def later_step(context: seeding.SeedContext) -> None:
        people = context.shared[SHARED_KEY]
        assert isinstance(people, SeededPeople)
        seen.append(f"later:{len(people.organisations)}")
        context.counts["test.rows"] += 1

    monkeypatch.setitem(seeding._STEPS, "later", seeding.Step("later", 99, later_step))
    monkeypatch.setitem(seeding._STEPS, "first", seeding.Step("first", 1, lambda context: seen.append("first")))

    result = seeding.run(scale="tiny", sizes=TINY, write=lambda message: None)

    assert seen == ["first", "later:8"]
    assert result.counts["test.rows"] == 1


def test_autodiscover_finds_the_people_step() -> None:
    assert "peerpath.people.seeding" in seeding.autodiscover()
    assert "people" in [step.name for step in seeding.registered_steps()]
