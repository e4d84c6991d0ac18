"""What a scheme asks of a candidate, and how far they have got: checked here and nowhere else.

``progress(candidate, scheme)`` gives one :class:`Requirement` per thing the
scheme asks for, each with what is needed, what the candidate has and, for
competencies, which are still missing. The candidate's progress page shows
them, and ``awards.grant_award`` refuses while any is unmet. It costs a fixed
number of queries, whatever the size of the portfolio.

What counts:

- **Train the Trainer**: a place on a completed run of one of the scheme's
  training courses (any Train the Trainer course when it names none) with
  attendance (present or late) at or above the scheme's share of sessions.
- **Observations**: observations of sessions the candidate co-delivered, by
  someone else, with the outcome "competent".
- **Competencies**: each competency of the scheme's framework evidenced by an
  accepted portfolio entry linked to it, or rated competent in an observation.
- **Reflections** and **supervision**: accepted portfolio entries of that kind.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Q

from peerpath.accreditation.models import Competency, Observation, ObservationRating, PortfolioEntry, Scheme
from peerpath.courses.choices import Category
from peerpath.delivery.enrolment import has_completed
from peerpath.delivery.models import ATTENDED, CourseRun, Enrolment

Kind = PortfolioEntry.Kind
ACCEPTED = PortfolioEntry.Status.ACCEPTED


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str
    needed: int
    have: int
    missing: tuple[str, ...] = field(default=())
    # Counts kept in smaller units to compare exactly (hours in tenths: scale 10) show in whole units.
    scale: int = 1

    @property
    def met(self) -> bool:
        return self.have >= self.needed

    @property
    def summary(self) -> str:
        if self.met:
            return "Met"
        return f"{self.have / self.scale:g} of {self.needed / self.scale:g}"


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"


def _training(candidate_id: uuid.UUID, scheme: Scheme) -> Requirement:
    """Two queries: the scheme's courses, then the candidate's finished training places with attendance."""
    courses = list(scheme.training_courses.values_list("pk", flat=True))
    runs = CourseRun.objects.filter(status=CourseRun.Status.COMPLETED)
    runs = (
        runs.filter(version__course__in=courses)
        if courses
        else runs.filter(version__course__category=Category.TRAIN_THE_TRAINER)
    )
    places = (
        Enrolment.objects.filter(person_id=candidate_id, run__in=runs)
        .annotate(
            sessions=Count("run__sessions", distinct=True),
            attended=Count("attendance", filter=Q(attendance__status__in=ATTENDED), distinct=True),
        )
        .values_list("sessions", "attended")
    )
    threshold = Fraction(scheme.attendance_percent, 100)
    done = any(has_completed(attended, sessions, threshold) for sessions, attended in places)
    return Requirement(
        "training",
        f"A Train the Trainer course attended for at least {scheme.attendance_percent}% of its sessions",
        needed=1,
        have=1 if done else 0,
    )


def _observations(candidate_id: uuid.UUID, scheme: Scheme) -> Requirement:
    competent = Observation.objects.filter(candidate_id=candidate_id, outcome=Observation.Outcome.COMPETENT).exclude(
        assessor_id=candidate_id
    )
    needed = scheme.observations_required
    return Requirement(
        "observations",
        f"{_plural(needed, 'observed co-delivered session')} rated competent by an assessor",
        needed=needed,
        have=competent.count(),
    )


def _entries(kind: str, needed: int, label: str, counts: dict[str, int]) -> Requirement:
    return Requirement(kind, label, needed=needed, have=counts.get(kind, 0))


def _competencies(candidate_id: uuid.UUID, scheme: Scheme) -> Requirement:
    competencies = list(Competency.objects.filter(framework_id=scheme.framework_id).order_by("order", "code"))
    ids = [competency.pk for competency in competencies]
    from_portfolio = PortfolioEntry.competencies.through.objects.filter(
        portfolioentry__candidate_id=candidate_id, portfolioentry__status=ACCEPTED, competency_id__in=ids
    ).values_list("competency_id", flat=True)
    from_observations = ObservationRating.objects.filter(
        observation__candidate_id=candidate_id,
        rating=ObservationRating.Rating.COMPETENT,
        competency_id__in=ids,
    ).values_list("competency_id", flat=True)
    evidenced = set(from_portfolio) | set(from_observations)
    missing = tuple(f"{c.code} {c.title}" for c in competencies if c.pk not in evidenced)
    return Requirement(
        "competencies",
        f"Every competency evidenced ({_plural(len(competencies), 'competency', 'competencies')})",
        needed=len(competencies),
        have=len(competencies) - len(missing),
        missing=missing,
    )


def progress(candidate_id: uuid.UUID, scheme: Scheme) -> list[Requirement]:
    """Each requirement the scheme sets, in the order a candidate meets them (about eight queries)."""
    counts = dict(
        PortfolioEntry.objects.filter(
            candidate_id=candidate_id, status=ACCEPTED, kind__in=(Kind.REFLECTION, Kind.SUPERVISION)
        )
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    found: list[Requirement] = [_training(candidate_id, scheme)]
    if scheme.observations_required:
        found.append(_observations(candidate_id, scheme))
    if scheme.every_competency_evidenced:
        found.append(_competencies(candidate_id, scheme))
    if scheme.reflections_required:
        needed = scheme.reflections_required
        found.append(_entries(Kind.REFLECTION, needed, f"{_plural(needed, 'reflection')} accepted", counts))
    if scheme.supervisions_required:
        needed = scheme.supervisions_required
        label = f"{_plural(needed, 'supervision session')} recorded"
        found.append(_entries(Kind.SUPERVISION, needed, label, counts))
    return found


def active_schemes() -> list[Scheme]:
    return list(Scheme.objects.filter(active=True).order_by("name"))


def unmet(requirements: Sequence[Requirement]) -> list[Requirement]:
    return [requirement for requirement in requirements if not requirement.met]


def describe_unmet(requirements: Sequence[Requirement]) -> str:
    """'Not yet: 1 of 2 observed co-delivered sessions …; CPT-4 Confidentiality and consent not evidenced'."""
    parts: list[str] = []
    for requirement in unmet(requirements):
        if requirement.key == "competencies":
            parts.append("competencies not yet evidenced: " + ", ".join(requirement.missing))
        else:
            parts.append(f"{requirement.label} ({requirement.have} of {requirement.needed})")
    return "; ".join(parts)
