"""Who can see which people: the only way views fetch Person rows.

Staff see people who hold a current membership in an organisation where the
staff member is a coordinator; administrators see everyone; everyone sees
themselves. Anything else is a 404, so an id from another organisation is
indistinguishable from one that does not exist.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peerpath.people.models import Membership, Organisation, Person
from peerpath.people.querysets import PersonQuerySet

_CACHE_ATTRIBUTE = "_peerpath_principal"


@dataclass(frozen=True)
class Principal:
    """The signed-in user's person and current roles, loaded once per request."""

    user_id: int | None
    person_id: uuid.UUID | None
    is_administrator: bool
    organisations_by_role: dict[str, frozenset[uuid.UUID]] = field(default_factory=dict)

    def organisations(self, *roles: str) -> frozenset[uuid.UUID]:
        found: set[uuid.UUID] = set()
        for role in roles or tuple(self.organisations_by_role):
            found |= self.organisations_by_role.get(role, frozenset())
        return frozenset(found)

    def has_role(self, role: str) -> bool:
        return bool(self.organisations_by_role.get(role))

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for role, orgs in self.organisations_by_role.items() if orgs)


ANONYMOUS = Principal(user_id=None, person_id=None, is_administrator=False)


def principal_for(user: AbstractBaseUser | AnonymousUser) -> Principal:
    """The user's principal, cached on the user object for the rest of the request (one query)."""
    if not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    # One left join; membership dates are checked here so that a person whose
    # memberships have all ended still resolves to their own record.
    rows = Person.objects.filter(user_id=user.pk).values_list(
        "id",
        "memberships__role",
        "memberships__organisation_id",
        "memberships__started_on",
        "memberships__ended_on",
    )
    person_id = None
    by_role: defaultdict[str, set[uuid.UUID]] = defaultdict(set)
    for pid, role, organisation_id, started_on, ended_on in rows:
        person_id = pid
        if role and started_on <= today and (ended_on is None or ended_on >= today):
            by_role[role].add(organisation_id)
    principal = Principal(
        user_id=user.pk,
        person_id=person_id,
        is_administrator=bool(getattr(user, "is_superuser", False)),
        organisations_by_role={role: frozenset(orgs) for role, orgs in by_role.items()},
    )
    setattr(user, _CACHE_ATTRIBUTE, principal)
    return principal


def coordinated_organisations(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Organisation]:
    """Organisations whose people this user manages (all of them for an administrator)."""
    principal = principal_for(user)
    if principal.is_administrator:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=principal.organisations(Membership.Role.COORDINATOR))


def visible_people(user: AbstractBaseUser | AnonymousUser) -> PersonQuerySet:
    """People a staff user may list: administrators all, coordinators their organisations'."""
    principal = principal_for(user)
    if principal.is_administrator:
        return Person.objects.all()
    organisations = principal.organisations(Membership.Role.COORDINATOR)
    if not organisations:
        return Person.objects.none()
    return Person.objects.in_organisations(organisations)


def access_person(user: AbstractBaseUser | AnonymousUser, pk: Any) -> Person:
    """Fetch one person the user may see, or raise Http404.

    The result carries ``viewer_coordinates`` (the user coordinates one of the
    person's organisations) and ``viewer_is_self`` for the object rules.
    """
    principal = principal_for(user)
    organisations = principal.organisations(Membership.Role.COORDINATOR)
    coordinates = Exists(
        Membership.objects.current().filter(person=OuterRef("pk"), organisation_id__in=list(organisations))
    )
    queryset: QuerySet[Person] = Person.objects.select_related("area", "user").annotate(viewer_coordinates=coordinates)
    if not principal.is_administrator:
        scope = Q(viewer_coordinates=True)
        if principal.person_id is not None:
            scope |= Q(pk=principal.person_id)
        queryset = queryset.filter(scope)
    try:
        person = queryset.get(pk=pk)
    except (Person.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such person") from None
    person.viewer_is_self = person.pk == principal.person_id  # type: ignore[attr-defined]
    return person


def own_person(user: AbstractBaseUser | AnonymousUser) -> Person:
    """The signed-in user's own Person record, or 404 if the login has none."""
    principal = principal_for(user)
    if principal.person_id is None:
        raise Http404("This login has no person record")
    return access_person(user, principal.person_id)
