"""Role fixtures shared by every app's tests.

Two organisations: ``home_org`` (where the staff fixtures work) and
``other_org`` (whose people must stay invisible to them). Each ``*_client``
fixture is a Django test client signed in as that role in ``home_org``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from peerpath.people.models import Membership, Organisation, Person
from peerpath.people.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)


@dataclass
class Actor:
    """A signed-in (or anonymous) principal with their person record."""

    role: str
    user: User | None
    person: Person | None
    client: Client


def make_home_org() -> Organisation:
    return OrganisationFactory(name="South West London Recovery College")


def make_other_org() -> Organisation:
    return OrganisationFactory(name="Elsewhere Carers Centre", kind=Organisation.Kind.CARERS_CENTRE)


@pytest.fixture
def home_org(db) -> Organisation:
    return make_home_org()


@pytest.fixture
def other_org(db) -> Organisation:
    return make_other_org()


def make_member(organisation: Organisation, role: str, tutor_kind: str = "", username: str | None = None) -> Person:
    """A person with a login and one membership."""
    user = UserFactory(username=username) if username else UserFactory()
    person = PersonFactory(user=user)
    MembershipFactory(person=person, organisation=organisation, role=role, tutor_kind=tutor_kind)
    return person


def _signed_in(person: Person | None, user: User | None = None) -> Client:
    client = Client()
    login = user or (person.user if person else None)
    if login is not None:
        client.force_login(login)
    return client


def make_actors(home_org: Organisation, other_org: Organisation) -> dict[str, Actor]:
    """One actor per role; ``outsider`` is a coordinator of ``other_org``."""
    role = Membership.Role
    people = {
        "coordinator": make_member(home_org, role.COORDINATOR, username="coordinator"),
        "peer_tutor": make_member(home_org, role.TUTOR, Membership.TutorKind.PEER, username="peer_tutor"),
        "professional_tutor": make_member(
            home_org, role.TUTOR, Membership.TutorKind.PROFESSIONAL, username="professional_tutor"
        ),
        "assessor": make_member(home_org, role.ASSESSOR, username="assessor"),
        "evaluator": make_member(home_org, role.EVALUATOR, username="evaluator"),
        "participant": make_member(home_org, role.PARTICIPANT, username="participant"),
        "outsider": make_member(other_org, role.COORDINATOR, username="outsider"),
    }
    admin_user = UserFactory(username="administrator", is_superuser=True, is_staff=True)
    result = {role: Actor(role, person.user, person, _signed_in(person)) for role, person in people.items()}
    result["administrator"] = Actor("administrator", admin_user, None, _signed_in(None, admin_user))
    result["anonymous"] = Actor("anonymous", None, None, Client())
    return result


@pytest.fixture
def actors(db, home_org, other_org) -> dict[str, Actor]:
    """One actor per role; ``outsider`` is a coordinator of ``other_org``."""
    return make_actors(home_org, other_org)


@pytest.fixture
def coordinator_client(actors) -> Client:
    return actors["coordinator"].client


@pytest.fixture
def tutor_client(actors) -> Client:
    return actors["peer_tutor"].client


@pytest.fixture
def assessor_client(actors) -> Client:
    return actors["assessor"].client


@pytest.fixture
def evaluator_client(actors) -> Client:
    return actors["evaluator"].client


@pytest.fixture
def participant_client(actors) -> Client:
    return actors["participant"].client


@pytest.fixture
def outsider_client(actors) -> Client:
    return actors["outsider"].client


@pytest.fixture
def admin_client_(actors) -> Client:
    return actors["administrator"].client


def count_queries(action: Callable[[], object]) -> int:
    """How many SQL queries ``action`` ran on the default database."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


@pytest.fixture
def assert_flat_query_count() -> Callable[..., None]:
    """Check that a page costs the same number of queries with few rows and with many.

    ``grow(n)`` adds n more rows of whatever the page lists; ``fetch()`` requests the page.
    The count must equal ``expected`` at both sizes, so a new N+1 fails loudly.
    """

    def check(fetch: Callable[[], object], grow: Callable[[int], object], expected: int, sizes=(2, 20)) -> None:
        fetch()  # the first request refreshes the session; later ones do not
        counts = []
        for size in sizes:
            grow(size)
            counts.append(count_queries(fetch))
        assert counts == [expected] * len(sizes), f"queries at sizes {sizes}: {counts}, expected {expected} each"

    return check
