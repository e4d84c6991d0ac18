"""One run's life, played out in time as ``peerpath.delivery.enrolment`` would have written it.

Enrolment opens; people ask for places in the order they heard (most soon after
opening) and get one, or a place in the queue once the run is full; some
withdraw, and the front of the queue is offered the place (for
``PEERPATH_OFFER_HOURS``, as the service does), which
most accept and some let lapse. A run too thin a few days before it starts is
cancelled, as are a few others for ordinary reasons. When the first session
begins the run starts: offers still out and the queue are withdrawn. Tutors
take the register after each session, a few days late now and then; a few
people stop coming and withdraw. Some days after the last session a
coordinator completes the run, and completion follows the registers
(``has_completed``). Nothing happens after ``now``: a run that has not started
is open or full with its queue as it stands, and a register not yet taken is
empty.

Every move is a status row whose actor is a coordinator, the participant (who
has a login only in the demo) or the system job the services name.
"""

from __future__ import annotations

import heapq
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from itertools import count

from django.conf import settings

from peerpath.delivery.enrolment import OFFER_JOB, has_completed
from peerpath.delivery.models import (
    PLACE_HOLDING,
    Attendance,
    CourseRun,
    Enrolment,
    FacilitatorAssignment,
)
from peerpath.delivery.seeding import text
from peerpath.delivery.seeding.pools import Member
from peerpath.delivery.seeding.schedule import LONDON, RunPlan, at

E = Enrolment.Status
R = CourseRun.Status
A = Attendance.Status
Role = FacilitatorAssignment.Role
ACTIVE = (E.ENROLLED, E.OFFERED, E.WAITLISTED)
WITHDRAW_SHARE = 0.08  # of people with a place, before the start
LEAVE_SHARE = 0.05  # of people with a place, part-way through
LATE_REGISTER_SHARE = 0.07
LATE_SHARE = 0.09  # of people who came, how many came late
APOLOGIES_SHARE = 0.6  # of people who missed a session, how many sent apologies


@dataclass(frozen=True)
class Actor:
    """Who made a change: a login, or a system job by name."""

    user_id: int | None
    label: str


RUN_START = Actor(None, "run start")  # as ``enrolment.start_due_runs``
OFFER_EXPIRY = Actor(None, OFFER_JOB.name)


@dataclass(frozen=True)
class Forced:
    """A person placed on a run for the demo: who, when they ask and as whom. They come to every session."""

    member: Member
    asks_at: datetime
    actor: Actor | None  # None: staff enrol them


@dataclass
class Demands:
    """What the seeder fixes about a run before it is played; the rest is drawn."""

    popularity: float = 1.0  # people asking, as a multiple of the places
    forced: list[Forced] = field(default_factory=list)
    crowd_before: datetime | None = None  # everyone else asks before this moment (the demo queue)
    cancel: tuple[datetime, str] | None = None
    unmarked: int = 0  # people left off the register of the last session held (the demo run)
    steady: bool = False  # no one withdraws: the demo participant's queue place stays put
    # Someone with a place withdraws at this moment, just before ``now``: the offer it makes is still open.
    late_withdrawal: datetime | None = None


@dataclass(eq=False)
class Place:
    """One enrolment as it develops."""

    id: uuid.UUID
    member: Member
    channel: str
    asked_at: datetime
    actor: Actor | None  # the participant, if they act for themselves
    reliability: float
    status: str = ""
    position: int | None = None
    offer_expires_at: datetime | None = None
    updated_at: datetime | None = None
    changes: list[tuple[str, str, datetime, Actor, str]] = field(default_factory=list)
    attended: int = 0
    leaves: tuple[int, datetime] | None = None  # after which session, and when


class RunLife:
    """Plays one planned run up to ``now``; :func:`rows.write_run` turns the result into rows."""

    def __init__(
        self,
        plan: RunPlan,
        demands: Demands,
        *,
        rng: random.Random,
        now: datetime,
        new_id: Callable[[], uuid.UUID],
        reliability: Callable[[uuid.UUID], float],
        threshold: Fraction,
    ) -> None:
        self.plan = plan
        self.demands = demands
        self.rng = rng
        self.now = now
        self.new_id = new_id
        self.reliability = reliability
        self.threshold = threshold
        self.status = ""
        self.reason = ""
        self.changes: list[tuple[str, str, datetime, Actor, str]] = []
        self.places: list[Place] = []
        self.people: set[uuid.UUID] = set()
        self.taken = 0
        self.waiting = 0
        self.next_position = 0
        self.events: list[tuple[datetime, int, str, Place | Forced | None]] = []
        self.sequence = count()
        self.marks: list[Attendance] = []
        self.session_ids: list[uuid.UUID] = []

    # Actors and moves -------------------------------------------------------------------------

    def coordinator(self, moment: datetime) -> Actor:
        member = self.plan.organiser.coordinator_on(moment.date(), self.rng)
        return Actor(member.user_id, member.username)

    def for_person(self, place: Place, moment: datetime) -> Actor:
        """The participant if they act for themselves, otherwise staff on their behalf."""
        return place.actor or self.coordinator(moment)

    def move_run(self, to_status: str, moment: datetime, actor: Actor, reason: str = "") -> None:
        self.changes.append((self.status, to_status, moment, actor, reason))
        self.status = to_status
        if to_status == R.CANCELLED:
            self.reason = reason

    def move(
        self,
        place: Place,
        to_status: str,
        moment: datetime,
        actor: Actor,
        reason: str = "",
        *,
        position: int | None = None,
        expires: datetime | None = None,
    ) -> None:
        place.changes.append((place.status, to_status, moment, actor, reason))
        place.status, place.position, place.offer_expires_at = to_status, position, expires
        place.updated_at = moment

    def working_time(self, earliest: datetime, latest: datetime) -> datetime:
        """A moment between the two, in the working day when there is one (staff enter most changes)."""
        moment = earliest + (latest - earliest) * self.rng.random()
        day = moment.astimezone(LONDON).date()
        moment = at(day, "09:00") + timedelta(minutes=self.rng.randrange(8 * 60 + 30))
        return min(max(moment, earliest), latest)

    def push(self, moment: datetime, kind: str, subject: Place | Forced | None = None) -> None:
        heapq.heappush(self.events, (moment, next(self.sequence), kind, subject))

    # The life ---------------------------------------------------------------------------------

    def play(self) -> None:
        plan, demands, now = self.plan, self.demands, self.now
        self.move_run(R.PLANNED, plan.created_at, Actor(plan.created_by, plan.creator.username))
        cancel = demands.cancel
        if cancel is not None and cancel[0] < plan.opens_at:
            if cancel[0] < now:
                self.move_run(R.CANCELLED, cancel[0], self.coordinator(cancel[0]), cancel[1])
            return
        if not plan.staffed or plan.opens_at > now:
            return
        self.move_run(R.OPEN, plan.opens_at, self.coordinator(plan.opens_at))
        start = plan.starts[0]
        horizon = min(now, start)
        self.ask(horizon)
        check = at(start.date() - timedelta(days=3), "12:00")
        if check < horizon:
            self.push(check, "check")
        if cancel is not None and cancel[0] < horizon:
            self.push(cancel[0], "cancel")
        if demands.late_withdrawal is not None and demands.late_withdrawal < horizon:
            self.push(demands.late_withdrawal, "late withdrawal")
        while self.events and self.status not in (R.CANCELLED,):
            moment, _n, kind, subject = heapq.heappop(self.events)
            if moment >= horizon:
                break
            self.handle(moment, kind, subject)
        if self.status == R.CANCELLED or start > now:
            return
        self.begin(min(start + timedelta(minutes=self.rng.randint(1, 15)), now))
        self.registers()

    def ask(self, horizon: datetime) -> None:
        """Queue the requests for places that arrive before ``horizon``."""
        plan, demands, rng = self.plan, self.demands, self.rng
        closes = at(plan.closes_on, "17:00")
        crowd_end = demands.crowd_before or closes
        window = (crowd_end - plan.opens_at).total_seconds()
        wanted = round(plan.capacity * demands.popularity)
        for _ in range(wanted):
            # Most people ask soon after enrolment opens; staff enter them during the working day.
            day = (plan.opens_at + timedelta(seconds=window * rng.random() ** 1.7)).astimezone(LONDON).date()
            moment = at(day, "09:00") + timedelta(minutes=rng.randrange(8 * 60 + 30))
            moment = min(moment, crowd_end - timedelta(minutes=rng.randint(1, 60)))
            if moment <= plan.opens_at:
                moment = plan.opens_at + timedelta(minutes=rng.randint(1, 90))
            if moment < horizon:
                self.push(moment, "ask")
        for forced in demands.forced:
            if forced.asks_at < horizon:
                self.push(forced.asks_at, "ask", forced)

    def handle(self, moment: datetime, kind: str, subject: Place | Forced | None) -> None:
        if kind == "ask":
            self.request(moment, subject if isinstance(subject, Forced) else None)
        elif kind == "withdraw" and isinstance(subject, Place) and subject.status == E.ENROLLED:
            self.withdraw(subject, moment)
        elif kind == "late withdrawal":
            placed = [place for place in self.places if place.status == E.ENROLLED and place.actor is None]
            if placed:
                self.withdraw(self.rng.choice(placed), moment, decided=False)
        elif kind == "accept" and isinstance(subject, Place) and subject.status == E.OFFERED:
            self.move(subject, E.ENROLLED, moment, self.for_person(subject, moment))
            self.maybe_withdraw(subject, moment, share=WITHDRAW_SHARE / 2)
        elif kind == "lapse" and isinstance(subject, Place) and subject.status == E.OFFERED:
            self.move(subject, E.WITHDRAWN, moment, OFFER_EXPIRY, text.OFFER_LAPSED)
            self.taken -= 1
            self.offer_places(moment, OFFER_EXPIRY)
        elif kind == "check" and self.taken < max(4, self.plan.capacity // 3):
            self.cancel(moment, text.TOO_FEW)
        elif kind == "cancel" and self.demands.cancel is not None:
            self.cancel(moment, self.demands.cancel[1])

    def withdraw(self, place: Place, moment: datetime, *, decided: bool = True) -> None:
        """As ``enrolment.withdraw``; ``decided`` False leaves the offers it makes unanswered."""
        by = self.for_person(place, moment)
        self.move(place, E.WITHDRAWN, moment, by, self.rng.choice(text.WITHDRAWAL_REASONS))
        self.taken -= 1
        self.offer_places(moment, by, decided=decided)

    def request(self, moment: datetime, forced: Forced | None) -> None:
        if forced is not None:
            member, actor = forced.member, forced.actor
            reliability = 1.0
        else:
            found = self.someone(moment)
            if found is None:
                return
            member, actor, reliability = found, None, self.reliability(found.person_id)
        self.people.add(member.person_id)
        place = Place(
            id=self.new_id(),
            member=member,
            channel=Enrolment.Channel.SELF if actor is not None else Enrolment.Channel.STAFF,
            asked_at=moment,
            actor=actor,
            reliability=reliability,
        )
        self.places.append(place)
        by = self.for_person(place, moment)
        if self.taken < self.plan.capacity and self.waiting == 0:
            self.move(place, E.ENROLLED, moment, by)
            self.taken += 1
            if forced is None:
                self.maybe_withdraw(place, moment, share=WITHDRAW_SHARE)
        else:
            self.next_position += 1
            self.move(place, E.WAITLISTED, moment, by, position=self.next_position)
            self.waiting += 1
        if self.taken >= self.plan.capacity and self.status == R.OPEN:
            self.move_run(R.FULL, moment, by)

    def someone(self, moment: datetime) -> Member | None:
        """A carer of the running organisation who had joined by then and is not on the run yet."""
        pool = self.plan.organiser
        joined = pool.carers_joined_by(moment.date())
        for _ in range(12):
            if not joined:
                return None
            member = pool.carers[self.rng.randrange(joined)]
            if member.person_id not in self.people and member.current(moment.date()):
                return member
        return None

    def maybe_withdraw(self, place: Place, moment: datetime, *, share: float) -> None:
        if self.demands.steady or self.rng.random() >= share:
            return
        start = self.plan.starts[0]
        latest = start - timedelta(hours=2)
        if latest > moment:
            self.push(self.working_time(moment, latest), "withdraw", place)

    def offer_places(self, moment: datetime, actor: Actor, *, decided: bool = True) -> None:
        """As ``enrolment._offer_places``: the front of the queue is offered the free places."""
        if self.status not in (R.OPEN, R.FULL):
            return
        rng = self.rng
        free = self.plan.capacity - self.taken
        queue = sorted((place for place in self.places if place.status == E.WAITLISTED), key=_position)
        start = self.plan.starts[0]
        for place in queue[: max(0, free)]:
            expires = min(moment + timedelta(hours=settings.PEERPATH_OFFER_HOURS), start)
            self.move(place, E.OFFERED, moment, actor, expires=expires)
            self.taken += 1
            self.waiting -= 1
            answer = self.working_time(moment + timedelta(hours=1), moment + timedelta(hours=40))
            if not decided:
                continue
            if rng.random() < 0.85 and answer < expires:
                self.push(answer, "accept", place)
            else:  # the expiry job runs every few minutes
                self.push(expires + timedelta(minutes=rng.randint(2, 20)), "lapse", place)
        if self.status == R.FULL and self.taken < self.plan.capacity:
            self.move_run(R.OPEN, moment, actor)
        elif self.status == R.OPEN and self.taken >= self.plan.capacity:
            self.move_run(R.FULL, moment, actor)

    def cancel(self, moment: datetime, reason: str) -> None:
        by = self.coordinator(moment)
        self.move_run(R.CANCELLED, moment, by, reason)
        for place in self.places:
            if place.status in ACTIVE:
                self.move(place, E.WITHDRAWN, moment + timedelta(minutes=1), by, text.RUN_CANCELLED)
        self.taken = self.waiting = 0

    def begin(self, moment: datetime) -> None:
        """As ``enrolment.start_due_runs``: offers and the queue are withdrawn, the run is running."""
        for place in self.places:
            if place.status == E.OFFERED:
                self.move(place, E.WITHDRAWN, moment, RUN_START, text.STARTED_BEFORE_OFFER)
            elif place.status == E.WAITLISTED:
                self.move(place, E.WITHDRAWN, moment, RUN_START, text.STARTED_BEFORE_PLACE)
        self.taken = sum(1 for place in self.places if place.status in PLACE_HOLDING)
        self.waiting = 0
        self.move_run(R.RUNNING, moment, RUN_START)
        sessions = len(self.plan.starts)
        if sessions < 2 or self.demands.steady:
            return
        for place in self.places:
            if place.status == E.ENROLLED and place.actor is None and self.rng.random() < LEAVE_SHARE:
                after = self.rng.randint(1, sessions - 1)
                gap = self.plan.starts[after] - self.plan.starts[after - 1]
                earliest = self.plan.starts[after - 1] + timedelta(minutes=self.plan.minutes + 30)
                place.leaves = (after, self.working_time(earliest, earliest + gap * 0.8))

    # Registers and completion -----------------------------------------------------------------

    def registers(self) -> None:
        plan, rng, now = self.plan, self.rng, self.now
        recorders = [a.user_id for a in plan.assignments if a.role != Role.TRAINEE and a.user_id is not None]
        recorders = recorders or [plan.created_by]
        length = timedelta(minutes=plan.minutes)
        last_held = max(index for index, start in enumerate(plan.starts) if start < now)
        latest_mark = plan.starts[0]
        for index, start in enumerate(plan.starts):
            if start >= now:
                break
            for place in self.places:
                if place.leaves is not None and place.leaves[0] == index and place.leaves[1] < now:
                    reason = rng.choice(text.LEFT_PART_WAY)
                    self.move(place, E.WITHDRAWN, place.leaves[1], self.coordinator(place.leaves[1]), reason)
            present = [place for place in self.places if place.status == E.ENROLLED]
            if index == last_held and self.demands.unmarked:
                present = present[self.demands.unmarked :]  # the tutor has not finished this register
            end = start + length
            recorded = end + timedelta(minutes=rng.randint(10, 180))
            if rng.random() < LATE_REGISTER_SHARE:
                recorded = at(end.astimezone(LONDON).date() + timedelta(days=rng.randint(1, 4)), "10:00")
            # As the register service decides it: recorded after the day of the session.
            late = recorded.astimezone(LONDON).date() > start.astimezone(LONDON).date()
            if recorded >= now:
                continue  # not taken yet
            recorder = rng.choice(recorders)
            for place in present:
                status = self.mark(place)
                self.marks.append(
                    Attendance(
                        session_id=self.session_id(index),
                        enrolment_id=place.id,
                        status=status,
                        recorded_by_id=recorder,
                        recorded_at=recorded,
                        late_entry=late,
                    )
                )
            latest_mark = max(latest_mark, recorded)
        if plan.ends_at >= now:
            return
        closed = at(plan.ends_at.astimezone(LONDON).date() + timedelta(days=rng.randint(1, 10)), "10:00")
        closed += timedelta(minutes=rng.randrange(6 * 60))
        closed = max(closed, latest_mark + timedelta(hours=1))
        if closed >= now:
            return  # the coordinator has not completed it yet
        by = self.coordinator(closed)
        self.move_run(R.COMPLETED, closed, by)
        sessions = len(plan.starts)
        for place in self.places:
            if place.status == E.ENROLLED:
                done = has_completed(place.attended, sessions, self.threshold)
                reason = f"Attended {place.attended} of {sessions} sessions"  # as enrolment._settle
                self.move(place, E.COMPLETED if done else E.DID_NOT_COMPLETE, closed, by, reason)

    def mark(self, place: Place) -> str:
        rng = self.rng
        if rng.random() < place.reliability:
            place.attended += 1
            return A.LATE if rng.random() < LATE_SHARE else A.PRESENT
        return A.APOLOGIES if rng.random() < APOLOGIES_SHARE else A.ABSENT

    def session_id(self, index: int) -> uuid.UUID:
        while len(self.session_ids) <= index:
            self.session_ids.append(self.new_id())
        return self.session_ids[index]


def _position(place: Place) -> int:
    return place.position or 0
