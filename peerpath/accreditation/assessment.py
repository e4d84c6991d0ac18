"""What assessors and coordinators read about candidates: the list and one candidate's file.

Views call these (they may not query models themselves). Each function runs a fixed
number of queries, however many candidates, entries or awards there are.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from peerpath.accreditation import access, lifecycle, requirements
from peerpath.accreditation.awards import covers
from peerpath.accreditation.models import Award, AwardStatusChange, Observation, PortfolioEntry, Scheme
from peerpath.accreditation.requirements import Requirement
from peerpath.courses.choices import Category
from peerpath.delivery.models import Enrolment
from peerpath.people.models import Person

SHOW_CHOICES = {
    "": "Everyone in accreditation",
    "review": "Evidence waiting for review",
    "held": "Holding a current award",
    "working": "Working towards an award",
}


def _count(queryset: QuerySet[Any], field: str) -> Coalesce:
    counted = queryset.filter(**{field: OuterRef("pk")}).values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def candidate_rows(user: Any, *, today: date, show: str = "", name: str = "") -> QuerySet[Person]:
    """People in the user's scope who are in accreditation: training, keeping a portfolio, observed or awarded.

    Each row carries ``to_review`` (submitted entries), ``accepted`` (accepted entries),
    ``competent_observations`` and ``holds_award`` (an award valid today).
    """
    current = Award.objects.filter(holder=OuterRef("pk"), status=Award.Status.ACTIVE, valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    # On a Train the Trainer run, or through one (not those who withdrew or only wait for a place).
    trained = Enrolment.objects.filter(
        run__version__course__category=Category.TRAIN_THE_TRAINER,
        status__in=(Enrolment.Status.ENROLLED, Enrolment.Status.OFFERED, Enrolment.Status.COMPLETED),
    )
    # Who is in accreditation at all, as uncorrelated IN lists: each built once, instead of
    # probing four tables for every person in the user's organisations.
    involved = (
        Q(pk__in=PortfolioEntry.objects.values("candidate_id"))
        | Q(pk__in=Observation.objects.values("candidate_id"))
        | Q(pk__in=Award.objects.values("holder_id"))
        | Q(pk__in=trained.values("person_id"))
    )
    rows = (
        access.visible_candidates(user)
        .filter(involved)
        .annotate(
            to_review=_count(PortfolioEntry.objects.filter(status=PortfolioEntry.Status.SUBMITTED), "candidate"),
            accepted=_count(PortfolioEntry.objects.filter(status=PortfolioEntry.Status.ACCEPTED), "candidate"),
            competent_observations=_count(
                Observation.objects.filter(outcome=Observation.Outcome.COMPETENT), "candidate"
            ),
            holds_award=Exists(current),
        )
    )
    if show == "review":
        rows = rows.filter(to_review__gt=0)
    elif show == "held":
        rows = rows.filter(holds_award=True)
    elif show == "working":
        rows = rows.filter(holds_award=False)
    if name:
        for word in name.split()[:4]:
            rows = rows.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return rows.order_by("family_name", "given_name", "pk")


@dataclass(frozen=True)
class SchemeProgress:
    scheme: Scheme
    requirements: list[Requirement]
    held: Award | None

    @property
    def ready(self) -> bool:
        return self.held is None and not requirements.unmet(self.requirements)


@dataclass(frozen=True)
class CandidateFile:
    schemes: list[SchemeProgress]
    to_review: list[PortfolioEntry]
    entry_counts: dict[str, int]
    observations: list[Observation]
    awards: list[Award]


def scheme_progress(candidate_id: uuid.UUID, awards: list[Award], *, today: date) -> list[SchemeProgress]:
    """For each active scheme, the award of it that lets the person facilitate today, or their progress towards it."""
    held = {award.scheme_id: award for award in reversed(awards) if lifecycle.standing(award, today).lets_facilitate}
    return [
        SchemeProgress(
            scheme,
            [] if scheme.pk in held else requirements.progress(candidate_id, scheme),
            held.get(scheme.pk),
        )
        for scheme in requirements.active_schemes()
    ]


def candidate_file(candidate_id: uuid.UUID, *, today: date) -> CandidateFile:
    """Everything an assessor weighs before granting: progress per scheme, evidence, observations, awards."""
    awards = lifecycle.awards_of(candidate_id)
    schemes = scheme_progress(candidate_id, awards, today=today)
    entries = PortfolioEntry.objects.filter(candidate_id=candidate_id)
    counts = dict(
        entries.filter(status=PortfolioEntry.Status.ACCEPTED)
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    to_review = list(entries.filter(status=PortfolioEntry.Status.SUBMITTED).order_by("occurred_on", "created_at"))
    observations = list(
        Observation.objects.filter(candidate_id=candidate_id)
        .select_related("assessor", "session__run__version__course")
        .order_by("-observed_on", "-recorded_at")[:50]
    )
    return CandidateFile(schemes, to_review, counts, observations, awards)


def grantable_schemes(awards: list[Award], *, today: date) -> list[Scheme]:
    """Active schemes of which none of ``awards`` (one person's) still runs today: the grant service's own test."""
    running = {award.scheme_id for award in awards if covers(award, today)}
    return [scheme for scheme in requirements.active_schemes() if scheme.pk not in running]


def award_history(award: Award) -> list[AwardStatusChange]:
    return list(AwardStatusChange.objects.filter(award=award).order_by("changed_at", "pk"))


def renewed_by(award: Award) -> Award | None:
    return Award.objects.filter(renews=award).first()


def allowed_moves(award: Award) -> list[tuple[str, str]]:
    """The status changes open to this award, as (move, label) for a radio group."""
    labels = {
        "suspend": "Suspend it: the holder may not facilitate until it is reinstated",
        "reinstate": "Reinstate it",
        "revoke": "Revoke it: this cannot be undone",
    }
    return [(move, labels[move]) for move, (allowed, _) in lifecycle.MOVES.items() if award.status in allowed]
