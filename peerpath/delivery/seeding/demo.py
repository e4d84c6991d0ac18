"""The runs the demo logins are shown, pinned before the rest of a college's runs are played.

The demo peer tutor and professional tutor deliver a run half-way through, with
a session today (or in the next few working days) and the last register part
taken. The demo participant, who joined recently, asks for a place on a run
that has not started (and gets one), joins the queue of a run that filled up
long ago and meets on other days, and has finished a course if they had joined
by the time one ran.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from peerpath.courses.choices import Category
from peerpath.courses.seeding.terms import SeededTerm
from peerpath.delivery.seeding.lives import Actor, Demands, Forced
from peerpath.delivery.seeding.pools import CourseInfo, Member, OrgPeople
from peerpath.delivery.seeding.schedule import Role, RunPlan, Scheduler, at
from peerpath.people.models import Membership, Person
from peerpath.people.seeding import SeededPeople

DEMO_COURSE_CATEGORIES = (Category.RECOVERY_COLLEGE, Category.SELF_MANAGEMENT)


@dataclass
class DemoRuns:
    """The runs the demo logins are shown (None where the data had no place for one)."""

    tutors_run_id: uuid.UUID | None = None  # running, a session today, register partly taken
    enrolled_run_id: uuid.UUID | None = None  # the participant has a place; it has not started
    waitlisted_run_id: uuid.UUID | None = None  # the participant is on its waiting list
    completed_run_id: uuid.UUID | None = None  # the participant finished it


class DemoPlanner:
    """Chooses the demo logins' runs and fixes what happens on them; ``runs`` says which they are."""

    def __init__(
        self,
        people: SeededPeople,
        *,
        rng: random.Random,
        today: date,
        now: datetime,
        progress: Callable[[str], None],
    ) -> None:
        self.people = people
        self.rng = rng
        self.today = today
        self.now = now
        self.progress = progress
        self.participant_id = people.demo_person_ids.get("participant")
        self.runs = DemoRuns()

    def tutor(self, username: str, pools: list[OrgPeople], kind: str) -> Member | None:
        person_id = self.people.demo_person_ids.get(username)
        for pool in pools:
            for member in pool.tutors(kind):
                if member.person_id == person_id:
                    return member
        return None

    def tutors_run(
        self, scheduler: Scheduler, college: OrgPeople, term: SeededTerm, offered: list[CourseInfo]
    ) -> RunPlan | None:
        """The demo tutors' run: half-way through, with a session today (or in the next few days)."""
        peer = self.tutor("peer.tutor", [college], "peer")
        professional = self.tutor("professional.tutor", [college], "professional")
        if peer is None:
            return None
        candidates = [
            course
            for course in offered
            if course.owner_id == college.id
            and course.category in DEMO_COURSE_CATEGORIES
            and len(course.versions[-1].outline) >= 2
            and course.versions[-1].peer_trainers
        ]
        if not candidates:
            self.progress("delivery: no course this term suits the demo tutors' run")
            return None
        course = max(candidates, key=lambda c: (3 <= len(c.versions[-1].outline) <= 6, c.in_person, c.title))
        sessions = len(course.versions[-1].outline)
        next_day = self.today + timedelta(days=next(d for d in range(7) if (self.today + timedelta(d)).weekday() < 5))
        held = min(sessions - 1, max(1, sessions // 2))
        while held > 1 and next_day - timedelta(weeks=held) < term.starts_on:
            held -= 1
        first_day = next_day - timedelta(weeks=held)
        if first_day < term.starts_on:
            return None
        must = [(peer, Role.PEER_TRAINER)]
        if professional is not None and course.versions[-1].professional_tutors:
            must.append((professional, Role.PROFESSIONAL_TUTOR))
        plan = scheduler.plan(course, term, first_day=first_day, clock="10:30", must=tuple(must))
        if plan is not None:
            plan.demo = "tutors"
            self.runs.tutors_run_id = plan.id
        return plan

    def participant_memberships(self) -> dict[uuid.UUID, Member]:
        """The demo participant's participant memberships by organisation (they are kept out of the pools)."""
        person_id = self.participant_id
        if person_id is None:
            return {}
        rows = Membership.objects.filter(person_id=person_id, role=Membership.Role.PARTICIPANT)
        return {
            org_id: Member(person_id, since, until)
            for org_id, since, until in rows.values_list("organisation_id", "started_on", "ended_on")
        }

    def participants_runs(self, plans: list[RunPlan], demands: dict[uuid.UUID, Demands]) -> None:
        """The demo participant finished one run, has a place on another and waits for a third."""
        person_id = self.participant_id
        if person_id is None:
            return
        since = self.participant_memberships()
        login = Person.objects.filter(pk=person_id, user__isnull=False).values_list("user_id", "user__username")
        actor = next((Actor(user_id, username) for user_id, username in login), None)
        rng, now = self.rng, self.now
        usable = [plan for plan in plans if plan.organiser.id in since and plan.staffed and not plan.demo]

        def soonest(plan: RunPlan) -> tuple[bool, datetime]:  # courses rather than group formats
            return plan.course.category not in DEMO_COURSE_CATEGORIES, plan.starts[0]

        def latest(plan: RunPlan) -> tuple[bool, float]:
            return plan.course.category not in DEMO_COURSE_CATEGORIES, -plan.starts[0].timestamp()

        def ask(plan: RunPlan, after: datetime, **fields: Any) -> bool:
            """Place the participant's own request on ``plan`` on a working day after ``after``."""
            member = since[plan.organiser.id]
            after = max(after, plan.opens_at, at(member.since, "08:00"))
            moment = at(after.date() + timedelta(days=rng.randint(0, 2)), "09:00")
            moment += timedelta(minutes=rng.randrange(12 * 60))
            if moment <= after:
                moment = after + timedelta(minutes=rng.randint(5, 90))
            if not member.current(moment.date()) or moment >= min(now, at(plan.closes_on, "17:00")):
                return False
            demands[plan.id] = Demands(forced=[Forced(member, moment, actor)], **fields)
            return True

        # Waiting for a run that starts soon and filled up long ago; a place on a later one.
        upcoming = [plan for plan in usable if plan.first_day >= self.today + timedelta(days=5)]
        opened = sorted((plan for plan in upcoming if plan.opens_at <= now - timedelta(days=10)), key=soonest)
        for plan in opened:
            crowd = (plan.capacity + rng.randint(2, 4)) / plan.capacity
            if ask(plan, now - timedelta(days=3), popularity=crowd, crowd_before=now - timedelta(days=3), steady=True):
                plan.demo, self.runs.waitlisted_run_id = "waitlisted", plan.id
                break
        queued = {moment.date() for plan in upcoming if plan.demo for moment in plan.starts}
        for plan in sorted(upcoming, key=soonest):
            if plan.demo or queued & {moment.date() for moment in plan.starts}:
                continue  # not a course that meets on a day of the one they wait for
            if ask(plan, plan.opens_at + timedelta(days=rng.randint(0, 3)), popularity=0.7):
                plan.demo, self.runs.enrolled_run_id = "enrolled", plan.id
                break
        finished = [plan for plan in usable if plan.ends_at < now - timedelta(days=30)]
        for plan in sorted(finished, key=latest):
            if ask(plan, plan.opens_at + timedelta(days=rng.randint(0, 2)), popularity=0.9):
                plan.demo, self.runs.completed_run_id = "completed", plan.id
                break
