"""Who can see which runs, sessions and enrolments: the only way delivery views fetch them.

- Administrators see every run.
- Coordinators see the runs their organisations organise, and runs of courses
  their organisations own (read-only when a partner organises them).
- Tutors see only the runs they facilitate, for the whole run or a session.
- Participants see their own enrolments, never a run's staff pages.

Anything out of scope is a 404, like a run that does not exist.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peerpath.courses.access import managed_terms
from peerpath.courses.models import Course, CourseVersion, Term
from peerpath.courses.querysets import TermQuerySet
from peerpath.delivery.models import CourseRun, CourseRunQuerySet, Enrolment, FacilitatorAssignment, Session, Venue
from peerpath.people.access import principal_for, visible_people
from peerpath.people.models import Membership, Person

Role = Membership.Role
User = AbstractBaseUser | AnonymousUser


def _facilitated(person_id: Any) -> QuerySet[FacilitatorAssignment, Any]:
    return FacilitatorAssignment.objects.filter(person_id=person_id).values("run_id")


def visible_runs(user: User) -> CourseRunQuerySet:
    principal = principal_for(user)
    if principal.is_administrator:
        return CourseRun.objects.all()
    coordinated = list(principal.organisations(Role.COORDINATOR))
    scope = Q(pk__in=[])
    if coordinated:
        scope |= Q(organisation_id__in=coordinated) | Q(version__course__owner_id__in=coordinated)
    if principal.person_id is not None and principal.has_role(Role.TUTOR):
        scope |= Q(pk__in=_facilitated(principal.person_id))
    return CourseRun.objects.filter(scope)


def access_run(user: User, pk: Any) -> CourseRun:
    """Fetch one run the user may see, or raise Http404.

    The result carries ``viewer_coordinates`` (the user coordinates the organisation
    running it) and ``viewer_facilitates`` (the user is assigned to it) for the rules.
    """
    try:
        run = (
            visible_runs(user)
            .select_related("version__course__owner", "version__course__programme", "term", "organisation")
            .get(pk=pk)
        )
    except (CourseRun.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such run") from None
    principal = principal_for(user)
    coordinates = principal.is_administrator or run.organisation_id in principal.organisations(Role.COORDINATOR)
    facilitates = principal.person_id is not None and run.assignments.filter(person_id=principal.person_id).exists()
    run.viewer_coordinates = coordinates  # type: ignore[attr-defined]
    run.viewer_facilitates = facilitates  # type: ignore[attr-defined]
    return run


def access_session(run: CourseRun, session_id: Any) -> Session:
    """A session of this (already accessed) run, or Http404."""
    try:
        session = run.sessions.select_related("venue").get(pk=session_id)
    except (Session.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such session") from None
    session.run = run
    return session


def access_run_enrolment(run: CourseRun, enrolment_id: Any) -> Enrolment:
    try:
        enrolment = run.enrolments.select_related("person").get(pk=enrolment_id)
    except (Enrolment.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such enrolment") from None
    enrolment.run = run
    return enrolment


def own_enrolments(user: User) -> QuerySet[Enrolment]:
    """The signed-in person's own enrolments (none for a user without a person record)."""
    principal = principal_for(user)
    if principal.person_id is None:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(person_id=principal.person_id)


def access_own_enrolment(user: User, pk: Any) -> Enrolment:
    try:
        return own_enrolments(user).select_related("run__version__course", "run__term", "run__organisation").get(pk=pk)
    except (Enrolment.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such enrolment") from None


def managed_venues(user: User) -> QuerySet[Venue]:
    principal = principal_for(user)
    if principal.is_administrator:
        return Venue.objects.all()
    return Venue.objects.filter(organisation_id__in=list(principal.organisations(Role.COORDINATOR)))


def access_venue(user: User, pk: Any) -> Venue:
    try:
        return managed_venues(user).select_related("organisation", "area").get(pk=pk)
    except (Venue.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such venue") from None


def runnable_versions(user: User) -> QuerySet[CourseVersion]:
    """Approved versions of courses the user's organisations own or partner in (all for administrators)."""
    principal = principal_for(user)
    approved = CourseVersion.objects.filter(status=CourseVersion.Status.APPROVED, course__status=Course.Status.APPROVED)
    if not principal.is_administrator:
        coordinated = list(principal.organisations(Role.COORDINATOR))
        approved = approved.filter(Q(course__owner_id__in=coordinated) | Q(course__partners__in=coordinated)).distinct()
    return approved.select_related("course").order_by("course__title")


def run_terms(user: User) -> QuerySet[Term]:
    """Terms a run can be planned in: not yet ended, of the user's organisations or any for administrators."""
    terms = cast(TermQuerySet, managed_terms(user))
    return terms.not_ended(timezone.localdate()).select_related("organisation").order_by("starts_on", "name")


def possible_facilitators(run: CourseRun) -> QuerySet[Person]:
    """Current tutors of the run's organisation and of the course's owner and partners, by name."""
    course = run.version.course
    organisations = [run.organisation_id, course.owner_id, *course.partners.values_list("pk", flat=True)]
    tutors = Membership.objects.current().filter(role=Role.TUTOR, organisation_id__in=organisations)
    return Person.objects.filter(pk__in=tutors.values("person_id")).order_by("family_name", "given_name")


def find_participant(user: User, run: CourseRun, email: str) -> Person | None:
    """A person the user may see, by email, for enrolling them on ``run`` (None if not found)."""
    return visible_people(user).filter(email__iexact=email.strip()).first()
