"""Read paths for people, named for what the caller wants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

if TYPE_CHECKING:
    from peerpath.people.models import Membership, Person  # noqa: F401 - named in the QuerySet type arguments


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: date | None = None) -> MembershipQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day), started_on__lte=day)


class PersonQuerySet(models.QuerySet["Person"]):
    def in_organisations(self, organisation_ids: Iterable[Any]) -> PersonQuerySet:
        """People with a current membership (any role) in one of these organisations."""
        from peerpath.people.models import Membership

        memberships = Membership.objects.current().filter(
            person=OuterRef("pk"), organisation_id__in=list(organisation_ids)
        )
        return self.filter(Exists(memberships))

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
