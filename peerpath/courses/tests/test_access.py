"""Which courses each role can reach, and what the object rules then allow."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from peerpath.courses import access
from peerpath.courses.tests.factories import CourseFactory, TermFactory
from peerpath.people.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(home_org, other_org):
    third = OrganisationFactory(name="Third Carers Centre")
    owned = CourseFactory(owner=home_org, title="Owned")
    partnered = CourseFactory(owner=third, title="Partnered")
    partnered.partners.add(home_org)
    foreign = CourseFactory(owner=other_org, title="Foreign")
    return owned, partnered, foreign


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("administrator", ["Foreign", "Owned", "Partnered"]),
        ("coordinator", ["Owned", "Partnered"]),
        ("peer_tutor", ["Owned", "Partnered"]),
        ("professional_tutor", ["Owned", "Partnered"]),
        ("assessor", ["Owned", "Partnered"]),
        ("evaluator", []),
        ("participant", []),
        ("outsider", ["Foreign"]),
        ("anonymous", []),
    ],
)
def test_visible_courses_by_role(actors, courses, role, expected):
    user = actors[role].user or AnonymousUser()
    assert sorted(access.visible_courses(user).values_list("title", flat=True)) == expected


def test_out_of_scope_courses_are_404(actors, courses):
    owned, _partnered, foreign = courses
    with pytest.raises(Http404):
        access.access_course(actors["coordinator"].user, foreign.pk)
    with pytest.raises(Http404):
        access.access_course(actors["participant"].user, owned.pk)
    with pytest.raises(Http404):
        access.access_course(actors["coordinator"].user, "not-a-uuid")


@pytest.mark.parametrize(
    ("role", "course_index", "edit", "log", "approve"),
    [
        ("coordinator", 0, True, True, True),  # owner's coordinator
        ("coordinator", 1, False, True, False),  # partner's coordinator: logs activities only
        ("peer_tutor", 0, False, False, False),
        ("assessor", 0, False, False, False),
        ("administrator", 0, True, True, True),  # a superuser holds every permission
    ],
)
def test_object_rules(actors, courses, role, course_index, edit, log, approve):
    user = actors[role].user
    course = access.access_course(user, courses[course_index].pk)
    assert user.has_perm("courses.view_course", course)
    assert user.has_perm("courses.edit_course", course) is edit
    assert user.has_perm("courses.log_activity", course) is log
    assert user.has_perm("courses.approve_version", course) is approve


def test_terms_are_managed_by_their_organisations_coordinators(actors, home_org, other_org):
    home_term = TermFactory(organisation=home_org)
    other_term = TermFactory(organisation=other_org)
    assert list(access.managed_terms(actors["coordinator"].user)) == [home_term]
    assert set(access.managed_terms(actors["administrator"].user)) == {home_term, other_term}
    assert not access.managed_terms(actors["peer_tutor"].user).exists()
    with pytest.raises(Http404):
        access.access_term(actors["coordinator"].user, other_term.pk)
    assert actors["coordinator"].user.has_perm("courses.edit_term", home_term)
    assert not actors["coordinator"].user.has_perm("courses.edit_term", other_term)
