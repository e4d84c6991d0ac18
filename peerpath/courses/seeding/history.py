"""One course's history, from the first idea to today, as rows.

A course's life is first laid out as events a number of days apart (created,
an idea meeting, design workshops, materials, review, a pilot, approval,
debriefs and revisions, perhaps retirement). The events are then placed in
time so the last falls on or before the anchor date and the first after the
owner's first coordinator joined, and only then turned into rows: each
contributor is drawn from people who had joined by the day they took part.
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import models

from peerpath.core.seeding import SeedError
from peerpath.courses import services
from peerpath.courses.choices import Stage
from peerpath.courses.models import (
    Contribution,
    CoproductionActivity,
    Course,
    CourseStatusChange,
    CourseVersion,
    OutlineSession,
)
from peerpath.courses.seeding.plans import Plan
from peerpath.courses.seeding.pools import Member, OrgPool
from peerpath.courses.seeding.teams import compose
from peerpath.courses.seeding.variants import (
    CHANGE_NOTES,
    DECISIONS,
    DRAFT_NOTES,
    IDEA_DROPPED,
    RETIRE_REASONS,
    STARTED_REASONS,
)

Status = Course.Status
VersionStatus = CourseVersion.Status


@dataclass
class Rows:
    """New rows waiting to be saved, parents first."""

    courses: list[Course] = field(default_factory=list)
    partner_links: list[models.Model] = field(default_factory=list)
    versions: list[CourseVersion] = field(default_factory=list)
    outline: list[OutlineSession] = field(default_factory=list)
    status_changes: list[CourseStatusChange] = field(default_factory=list)
    activities: list[CoproductionActivity] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.courses)


@dataclass(frozen=True)
class Contributed:
    """Someone's first contribution, for the credit consents asked for afterwards."""

    member: Member
    day: date
    owner: OrgPool


@dataclass(frozen=True)
class Event:
    offset: int  # days after the course was created
    kind: str  # status, activity, draft, approve
    stage: str = ""
    version: int = 0
    to_status: str = ""
    reason: str = ""


@dataclass
class Outcome:
    """What the rest of the seed needs to know about one built course."""

    course: Course
    approved_version: CourseVersion | None
    first_approved_on: date | None


class CourseHistory:
    """Builds the rows of one planned course into ``rows``."""

    course: Course

    def __init__(
        self,
        plan: Plan,
        *,
        rng: random.Random,
        today: date,
        earliest: date,
        new_uuid: Callable[[], uuid.UUID],
        rows: Rows,
        contributed: dict[uuid.UUID, Contributed],
    ) -> None:
        self.plan = plan
        self.rng = rng
        self.today = today
        self.earliest = earliest
        self.new_uuid = new_uuid
        self.rows = rows
        self.contributed = contributed
        self.draft = plan.draft
        self.owner = plan.owner
        self.last_ordered: datetime | None = None
        self.latest: datetime | None = None
        self.versions: dict[int, CourseVersion] = {}
        self.first_approved_on: date | None = None
        self.status = ""

    # Laying out events ------------------------------------------------------------------------

    def events(self) -> list[Event]:
        plan, rng, r = self.plan, self.rng, self.rng.randint
        events = [Event(0, "status", to_status=Status.IDEA)]
        t = 0
        if plan.status == Status.IDEA or plan.retired_from_idea:
            if rng.random() < 0.7:
                t += r(0, 14)
                events.append(Event(t, "activity", Stage.IDEA, version=1))
            if plan.retired_from_idea:
                t += r(30, 240)
                events.append(Event(t, "status", to_status=Status.RETIRED, reason=rng.choice(IDEA_DROPPED)))
            return events
        if rng.random() < 0.85:
            t += r(0, 14)
            events.append(Event(t, "activity", Stage.IDEA, version=1))
        t += r(14, 60)
        events.append(Event(t, "status", to_status=Status.IN_COPRODUCTION, reason=rng.choice(STARTED_REASONS)))
        for _ in range(r(1, 3)):
            t += r(7, 21)
            events.append(Event(t, "activity", Stage.DESIGN_WORKSHOP, version=1))
        in_coproduction = plan.status == Status.IN_COPRODUCTION
        if in_coproduction and plan.progress < 2:
            return events
        for _ in range(r(1, 3)):
            t += r(3, 14)
            events.append(Event(t, "activity", Stage.MATERIALS_WRITING, version=1))
        if in_coproduction and plan.progress < 3:
            return events
        for _ in range(r(1, 2)):
            t += r(7, 28)
            events.append(Event(t, "activity", Stage.REVIEW, version=1))
        if in_coproduction:
            return events
        if rng.random() < 0.75:
            t += r(14, 40)
            events.append(Event(t, "activity", Stage.PILOT, version=1))
        t += r(7, 30)
        events.append(Event(t, "approve", version=1))
        retiring = plan.status == Status.RETIRED
        count = rng.choice((1, 2)) if retiring else rng.choice((1, 1, 1, 1, 2, 2, 2, 3, 3))
        for number in range(2, count + 1):
            for _ in range(r(1, 2)):
                t += r(40, 150)
                events.append(Event(t, "activity", Stage.DELIVERY_DEBRIEF, version=number - 1))
            t += r(7, 30)
            events.append(Event(t, "draft", version=number))
            events.append(Event(t, "activity", Stage.REVISION, version=number))
            t += r(14, 45)
            events.append(Event(t, "approve", version=number))
        if rng.random() < 0.6:
            t += r(30, 150)
            events.append(Event(t, "activity", Stage.DELIVERY_DEBRIEF, version=count))
        if retiring:
            t += r(60, 400)
            events.append(Event(t, "status", to_status=Status.RETIRED, reason=rng.choice(RETIRE_REASONS)))
        elif rng.random() < 0.25:
            t += r(20, 120)
            events.append(Event(t, "draft", version=count + 1))
            events.append(Event(t, "activity", Stage.REVISION, version=count + 1))
        return events

    def placed(self, events: list[Event]) -> tuple[date, list[Event]]:
        """The day the course was created, and the events squeezed if they would not fit."""
        length = events[-1].offset
        room = max(0, (self.today - self.earliest).days)
        if length > room:
            squeeze = room / length
            events = [dataclasses.replace(event, offset=round(event.offset * squeeze)) for event in events]
            return self.earliest, events
        slack = room - length
        if self.plan.status in (Status.IDEA, Status.IN_COPRODUCTION):
            # Work in progress: recent.
            return self.today - timedelta(days=length + self.rng.randint(0, min(slack, 90))), events
        return self.earliest + timedelta(days=self.rng.randint(0, slack)), events

    # Building rows ----------------------------------------------------------------------------

    def build(self) -> Outcome:
        start, events = self.placed(self.events())
        plan, draft = self.plan, self.draft
        created = self.moment(start, ordered=True)
        modes = set(draft.modes)
        if modes == {"in_person"} and self.rng.random() < 0.2:
            modes.add("online")
        course = Course(
            id=self.new_uuid(),
            title=draft.title,
            summary=draft.summary,
            category=draft.category,
            audience=draft.audience,
            session_count=draft.session_count,
            session_minutes=draft.minutes,
            in_person="in_person" in modes,
            online="online" in modes,
            blended="blended" in modes,
            owner_id=self.owner.id,
            status=plan.status,
            created_at=created,
            updated_at=created,
        )
        self.course = course
        self.rows.courses.append(course)
        through = Course.partners.through
        self.rows.partner_links += [through(course_id=course.id, organisation_id=p.id) for p in plan.partners]
        self.new_version(1, start, created, based_on=None)
        for event in events:
            day = start + timedelta(days=event.offset)
            if event.kind == "status":
                self.change_status(event.to_status, event.reason, day)
            elif event.kind == "activity":
                self.activity(event.stage, event.version, day)
            elif event.kind == "draft":
                self.new_version(event.version, day, self.moment(day), based_on=self.versions[event.version - 1])
            elif event.kind == "approve":
                self.approve(event.version, day)
        self.finish_drafts()
        course.updated_at = self.latest or created
        approved = next((v for v in self.versions.values() if v.status == VersionStatus.APPROVED), None)
        return Outcome(course, approved, self.first_approved_on)

    def moment(self, day: date, *, ordered: bool = False) -> datetime:
        """A time in office hours on ``day``; ``ordered`` ones (status changes) always follow each other."""
        minutes = self.rng.randrange(9 * 60, 17 * 60)
        moment = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=UTC)
        if ordered:
            if self.last_ordered is not None and moment <= self.last_ordered:
                moment = self.last_ordered + timedelta(minutes=self.rng.randint(5, 40))
            self.last_ordered = moment
        self.latest = moment if self.latest is None else max(self.latest, moment)
        return moment

    def approver(self, day: date) -> int:
        return _user(self.owner.coordinator_on(day, self.rng))

    def recorder(self, day: date) -> int:
        """Coordinators record most activities; tutors with a login record some."""
        tutors = [m for m in self.owner.peer_tutors + self.owner.professional_tutors if m.user_id and m.since <= day]
        if tutors and self.rng.random() < 0.3:
            return _user(self.rng.choice(tutors))
        return self.approver(day)

    def change_status(self, to_status: str, reason: str, day: date, at: datetime | None = None) -> None:
        if at is None:
            # The first status row is written with the course itself.
            at = self.course.created_at if not self.status else self.moment(day, ordered=True)
        self.rows.status_changes.append(
            CourseStatusChange(
                course_id=self.course.id,
                from_status=self.status,
                to_status=to_status,
                changed_by_id=self.approver(day),
                changed_at=at,
                reason=reason,
            )
        )
        self.status = to_status

    def new_version(self, number: int, day: date, at: datetime, based_on: CourseVersion | None) -> None:
        staffing = services.default_staffing(self.draft.category)
        note = ""
        if based_on is not None:
            topic = self.topic()
            note = self.rng.choice(DRAFT_NOTES if self.plan.status == Status.APPROVED else CHANGE_NOTES)
            note = note.format(topic=topic)
        version = CourseVersion(
            id=self.new_uuid(),
            course_id=self.course.id,
            number=number,
            status=VersionStatus.DRAFT,
            based_on=based_on,
            learning_outcomes="",
            change_note=note,
            created_by_id=self.recorder(day) if number > 1 else self.approver(day),
            created_at=at,
            **staffing,
        )
        self.versions[number] = version
        self.rows.versions.append(version)

    def approve(self, number: int, day: date) -> None:
        for version in self.versions.values():
            if version.status == VersionStatus.APPROVED:
                version.status = VersionStatus.SUPERSEDED
        version = self.versions[number]
        if number > 1:
            version.change_note = self.rng.choice(CHANGE_NOTES).format(topic=self.topic())
        version.status = VersionStatus.APPROVED
        version.approved_by_id = self.approver(day)
        version.approved_at = self.moment(day, ordered=True)
        self.first_approved_on = self.first_approved_on or day
        if self.status != Status.APPROVED:
            self.change_status(Status.APPROVED, f"Version {number} approved", day, at=version.approved_at)

    def finish_drafts(self) -> None:
        """Outcomes and outlines: complete for every version that was approved or is ready to be."""
        outcomes = list(self.draft.template.outcomes)
        sessions = self.draft.sessions
        for number, version in self.versions.items():
            complete = version.status != VersionStatus.DRAFT or number > 1 or self.ready_for_approval()
            if complete:
                # The first version of a course revised since often had one outcome fewer.
                first_of_several = number == 1 and version.status == VersionStatus.SUPERSEDED
                kept = outcomes[:-1] if first_of_several and len(outcomes) > 2 else outcomes
                version.learning_outcomes = "\n".join(kept)
                described = sessions
            elif self.plan.status == Status.IN_COPRODUCTION and self.plan.progress >= 2:
                version.learning_outcomes = "\n".join(outcomes[: max(1, len(outcomes) - 1)])
                described = sessions[: max(1, len(sessions) - 1)] if len(sessions) > 1 else ()
            elif self.plan.status == Status.IN_COPRODUCTION:
                version.learning_outcomes = outcomes[0]
                described = sessions[: len(sessions) // 2]
            else:
                described = ()
            self.rows.outline += [
                OutlineSession(version_id=version.id, number=index, title=title, description=description)
                for index, (title, description) in enumerate(described, start=1)
            ]

    def ready_for_approval(self) -> bool:
        return self.plan.status == Status.IN_COPRODUCTION and self.plan.progress >= 3

    def topic(self) -> str:
        return self.rng.choice(self.draft.sessions)[0]

    # Activities and who took part ---------------------------------------------------------------

    def activity(self, stage: str, version: int, day: date) -> None:
        hours, team = compose(stage, self.plan, day, self.rng)
        activity = CoproductionActivity(
            id=self.new_uuid(),
            course_id=self.course.id,
            version_id=self.versions[version].id if version in self.versions else None,
            occurred_on=day,
            stage=stage,
            hours=hours,
            decisions=self.rng.choice(DECISIONS[stage]).format(topic=self.topic()),
            recorded_by_id=self.recorder(day),
            recorded_at=self.moment(min(self.today, day + timedelta(days=self.rng.randint(0, 4)))),
        )
        self.rows.activities.append(activity)
        for member, capacity, member_hours in team:
            self.rows.contributions.append(
                Contribution(
                    activity_id=activity.id,
                    person_id=member.person_id if member else None,
                    capacity=capacity,
                    hours=member_hours,
                )
            )
            if member is not None and member.person_id not in self.contributed:
                self.contributed[member.person_id] = Contributed(member, day, self.owner)


def _user(member: Member) -> int:
    if member.user_id is None:
        raise SeedError("A coordinator or tutor without a login cannot record course changes.")
    return member.user_id
