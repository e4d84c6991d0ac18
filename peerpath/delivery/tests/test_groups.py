"""Support group services: groups and their partners, meetings with named or counted attendance."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.audit import MissingActorError, SystemActor
from peerpath.core.models import AuditEvent
from peerpath.delivery import groups
from peerpath.delivery.models import GroupMeeting, SupportGroup
from peerpath.delivery.services import DeliveryError
from peerpath.delivery.tests.factories import GroupMeetingFactory, SupportGroupFactory, VenueFactory, tutor
from peerpath.people.models import Membership
from peerpath.people.tests.factories import AreaFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 9)
DETAILS = {
    "name": "Tuesday carers' group",
    "meeting_pattern": "Second Tuesday of the month, 6pm to 8pm",
    "anonymous": False,
}


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 9, 21, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


@pytest.fixture
def facilitator(actors):
    """The peer tutor actor: a tutor of the home organisation."""
    return actors["peer_tutor"].person


def carer(organisation, **names):
    return MembershipFactory(
        organisation=organisation,
        role=Membership.Role.PARTICIPANT,
        person__given_name=names.get("given", "Sam"),
        person__family_name=names.get("family", "Carer"),
    ).person


@pytest.fixture
def group(home_org):
    return SupportGroupFactory(organisation=home_org, name="Tuesday carers' group")


@pytest.fixture
def anonymous_group(home_org):
    return SupportGroupFactory(organisation=home_org, name="Evening drop-in", anonymous=True)


def record(actor, group, **fields):
    values = {"met_on": TODAY, "facilitators": [], "attendees": [], "head_count": None, "topics": ""} | fields
    return groups.record_meeting(actor=actor, group=group, **values)


# Groups ---------------------------------------------------------------------------


def test_save_group_adds_a_group_with_its_partners_and_audits_it_without_names(coordinator, home_org, other_org):
    borough = AreaFactory()
    venue = VenueFactory(organisation=other_org, name="Carers' centre hall")

    group = groups.save_group(
        actor=coordinator,
        group=None,
        organisation=home_org,
        details={**DETAILS, "area": borough, "venue": venue},
        partners=[other_org, home_org, other_org],
    )

    assert (group.organisation, group.name, group.area, group.venue) == (home_org, DETAILS["name"], borough, venue)
    assert (group.anonymous, group.active) == (False, True)
    assert list(group.partners.all()) == [other_org]  # never its own partner, once each
    event = AuditEvent.objects.get(action="support_group.created")
    assert event.target_id == str(group.pk)
    assert event.data == {
        "organisation": str(home_org.pk),
        "partners": [str(other_org.pk)],
        "anonymous": False,
        "active": True,
    }


def test_a_coordinator_adds_groups_only_for_an_organisation_they_coordinate(coordinator, actors, other_org, home_org):
    with pytest.raises(DeliveryError, match="You do not coordinate Elsewhere Carers Centre") as error:
        groups.save_group(actor=coordinator, group=None, organisation=other_org, details=DETAILS)
    assert error.value.field == "organisation"
    with pytest.raises(DeliveryError):
        groups.save_group(actor=actors["peer_tutor"].user, group=None, organisation=home_org, details=DETAILS)
    assert not SupportGroup.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="support_group").exists()


def test_an_administrator_adds_a_group_for_any_organisation(actors, other_org):
    group = groups.save_group(actor=actors["administrator"].user, group=None, organisation=other_org, details=DETAILS)
    assert group.organisation == other_org


def test_a_person_must_make_the_change(home_org):
    with pytest.raises(MissingActorError):
        groups.save_group(actor=SystemActor("import"), group=None, organisation=home_org, details=DETAILS)


def test_a_group_needs_a_name_and_a_meeting_pattern(coordinator, home_org):
    with pytest.raises(DeliveryError, match="Enter a name") as no_name:
        groups.save_group(actor=coordinator, group=None, organisation=home_org, details={**DETAILS, "name": "  "})
    with pytest.raises(DeliveryError, match="Enter when the group meets") as no_pattern:
        groups.save_group(
            actor=coordinator, group=None, organisation=home_org, details={**DETAILS, "meeting_pattern": ""}
        )
    assert (no_name.value.field, no_pattern.value.field) == ("name", "meeting_pattern")


def test_names_are_unique_within_an_organisation(coordinator, home_org, other_org, actors, group):
    with pytest.raises(DeliveryError, match="already has a group called Tuesday carers' group") as error:
        groups.save_group(actor=coordinator, group=None, organisation=home_org, details=DETAILS)
    assert error.value.field == "name"
    elsewhere = groups.save_group(actor=actors["outsider"].user, group=None, organisation=other_org, details=DETAILS)
    assert elsewhere.name == group.name


def test_a_venue_belongs_to_the_organisation_or_a_partner(coordinator, home_org, other_org):
    stranger = VenueFactory(organisation=OrganisationFactory(), name="Somewhere else")
    with pytest.raises(DeliveryError, match="Choose a venue") as error:
        groups.save_group(actor=coordinator, group=None, organisation=home_org, details={**DETAILS, "venue": stranger})
    assert error.value.field == "venue"
    partner_venue = VenueFactory(organisation=other_org)
    group = groups.save_group(
        actor=coordinator,
        group=None,
        organisation=home_org,
        details={**DETAILS, "venue": partner_venue},
        partners=[other_org],
    )
    assert group.venue == partner_venue


def test_save_group_changes_details_and_audits_what_changed(coordinator, home_org, other_org, group):
    groups.save_group(
        actor=coordinator,
        group=group,
        organisation=home_org,
        details={**DETAILS, "meeting_pattern": "Every Thursday, 10am", "active": False},
        partners=[other_org],
    )

    group.refresh_from_db()
    assert (group.meeting_pattern, group.active) == ("Every Thursday, 10am", False)
    assert list(group.partners.all()) == [other_org]
    event = AuditEvent.objects.get(action="support_group.updated")
    assert sorted(event.data["fields"]) == ["active", "meeting_pattern", "partners"]
    assert DETAILS["name"] not in json.dumps(event.data)


def test_a_group_stays_with_its_organisation(coordinator, group, other_org):
    with pytest.raises(DeliveryError, match="stays with the organisation") as error:
        groups.save_group(actor=coordinator, group=group, organisation=other_org, details=DETAILS)
    assert error.value.field == "organisation"


def test_a_coordinator_of_a_partner_cannot_change_the_group(actors, group, other_org):
    group.partners.add(other_org)
    with pytest.raises(DeliveryError, match="You do not coordinate"):
        groups.save_group(actor=actors["outsider"].user, group=group, organisation=group.organisation, details=DETAILS)


def test_attendance_changes_kind_only_until_a_meeting_is_recorded(coordinator, home_org, group, facilitator):
    groups.save_group(actor=coordinator, group=group, organisation=home_org, details={**DETAILS, "anonymous": True})
    group.refresh_from_db()
    assert group.anonymous
    record(coordinator, group, facilitators=[facilitator], head_count=4)

    with pytest.raises(DeliveryError, match="how attendance is kept cannot change") as error:
        groups.save_group(actor=coordinator, group=group, organisation=home_org, details=DETAILS)

    assert error.value.field == "anonymous"
    group.refresh_from_db()
    assert group.anonymous


# Meetings: who came -----------------------------------------------------------------


def test_a_named_meeting_keeps_who_came_and_counts_them(coordinator, group, facilitator, home_org):
    came = [carer(home_org, given="Ama"), carer(home_org, given="Bea")]

    meeting = record(
        coordinator,
        group,
        facilitators=[facilitator],
        attendees=came,
        topics="  Sleep, and asking for a carer's assessment  ",
    )

    meeting.refresh_from_db()
    assert meeting.met_on == TODAY
    assert list(meeting.facilitators.all()) == [facilitator]
    assert set(meeting.attendees.all()) == set(came)
    assert meeting.head_count == 2  # derived from the names
    assert meeting.topics == "Sleep, and asking for a carer's assessment"
    assert (meeting.recorded_by, meeting.safeguarding_concern) == (coordinator, False)


def test_an_anonymous_meeting_keeps_a_head_count_only(coordinator, anonymous_group, facilitator):
    meeting = record(coordinator, anonymous_group, facilitators=[facilitator], head_count=11)
    assert meeting.head_count == 11
    assert not meeting.attendees.exists()


def test_an_anonymous_group_takes_no_names(coordinator, anonymous_group, facilitator, home_org):
    with pytest.raises(DeliveryError, match="keeps no names") as error:
        record(coordinator, anonymous_group, facilitators=[facilitator], attendees=[carer(home_org)], head_count=1)
    assert error.value.field == "attendees"


def test_an_anonymous_group_needs_a_head_count_in_range(coordinator, anonymous_group, facilitator):
    with pytest.raises(DeliveryError, match="Enter how many people came") as missing:
        record(coordinator, anonymous_group, facilitators=[facilitator])
    with pytest.raises(DeliveryError, match="between 0 and 500") as too_many:
        record(coordinator, anonymous_group, facilitators=[facilitator], head_count=501)
    with pytest.raises(DeliveryError, match="between 0 and 500"):
        record(coordinator, anonymous_group, facilitators=[facilitator], head_count=-1)
    assert (missing.value.field, too_many.value.field) == ("head_count", "head_count")
    assert record(coordinator, anonymous_group, facilitators=[facilitator], head_count=0).head_count == 0


def test_a_named_group_takes_names_not_a_head_count(coordinator, group, facilitator):
    with pytest.raises(DeliveryError, match="records who came by name") as error:
        record(coordinator, group, facilitators=[facilitator], head_count=5)
    assert error.value.field == "head_count"


def test_nobody_both_facilitates_and_attends(coordinator, group, facilitator):
    with pytest.raises(DeliveryError, match="facilitated the meeting: remove them") as error:
        record(coordinator, group, facilitators=[facilitator], attendees=[facilitator])
    assert error.value.field == "attendees"


def test_people_listed_twice_are_recorded_once(coordinator, group, facilitator, home_org):
    someone = carer(home_org)
    meeting = record(coordinator, group, facilitators=[facilitator, facilitator], attendees=[someone, someone])
    assert meeting.facilitators.count() == 1
    assert meeting.head_count == 1


# Meetings: who facilitated ------------------------------------------------------------


def test_a_meeting_needs_a_facilitator(coordinator, group):
    with pytest.raises(DeliveryError, match="Select who facilitated the meeting") as error:
        record(coordinator, group)
    assert error.value.field == "facilitators"


def test_facilitators_are_tutors_of_the_group_organisation_or_its_partners(coordinator, group, home_org, other_org):
    partner_tutor = tutor(other_org)
    for outsider in (carer(home_org), tutor(other_org), tutor(OrganisationFactory())):
        with pytest.raises(
            DeliveryError, match="is not a tutor of the organisation running the group or of a partner"
        ) as error:
            record(coordinator, group, facilitators=[outsider])
        assert error.value.field == "facilitators"

    group.partners.add(other_org)
    meeting = record(coordinator, group, facilitators=[partner_tutor])

    assert list(meeting.facilitators.all()) == [partner_tutor]


def test_facilitators_are_tutors_now_or_on_the_day_the_group_met(coordinator, group, home_org):
    left = MembershipFactory(
        organisation=home_org,
        role=Membership.Role.TUTOR,
        started_on=datetime.date(2026, 1, 1),
        ended_on=TODAY - datetime.timedelta(days=3),
    ).person
    joined = MembershipFactory(organisation=home_org, role=Membership.Role.TUTOR, started_on=TODAY).person
    long_gone = MembershipFactory(
        organisation=home_org,
        role=Membership.Role.TUTOR,
        started_on=datetime.date(2025, 1, 1),
        ended_on=datetime.date(2026, 1, 1),
    ).person

    with pytest.raises(DeliveryError, match="is not a tutor"):
        record(coordinator, group, facilitators=[left])
    with pytest.raises(DeliveryError, match="is not a tutor"):
        record(coordinator, group, facilitators=[long_gone], met_on=TODAY - datetime.timedelta(days=7))
    # Recorded late: one was a tutor when the group met, the other is one now.
    meeting = record(coordinator, group, facilitators=[left, joined], met_on=TODAY - datetime.timedelta(days=7))
    assert set(meeting.facilitators.all()) == {left, joined}


# Meetings: dates -------------------------------------------------------------------------


def test_a_meeting_cannot_be_recorded_in_the_future(coordinator, group, facilitator):
    with pytest.raises(DeliveryError, match="today or in the past") as error:
        record(coordinator, group, facilitators=[facilitator], met_on=TODAY + datetime.timedelta(days=1))
    assert error.value.field == "met_on"
    assert not GroupMeeting.objects.exists()


def test_one_meeting_a_day_for_each_group(coordinator, group, anonymous_group, facilitator):
    record(coordinator, group, facilitators=[facilitator])

    with pytest.raises(DeliveryError, match="A meeting of this group on 9 March 2027 is already recorded") as error:
        record(coordinator, group, facilitators=[facilitator])

    assert error.value.field == "met_on"
    assert record(coordinator, anonymous_group, facilitators=[facilitator], head_count=3).met_on == TODAY


def test_topics_have_a_limit(coordinator, group, facilitator):
    with pytest.raises(DeliveryError, match="2000 characters or fewer") as error:
        record(coordinator, group, facilitators=[facilitator], topics="x" * 2001)
    assert error.value.field == "topics"


# Meetings: safeguarding and the audit log --------------------------------------------------


def test_a_safeguarding_concern_is_a_flag_and_the_audit_event_names_nobody(coordinator, group, facilitator, home_org):
    came = carer(home_org, given="Zainab", family="Okonjo")

    meeting = record(coordinator, group, facilitators=[facilitator], attendees=[came], safeguarding_concern=True)

    assert meeting.safeguarding_concern
    event = AuditEvent.objects.get(action="group_meeting.recorded")
    assert event.target_id == str(meeting.pk)
    assert event.data == {
        "group": str(group.pk),
        "met_on": "2027-03-09",
        "facilitators": 1,
        "head_count": 1,
        "named": True,
        "safeguarding_concern": True,
    }
    logged = json.dumps(event.data)
    for name in ("Zainab", "Okonjo", facilitator.given_name, facilitator.family_name, group.name):
        assert name not in logged


def test_a_meeting_and_its_people_are_saved_with_their_audit_event_or_not_at_all(
    coordinator, group, facilitator, home_org, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(audit, "record", broken)

    with pytest.raises(RuntimeError):
        record(coordinator, group, facilitators=[facilitator], attendees=[carer(home_org)])

    assert not GroupMeeting.objects.exists()
    assert not GroupMeeting.facilitators.through.objects.exists()
    assert not GroupMeeting.attendees.through.objects.exists()


def test_a_group_is_saved_with_its_audit_event_or_not_at_all(coordinator, home_org, other_org, monkeypatch):
    monkeypatch.setattr(audit, "record", lambda **kwargs: (_ for _ in ()).throw(RuntimeError("no audit")))

    with pytest.raises(RuntimeError):
        groups.save_group(actor=coordinator, group=None, organisation=home_org, details=DETAILS, partners=[other_org])

    assert not SupportGroup.objects.exists()


def test_recording_a_meeting_needs_a_person(group, facilitator):
    with pytest.raises(MissingActorError):
        record(SystemActor("import"), group, facilitators=[facilitator])
    with pytest.raises(MissingActorError):
        record(UserFactory.build(), group, facilitators=[facilitator])  # never saved: no one to answer for it


# Changing a meeting -----------------------------------------------------------------------


def test_update_meeting_corrects_the_record_and_audits_the_fields_changed(coordinator, group, facilitator, home_org):
    first, second = carer(home_org, given="Ama"), carer(home_org, given="Bea")
    meeting = record(coordinator, group, facilitators=[facilitator], attendees=[first])
    day_before = TODAY - datetime.timedelta(days=1)

    groups.update_meeting(
        actor=coordinator,
        meeting=meeting,
        met_on=day_before,
        facilitators=[facilitator],
        attendees=[first, second],
        topics="Respite",
        safeguarding_concern=True,
    )

    meeting.refresh_from_db()
    assert (meeting.met_on, meeting.head_count, meeting.topics, meeting.safeguarding_concern) == (
        day_before,
        2,
        "Respite",
        True,
    )
    assert set(meeting.attendees.all()) == {first, second}
    assert meeting.recorded_by == coordinator  # who first recorded it; the audit log says who changed it
    event = AuditEvent.objects.get(action="group_meeting.updated")
    assert sorted(event.data["fields"]) == ["attendees", "head_count", "met_on", "safeguarding_concern", "topics"]
    assert "Ama" not in json.dumps(event.data)


def test_update_meeting_refuses_the_date_of_another_meeting(coordinator, group, facilitator):
    earlier = record(coordinator, group, facilitators=[facilitator], met_on=TODAY - datetime.timedelta(days=7))
    meeting = record(coordinator, group, facilitators=[facilitator])

    with pytest.raises(DeliveryError, match="2 March 2027 is already recorded") as error:
        groups.update_meeting(actor=coordinator, meeting=meeting, met_on=earlier.met_on, facilitators=[facilitator])

    assert error.value.field == "met_on"
    meeting.refresh_from_db()
    assert meeting.met_on == TODAY
    # Its own date is no clash.
    groups.update_meeting(actor=coordinator, meeting=meeting, met_on=TODAY, facilitators=[facilitator], topics="x")


def test_update_meeting_keeps_a_facilitator_who_has_left_since(coordinator, group, home_org):
    leaver = MembershipFactory(
        organisation=home_org, role=Membership.Role.TUTOR, started_on=datetime.date(2026, 1, 1)
    ).person
    meeting = record(coordinator, group, facilitators=[leaver], met_on=TODAY - datetime.timedelta(days=14))
    Membership.objects.filter(person=leaver).update(ended_on=TODAY - datetime.timedelta(days=1))

    groups.update_meeting(
        actor=coordinator, meeting=meeting, met_on=meeting.met_on, facilitators=[leaver], topics="Benefits"
    )

    meeting.refresh_from_db()
    assert meeting.topics == "Benefits"


def test_update_meeting_applies_the_attendance_rules(coordinator, anonymous_group, facilitator, home_org):
    meeting = GroupMeetingFactory(group=anonymous_group, recorded_by=coordinator, head_count=4)
    meeting.facilitators.add(facilitator)

    with pytest.raises(DeliveryError, match="keeps no names"):
        groups.update_meeting(
            actor=coordinator,
            meeting=meeting,
            met_on=meeting.met_on,
            facilitators=[facilitator],
            attendees=[carer(home_org)],
            head_count=4,
        )
    groups.update_meeting(
        actor=coordinator, meeting=meeting, met_on=meeting.met_on, facilitators=[facilitator], head_count=6
    )
    meeting.refresh_from_db()
    assert meeting.head_count == 6
    assert timezone.localdate() == TODAY
