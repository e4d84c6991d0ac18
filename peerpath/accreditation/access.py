"""Who can see which candidates, portfolio entries, observations and awards.

The only way accreditation views fetch those rows. Assessors and coordinators
see the candidates of their organisations (people with a current membership
there); administrators see everyone; everyone sees their own. Anything else is
a 404, so an id from another organisation looks like one that does not exist.

Rows come back with viewer flags for the object rules in ``rules.py``:
``viewer_is_self`` (it is the user's own), ``viewer_assesses`` (the user is a
current assessor of one of the candidate's organisations, or an administrator)
and ``viewer_coordinates`` (a coordinator of one of them).
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from peerpath.accreditation.models import Award, Observation, PortfolioEntry
from peerpath.delivery.models import FacilitatorAssignment, Session
from peerpath.people.access import Principal, principal_for
from peerpath.people.models import Membership, Person
from peerpath.people.querysets import PersonQuerySet

User = AbstractBaseUser | AnonymousUser
Row = TypeVar("Row", PortfolioEntry, Observation, Award)


def assessing_organisations(user: User) -> frozenset[uuid.UUID]:
    """Organisations whose candidates the user may follow (as assessor or coordinator)."""
    return principal_for(user).organisations(Membership.Role.ASSESSOR, Membership.Role.COORDINATOR)


def visible_candidates(user: User) -> PersonQuerySet:
    """People whose accreditation the user may follow: everyone for administrators."""
    principal = principal_for(user)
    if principal.is_administrator:
        return Person.objects.all()
    organisations = assessing_organisations(user)
    if not organisations:
        return Person.objects.none()
    return Person.objects.in_organisations(organisations)


def _member_of(principal: Principal, role: str, person_field: str) -> Exists:
    organisations = list(principal.organisations(role))
    return Exists(Membership.objects.current().filter(person=OuterRef(person_field), organisation_id__in=organisations))


def _scoped(user: User, queryset: QuerySet[Any], person_field: str) -> QuerySet[Any]:
    """Annotate viewer flags on rows about the person at ``person_field`` and keep those in scope."""
    principal = principal_for(user)
    queryset = queryset.annotate(
        viewer_assessor_of=_member_of(principal, Membership.Role.ASSESSOR, person_field),
        viewer_coordinates=_member_of(principal, Membership.Role.COORDINATOR, person_field),
    )
    if principal.is_administrator:
        return queryset
    scope = Q(viewer_assessor_of=True) | Q(viewer_coordinates=True)
    if principal.person_id is not None:
        scope |= Q(**{person_field: principal.person_id})
    return queryset.filter(scope)


def _flag(user: User, row: Any, person_id: Any) -> Any:
    principal = principal_for(user)
    row.viewer_is_self = person_id == principal.person_id
    row.viewer_assesses = principal.is_administrator or bool(row.viewer_assessor_of)
    return row


def _get(queryset: QuerySet[Any], pk: Any, what: str) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, ValidationError):
        raise Http404(f"No such {what}") from None


def access_candidate(user: User, pk: Any) -> Person:
    """One person whose accreditation the user may follow (themselves included), or 404."""
    person = _get(_scoped(user, Person.objects.all(), "pk"), pk, "candidate")
    return _flag(user, person, person.pk)


def access_entry(user: User, pk: Any) -> PortfolioEntry:
    """One portfolio entry: the candidate's own, or a candidate's the user follows."""
    queryset = PortfolioEntry.objects.select_related("candidate", "reviewed_by")
    entry = _get(_scoped(user, queryset, "candidate"), pk, "portfolio entry")
    return _flag(user, entry, entry.candidate_id)


def access_observation(user: User, pk: Any) -> Observation:
    """One observation: of the user, or of a candidate the user follows."""
    queryset = Observation.objects.select_related("candidate", "assessor", "session__run__version__course")
    observation = _get(_scoped(user, queryset, "candidate"), pk, "observation")
    return _flag(user, observation, observation.candidate_id)


def access_award(user: User, pk: Any) -> Award:
    """One award period: the user's own, or one held by a person the user follows."""
    queryset = Award.objects.select_related("holder", "scheme", "granted_by")
    award = _get(_scoped(user, queryset, "holder"), pk, "award")
    return _flag(user, award, award.holder_id)


def observable_sessions(user: User, candidate: Person) -> QuerySet[Session]:
    """Sessions the candidate co-delivers (any role, shadowing included) that the user may observe.

    Administrators may observe any run; assessors the runs of organisations where they assess.
    """
    principal = principal_for(user)
    assigned = FacilitatorAssignment.objects.filter(person=candidate).filter(
        Q(session__isnull=True, run=OuterRef("run")) | Q(session=OuterRef("pk"))
    )
    sessions = Session.objects.filter(Exists(assigned))
    if not principal.is_administrator:
        sessions = sessions.filter(run__organisation_id__in=list(principal.organisations(Membership.Role.ASSESSOR)))
    return sessions.select_related("run__version__course").order_by("-starts_at")
