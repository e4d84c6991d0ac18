"""Every change to people records goes through these functions.

Each is one transaction that writes its audit event alongside the change.
Audit data names fields, never their values: the log outlives erasure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from peerpath.core import audit
from peerpath.core.audit import Actor
from peerpath.people import choices
from peerpath.people.models import CaringRole, Consent, EqualityMonitoring, Membership, Organisation, Person

PERSON_FIELDS = ("given_name", "family_name", "preferred_name", "email", "phone", "date_of_birth", "postcode", "area")


class PeopleError(Exception):
    """A rule about people records was broken; the message is fit to show."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DuplicateEmailError(PeopleError):
    pass


@dataclass(frozen=True)
class NewMembership:
    organisation: Organisation
    role: str
    tutor_kind: str = ""

    def create_for(self, person: Person) -> Membership:
        """The membership row; only tutors carry a kind (the database checks it too)."""
        return Membership.objects.create(
            person=person,
            organisation=self.organisation,
            role=self.role,
            tutor_kind=self.tutor_kind if self.role == Membership.Role.TUTOR else "",
        )

    def audit_data(self) -> dict[str, str]:
        return {"organisation": str(self.organisation.pk), "role": self.role}


def _normalise(details: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: details[key] for key in PERSON_FIELDS if key in details}
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].strip().lower()
    if cleaned.get("postcode"):
        cleaned["postcode"] = cleaned["postcode"].strip().upper()
    return cleaned


def _check_relationship(code: str) -> None:
    if code not in choices.RELATIONSHIP_PLAIN_ENGLISH:
        raise PeopleError("Select a relationship from the list", field="relationship")


def _check_email_free(email: str, *, exclude_pk: Any = None) -> None:
    if not email:
        return
    clash = Person.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DuplicateEmailError(
            "Someone with this email address is already recorded. Search for them instead of adding them again.",
            field="email",
        )


@transaction.atomic
def create_person(
    *,
    actor: Actor,
    details: dict[str, Any],
    membership: NewMembership,
    relationship: str = "",
) -> Person:
    """Create a person with their first membership and, for carers, their caring relationship."""
    audit.check_actor(actor)
    values = _normalise(details)
    _check_email_free(values.get("email", ""))
    try:
        with transaction.atomic():
            person = Person.objects.create(**values)
    except IntegrityError as error:  # a concurrent insert won the race for this email
        raise DuplicateEmailError("Someone with this email address is already recorded.", field="email") from error
    membership.create_for(person)
    if relationship:
        _check_relationship(relationship)
        CaringRole.objects.create(carer=person, relationship=relationship)
    audit.record(actor=actor, action="person.created", target=person, data=membership.audit_data())
    return person


@transaction.atomic
def update_person(*, actor: Actor, person: Person, details: dict[str, Any]) -> Person:
    """Change a person's identity and contact details; records which fields changed."""
    audit.check_actor(actor)
    values = _normalise(details)
    if "email" in values:
        _check_email_free(values["email"], exclude_pk=person.pk)
    changed = [name for name, value in values.items() if getattr(person, name) != value]
    if not changed:
        return person
    for name in changed:
        setattr(person, name, values[name])
    person.updated_at = timezone.now()
    person.save(update_fields=[*changed, "updated_at"])
    audit.record(actor=actor, action="person.updated", target=person, data={"fields": sorted(changed)})
    return person


@transaction.atomic
def add_membership(*, actor: Actor, person: Person, membership: NewMembership) -> Membership:
    """Give a person another role, for example a carer who has trained as a peer tutor."""
    audit.check_actor(actor)
    exists = Membership.objects.filter(person=person, organisation=membership.organisation, role=membership.role)
    if exists.exists():
        raise PeopleError("They already have this role in this organisation.", field="role")
    created = membership.create_for(person)
    audit.record(actor=actor, action="membership.added", target=person, data=membership.audit_data())
    return created


@transaction.atomic
def add_caring_role(*, actor: Actor, carer: Person, relationship: str, cared_for_label: str = "") -> CaringRole:
    """Record that this person cares for someone, described only by relationship and an optional label."""
    audit.check_actor(actor)
    _check_relationship(relationship)
    caring = CaringRole.objects.create(carer=carer, relationship=relationship, cared_for_label=cared_for_label)
    audit.record(actor=actor, action="caring_role.added", target=carer, data={"relationship": relationship})
    return caring


@transaction.atomic
def record_consent(
    *,
    actor: Actor,
    person: Person,
    purpose: str,
    decision: str,
    method: str,
    decided_on: date,
) -> Consent:
    """Append a consent decision; the latest decision per purpose is the one in force."""
    audit.check_actor(actor)
    if isinstance(actor, audit.SystemActor):
        raise PeopleError("Consent must be recorded by a person.")
    if decided_on > timezone.localdate():
        raise PeopleError("The date of the decision must be today or in the past.", field="decided_on")
    consent = Consent.objects.create(
        person=person,
        purpose=purpose,
        decision=decision,
        method=method,
        decided_on=decided_on,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action=f"consent.{decision}",
        target=person,
        data={"purpose": purpose, "method": method, "consent": str(consent.pk)},
    )
    return consent


def current_consents(person: Person) -> dict[str, Consent]:
    """The decision in force for each purpose that has one (one query)."""
    in_force: dict[str, Consent] = {}
    for consent in person.consents.order_by("-recorded_at"):
        in_force.setdefault(consent.purpose, consent)
    return in_force


def consenting(person_ids: Iterable[Any], purpose: str) -> set[Any]:
    """Of these people, those whose decision in force for ``purpose`` is "given" (one query)."""
    ids = list({pk for pk in person_ids if pk is not None})
    if not ids:
        return set()
    latest: dict[Any, str] = {}
    rows = (
        Consent.objects.filter(person_id__in=ids, purpose=purpose)
        .order_by("person_id", "-recorded_at")
        .values_list("person_id", "decision")
    )
    for person_id, decision in rows:
        latest.setdefault(person_id, decision)
    return {person_id for person_id, decision in latest.items() if decision == Consent.Decision.GIVEN}


@transaction.atomic
def save_equality_monitoring(
    *, actor: Actor, person: Person, answers: dict[str, str], by_self: bool
) -> EqualityMonitoring:
    """Replace the person's equality answers. Audit notes that it happened, not what was said."""
    audit.check_actor(actor)
    fields = [f.name for f in EqualityMonitoring._meta.get_fields() if getattr(f, "choices", None)]
    values = {name: answers.get(name, "") or "" for name in fields}
    record, _created = EqualityMonitoring.objects.update_or_create(
        person=person,
        defaults={**values, "completed_at": timezone.now(), "completed_by_self": by_self},
    )
    audit.record(
        actor=actor,
        action="equality_monitoring.saved",
        target=person,
        data={"by_self": by_self, "answered": sum(1 for value in values.values() if value)},
    )
    return record


@transaction.atomic
def grant_login(*, actor: Actor, person: Person, site_url: str) -> User:
    """Give a person a login and email them a link to choose a password.

    The username is their email address. The account starts with no usable
    password; the link (valid for PASSWORD_RESET_TIMEOUT) lets them set one.
    The email is sent only once the transaction has committed.
    """
    audit.check_actor(actor)
    if person.user_id is not None:
        raise PeopleError("They already have a login.")
    if not person.email:
        raise PeopleError("Add an email address before giving them a login.", field="email")
    if User.objects.filter(username__iexact=person.email).exists():
        raise PeopleError("A login with this email address already exists.", field="email")
    user = User(username=person.email, email=person.email, first_name=person.given_name, last_name=person.family_name)
    user.set_unusable_password()
    user.save()
    person.user = user
    person.updated_at = timezone.now()
    person.save(update_fields=["user", "updated_at"])
    audit.record(actor=actor, action="person.login_granted", target=person, data={"user": user.pk})
    transaction.on_commit(lambda: send_set_password_email(user, site_url))
    return user


def send_set_password_email(user: User, site_url: str) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = site_url.rstrip("/") + reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    body = render_to_string("accounts/welcome_email.txt", {"user": user, "link": link})
    send_mail("Your PeerPath login", body, None, [user.email])
