"""Reads of courses and terms, named for what the screens ask."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

if TYPE_CHECKING:
    from peerpath.courses.models import Course, Term  # noqa: F401 - named in the QuerySet type arguments


def _count_of(model_name: str, field: str = "course") -> Coalesce:
    """A correlated COUNT subquery, so several counts never multiply each other's rows."""
    from django.apps import apps

    model = apps.get_model("courses", model_name)
    counted = (
        model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class CourseQuerySet(QuerySet["Course"]):
    def for_organisations(self, organisations: Iterable[uuid.UUID]) -> CourseQuerySet:
        """Courses an organisation owns or is a partner in (uncorrelated IN lists)."""
        ids = list(organisations)
        if not ids:
            return self.none()
        partnered = self.model.partners.through.objects.filter(organisation_id__in=ids).values("course_id")
        return self.filter(Q(owner_id__in=ids) | Q(pk__in=partnered))

    def with_counts(self) -> CourseQuerySet:
        """Annotate ``version_count`` and ``activity_count`` in the same query."""
        return self.annotate(version_count=_count_of("CourseVersion"), activity_count=_count_of("CoproductionActivity"))

    def approved(self) -> CourseQuerySet:
        return self.filter(status="approved")


class TermQuerySet(QuerySet["Term"]):
    def published(self) -> TermQuerySet:
        return self.filter(published=True)

    def not_ended(self, today: date) -> TermQuerySet:
        return self.filter(ends_on__gte=today)
