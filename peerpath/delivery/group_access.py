"""Who can see which support groups and meetings: the only way group views fetch them.

- Administrators see every group.
- Coordinators see their organisations' groups and the groups their organisations
  are partners in.
- Tutors (peer facilitators) see the groups of the organisations they tutor for.
- Participants, assessors and evaluators see none (the rules refuse them first).

Anything out of scope is a 404, like a group that does not exist.

The people a meeting form offers by name are bounded too: never more than the
user may already see, and never more than the group's own circle (see
``facilitator_choices`` and ``attendee_choices``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404

from peerpath.delivery.models import GroupMeeting, SupportGroup, Venue
from peerpath.people.access import principal_for, visible_people
from peerpath.people.models import Area, Membership, Organisation, Person
from peerpath.people.querysets import PersonQuerySet

Role = Membership.Role
User = AbstractBaseUser | AnonymousUser


def visible_groups(user: User) -> QuerySet[SupportGroup]:
    principal = principal_for(user)
    if principal.is_administrator:
        return SupportGroup.objects.all()
    coordinated = list(principal.organisations(Role.COORDINATOR))
    tutored = list(principal.organisations(Role.TUTOR))
    scope = Q(pk__in=[])
    if coordinated:
        # A subquery, not a join on partners: a group with two partners must not appear twice.
        partnered = SupportGroup.partners.through.objects.filter(organisation_id__in=coordinated)
        scope |= Q(organisation_id__in=coordinated) | Q(pk__in=partnered.values("supportgroup_id"))
    if tutored:
        scope |= Q(organisation_id__in=tutored)
    return SupportGroup.objects.filter(scope)


def with_meeting_summary(groups: QuerySet[SupportGroup]) -> QuerySet[SupportGroup]:
    """Annotate ``meeting_count`` and ``last_met_on`` (one query for the whole list)."""
    return groups.annotate(meeting_count=Count("meetings"), last_met_on=Max("meetings__met_on"))


def group_organisations(groups: QuerySet[SupportGroup]) -> QuerySet[Organisation]:
    """The organisations running these groups, for the list's filter."""
    return Organisation.objects.filter(pk__in=groups.values("organisation_id")).order_by("name")


def group_areas(groups: QuerySet[SupportGroup]) -> QuerySet[Area]:
    """The boroughs these groups meet in, for the list's filter."""
    return Area.objects.filter(pk__in=groups.values("area_id")).order_by("name")


def access_group(user: User, pk: Any) -> SupportGroup:
    """Fetch one group the user may see, or raise Http404.

    The result carries ``partner_list`` (its partners, by name) and, for the rules,
    ``viewer_coordinates`` (the user coordinates the organisation running it),
    ``viewer_partners`` (the user coordinates one of its partners) and
    ``viewer_facilitates`` (the user is a tutor of the organisation running it).
    """
    try:
        group = visible_groups(user).select_related("organisation", "area", "venue").get(pk=pk)
    except (SupportGroup.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such support group") from None
    principal = principal_for(user)
    coordinated = principal.organisations(Role.COORDINATOR)
    partners = sorted(group.partners.all(), key=lambda org: org.name)
    group.partner_list = partners  # type: ignore[attr-defined]
    group.viewer_coordinates = group.organisation_id in coordinated  # type: ignore[attr-defined]
    group.viewer_partners = any(org.pk in coordinated for org in partners)  # type: ignore[attr-defined]
    group.viewer_facilitates = group.organisation_id in principal.organisations(Role.TUTOR)  # type: ignore[attr-defined]
    return group


def group_meetings(group: SupportGroup) -> QuerySet[GroupMeeting]:
    """The group's meetings, latest first, with ``attendee_count`` and their facilitators (two queries a page)."""
    return (
        group.meetings.annotate(attendee_count=Count("attendees"))
        .prefetch_related(Prefetch("facilitators", queryset=Person.objects.order_by("family_name", "given_name")))
        .order_by("-met_on", "-recorded_at")
    )


def access_meeting(group: SupportGroup, pk: Any) -> GroupMeeting:
    """A meeting of this (already accessed) group, or Http404."""
    try:
        meeting = group.meetings.get(pk=pk)
    except (GroupMeeting.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such meeting") from None
    meeting.group = group
    return meeting


def organisation_ids(group: SupportGroup) -> list[Any]:
    """The organisation running the group and its partners."""
    partners = getattr(group, "partner_list", None)
    partner_ids = (
        [org.pk for org in partners] if partners is not None else list(group.partners.values_list("pk", flat=True))
    )
    return [group.organisation_id, *partner_ids]


def _seen_by(user: User) -> Q:
    """People the user may see anywhere: a coordinator's organisations' people, and themselves."""
    principal = principal_for(user)
    seen = Q(pk__in=visible_people(user).values("pk"))
    if principal.person_id is not None:
        seen |= Q(pk=principal.person_id)
    return seen


def _this_meeting(meeting: GroupMeeting | None, relation: str) -> Q:
    if meeting is None:
        return Q(pk__in=[])
    return Q(pk__in=getattr(meeting, relation).values("pk"))


def facilitator_choices(user: User, group: SupportGroup, meeting: GroupMeeting | None = None) -> PersonQuerySet:
    """People a meeting form offers as facilitators, by name.

    Current tutors of the group's organisations (the only people the service accepts)
    whom the user may see: a coordinator's own people, the user themselves, and
    whoever has facilitated this group before. Administrators see every such tutor.
    The meeting's own facilitators stay on the list when it is changed, even if
    they have left since.
    """
    tutors = Person.objects.in_organisations(organisation_ids(group), roles=[Role.TUTOR])
    if principal_for(user).is_administrator:
        offered = Q(pk__in=tutors.values("pk"))
    else:
        before = GroupMeeting.facilitators.through.objects.filter(groupmeeting__group=group).values("person_id")
        offered = Q(pk__in=tutors.filter(_seen_by(user) | Q(pk__in=before)).values("pk"))
    return Person.objects.filter(offered | _this_meeting(meeting, "facilitators")).by_name()


def attendee_choices(user: User, group: SupportGroup, meeting: GroupMeeting | None = None) -> PersonQuerySet:
    """People a named group's meeting form offers as having come, by name.

    Carers (participants) of the group's organisations whom the user may already see
    (a coordinator's own people; every such carer for administrators), and anyone who
    has come to this group before: its facilitators have seen them on earlier meetings.
    A tutor, who sees nobody's record, is offered the group's regulars alone; someone
    new is added by a coordinator. The list stays within the group's circle, never the
    whole register of carers.
    """
    carers = Person.objects.in_organisations(organisation_ids(group), roles=[Role.PARTICIPANT])
    if not principal_for(user).is_administrator:
        carers = carers.filter(_seen_by(user))
    before = GroupMeeting.attendees.through.objects.filter(groupmeeting__group=group).values("person_id")
    offered = Q(pk__in=carers.values("pk")) | Q(pk__in=before) | _this_meeting(meeting, "attendees")
    return Person.objects.filter(offered).by_name()


def venue_choices(user: User, group: SupportGroup | None = None) -> QuerySet[Venue]:
    """Venues a group form offers: those of the organisations the user coordinates and, for a group
    being changed, of its own organisations (administrators adding a group: every venue)."""
    principal = principal_for(user)
    if principal.is_administrator and group is None:
        venues = Venue.objects.all()
    else:
        owners = set(principal.organisations(Role.COORDINATOR))
        if group is not None:
            owners.update(organisation_ids(group))
        venues = Venue.objects.filter(organisation_id__in=list(owners))
    return venues.select_related("organisation").order_by("name", "pk")
