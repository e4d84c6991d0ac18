"""Each college's carers' support groups and a record of every monthly meeting over the seeded period.

A group belongs to the college and is run with one or two of its partners. It
meets on a fixed day of the month ("Second Tuesday of the month, 6pm to 8pm");
a meeting is skipped now and then, more often in August. Peer tutors of the
college or its partners facilitate, usually the same one or two. A named group
records who came, mostly a core of regulars, and stores that number as its head
count (as ``groups.record_meeting`` does); an anonymous group records only a
head count. A few meetings flag a safeguarding concern, whose detail lives
elsewhere.
"""

from __future__ import annotations

import calendar
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import models

from peerpath.delivery.models import GroupMeeting, SupportGroup
from peerpath.delivery.seeding import text
from peerpath.delivery.seeding.pools import Member, OrgPeople
from peerpath.delivery.seeding.schedule import LONDON, at
from peerpath.delivery.seeding.venues import SeededVenue
from peerpath.people.models import Organisation

SAFEGUARDING_SHARE = 0.03


@dataclass(frozen=True)
class SeededGroup:
    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    anonymous: bool
    meetings: int


@dataclass
class GroupRows:
    groups: list[SupportGroup] = field(default_factory=list)
    partner_links: list[models.Model] = field(default_factory=list)
    meetings: list[GroupMeeting] = field(default_factory=list)
    facilitators: list[models.Model] = field(default_factory=list)
    attendees: list[models.Model] = field(default_factory=list)


def nth_weekday(year: int, month: int, nth: int, weekday: int) -> date:
    """The ``nth`` (1 to 4, or -1 for the last) ``weekday`` (0 Monday) of the month."""
    days = [week[weekday] for week in calendar.monthcalendar(year, month) if week[weekday]]
    return date(year, month, days[nth - 1 if nth > 0 else -1])


def clock_text(moment: datetime) -> str:
    """6pm, 10:30am: the NHS.UK style, as the delivery presenters write times."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


class GroupSeeder:
    """Builds the support groups of one college and their meetings into ``rows``."""

    def __init__(
        self,
        college: OrgPeople,
        partners: list[OrgPeople],
        venues: list[SeededVenue],
        area_names: dict[int, str],
        *,
        rng: random.Random,
        new_id: Callable[[], uuid.UUID],
        today: date,
        years: int,
        rows: GroupRows,
    ) -> None:
        self.college = college
        self.partners = partners
        self.venues = venues
        self.area_names = area_names
        self.rng = rng
        self.new_id = new_id
        self.today = today
        self.since = today - timedelta(days=365 * years)
        self.rows = rows

    def build(self, count: int, *, lead: Member | None = None, regular: Member | None = None) -> list[SeededGroup]:
        """``count`` groups; ``lead`` facilitates and ``regular`` attends the first (the demo logins)."""
        templates = list(text.GROUPS[:2]) + self.rng.sample(text.GROUPS[2:], len(text.GROUPS) - 2)
        first_meeting = len(self.rows.meetings)
        made = []
        for index, template in enumerate(templates[:count]):
            made.append(self.group(template, first=index == 0, lead=lead, regular=regular))
        # A few meetings raised a safeguarding concern; dealt, so that every college shows one.
        meetings = self.rows.meetings[first_meeting:]
        for meeting in self.rng.sample(meetings, max(1, round(len(meetings) * SAFEGUARDING_SHARE)) if meetings else 0):
            meeting.safeguarding_concern = True
        return made

    def group(
        self,
        template: tuple[str, int, int, str, int, bool, bool],
        *,
        first: bool,
        lead: Member | None,
        regular: Member | None,
    ) -> SeededGroup:
        rng = self.rng
        name, nth, weekday, clock, minutes, anonymous, online = template
        partners = self._partners(name)
        area_id = next((pool.org.area_id for pool in partners if pool.org.area_id is not None), None)
        venue = self._venue(online, area_id)
        area_id = area_id or (venue.area_id if venue else None)
        area = self.area_names.get(area_id, "") if area_id else ""
        name = name.format(area=area or self.college.org.name.split(" Recovery College")[0])
        starts = at(self.today, clock)
        pattern = (
            f"{text.ORDINALS[nth]} {text.WEEKDAYS[weekday]} of the month, "
            f"{clock_text(starts)} to {clock_text(starts + timedelta(minutes=minutes))}"
        )
        created_on = self.since - timedelta(days=rng.randint(20, 400))
        # The odd group stops meeting; the demo logins' group never does.
        stopped = None if first or rng.random() >= 0.15 else self.today - timedelta(days=rng.randint(60, 200))
        group = SupportGroup(
            id=self.new_id(),
            organisation_id=self.college.id,
            name=name,
            area_id=area_id,
            meeting_pattern=pattern,
            venue_id=venue.id if venue else None,
            anonymous=anonymous,
            active=stopped is None,
            created_at=at(created_on, "11:00"),
        )
        self.rows.groups.append(group)
        through = SupportGroup.partners.through
        self.rows.partner_links += [through(supportgroup_id=group.id, organisation_id=pool.id) for pool in partners]
        pools = [self.college, *partners]
        hosts = self._hosts(pools, lead if first else None)
        members = [] if anonymous else self._members(pools, created_on, regular if first else None)
        meetings = 0
        month = date(self.since.year, self.since.month, 1)
        while month <= self.today:
            day = nth_weekday(month.year, month.month, nth, weekday)
            month = (month + timedelta(days=32)).replace(day=1)
            if day < self.since or day >= self.today or (stopped is not None and day > stopped):
                continue
            if rng.random() < (0.5 if day.month == 8 else 0.05):
                continue  # summer break, or called off
            if self._meeting(group, day, at(day, clock) + timedelta(minutes=minutes), pools, hosts, members):
                meetings += 1
        return SeededGroup(group.id, self.college.id, name, anonymous, meetings)

    def _partners(self, name: str) -> list[OrgPeople]:
        rng = self.rng
        if not self.partners:
            return []
        if name.startswith("Rethink"):
            charities = [pool for pool in self.partners if pool.org.kind == Organisation.Kind.CHARITY_GROUP]
            return charities[:1] or [rng.choice(self.partners)]
        centres = [pool for pool in self.partners if pool.org.kind == Organisation.Kind.CARERS_CENTRE]
        chosen = [rng.choice(centres or self.partners)]
        others = [pool for pool in self.partners if pool not in chosen]
        if others and rng.random() < 0.4:
            chosen.append(rng.choice(others))
        return chosen

    def _venue(self, online: bool, area_id: int | None) -> SeededVenue | None:
        fitting = [venue for venue in self.venues if venue.online == online]
        local = [venue for venue in fitting if venue.area_id == area_id]
        choices = local or fitting or self.venues
        return self.rng.choice(choices) if choices else None

    def _hosts(self, pools: list[OrgPeople], lead: Member | None) -> list[Member]:
        """The group's usual facilitators: peer tutors of its organisations, the lead first."""
        tutors = [member for pool in pools for member in pool.peer_tutors if member.user_id is not None]
        tutors = list({member.person_id: member for member in tutors}.values())
        usual = self.rng.sample(tutors, min(len(tutors), 2))
        if lead is not None:
            usual = [lead, *(member for member in usual if member.person_id != lead.person_id)][:2]
        return usual + [member for member in tutors if member not in usual]

    def _members(self, pools: list[OrgPeople], created_on: date, regular: Member | None) -> list[Member]:
        """The group's regulars: some who came from the start, some who found it later."""
        rng = self.rng
        carers = list({member.person_id: member for pool in pools for member in pool.carers}.values())
        early = [member for member in carers if member.since <= max(created_on, self.since)]
        members = rng.sample(early, min(len(early), rng.randint(6, 12)))
        chosen = {member.person_id for member in members}
        later = [member for member in carers if member.person_id not in chosen]
        members += rng.sample(later, min(len(later), rng.randint(6, 12)))
        if regular is not None and all(member.person_id != regular.person_id for member in members):
            members.append(regular)
        return members

    def _meeting(
        self,
        group: SupportGroup,
        day: date,
        ends: datetime,
        pools: list[OrgPeople],
        hosts: list[Member],
        members: list[Member],
    ) -> bool:
        rng = self.rng
        serving = [member for member in hosts if member.current(day)]
        if not serving:
            return False
        usual = [member for member in serving[:2] if member in hosts[:2]] or serving[:1]
        facilitators = usual[: rng.choice((1, 1, 2))]
        host_ids = {member.person_id for member in facilitators}
        came: list[Member] = []
        if not group.anonymous:
            came = [
                member
                for member in members
                if member.current(day) and member.person_id not in host_ids and rng.random() < 0.55
            ]
        head_count = len(came) if not group.anonymous else rng.randint(4, 16)
        recorder = facilitators[0].user_id
        if recorder is None:
            return False
        recorded = ends + timedelta(minutes=rng.randint(15, 60 * 48))
        recorded = min(recorded, at(self.today, "08:30"))
        topics = rng.sample(text.MEETING_TOPICS, rng.randint(1, 3))
        meeting = GroupMeeting(
            id=self.new_id(),
            group_id=group.id,
            met_on=day,
            head_count=head_count,
            topics="\n".join(topics),
            recorded_by_id=recorder,
            recorded_at=recorded.astimezone(LONDON),
        )
        self.rows.meetings.append(meeting)
        facilitated = GroupMeeting.facilitators.through
        attended = GroupMeeting.attendees.through
        self.rows.facilitators += [
            facilitated(groupmeeting_id=meeting.id, person_id=member.person_id) for member in facilitators
        ]
        self.rows.attendees += [attended(groupmeeting_id=meeting.id, person_id=member.person_id) for member in came]
        return True
