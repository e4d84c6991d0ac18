"""The access layer: who sees which people, decided in one place."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from peerpath.people import access
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory, PersonFactory, UserFactory


def test_principal_collects_current_roles_in_one_query(actors, home_org, django_assert_num_queries):
    user = actors["coordinator"].user
    MembershipFactory(person=actors["coordinator"].person, organisation=home_org, role=Membership.Role.ASSESSOR)
    with django_assert_num_queries(1):
        principal = access.principal_for(user)
        access.principal_for(user)  # cached on the user for the rest of the request
    assert principal.roles == {"coordinator", "assessor"}
    assert principal.organisations("coordinator") == {home_org.pk}


def test_ended_and_future_memberships_give_no_role_but_keep_the_person(db, home_org):
    user = UserFactory()
    person = PersonFactory(user=user)
    today = timezone.localdate()
    MembershipFactory(
        person=person,
        organisation=home_org,
        role=Membership.Role.COORDINATOR,
        started_on=today - datetime.timedelta(days=400),
        ended_on=today - datetime.timedelta(days=1),
    )
    MembershipFactory(
        person=person, organisation=home_org, role=Membership.Role.TUTOR, started_on=today + datetime.timedelta(days=7)
    )
    principal = access.principal_for(user)
    assert principal.person_id == person.pk
    assert principal.roles == frozenset()
    assert not access.visible_people(user).exists()


def test_anonymous_and_inactive_users_have_no_principal(db):
    assert access.principal_for(AnonymousUser()) is access.ANONYMOUS
    inactive = UserFactory(is_active=False)
    PersonFactory(user=inactive)
    assert access.principal_for(inactive) is access.ANONYMOUS


def test_coordinator_sees_people_of_their_organisations_only(actors, home_org, other_org):
    mine = MembershipFactory(organisation=home_org).person
    theirs = MembershipFactory(organisation=other_org).person
    visible = set(access.visible_people(actors["coordinator"].user).values_list("pk", flat=True))
    assert mine.pk in visible
    assert theirs.pk not in visible
    assert access.access_person(actors["coordinator"].user, mine.pk) == mine
    with pytest.raises(Http404):
        access.access_person(actors["coordinator"].user, theirs.pk)


def test_someone_in_both_organisations_is_visible_to_both_coordinators(actors, home_org, other_org):
    shared = MembershipFactory(organisation=home_org).person
    MembershipFactory(person=shared, organisation=other_org)
    for role in ("coordinator", "outsider"):
        assert access.access_person(actors[role].user, shared.pk) == shared


def test_a_person_who_left_the_organisation_drops_out_of_scope(actors, home_org):
    former = MembershipFactory(
        organisation=home_org,
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
    ).person
    with pytest.raises(Http404):
        access.access_person(actors["coordinator"].user, former.pk)


@pytest.mark.parametrize("role", ["peer_tutor", "professional_tutor", "assessor", "evaluator", "participant"])
def test_non_coordinators_see_only_themselves(actors, home_org, role):
    carer = MembershipFactory(organisation=home_org).person
    user = actors[role].user
    assert not access.visible_people(user).exists()
    assert access.access_person(user, actors[role].person.pk) == actors[role].person
    with pytest.raises(Http404):
        access.access_person(user, carer.pk)


def test_administrator_sees_everyone(actors, other_org):
    theirs = MembershipFactory(organisation=other_org).person
    assert access.access_person(actors["administrator"].user, theirs.pk) == theirs


def test_a_malformed_id_is_404_not_an_error(actors):
    with pytest.raises(Http404):
        access.access_person(actors["coordinator"].user, "not-a-uuid")
