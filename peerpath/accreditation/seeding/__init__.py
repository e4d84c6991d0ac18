"""Demo awards: every peer trainer and peer facilitator the delivery step staffed holds the award
that lets them, from before their first run to after their last, renewed period by period.

Importing this module registers the ``accreditation`` step with ``peerpath.core.seeding``,
to run after delivery (30). Each person the delivery step assigned to a whole run
as a peer trainer or a peer facilitator gets the matching scheme's award:

- period 1 starts some weeks before their first run's first session;
- each period lasts the scheme's validity and is renewed the day after it ends,
  until a period covers both their last run and the seed's "today";
- periods that ended before "today" are expired, the current one is active
  (some are "expiring soon", as the dates fall), each with its status history.

Awards are granted by an assessor of the holder's organisation (any assessor when
it has none). When the accreditation app answers delivery's "is this person
accredited?" question, every seeded assignment is covered by an award.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Min
from django.utils import timezone

from peerpath.accreditation.awards import add_months
from peerpath.accreditation.frameworks import ensure_default
from peerpath.accreditation.models import VERIFICATION_ALPHABET, Award, AwardStatusChange, Scheme
from peerpath.core import seeding
from peerpath.core.seeding import SeedContext, SeedError
from peerpath.delivery.models import CourseRun, FacilitatorAssignment
from peerpath.people.models import Membership
from peerpath.people.seeding import SWL_COLLEGE
from peerpath.programmes.models import Programme

SHARED_KEY = "accreditation"
ORDER = 40  # after delivery (30)
ROLES = (FacilitatorAssignment.Role.PEER_TRAINER, FacilitatorAssignment.Role.PEER_FACILITATOR)


@dataclass
class SeededAccreditation:
    """What the step made, for later steps."""

    holders: dict[str, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))
    awards: int = 0


def _code(rng: random.Random) -> str:
    """A verification code drawn from the step's generator, so codes repeat with the seed."""
    characters = "".join(rng.choice(VERIFICATION_ALPHABET) for _ in range(16))
    return "-".join(characters[i : i + 4] for i in range(0, 16, 4))


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=9))


def _spans() -> dict[tuple[uuid.UUID, str], tuple[date, date]]:
    """(person, role) -> (first, last) day they are staffed for: the first sessions of their runs."""
    spans: dict[tuple[uuid.UUID, str], tuple[date, date]] = {}
    rows = (
        FacilitatorAssignment.objects.filter(role__in=ROLES, session__isnull=True)
        .exclude(run__status=CourseRun.Status.CANCELLED)
        .values("person_id", "role", "run_id")
        .annotate(first=Min("run__sessions__starts_at"))
        .filter(first__isnull=False)
        .values_list("person_id", "role", "first")
        .order_by("person_id", "role", "first")
    )
    for person_id, role, starts_at in rows:
        day = timezone.localdate(starts_at)
        first, last = spans.get((person_id, role), (day, day))
        spans[(person_id, role)] = (min(first, day), max(last, day))
    return spans


def _assessors() -> tuple[dict[uuid.UUID, list[uuid.UUID]], list[uuid.UUID]]:
    by_org: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for person_id, organisation_id in (
        Membership.objects.filter(role=Membership.Role.ASSESSOR)
        .order_by("organisation_id", "person_id")
        .values_list("person_id", "organisation_id")
    ):
        by_org[organisation_id].append(person_id)
    everyone = sorted({person for people in by_org.values() for person in people})
    return by_org, everyone


def _attach_schemes_to_the_first_programme() -> None:
    """The shipped schemes are the carers' peer trainer programme's, which began at the first college."""
    programme = (
        Programme.objects.filter(owner__name=SWL_COLLEGE).first()
        or Programme.objects.order_by("owner__name", "code").first()
    )
    if programme is not None:
        Scheme.objects.filter(programme__isnull=True).update(programme=programme)


def seed_accreditation(context: SeedContext) -> None:
    ensure_default()  # reference data from a migration; loaded again if a test emptied the tables
    _attach_schemes_to_the_first_programme()
    schemes = {scheme.grants: scheme for scheme in Scheme.objects.filter(active=True).order_by("code")}
    missing = [role for role in ROLES if role not in schemes]
    if missing:
        raise SeedError(f"The accreditation step needs an active scheme for {', '.join(missing)}.")
    spans = _spans()
    assessors_by_org, all_assessors = _assessors()
    if spans and not all_assessors:
        raise SeedError("The accreditation step needs at least one assessor to grant awards.")
    home_org: dict[uuid.UUID, uuid.UUID] = {}
    for person_id, organisation_id in (
        Membership.objects.filter(role=Membership.Role.TUTOR, person_id__in={person for person, _ in spans})
        .order_by("person_id", "started_on", "organisation_id")
        .values_list("person_id", "organisation_id")
    ):
        home_org.setdefault(person_id, organisation_id)  # the organisation they first tutored for
    rng, today = context.rng, context.today
    awards: list[Award] = []
    changes: list[AwardStatusChange] = []
    result = SeededAccreditation()
    for (person_id, role), (first, last) in sorted(spans.items(), key=lambda item: (str(item[0][0]), item[0][1])):
        scheme = schemes[role]
        months = scheme.validity_months or 24
        organisation = home_org.get(person_id)
        local = assessors_by_org.get(organisation, []) if organisation else []
        choices = [a for a in local if a != person_id]
        choices = choices or [a for a in all_assessors if a != person_id]
        granter = rng.choice(choices)
        valid_from = first - timedelta(days=rng.randint(21, 120))
        previous: Award | None = None
        period = 1
        while True:
            valid_until = add_months(valid_from, months)
            ended = valid_until < today
            award = Award(
                id=context.uuid(),
                holder_id=person_id,
                scheme=scheme,
                period=period,
                renews=previous,
                valid_from=valid_from,
                valid_until=valid_until,
                status=Award.Status.EXPIRED if ended else Award.Status.ACTIVE,
                granted_by_id=granter,
                granted_at=_moment(valid_from),
                verification_code=_code(rng),
            )
            awards.append(award)
            reason = "Every requirement met" if previous is None else "Renewal requirements met"
            changes.append(
                AwardStatusChange(
                    award=award,
                    to_status=Award.Status.ACTIVE,
                    changed_by_label="seed_demo",
                    changed_at=_moment(valid_from),
                    reason=reason,
                )
            )
            if ended:
                changes.append(
                    AwardStatusChange(
                        award=award,
                        from_status=Award.Status.ACTIVE,
                        to_status=Award.Status.EXPIRED,
                        changed_by_label="award expiry",
                        changed_at=_moment(valid_until + timedelta(days=1)),
                        reason=f"Passed its end date, {valid_until:%-d %B %Y}",
                    )
                )
            if valid_until >= max(last, today):
                break
            previous, period, valid_from = award, period + 1, valid_until + timedelta(days=1)
        result.holders[role].add(person_id)
    context.save_chunk(awards, changes)
    result.awards = len(awards)
    context.shared[SHARED_KEY] = result
    current = sum(1 for award in awards if award.status == Award.Status.ACTIVE)
    context.write(
        f"accreditation: {len(awards):,} award periods ({current:,} current) for "
        f"{len(result.holders[ROLES[0]]):,} peer trainers and {len(result.holders[ROLES[1]]):,} peer facilitators"
    )


seeding.register(SHARED_KEY, ORDER, seed_accreditation)

# Candidates at every stage and awards in every status: a step of its own, after this one.
from peerpath.accreditation.seeding import candidates  # noqa: E402, F401
