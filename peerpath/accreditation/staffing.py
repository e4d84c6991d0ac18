"""Assignments an expiry, suspension or revocation has left uncovered, for coordinators to re-staff.

A peer trainer or peer facilitator assigned to a run that has not finished must hold
an award valid on the run's first session (or today, once it is running). The
list is one query, however many runs and assignments there are.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Case, DateField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from peerpath.accreditation.models import Award
from peerpath.delivery.models import CourseRun, FacilitatorAssignment

PEER_ROLES = (FacilitatorAssignment.Role.PEER_TRAINER, FacilitatorAssignment.Role.PEER_FACILITATOR)
NOT_FINISHED = (CourseRun.Status.PLANNED, CourseRun.Status.OPEN, CourseRun.Status.FULL, CourseRun.Status.RUNNING)


def uncovered_assignments(runs: QuerySet[CourseRun], today: date | None = None) -> QuerySet[FacilitatorAssignment]:
    """Peer assignments on ``runs`` not yet finished whose person holds no award covering the day that counts."""
    today = today or timezone.localdate()
    end_of_today = timezone.make_aware(datetime.combine(today, time.max))
    day_that_counts = Case(
        When(
            run__starts_at__gt=end_of_today,
            then=TruncDate("run__starts_at", tzinfo=timezone.get_current_timezone()),
        ),
        default=Value(today),
        output_field=DateField(),
    )
    covering = Award.objects.filter(
        holder_id=OuterRef("person_id"),
        scheme__grants=OuterRef("role"),
        status__in=(Award.Status.ACTIVE, Award.Status.EXPIRED),
        valid_from__lte=OuterRef("day_that_counts"),
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=OuterRef("day_that_counts")))
    return (
        FacilitatorAssignment.objects.filter(run__in=runs, role__in=PEER_ROLES, run__status__in=NOT_FINISHED)
        .annotate(day_that_counts=day_that_counts)
        .annotate(covered=Exists(covering))
        .filter(covered=False)
        .select_related("person", "run__version__course", "run__term", "session")
        .order_by("run__starts_at", "run_id", "person__family_name", "pk")
    )
