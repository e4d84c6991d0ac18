"""What each college's catalogue holds: which courses, who owns them, and where each one stands.

A plan fixes, before any row is built, a course's draft (title, outline), its
owner, its status and how its co-production went (``verdict``). Statuses and
verdicts are dealt from quotas rather than drawn one by one, so that even the
25 courses of the ``small`` scale show every status, and approved courses that
clear the co-production rule easily, exactly at its 40% threshold, just below
it and without lived experience at review.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from peerpath.core.seeding import ScaleSizes
from peerpath.courses.choices import Category
from peerpath.courses.models import Course
from peerpath.courses.seeding.catalogue import CENTRE, CHARITY, SMALL_TEMPLATES, TEMPLATES
from peerpath.courses.seeding.pools import Group, OrgPool
from peerpath.courses.seeding.variants import CourseDraft, candidates, plain
from peerpath.people.models import Organisation

Status = Course.Status

# How an approved course's co-production went, against the default rule.
STRONG = "strong"  # lived experience throughout and most of the design hours
BOUNDARY = "boundary"  # exactly 40% of design-workshop hours: passes
BELOW = "below"  # lived experience at every stage, but 37.5-39% of design hours: fails
NO_LIVED_REVIEW = "no_lived_review"  # design share fine, but no carer at review: fails

SMALLEST = len(SMALL_TEMPLATES)
LARGEST = 120
# Courses every catalogue runs: Train the Trainer (how peer trainers come to be) and the best-known carers' courses.
ALWAYS_RUNNING = frozenset({"ttt", "psychosis", "friendly-wards", "wellbeing", "monthly-group"})


@dataclass(eq=False)
class Plan:
    draft: CourseDraft
    owner: OrgPool
    group: Group
    status: str
    verdict: str = STRONG
    progress: int = 3  # for courses in co-production: 1 design, 2 materials written, 3 reviewed
    retired_from_idea: bool = False
    partners: tuple[OrgPool, ...] = ()


def courses_per_group(sizes: ScaleSizes) -> int:
    """A college runs each course a few times over the period: 25 (small), 120 (regional), 39 (national)."""
    runs = sizes.runs_per_year / max(1, sizes.colleges) * sizes.years
    return max(SMALLEST, min(LARGEST, round(runs / 3.5)))


def plan_group(group: Group, count: int, rng: random.Random) -> list[Plan]:
    drafts = _drafts(group, count, rng)
    owned: Counter[OrgPool] = Counter()
    plans = []
    for draft in drafts:
        owner = _owner(draft, group, owned, rng)
        owned[owner] += 1
        plans.append(Plan(draft=draft, owner=owner, group=group, status=""))
    _deal_statuses(plans, rng)
    _deal_verdicts(plans, rng)
    for plan in plans:
        plan.partners = _partners(plan, group, rng)
    return plans


def _drafts(group: Group, count: int, rng: random.Random) -> list[CourseDraft]:
    if count <= SMALLEST:
        return [plain(template) for template in SMALL_TEMPLATES[:count]]
    # Most of the catalogue as written (always the courses every college runs), then variants.
    keep = min(len(TEMPLATES), max(SMALLEST, round(count * 0.6)))
    essential = [template for template in TEMPLATES if template.key in ALWAYS_RUNNING]
    others = [template for template in TEMPLATES if template not in essential]
    chosen = essential + rng.sample(others, keep - len(essential))
    drafts = [plain(template) for template in chosen]
    titles = {draft.title for draft in drafts}
    pool = [variant for template in chosen for variant in candidates(template, list(group.places), rng)]
    rng.shuffle(pool)
    for draft in pool:
        if len(drafts) >= count:
            break
        if draft.title not in titles:
            titles.add(draft.title)
            drafts.append(draft)
    return drafts


def _owner(draft: CourseDraft, group: Group, owned: Counter[OrgPool], rng: random.Random) -> OrgPool:
    owner_kind = draft.template.owner
    if owner_kind == CHARITY:
        charities = [pool for pool in group.partners if pool.kind == Organisation.Kind.CHARITY_GROUP]
        return charities[0] if charities else group.college
    if owner_kind == CENTRE:
        centres = [pool for pool in group.partners if pool.kind == Organisation.Kind.CARERS_CENTRE]
        local = [pool for pool in centres if _serves(pool, draft, group)]
        if local:
            return local[0]
        if centres:  # the centre with the fewest courses so far
            fewest = min(owned[pool] for pool in centres)
            return rng.choice([pool for pool in centres if owned[pool] == fewest])
    elif draft.place:
        # Borough versions of college courses are often run by that borough's carers' centre.
        local = [
            pool
            for pool in group.partners
            if pool.kind == Organisation.Kind.CARERS_CENTRE and _serves(pool, draft, group)
        ]
        if local and rng.random() < 0.5:
            return local[0]
    return group.college


def _serves(pool: OrgPool, draft: CourseDraft, group: Group) -> bool:
    """The organisation is based in the place this version of the course is for."""
    return bool(draft.place) and pool.org.area_id == group.places.get(draft.place)


def _partners(plan: Plan, group: Group, rng: random.Random) -> tuple[OrgPool, ...]:
    others = [pool for pool in group.pools if pool is not plan.owner]
    if not others:
        return ()
    if plan.owner is not group.college:
        return (group.college,) if rng.random() < 0.7 else ()
    if rng.random() < 0.5:
        return tuple(rng.sample(others, min(len(others), rng.randint(1, 2))))
    return ()


def _quota(count: int, share: float, at_least_one: bool) -> int:
    return max(1 if at_least_one else 0, round(count * share))


def _deal_statuses(plans: list[Plan], rng: random.Random) -> None:
    pinned = [plan for plan in plans if _always_running(plan)]
    free = [plan for plan in plans if not _always_running(plan)]
    every = len(plans) >= 8
    statuses = (
        [Status.RETIRED] * _quota(len(plans), 0.07, every)
        + [Status.IDEA] * _quota(len(plans), 0.1, every)
        + [Status.IN_COPRODUCTION] * _quota(len(plans), 0.16, every)
    )[: len(free)]
    statuses += [Status.APPROVED] * (len(free) - len(statuses))
    rng.shuffle(statuses)
    for plan, status in zip(free, statuses, strict=True):
        plan.status = status
    for plan in pinned:
        plan.status = Status.APPROVED
    for plan in plans:
        if plan.status == Status.RETIRED:
            plan.retired_from_idea = rng.random() < 0.3
        elif plan.status == Status.IN_COPRODUCTION:
            plan.progress = rng.choice((1, 2, 2, 3))


def _always_running(plan: Plan) -> bool:
    return plan.draft.template.key in ALWAYS_RUNNING and plan.draft.title == plan.draft.template.title


def _deal_verdicts(plans: list[Plan], rng: random.Random) -> None:
    approved = [
        plan for plan in plans if plan.status == Status.APPROVED and plan.draft.category != Category.TRAIN_THE_TRAINER
    ]
    every = len(approved) >= 8
    verdicts = (
        [BOUNDARY] * _quota(len(approved), 0.08, every)
        + [BELOW] * _quota(len(approved), 0.1, every)
        + [NO_LIVED_REVIEW] * _quota(len(approved), 0.05, every)
    )[: len(approved)]
    verdicts += [STRONG] * (len(approved) - len(verdicts))
    rng.shuffle(verdicts)
    for plan, verdict in zip(approved, verdicts, strict=True):
        plan.verdict = verdict
    for plan in plans:
        if plan.status == Status.IN_COPRODUCTION:
            plan.verdict = rng.choice((STRONG, STRONG, STRONG, BOUNDARY, BELOW))
