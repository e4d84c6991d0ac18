"""Every change to support groups and their meetings goes through these functions.

Each is one transaction that writes its audit event alongside the change. Audit
events carry identifiers, dates and counts only: never the name of anyone who came
or facilitated (the log outlives erasure), and never anything about a safeguarding
concern beyond the flag, whose detail lives in the safeguarding system.

A group keeps attendance one way for good: by name, or, when it is anonymous, as
a head count. For a named group the stored head count is the number of people
named, so reports read one column whatever the kind of group.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.audit import Actor
from peerpath.courses.presenters import format_day
from peerpath.delivery.models import GroupMeeting, SupportGroup, Venue
from peerpath.delivery.services import DeliveryError
from peerpath.people.access import principal_for
from peerpath.people.models import Membership, Organisation, Person

GROUP_FIELDS = ("name", "area", "meeting_pattern", "venue", "anonymous", "active")
MAX_HEAD_COUNT = 500
MAX_TOPICS = 2000


def _may_manage(actor: Any, organisation: Organisation) -> bool:
    principal = principal_for(actor)
    return principal.is_administrator or organisation.pk in principal.organisations(Membership.Role.COORDINATOR)


def _unique(people: Iterable[Person]) -> list[Person]:
    """The people once each, in the order given."""
    seen: dict[Any, Person] = {}
    for person in people:
        seen.setdefault(person.pk, person)
    return list(seen.values())


@transaction.atomic
def save_group(
    *,
    actor: Actor,
    group: SupportGroup | None,
    organisation: Organisation,
    details: dict[str, Any],
    partners: Iterable[Organisation] = (),
) -> SupportGroup:
    """Create (``group`` None) or update a support group and its partner organisations.

    The actor must coordinate ``organisation`` (or be an administrator); a group
    stays with the organisation that runs it. Whether attendance is kept by name
    cannot change once a meeting has been recorded.
    """
    user = audit.person_actor(actor)
    if group is not None and group.organisation_id != organisation.pk:
        raise DeliveryError("A group stays with the organisation that runs it", field="organisation")
    if not _may_manage(user, organisation):
        raise DeliveryError(
            f"You do not coordinate {organisation}: choose an organisation you do", field="organisation"
        )
    name = str(details.get("name", "")).strip()
    pattern = str(details.get("meeting_pattern", "")).strip()
    if not name:
        raise DeliveryError("Enter a name for the group", field="name")
    if not pattern:
        raise DeliveryError("Enter when the group meets", field="meeting_pattern")
    partner_list = sorted({org.pk: org for org in partners if org.pk != organisation.pk}.values(), key=str)
    venue: Venue | None = details.get("venue")
    if venue is not None and venue.organisation_id not in {organisation.pk, *(org.pk for org in partner_list)}:
        raise DeliveryError("Choose a venue of the organisation running the group or of a partner", field="venue")
    anonymous = bool(details.get("anonymous", group.anonymous if group else False))
    if group is not None and anonymous != group.anonymous and group.meetings.exists():
        raise DeliveryError(
            "Meetings of this group are already recorded, so how attendance is kept cannot change. "
            "Add a new group instead",
            field="anonymous",
        )
    creating = group is None
    if group is None:
        group = SupportGroup(organisation=organisation)
    values = {**{key: details[key] for key in GROUP_FIELDS if key in details}, "name": name, "meeting_pattern": pattern}
    values["anonymous"] = anonymous
    changed = [key for key, value in values.items() if getattr(group, key) != value]
    for key, value in values.items():
        setattr(group, key, value)
    try:
        with transaction.atomic():
            group.save(update_fields=None if creating else list(values))
    except IntegrityError:
        raise DeliveryError(f"{organisation} already has a group called {name}", field="name") from None
    if creating or {org.pk for org in group.partners.all()} != {org.pk for org in partner_list}:
        group.partners.set(partner_list)
        changed.append("partners")
    data: dict[str, Any] = {
        "organisation": str(organisation.pk),
        "partners": [str(org.pk) for org in partner_list],
        "anonymous": group.anonymous,
        "active": group.active,
    }
    if not creating:
        data["fields"] = changed
    audit.record(
        actor=actor,
        action="support_group.created" if creating else "support_group.updated",
        target=group,
        data=data,
    )
    return group


def _checked_attendance(
    group: SupportGroup,
    *,
    met_on: date,
    facilitators: Iterable[Person],
    attendees: Iterable[Person],
    head_count: int | None,
    topics: str,
    meeting: GroupMeeting | None = None,
) -> tuple[list[Person], list[Person], int]:
    """The rules for a meeting record; returns the facilitators, the attendees and the head count to store."""
    if met_on > timezone.localdate():
        raise DeliveryError("The date of the meeting must be today or in the past", field="met_on")
    if len(topics) > MAX_TOPICS:
        raise DeliveryError(f"Topics must be {MAX_TOPICS} characters or fewer", field="topics")
    hosts = _unique(facilitators)
    came = _unique(attendees)
    if not hosts:
        raise DeliveryError("Select who facilitated the meeting", field="facilitators")
    organisations = [group.organisation_id, *group.partners.values_list("pk", flat=True)]
    # Tutors now, or on the day the group met: a meeting corrected after its facilitator
    # has left still names who ran it.
    memberships = Membership.objects.current() | Membership.objects.current(on=met_on)
    tutors = set(
        memberships.filter(
            role=Membership.Role.TUTOR, organisation_id__in=organisations, person_id__in=[p.pk for p in hosts]
        ).values_list("person_id", flat=True)
    )
    for person in hosts:
        if person.pk not in tutors:
            raise DeliveryError(
                f"{person} is not a tutor of the organisation running the group or of a partner",
                field="facilitators",
            )
    if group.anonymous:
        if came:
            raise DeliveryError("This group keeps no names: enter how many people came instead", field="attendees")
        if head_count is None:
            raise DeliveryError("Enter how many people came", field="head_count")
        if not 0 <= head_count <= MAX_HEAD_COUNT:
            raise DeliveryError(
                f"The number of people who came must be between 0 and {MAX_HEAD_COUNT}", field="head_count"
            )
    else:
        if head_count is not None:
            raise DeliveryError(
                "This group records who came by name: select the people who came instead of a number",
                field="head_count",
            )
        host_ids = {person.pk for person in hosts}
        for person in came:
            if person.pk in host_ids:
                raise DeliveryError(
                    f"{person} facilitated the meeting: remove them from the people who came", field="attendees"
                )
        head_count = len(came)
    others = group.meetings.filter(met_on=met_on)
    if meeting is not None:
        others = others.exclude(pk=meeting.pk)
    if others.exists():
        raise DeliveryError(_already_recorded(met_on), field="met_on")
    return hosts, came, head_count


def _already_recorded(met_on: date) -> str:
    return f"A meeting of this group on {format_day(met_on)} is already recorded: change that one instead"


def _meeting_data(meeting: GroupMeeting, **more: Any) -> dict[str, Any]:
    """What the audit log keeps about a meeting: no names, no detail of any concern."""
    return {
        "group": str(meeting.group_id),
        "met_on": meeting.met_on.isoformat(),
        "facilitators": meeting.facilitators.count(),
        "head_count": meeting.head_count,
        "named": not meeting.group.anonymous,
        "safeguarding_concern": meeting.safeguarding_concern,
        **more,
    }


@transaction.atomic
def record_meeting(
    *,
    actor: Actor,
    group: SupportGroup,
    met_on: date,
    facilitators: Iterable[Person],
    attendees: Iterable[Person] = (),
    head_count: int | None = None,
    topics: str = "",
    safeguarding_concern: bool = False,
) -> GroupMeeting:
    """Record one meeting of a group: who facilitated it, who came (by name, or as a head
    count for an anonymous group), what was talked about and whether a safeguarding
    concern was raised (the flag only). One meeting per group and day.
    """
    user = audit.person_actor(actor)
    topics = topics.strip()
    hosts, came, count = _checked_attendance(
        group, met_on=met_on, facilitators=facilitators, attendees=attendees, head_count=head_count, topics=topics
    )
    try:
        with transaction.atomic():
            meeting = GroupMeeting.objects.create(
                group=group,
                met_on=met_on,
                head_count=count,
                topics=topics,
                safeguarding_concern=safeguarding_concern,
                recorded_by=user,
            )
    except IntegrityError:
        raise DeliveryError(_already_recorded(met_on), field="met_on") from None
    meeting.facilitators.set(hosts)
    meeting.attendees.set(came)
    audit.record(actor=actor, action="group_meeting.recorded", target=meeting, data=_meeting_data(meeting))
    return meeting


@transaction.atomic
def update_meeting(
    *,
    actor: Actor,
    meeting: GroupMeeting,
    met_on: date,
    facilitators: Iterable[Person],
    attendees: Iterable[Person] = (),
    head_count: int | None = None,
    topics: str = "",
    safeguarding_concern: bool = False,
) -> GroupMeeting:
    """Correct a meeting's record; the same rules as ``record_meeting``."""
    audit.person_actor(actor)
    group = meeting.group
    topics = topics.strip()
    hosts, came, count = _checked_attendance(
        group,
        met_on=met_on,
        facilitators=facilitators,
        attendees=attendees,
        head_count=head_count,
        topics=topics,
        meeting=meeting,
    )
    before_hosts = set(meeting.facilitators.values_list("pk", flat=True))
    before_came = set(meeting.attendees.values_list("pk", flat=True))
    values = {"met_on": met_on, "head_count": count, "topics": topics, "safeguarding_concern": safeguarding_concern}
    changed = [key for key, value in values.items() if getattr(meeting, key) != value]
    for key, value in values.items():
        setattr(meeting, key, value)
    try:
        with transaction.atomic():
            meeting.save(update_fields=list(values))
    except IntegrityError:
        raise DeliveryError(_already_recorded(met_on), field="met_on") from None
    if {person.pk for person in hosts} != before_hosts:
        meeting.facilitators.set(hosts)
        changed.append("facilitators")
    if {person.pk for person in came} != before_came:
        meeting.attendees.set(came)
        changed.append("attendees")
    audit.record(
        actor=actor, action="group_meeting.updated", target=meeting, data=_meeting_data(meeting, fields=changed)
    )
    return meeting
