"""Who took part in one co-production activity, in which capacity and for how long.

Each stage has its usual team: design workshops and reviews are mostly carers
with a tutor or two, materials are written by a peer and a professional tutor
together, debriefs are the two trainers of a run. Design workshops are made up
to give the course the co-production ``verdict`` its plan asks for: exactly 40%
of the hours held by people with lived experience for ``BOUNDARY``, a little
under for ``BELOW``.
"""

from __future__ import annotations

import random
import uuid
from datetime import date
from decimal import Decimal

from peerpath.courses.choices import Capacity, Stage
from peerpath.courses.seeding.plans import BELOW, BOUNDARY, NO_LIVED_REVIEW, Plan
from peerpath.courses.seeding.pools import Member

QUARTER = Decimal("0.25")
Team = list[tuple[Member | None, str, Decimal]]  # (person, or None if not on PeerPath; capacity; hours)


def compose(stage: str, plan: Plan, day: date, rng: random.Random) -> tuple[Decimal, Team]:
    """The activity's hours and its contributions."""
    r = rng.randint
    picker = Picker(plan, day, rng)
    verdict = plan.verdict
    partner_on = bool(plan.partners) or bool(plan.group.partners)
    if stage == Stage.DESIGN_WORKSHOP:
        hours = rng.choice((Decimal(2), Decimal("2.5"), Decimal(3)))
        early = Decimal(0)
        if verdict == BOUNDARY:  # 2 of 5 people, the same hours: exactly 40%
            lived, partners = 2, int(partner_on and rng.random() < 0.5)
            professionals = 3 - partners
        elif verdict == BELOW:  # 3 of 8 (37.5%), or 2 of 5 with one leaving early (about 38.5%)
            if rng.random() < 0.5:
                lived, partners = 3, int(partner_on and rng.random() < 0.5)
                professionals = 5 - partners
            else:
                lived, partners, professionals, early = 2, 0, 3, QUARTER
        else:  # at least one more carer than everyone else: well over 40% even if one leaves early
            lived, professionals = r(3, 5), r(1, 2)
            partners = int(partner_on and rng.random() < 0.35)
            early = Decimal("0.5") if rng.random() < 0.3 else Decimal(0)
        team = picker.lived(lived, hours, service_user_chance=0.25)
        if early:
            member, capacity, member_hours = team[-1]
            team[-1] = (member, capacity, member_hours - early)
        return hours, team + picker.professionals(professionals, hours) + picker.partners(partners, hours)
    if stage == Stage.REVIEW:
        hours = rng.choice((Decimal("1.5"), Decimal(2)))
        if verdict == NO_LIVED_REVIEW:
            return hours, picker.professionals(2, hours) + picker.partners(1, hours)
        team = picker.lived(r(2, 4), hours, service_user_chance=0.15)
        return hours, team + picker.professionals(r(1, 2), hours) + picker.partners(int(rng.random() < 0.3), hours)
    if stage == Stage.IDEA:
        hours = rng.choice((Decimal(1), Decimal("1.5")))
        return hours, picker.lived(r(1, 2), hours) + picker.coordinator(hours)
    if stage == Stage.MATERIALS_WRITING:
        hours = rng.choice((Decimal(2), Decimal("2.5"), Decimal(3), Decimal(4), Decimal(5), Decimal(6)))
        team = [] if rng.random() < 0.2 else picker.peer_tutor(hours)
        team += picker.lived(int(rng.random() < 0.15), hours)
        return hours, team + picker.professionals(1, hours, tutors_only=True)
    if stage == Stage.PILOT:  # one session tried out with volunteers
        hours = min(Decimal(6), (Decimal(plan.draft.minutes) / 60 / QUARTER).to_integral_value() * QUARTER)
        team = picker.peer_tutor(hours) + picker.professionals(1, hours, tutors_only=True)
        return hours, team + picker.lived(r(0, 2), hours)
    if stage == Stage.DELIVERY_DEBRIEF:
        hours = rng.choice((Decimal("0.75"), Decimal(1), Decimal("1.5")))
        team = picker.peer_tutor(hours) + picker.professionals(1, hours, tutors_only=True)
        return hours, team + (picker.coordinator(hours) if rng.random() < 0.5 else [])
    hours = rng.choice((Decimal("1.5"), Decimal(2), Decimal("2.5"), Decimal(3)))  # revision
    team = picker.peer_tutor(hours) + picker.professionals(1, hours, tutors_only=True)
    return hours, team + picker.lived(r(0, 2), hours)


class Picker:
    """Draws one activity's contributors: each person once, and only people who had joined by then.

    People come from the course's owner and, for a partner's course, the college
    too; partner representatives from the course's partners (or the rest of the group).
    """

    def __init__(self, plan: Plan, day: date, rng: random.Random) -> None:
        self.plan = plan
        self.rng = rng
        self.day = day
        self.used: set[uuid.UUID] = set()
        owner, group = plan.owner, plan.group
        self.home = [owner] if owner is group.college else [owner, group.college]
        others = [pool for pool in group.pools if pool not in self.home]
        self.partner_pools = list(plan.partners) or others

    def _draw(self, members: list[Member]) -> Member | None:
        eligible = [m for m in members if m.since <= self.day and m.person_id not in self.used]
        if not eligible:
            return None
        member = self.rng.choice(eligible)
        self.used.add(member.person_id)
        return member

    def _all(self, attribute: str) -> list[Member]:
        return [member for pool in self.home for member in getattr(pool, attribute)]

    def lived(self, count: int, hours: Decimal, service_user_chance: float = 0.0) -> Team:
        team: Team = []
        for _ in range(count):
            if self.rng.random() < service_user_chance:
                # People with their own lived experience, often not on PeerPath: counted, not named.
                member = None if self.rng.random() < 0.7 else self._draw(self._all("service_users"))
                team.append((member, Capacity.SERVICE_USER, hours))
                continue
            member = None
            roll = self.rng.random()
            if roll < 0.4:
                member = self._draw(self._all("peer_tutors"))
            if member is None and roll < 0.88:
                member = self._draw(self._all("carers"))
            team.append((member, Capacity.CARER, hours))
        return team

    def peer_tutor(self, hours: Decimal) -> Team:
        member = self._draw(self._all("peer_tutors"))
        return [(member, Capacity.CARER, hours)] if member else self.lived(1, hours)

    def professionals(self, count: int, hours: Decimal, *, tutors_only: bool = False) -> Team:
        team: Team = []
        for index in range(count):
            member = None
            if self.rng.random() < 0.8:  # visiting pharmacists, solicitors and advisers are not on PeerPath
                wants_coordinator = not tutors_only and index > 0 and self.rng.random() < 0.5
                member = self._draw(self._all("coordinators" if wants_coordinator else "professional_tutors"))
            team.append((member, Capacity.PROFESSIONAL, hours))
        return team

    def coordinator(self, hours: Decimal) -> Team:
        return [(self._draw(self.plan.owner.coordinators), Capacity.PROFESSIONAL, hours)]

    def partners(self, count: int, hours: Decimal) -> Team:
        team: Team = []
        staff = [member for pool in self.partner_pools for member in pool.coordinators + pool.peer_tutors]
        for _ in range(count):
            member = self._draw(staff) if self.rng.random() < 0.7 else None
            team.append((member, Capacity.PARTNER, hours))
        return team
