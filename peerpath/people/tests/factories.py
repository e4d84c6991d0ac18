"""Synthetic people for tests. Every value is invented."""

from __future__ import annotations

import factory
from django.contrib.auth.models import User

from peerpath.people.models import Area, CaringRole, Membership, Organisation, Person

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"E0999{n:04d}")
    name = factory.Sequence(lambda n: f"Test borough {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.RECOVERY_COLLEGE


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    email = factory.Sequence(lambda n: f"person{n}@example.org")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.PARTICIPANT
    tutor_kind = factory.LazyAttribute(lambda m: Membership.TutorKind.PEER if m.role == Membership.Role.TUTOR else "")


class CaringRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaringRole

    carer = factory.SubFactory(PersonFactory)
    relationship = "12"
