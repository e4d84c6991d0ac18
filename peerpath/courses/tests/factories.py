"""Synthetic courses for tests. Every value is invented."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from peerpath.courses.choices import Audience, Capacity, Category, Stage
from peerpath.courses.models import (
    Contribution,
    CoproductionActivity,
    Course,
    CourseStatusChange,
    CourseVersion,
    OutlineSession,
    Term,
)
from peerpath.people.tests.factories import OrganisationFactory, UserFactory


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Understanding recovery {n}")
    summary = "A course for carers about recovery and hope."
    category = Category.RECOVERY_COLLEGE
    audience = Audience.CARERS
    session_count = 2
    session_minutes = 120
    in_person = True
    owner = factory.SubFactory(OrganisationFactory)


class CourseVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseVersion

    course = factory.SubFactory(CourseFactory)
    number = factory.Sequence(lambda n: n + 1)
    learning_outcomes = "Explain what recovery means\nName two sources of support"
    created_by = factory.SubFactory(UserFactory)


class OutlineSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutlineSession

    version = factory.SubFactory(CourseVersionFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Session topic {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoproductionActivity

    course = factory.SubFactory(CourseFactory)
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    stage = Stage.DESIGN_WORKSHOP
    hours = Decimal("2")
    recorded_by = factory.SubFactory(UserFactory)


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    activity = factory.SubFactory(ActivityFactory)
    capacity = Capacity.CARER
    hours = Decimal("2")


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Spring {2027 + n}")
    slug = factory.Sequence(lambda n: f"term-{n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate())
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))
    published = True


def approved_course(owner, approver, *, title: str | None = None, **fields) -> Course:
    """A course with an approved version 1 whose outline covers every session."""
    course = CourseFactory(owner=owner, status=Course.Status.APPROVED, **({"title": title} if title else {}), **fields)
    CourseStatusChange.objects.create(course=course, to_status=Course.Status.APPROVED, changed_by=approver)
    version = CourseVersionFactory(
        course=course,
        number=1,
        status=CourseVersion.Status.APPROVED,
        approved_by=approver,
        approved_at=timezone.now(),
        created_by=approver,
    )
    for number in range(1, course.session_count + 1):
        OutlineSessionFactory(version=version, number=number)
    return course


def log(
    course: Course, stage: str, *contributions: tuple[str, str | Decimal], recorded_by=None
) -> CoproductionActivity:
    """An activity at ``stage`` with (capacity, hours) contributions."""
    activity = ActivityFactory(course=course, stage=stage, **({"recorded_by": recorded_by} if recorded_by else {}))
    for capacity, hours in contributions:
        ContributionFactory(activity=activity, capacity=capacity, hours=Decimal(hours))
    return activity
