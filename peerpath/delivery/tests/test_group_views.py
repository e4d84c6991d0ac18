"""Support group screens: the list, adding and changing a group, its page, recording its meetings.

Every role on every route is in tests/permission_cases_groups.py; here are the
journeys, the form errors, the scoping of groups and of the people a form offers,
and the query counts.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape

from peerpath.core.models import AuditEvent
from peerpath.delivery import group_access
from peerpath.delivery.models import GroupMeeting, SupportGroup
from peerpath.delivery.tests.factories import GroupMeetingFactory, SupportGroupFactory, tutor
from peerpath.people.models import Membership, Person
from peerpath.people.tests.factories import AreaFactory, MembershipFactory, OrganisationFactory


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


@pytest.fixture
def peer(actors) -> Person:
    """The peer tutor actor: a peer facilitator of the home organisation."""
    return actors["peer_tutor"].person


@pytest.fixture
def group(home_org) -> SupportGroup:
    return SupportGroupFactory(organisation=home_org, name="Tuesday carers' group")


@pytest.fixture
def anonymous_group(home_org) -> SupportGroup:
    return SupportGroupFactory(organisation=home_org, name="Evening drop-in", anonymous=True)


def carer(organisation, given: str = "Sam", family: str = "Carer") -> Person:
    membership = MembershipFactory(
        organisation=organisation,
        role=Membership.Role.PARTICIPANT,
        person__given_name=given,
        person__family_name=family,
    )
    return membership.person


def met(group: SupportGroup, days_ago: int, *, by: Any, facilitators=(), attendees=(), **fields) -> GroupMeeting:
    meeting = GroupMeetingFactory(
        group=group, met_on=timezone.localdate() - datetime.timedelta(days=days_ago), recorded_by=by, **fields
    )
    meeting.facilitators.set(facilitators)
    meeting.attendees.set(attendees)
    return meeting


def group_data(name: str = "Tuesday carers' group", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "meeting_pattern": "Second Tuesday of the month, 6pm to 8pm",
        "attendance": "named",
        **extra,
    }


def meeting_data(
    day: datetime.date | None = None,
    *,
    facilitators=(),
    attendees=(),
    head_count: Any = None,
    topics: str = "",
    safeguarding: bool = False,
) -> dict[str, Any]:
    day = day or timezone.localdate()
    data: dict[str, Any] = {
        "met_on_day": day.day,
        "met_on_month": day.month,
        "met_on_year": day.year,
        "facilitators": [str(person.pk) for person in facilitators],
        "attendees": [str(person.pk) for person in attendees],
        "topics": topics,
    }
    if head_count is not None:
        data["head_count"] = head_count
    if safeguarding:
        data["safeguarding_concern"] = "on"
    return data


def _url(name: str, group: SupportGroup | None = None, **kwargs: Any) -> str:
    if group is not None:
        kwargs["pk"] = group.pk
    return reverse(f"groups:{name}", kwargs=kwargs or None)


# Access ------------------------------------------------------------------------------------


def test_each_role_sees_the_groups_of_its_organisations(actors, home_org, other_org, group):
    partnered = SupportGroupFactory(organisation=other_org, name="Run with us")
    partnered.partners.add(home_org)
    theirs = SupportGroupFactory(organisation=other_org, name="Theirs alone")

    def seen(role: str) -> set[str]:
        return set(group_access.visible_groups(actors[role].user).values_list("name", flat=True))

    assert seen("administrator") == {group.name, partnered.name, theirs.name}
    assert seen("coordinator") == {group.name, partnered.name}
    # Tutors see the groups their organisation runs; a partner's groups are its coordinators' to share.
    assert seen("peer_tutor") == {group.name}
    assert seen("outsider") == {partnered.name, theirs.name}
    for role in ("participant", "assessor", "evaluator"):
        assert seen(role) == set()


def test_a_group_with_two_partners_is_listed_once(actors, home_org, other_org):
    shared = SupportGroupFactory(organisation=OrganisationFactory())
    shared.partners.add(home_org, other_org)
    user = actors["coordinator"].user
    MembershipFactory(person=actors["coordinator"].person, organisation=other_org, role=Membership.Role.COORDINATOR)
    assert list(group_access.visible_groups(user)) == [shared]


# List --------------------------------------------------------------------------------------


def test_group_list_shows_a_coordinators_groups_and_those_their_organisation_partners(
    coordinator_client, home_org, other_org, group, coordinator
):
    partnered = SupportGroupFactory(organisation=other_org, name="Young carers' circle")
    partnered.partners.add(home_org)
    SupportGroupFactory(organisation=other_org, name="Not ours at all")
    met(group, 3, by=coordinator)

    response = coordinator_client.get(_url("group_list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Tuesday carers&#39; group" in body
    assert "Young carers&#39; circle" in body
    assert "Not ours at all" not in body
    assert "2 groups found" in body
    assert "Meetings </span>1</td>" in body
    assert _url("group_detail", group) in body
    assert "Add a group" in body


def test_tutors_see_their_organisations_groups_but_cannot_add_one(tutor_client, group, other_org):
    SupportGroupFactory(organisation=other_org, name="Not ours at all")

    body = tutor_client.get(_url("group_list")).content.decode()

    assert "Tuesday carers&#39; group" in body
    assert "Not ours at all" not in body
    assert "Add a group" not in body


def test_group_list_filters_by_organisation_borough_and_status(coordinator_client, home_org, other_org):
    merton, sutton = AreaFactory(), AreaFactory()
    SupportGroupFactory(organisation=home_org, name="Merton evening", area=merton)
    SupportGroupFactory(organisation=home_org, name="Sutton mornings", area=sutton)
    SupportGroupFactory(organisation=home_org, name="Merton closed", area=merton, active=False)
    partnered = SupportGroupFactory(organisation=other_org, name="Partner group", area=merton)
    partnered.partners.add(home_org)

    def names(**query: Any) -> list[str]:
        response = coordinator_client.get(_url("group_list"), query)
        assert response.status_code == 200
        return [
            name
            for name in ("Merton evening", "Sutton mornings", "Merton closed", "Partner group")
            if name in response.content.decode()
        ]

    assert names(area=merton.pk) == ["Merton evening", "Merton closed", "Partner group"]
    assert names(area=merton.pk, status="active") == ["Merton evening", "Partner group"]
    assert names(status="closed") == ["Merton closed"]
    assert names(organisation=other_org.pk) == ["Partner group"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"organisation": "not-an-id"}, "Select an option from the list"),
        ({"organisation": "00000000-0000-4000-8000-000000000000"}, "Select an option from the list"),
        ({"area": "999999"}, "Select an option from the list"),
        ({"area": "1 OR 1=1"}, "Select an option from the list"),
        ({"area": "x\x00"}, "Null characters are not allowed"),
        ({"status": "sometimes"}, "Select an option from the list"),
    ],
)
def test_bad_filters_are_a_400_with_a_message_never_a_crash(coordinator_client, group, query, message):
    response = coordinator_client.get(_url("group_list"), query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "0 groups found" in response.content.decode()


def test_a_page_number_that_is_not_a_page_shows_a_page(coordinator_client, group):
    for page in ("last-but-one", "0", "999"):
        response = coordinator_client.get(_url("group_list"), {"page": page})
        assert response.status_code == 200
        assert "Tuesday carers&#39; group" in response.content.decode()


def test_another_organisations_organisation_is_not_a_filter_choice(coordinator_client, other_org, group):
    SupportGroupFactory(organisation=other_org)
    response = coordinator_client.get(_url("group_list"), {"organisation": other_org.pk})
    assert response.status_code == 400


@override_settings(PEERPATH_PAGE_SIZE=5)
def test_group_list_is_paginated(coordinator_client, home_org):
    for number in range(7):
        SupportGroupFactory(organisation=home_org, name=f"Group {number}")

    first = coordinator_client.get(_url("group_list")).content.decode()
    second = coordinator_client.get(_url("group_list"), {"page": 2}).content.decode()

    assert "Group 4" in first and "Group 5" not in first
    assert "Group 5" in second and "Group 6" in second and "Group 0" not in second
    assert "Page 2 of 2" in first


def test_group_list_query_count_stays_flat_as_groups_grow(
    coordinator_client, home_org, coordinator, peer, assert_flat_query_count
):
    def grow(count: int) -> None:
        for _ in range(count):
            created = SupportGroupFactory(organisation=home_org, area=AreaFactory())
            met(created, 1, by=coordinator, facilitators=[peer])
            met(created, 8, by=coordinator, facilitators=[peer])

    def fetch() -> None:
        assert coordinator_client.get(_url("group_list")).status_code == 200

    # session, user, principal, organisation choices, borough choices, count, page of groups with their summaries,
    # and the programme words of the user's organisations (the page names the people its groups serve)
    assert_flat_query_count(fetch, grow, expected=8)


# Add and change a group -----------------------------------------------------------------------


def test_a_coordinator_adds_a_group(coordinator_client, home_org, other_org):
    borough = AreaFactory()

    response = coordinator_client.post(
        _url("group_create"), group_data(partners=[other_org.pk], area=borough.pk, attendance="anonymous")
    )

    group = SupportGroup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("group_detail", group)
    assert (group.organisation, group.area, group.anonymous, group.active) == (home_org, borough, True, True)
    assert list(group.partners.all()) == [other_org]
    assert AuditEvent.objects.filter(action="support_group.created", target_id=str(group.pk)).exists()


def test_the_add_form_names_the_only_organisation_and_offers_no_other(coordinator_client, home_org):
    body = coordinator_client.get(_url("group_create")).content.decode()
    assert "South West London Recovery College will run the group." in body
    assert 'name="organisation"' not in body
    # Its own organisation is never offered as its partner.
    assert f'value="{home_org.pk}"' not in body


def test_a_coordinator_of_two_organisations_chooses_one_they_coordinate(actors, home_org, other_org):
    second = OrganisationFactory(name="Carers Trust Sutton")
    MembershipFactory(person=actors["coordinator"].person, organisation=second, role=Membership.Role.COORDINATOR)
    client = actors["coordinator"].client

    refused = client.post(_url("group_create"), group_data(organisation=other_org.pk))
    added = client.post(_url("group_create"), group_data(organisation=second.pk))

    assert refused.status_code == 400
    assert "Select an organisation from the list" in refused.content.decode()
    assert added.status_code == 302
    assert SupportGroup.objects.get().organisation == second


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (group_data(name=""), "Enter a name"),
        (group_data(meeting_pattern=""), "Enter when the group meets"),
        ({**group_data(), "attendance": ""}, "Select how attendance is kept"),
        (group_data(attendance="sometimes"), "Select how attendance is kept"),
        (group_data(partners=["not-an-organisation"]), "Select partner organisations from the list"),
        (group_data(area="0"), "Select a borough from the list"),
        (group_data(venue="00000000-0000-4000-8000-000000000000"), "Select a venue from the list"),
        (group_data(name="Tuesday\x00group"), "Null characters are not allowed"),
        (group_data(name="x" * 151), "Name of the group must be 150 characters or fewer"),
    ],
)
def test_bad_group_details_are_a_400_with_the_message(coordinator_client, home_org, data, message):
    response = coordinator_client.post(_url("group_create"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "There is a problem" in body
    assert not SupportGroup.objects.exists()


def test_a_duplicate_name_is_a_form_error(coordinator_client, group):
    response = coordinator_client.post(_url("group_create"), group_data(name=group.name))
    assert response.status_code == 400
    assert "already has a group called Tuesday carers&#39; group" in response.content.decode()


def test_a_coordinator_changes_a_groups_details_and_closes_it(coordinator_client, group, other_org):
    page = coordinator_client.get(_url("group_edit", group))
    assert page.status_code == 200
    assert "Tuesday carers&#39; group" in page.content.decode()

    response = coordinator_client.post(
        _url("group_edit", group),
        group_data(meeting_pattern="Every Thursday, 10am to noon", partners=[other_org.pk], closed="on"),
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.meeting_pattern, group.active) == ("Every Thursday, 10am to noon", False)
    assert list(group.partners.all()) == [other_org]
    detail = coordinator_client.get(_url("group_detail", group)).content.decode()
    assert "Closed" in detail


def test_attendance_cannot_change_kind_once_meetings_are_recorded(coordinator_client, group, coordinator):
    met(group, 7, by=coordinator)
    response = coordinator_client.post(_url("group_edit", group), group_data(attendance="anonymous"))
    assert response.status_code == 400
    assert "how attendance is kept cannot change" in response.content.decode()
    group.refresh_from_db()
    assert not group.anonymous


def test_only_the_running_organisations_coordinators_change_a_group(actors, group, other_org):
    group.partners.add(other_org)
    for role, status in [("peer_tutor", 403), ("outsider", 403), ("participant", 403)]:
        response = actors[role].client.post(_url("group_edit", group), group_data(name="Renamed"))
        assert response.status_code == status, role
    group.refresh_from_db()
    assert group.name == "Tuesday carers' group"


# Group page ----------------------------------------------------------------------------------


def test_group_page_lists_meetings_with_their_counts_and_only_a_safeguarding_flag(
    coordinator_client, group, anonymous_group, coordinator, peer, home_org, other_org
):
    group.partners.add(other_org)
    met(
        group,
        7,
        by=coordinator,
        facilitators=[peer],
        attendees=[carer(home_org), carer(home_org)],
        topics="Sleep and respite",
        safeguarding_concern=True,
    )
    met(group, 14, by=coordinator, facilitators=[peer], attendees=[carer(home_org)])
    met(anonymous_group, 2, by=coordinator, facilitators=[peer], head_count=7)

    named = coordinator_client.get(_url("group_detail", group)).content.decode()
    counted = coordinator_client.get(_url("group_detail", anonymous_group)).content.decode()

    assert "2 people, named" in named
    assert "1 person, named" in named
    assert "Sleep and respite" in named
    assert "Safeguarding concern raised" in named
    assert named.count("Safeguarding concern raised") == 1
    assert escape(peer.display_name) in named
    assert "Elsewhere Carers Centre" in named  # the partner
    assert "7 people (head count)" in counted
    assert "Head count only (anonymous group)" in counted
    assert "Record a meeting" in named and "Change group details" in named


def test_a_tutor_may_record_meetings_but_not_change_the_group(tutor_client, group):
    body = tutor_client.get(_url("group_detail", group)).content.decode()
    assert "Record a meeting" in body
    assert "Change group details" not in body


def test_group_page_is_404_outside_the_users_organisations_and_403_for_other_roles(actors, group):
    assert actors["outsider"].client.get(_url("group_detail", group)).status_code == 404
    for role in ("participant", "assessor", "evaluator"):
        assert actors[role].client.get(_url("group_detail", group)).status_code == 403
    assert actors["coordinator"].client.get("/groups/not-a-group/").status_code == 404


def test_group_page_query_count_stays_flat_as_meetings_grow(
    coordinator_client, group, coordinator, peer, home_org, assert_flat_query_count
):
    regulars = [carer(home_org) for _ in range(3)]
    days = iter(range(1, 100))

    def grow(count: int) -> None:
        for _ in range(count):
            met(group, next(days), by=coordinator, facilitators=[peer, tutor(home_org)], attendees=regulars)

    def fetch() -> None:
        assert coordinator_client.get(_url("group_detail", group)).status_code == 200

    # session, user, principal, group, partners, count, page of meetings with attendee counts, facilitators
    assert_flat_query_count(fetch, grow, expected=8)


# Recording a meeting ---------------------------------------------------------------------------


def test_a_peer_facilitator_records_a_named_meeting_of_the_groups_regulars(
    tutor_client, group, coordinator, peer, home_org
):
    regular, newcomer = carer(home_org, "Ama", "Boateng"), carer(home_org, "Nobody", "Yet")
    met(group, 7, by=coordinator, facilitators=[peer], attendees=[regular])

    page = tutor_client.get(_url("meeting_create", group))
    body = page.content.decode()
    assert page.status_code == 200
    assert f'value="{peer.pk}" checked' in body  # they facilitated it, usually
    assert "Ama Boateng" in body
    assert "Nobody Yet" not in body  # a tutor names only the group's regulars

    response = tutor_client.post(
        _url("meeting_create", group),
        meeting_data(facilitators=[peer], attendees=[regular], topics="Planning for Christmas"),
    )

    assert response.status_code == 302
    assert response["Location"] == _url("group_detail", group)
    meeting = group.meetings.get(met_on=timezone.localdate())
    assert list(meeting.attendees.all()) == [regular]
    assert meeting.head_count == 1
    assert meeting.recorded_by == peer.user
    refused = tutor_client.post(
        _url("meeting_create", group),
        meeting_data(timezone.localdate() - datetime.timedelta(days=1), facilitators=[peer], attendees=[newcomer]),
    )
    assert refused.status_code == 400
    assert "Select the people who came from the list" in refused.content.decode()


def test_a_coordinator_records_a_head_count_for_an_anonymous_group(coordinator_client, anonymous_group, peer):
    page = coordinator_client.get(_url("meeting_create", anonymous_group)).content.decode()
    assert "How many people came?" in page
    assert "Who came?" not in page

    response = coordinator_client.post(
        _url("meeting_create", anonymous_group), meeting_data(facilitators=[peer], head_count="9", safeguarding=True)
    )

    assert response.status_code == 302
    meeting = anonymous_group.meetings.get()
    assert (meeting.head_count, meeting.safeguarding_concern) == (9, True)
    assert not meeting.attendees.exists()


def test_a_coordinator_is_offered_their_organisations_carers_and_tutors_only(
    coordinator_client, group, home_org, other_org, peer
):
    ours, theirs = carer(home_org, "Ours", "Carer"), carer(other_org, "Theirs", "Carer")
    their_tutor = tutor(other_org)

    body = coordinator_client.get(_url("meeting_create", group)).content.decode()

    assert "Ours Carer" in body and "Theirs Carer" not in body
    assert escape(peer.display_name) in body and escape(their_tutor.display_name) not in body
    for data, message in [
        (meeting_data(facilitators=[peer], attendees=[theirs]), "Select the people who came from the list"),
        (meeting_data(facilitators=[their_tutor]), "Select facilitators from the list"),
        (meeting_data(facilitators=[ours]), "Select facilitators from the list"),
    ]:
        response = coordinator_client.post(_url("meeting_create", group), data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not group.meetings.exists()
    assert (
        coordinator_client.post(
            _url("meeting_create", group), meeting_data(facilitators=[peer], attendees=[ours])
        ).status_code
        == 302
    )


def test_a_partners_coordinator_records_a_meeting_with_their_own_carers(actors, group, other_org):
    group.partners.add(other_org)
    their_tutor, their_carer = tutor(other_org), carer(other_org, "Partner", "Carer")
    client = actors["outsider"].client

    assert "Partner Carer" in client.get(_url("meeting_create", group)).content.decode()
    response = client.post(
        _url("meeting_create", group), meeting_data(facilitators=[their_tutor], attendees=[their_carer])
    )

    assert response.status_code == 302
    assert list(group.meetings.get().attendees.all()) == [their_carer]


@pytest.mark.parametrize(
    ("named", "data", "messages"),
    [
        (True, {}, ["Enter the date the group met", "Select who facilitated the meeting"]),
        (True, {"met_on_day": "31", "met_on_month": "2", "met_on_year": "2027"}, ["must be a real date"]),
        (True, {"met_on_day": "1", "met_on_month": "", "met_on_year": "2027"}, ["must include a month"]),
        (True, {"attendees": ["not-a-uuid"]}, ["Select the people who came from the list"]),
        (True, {"facilitators": ["00000000-0000-4000-8000-000000000000"]}, ["Select facilitators from the list"]),
        (True, {"topics": "x" * 2001}, ["must be 2000 characters or fewer"]),
        (True, {"topics": "nul\x00"}, ["Null characters are not allowed"]),
        (False, {"head_count": ""}, ["Enter how many people came"]),
        (False, {"head_count": "lots"}, ["must be a whole number, like 8"]),
        (False, {"head_count": "-2"}, ["must be 0 or more"]),
        (False, {"head_count": "501"}, ["must be 500 or fewer"]),
    ],
)
def test_bad_meeting_input_is_a_400_with_the_message(
    coordinator_client, group, anonymous_group, peer, named, data, messages
):
    target = group if named else anonymous_group
    base = meeting_data(facilitators=[peer], head_count=None if named else 3)
    if data == {}:
        base = {}
    response = coordinator_client.post(_url("meeting_create", target), {**base, **data})
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    for message in messages:
        assert message in body
    assert not GroupMeeting.objects.exists()


def test_a_meeting_in_the_future_or_on_a_recorded_day_is_refused(coordinator_client, group, coordinator, peer):
    met(group, 7, by=coordinator, facilitators=[peer])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    future = coordinator_client.post(_url("meeting_create", group), meeting_data(tomorrow, facilitators=[peer]))
    twice = coordinator_client.post(
        _url("meeting_create", group),
        meeting_data(timezone.localdate() - datetime.timedelta(days=7), facilitators=[peer]),
    )

    assert future.status_code == 400
    assert "must be today or in the past" in future.content.decode()
    assert twice.status_code == 400
    assert "is already recorded: change that one instead" in twice.content.decode()
    assert group.meetings.count() == 1


def test_nobody_to_name_is_explained(actors, group):
    # A tutor of the organisation with no meetings behind the group: nobody to name yet.
    body = actors["professional_tutor"].client.get(_url("meeting_create", group)).content.decode()
    assert "Nobody has been recorded at this group yet" in body


# Changing a meeting ---------------------------------------------------------------------------------


def test_a_facilitator_corrects_a_meeting(tutor_client, anonymous_group, coordinator, peer):
    meeting = met(anonymous_group, 3, by=coordinator, facilitators=[peer], head_count=5, topics="Benefits")

    page = tutor_client.get(_url("meeting_edit", anonymous_group, meeting_id=meeting.pk)).content.decode()
    assert 'value="5"' in page
    assert "Benefits" in page
    assert "Change the meeting on" in page

    response = tutor_client.post(
        _url("meeting_edit", anonymous_group, meeting_id=meeting.pk),
        meeting_data(meeting.met_on, facilitators=[peer], head_count=6, topics="Benefits and grants"),
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.head_count, meeting.topics) == (6, "Benefits and grants")
    assert AuditEvent.objects.filter(action="group_meeting.updated", target_id=str(meeting.pk)).exists()


def test_a_meeting_is_found_only_through_its_own_group(coordinator_client, actors, group, anonymous_group, coordinator):
    meeting = met(group, 3, by=coordinator)

    assert coordinator_client.get(_url("meeting_edit", group, meeting_id=meeting.pk)).status_code == 200
    assert coordinator_client.get(_url("meeting_edit", anonymous_group, meeting_id=meeting.pk)).status_code == 404
    assert actors["outsider"].client.get(_url("meeting_edit", group, meeting_id=meeting.pk)).status_code == 404
    assert actors["participant"].client.get(_url("meeting_edit", group, meeting_id=meeting.pk)).status_code == 403
    outsider_post = actors["outsider"].client.post(
        _url("meeting_edit", group, meeting_id=meeting.pk), meeting_data(facilitators=[])
    )
    assert outsider_post.status_code == 404


def test_a_meeting_keeps_its_facilitators_and_attendees_on_the_form(coordinator_client, group, coordinator, home_org):
    gone_tutor = MembershipFactory(
        organisation=home_org,
        role=Membership.Role.TUTOR,
        started_on=timezone.localdate() - datetime.timedelta(days=100),
        ended_on=timezone.localdate() - datetime.timedelta(days=1),
    ).person
    gone_carer = carer(OrganisationFactory(), "Moved", "Away")
    meeting = met(group, 10, by=coordinator, facilitators=[gone_tutor], attendees=[gone_carer])

    body = coordinator_client.get(_url("meeting_edit", group, meeting_id=meeting.pk)).content.decode()

    assert f'value="{gone_tutor.pk}" checked' in body
    assert f'value="{gone_carer.pk}" checked' in body
    response = coordinator_client.post(
        _url("meeting_edit", group, meeting_id=meeting.pk),
        meeting_data(meeting.met_on, facilitators=[gone_tutor], attendees=[gone_carer], topics="Moving house"),
    )
    assert response.status_code == 302
