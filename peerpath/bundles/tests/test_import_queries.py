"""Importing costs the same queries for a programme of one course as for one of many."""

from __future__ import annotations

import dataclasses

import pytest

from conftest import count_queries
from peerpath.bundles import importing
from peerpath.bundles.format import Bundle, VersionSpec
from peerpath.bundles.tests.test_refused_bundles import small_bundle
from peerpath.courses.models import Course, OutlineSession
from peerpath.people.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def with_courses(count: int) -> Bundle:
    """The small bundle with ``count`` copies of its course, without materials (each file is its own row)."""
    bundle = small_bundle()
    course = bundle.courses[0]
    version: VersionSpec = dataclasses.replace(course.version, materials=())
    courses = tuple(
        dataclasses.replace(course, key=f"{course.key}-{n}", title=f"{course.title} {n}", version=version)
        for n in range(count)
    )
    return dataclasses.replace(bundle, courses=courses, materials={}, schemes=(), content_digest=f"digest-{count}")


def test_an_import_costs_the_same_queries_for_one_course_as_for_six() -> None:
    admin = UserFactory(is_superuser=True, is_staff=True)

    def imported(count: int) -> int:
        owner = OrganisationFactory()
        return count_queries(
            lambda: importing.import_bundle(actor=admin, bundle=with_courses(count), owner=owner, code=f"p{count}")
        )

    # The first import also creates the bundle's framework, which later ones reuse.
    imported(2)
    one, six = imported(1), imported(6)
    assert one == six
    assert Course.objects.count() == 9 and OutlineSession.objects.count() == 18
