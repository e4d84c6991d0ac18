"""Read paths for people, named for what the caller wants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils import timezone

if TYPE_CHECKING:
    from peerpath.people.models import Membership, Person  # noqa: F401 - named in the QuerySet type arguments


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: date | None = None) -> MembershipQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day), started_on__lte=day)


class PersonQuerySet(models.QuerySet["Person"]):
    def in_organisations(self, organisation_ids: Iterable[Any], roles: Iterable[str] | None = None) -> PersonQuerySet:
        """People with a current membership (any role, or one of ``roles``) in one of these organisations."""
        from peerpath.people.models import Membership

        # An uncorrelated IN: SQLite builds the id list once from membership_org_role_idx instead of
        # probing memberships for every person in name order (a correlated EXISTS).
        memberships = Membership.objects.current().filter(organisation_id__in=list(organisation_ids))
        if roles is not None:
            memberships = memberships.filter(role__in=list(roles))
        return self.filter(pk__in=memberships.values("person_id"))

    def with_role(self, role: str, organisation_ids: Iterable[Any] | None = None) -> PersonQuerySet:
        from peerpath.people.models import Membership

        memberships = Membership.objects.current().filter(person=OuterRef("pk"), role=role)
        if organisation_ids is not None:
            memberships = memberships.filter(organisation_id__in=list(organisation_ids))
        return self.filter(Exists(memberships))

    def search(self, text: str) -> PersonQuerySet:
        """Match each word against the start of the given, preferred or family name, or the whole email."""
        queryset = self
        for word in text.split()[:5]:
            queryset = queryset.filter(
                Q(given_name__istartswith=word)
                | Q(family_name__istartswith=word)
                | Q(preferred_name__istartswith=word)
                | Q(email__iexact=word)
            )
        return queryset

    def matching(
        self, *, q: str = "", organisation: Any = None, area: Any = None, role: str = "", **_ignored: Any
    ) -> PersonQuerySet:
        """The people list's filters; a role filter with an organisation means that role there."""
        queryset = self
        if q:
            queryset = queryset.search(q)
        if organisation is not None:
            queryset = queryset.in_organisations([organisation.pk])
        if area is not None:
            queryset = queryset.filter(area=area)
        if role:
            queryset = queryset.with_role(role, [organisation.pk] if organisation is not None else None)
        return queryset

    def with_current_memberships(self, organisations: Any = None) -> PersonQuerySet:
        """Prefetch current memberships as ``visible_memberships``: in ``organisations``
        (a queryset, used as a subquery, or ids), or everywhere when None."""
        from peerpath.people.models import Membership

        memberships = Membership.objects.current().select_related("organisation").order_by("organisation__name")
        if organisations is not None:
            memberships = memberships.filter(organisation__in=organisations)
        return self.prefetch_related(Prefetch("memberships", queryset=memberships, to_attr="visible_memberships"))

    def by_name(self, *, searching: bool = False) -> PersonQuerySet:
        """Family name, given name, id. When a search narrowed the rows, the order is written
        so that no index provides it (the names are NOT NULL, so the order is the same):
        otherwise PostgreSQL walks person_name_idx hoping to meet a page of matches early,
        instead of sorting the few rows the search indexes found (264 ms against 4 ms at
        national scale, bench/pages_bench.py)."""
        if searching:
            return self.order_by(F("family_name").asc(nulls_first=True), F("given_name").asc(nulls_first=True), "id")
        return self.order_by("family_name", "given_name", "id")
