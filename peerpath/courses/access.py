"""Who can see which courses: the only way views fetch Course rows.

Staff (coordinators, tutors and assessors) see the courses their
organisations own or are partners in; administrators see all. Participants
and evaluators see courses only in the public prospectus. Anything out of
scope is a 404, like a course that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from peerpath.courses.models import Contribution, CoproductionActivity, Course, CourseMaterial, CourseVersion, Term
from peerpath.courses.querysets import CourseQuerySet
from peerpath.people.access import principal_for, visible_people
from peerpath.people.models import Membership
from peerpath.people.querysets import PersonQuerySet

Role = Membership.Role
COURSE_STAFF_ROLES = (Role.COORDINATOR, Role.TUTOR, Role.ASSESSOR)

User = AbstractBaseUser | AnonymousUser


def visible_courses(user: User) -> CourseQuerySet:
    principal = principal_for(user)
    if principal.is_administrator:
        return Course.objects.all()
    return Course.objects.for_organisations(principal.organisations(*COURSE_STAFF_ROLES))


def access_course(user: User, pk: Any) -> Course:
    """Fetch one course the user may see, or raise Http404.

    The result carries ``viewer_owns`` (the user coordinates the owning
    organisation) and ``viewer_coordinates`` (the owner or a partner) for the
    object rules.
    """
    try:
        course = visible_courses(user).select_related("owner", "programme").get(pk=pk)
    except (Course.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such course") from None
    coordinated = principal_for(user).organisations(Role.COORDINATOR)
    partners = sorted(course.partners.all(), key=lambda org: org.name)
    owns = course.owner_id in coordinated
    course.partner_list = partners  # type: ignore[attr-defined]
    course.viewer_owns = owns  # type: ignore[attr-defined]
    course.viewer_coordinates = owns or any(org.pk in coordinated for org in partners)  # type: ignore[attr-defined]
    return course


def access_version(course: Course, number: Any) -> CourseVersion:
    try:
        version = course.versions.get(number=int(number))
    except (CourseVersion.DoesNotExist, ValueError, TypeError):
        raise Http404("No such version") from None
    version.course = course
    return version


def access_material(course: Course, material_id: Any, **filters: Any) -> CourseMaterial:
    """A material of one of this (already accessed) course's versions, or Http404."""
    try:
        material = CourseMaterial.objects.select_related("version").get(
            pk=material_id, version__course=course, **filters
        )
    except (CourseMaterial.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such material") from None
    material.version.course = course
    return material


def recent_activities(course: Course, limit: int) -> list[CoproductionActivity]:
    """The course's latest co-production activities with their contributions (two queries)."""
    return list(
        course.activities.select_related("version")
        .prefetch_related(Prefetch("contributions", queryset=Contribution.objects.order_by("pk")))
        .order_by("-occurred_on", "-recorded_at")[:limit]
    )


def likely_contributors(user: User, course: Course) -> PersonQuerySet:
    """People the activity form offers as contributors to ``course``, by name.

    Only people the user may already see: the staff of the course's organisations
    (peer tutors are carers with lived experience) and anyone who has shaped this
    course before. Everyone else is recorded by capacity alone: a list of every
    carer would make the page megabytes long on a phone.
    """
    partners = getattr(course, "partner_list", None)
    partner_ids = (
        [org.pk for org in partners] if partners is not None else list(course.partners.values_list("pk", flat=True))
    )
    visible = visible_people(user)
    staff = visible.in_organisations([course.owner_id, *partner_ids], roles=COURSE_STAFF_ROLES)
    contributed = Contribution.objects.filter(activity__course=course, person__isnull=False).values("person_id")
    return (staff | visible.filter(pk__in=contributed)).by_name()


def managed_terms(user: User) -> QuerySet[Term]:
    """Terms a user may edit: their coordinated organisations' (all for administrators)."""
    principal = principal_for(user)
    if principal.is_administrator:
        return Term.objects.all()
    return Term.objects.filter(organisation_id__in=list(principal.organisations(Role.COORDINATOR)))


def access_term(user: User, pk: Any) -> Term:
    try:
        return managed_terms(user).select_related("organisation").get(pk=pk)
    except (Term.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such term") from None
