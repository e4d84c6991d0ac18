"""The co-production profile of a course and the rule that says whether it was co-produced.

The computation is a pure function of contribution rows (stage, capacity,
hours) and a Rule, so it can be tested exhaustively; the database functions
below only fetch those rows, for one course or for a page of courses at once.
All arithmetic is in Decimal: a course at exactly the threshold passes.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from peerpath.courses.choices import LIVED_EXPERIENCE, Capacity, Stage

ZERO = Decimal("0")


@dataclass(frozen=True)
class Rule:
    """Lived-experience contributors took part in every ``lived_experience_stages`` stage
    and held at least ``minimum_lived_design_share`` of the hours in ``design_stages``."""

    lived_experience_stages: tuple[str, ...]
    design_stages: tuple[str, ...]
    minimum_lived_design_share: Decimal

    def describe(self) -> str:
        stages = _labels(self.lived_experience_stages)
        design = _labels(self.design_stages)
        share = f"{self.minimum_lived_design_share * 100:.0f}%"
        parts = []
        if stages:
            parts.append(f"people with lived experience took part in {stages}")
        if design:
            parts.append(f"at least {share} of the hours spent on {design} were theirs")
        return " and ".join(parts) or "no conditions"


DEFAULT_RULE = Rule(
    lived_experience_stages=(Stage.DESIGN_WORKSHOP.value, Stage.REVIEW.value),
    design_stages=(Stage.DESIGN_WORKSHOP.value,),
    minimum_lived_design_share=Decimal("0.40"),
)


def _labels(stages: Iterable[str]) -> str:
    names = [Stage(stage).label.lower() for stage in stages if stage in Stage.values]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class Row:
    """Contributions of one capacity at one stage: how many and how many hours."""

    stage: str
    capacity: str
    contributions: int
    hours: Decimal


@dataclass(frozen=True)
class CapacityShare:
    capacity: str
    label: str
    contributions: int
    hours: Decimal
    contribution_share: Decimal
    hours_share: Decimal


@dataclass(frozen=True)
class StageSummary:
    stage: str
    label: str
    contributions: int
    hours: Decimal
    lived_hours: Decimal
    hours_by_capacity: dict[str, Decimal]

    @property
    def has_lived_experience(self) -> bool:
        return self.lived_hours > 0

    @property
    def lived_share(self) -> Decimal | None:
        return _share(self.lived_hours, self.hours)


@dataclass(frozen=True)
class Profile:
    rule: Rule
    by_capacity: list[CapacityShare]
    by_stage: list[StageSummary]
    total_contributions: int
    total_hours: Decimal
    design_hours: Decimal
    lived_design_hours: Decimal
    stages_missing_lived_experience: list[str] = field(default_factory=list)

    @property
    def lived_hours(self) -> Decimal:
        """Hours given by people with lived experience, at every stage."""
        return sum((summary.lived_hours for summary in self.by_stage), ZERO)

    @property
    def lived_design_share(self) -> Decimal | None:
        return _share(self.lived_design_hours, self.design_hours)

    @property
    def meets_design_share(self) -> bool:
        if not self.rule.design_stages:
            return True
        share = self.lived_design_share
        return share is not None and share >= self.rule.minimum_lived_design_share

    @property
    def is_coproduced(self) -> bool:
        return not self.stages_missing_lived_experience and self.meets_design_share

    @property
    def is_empty(self) -> bool:
        return self.total_contributions == 0

    @property
    def shortfalls(self) -> list[str]:
        """Why the course is not (yet) co-produced, in plain words."""
        reasons = [
            f"No one with lived experience has taken part in the {Stage(stage).label.lower()} stage yet"
            for stage in self.stages_missing_lived_experience
        ]
        if not self.meets_design_share:
            share = self.lived_design_share
            needed = f"{self.rule.minimum_lived_design_share * 100:.0f}%"
            if share is None:
                reasons.append(f"No {_labels(self.rule.design_stages)} hours are recorded yet")
            else:
                reasons.append(
                    f"People with lived experience held {share * 100:.0f}% of {_labels(self.rule.design_stages)} "
                    f"hours; the rule needs at least {needed}"
                )
        return reasons


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return part / whole if whole else None


def compute_profile(rows: Iterable[Row], rule: Rule = DEFAULT_RULE) -> Profile:
    """The co-production profile of one course from its grouped contribution rows."""
    rows = list(rows)
    by_capacity_count: defaultdict[str, int] = defaultdict(int)
    by_capacity_hours: defaultdict[str, Decimal] = defaultdict(Decimal)
    stage_count: defaultdict[str, int] = defaultdict(int)
    stage_hours: defaultdict[str, defaultdict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        by_capacity_count[row.capacity] += row.contributions
        by_capacity_hours[row.capacity] += row.hours
        stage_count[row.stage] += row.contributions
        stage_hours[row.stage][row.capacity] += row.hours
    total_contributions = sum(by_capacity_count.values())
    total_hours = sum(by_capacity_hours.values(), ZERO)

    by_capacity = [
        CapacityShare(
            capacity=capacity.value,
            label=capacity.label,
            contributions=by_capacity_count[capacity.value],
            hours=by_capacity_hours[capacity.value],
            contribution_share=_share(Decimal(by_capacity_count[capacity.value]), Decimal(total_contributions)) or ZERO,
            hours_share=_share(by_capacity_hours[capacity.value], total_hours) or ZERO,
        )
        for capacity in Capacity
    ]
    by_stage = []
    for stage in Stage:
        hours = stage_hours[stage.value]
        by_stage.append(
            StageSummary(
                stage=stage.value,
                label=stage.label,
                contributions=stage_count[stage.value],
                hours=sum(hours.values(), ZERO),
                lived_hours=sum((hours[c] for c in LIVED_EXPERIENCE), ZERO),
                hours_by_capacity={capacity.value: hours[capacity.value] for capacity in Capacity},
            )
        )
    summaries = {summary.stage: summary for summary in by_stage}
    design_hours = sum((summaries[s].hours for s in rule.design_stages if s in summaries), ZERO)
    lived_design_hours = sum((summaries[s].lived_hours for s in rule.design_stages if s in summaries), ZERO)
    missing = [s for s in rule.lived_experience_stages if s not in summaries or not summaries[s].has_lived_experience]
    return Profile(
        rule=rule,
        by_capacity=by_capacity,
        by_stage=by_stage,
        total_contributions=total_contributions,
        total_hours=total_hours,
        design_hours=design_hours,
        lived_design_hours=lived_design_hours,
        stages_missing_lived_experience=missing,
    )


def current_rule() -> Rule:
    """The installation's rule (one query); the default if an administrator removed it."""
    from peerpath.courses.models import CoproductionRule

    stored = CoproductionRule.objects.order_by("pk").first()
    if stored is None:
        return DEFAULT_RULE
    return Rule(
        lived_experience_stages=tuple(stored.lived_experience_stages),
        design_stages=tuple(stored.design_stages),
        minimum_lived_design_share=Decimal(stored.minimum_lived_design_share),
    )


def _grouped_rows(course_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Row]]:
    from peerpath.courses.models import Contribution

    grouped: defaultdict[uuid.UUID, list[Row]] = defaultdict(list)
    if not course_ids:
        return grouped
    rows = (
        Contribution.objects.filter(activity__course_id__in=list(course_ids))
        .values_list("activity__course_id", "activity__stage", "capacity")
        .annotate(contributions=Count("pk"), hours=Sum("hours"))
        .order_by()
    )
    for course_id, stage, capacity, contributions, hours in rows:
        grouped[course_id].append(Row(stage, capacity, contributions, Decimal(hours)))
    return grouped


def profile_for(course_id: uuid.UUID, rule: Rule | None = None) -> Profile:
    """One course's profile: one grouped query (plus one for the rule if not given)."""
    return compute_profile(_grouped_rows([course_id]).get(course_id, []), rule or current_rule())


def profiles_for(course_ids: Sequence[uuid.UUID], rule: Rule | None = None) -> dict[uuid.UUID, Profile]:
    """Profiles of a page of courses at once: one grouped query, however many courses."""
    rule = rule or current_rule()
    grouped = _grouped_rows(course_ids)
    return {course_id: compute_profile(grouped.get(course_id, []), rule) for course_id in course_ids}
