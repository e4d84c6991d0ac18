"""Calendar feeds, read back with ``icalendar``: what each person sees, how moves and cancellations show,
and how addresses are made, replaced and revoked. Also moving a session (``delivery.sessions``)."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from peerpath.core.models import AuditEvent
from peerpath.delivery import calendar, enrolment, services, sessions
from peerpath.delivery.models import CalendarFeed, Enrolment, FacilitatorAssignment, Session, SessionReminder
from peerpath.delivery.services import DeliveryError
from peerpath.delivery.tests.factories import VenueFactory, open_run, tutor
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
E = Enrolment.Status
ONE_HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


@pytest.fixture
def run(home_org, coordinator, actors):
    return open_run(
        home_org,
        coordinator,
        title="Understanding psychosis",
        peer=actors["peer_tutor"].person,
        professional=actors["professional_tutor"].person,
    )


def carer(organisation):
    return MembershipFactory(organisation=organisation, role=Membership.Role.PARTICIPANT).person


def enrol(run, person, coordinator):
    return enrolment.enrol(actor=coordinator, run_id=run.pk, person=person, agreement_accepted=True)


def issue(person):
    """A personal feed for ``person`` (who has a login), as they would make it."""
    return calendar.create_person_feed(actor=person.user, person=person)


def with_login(person):
    person.user = UserFactory()
    person.save(update_fields=["user"])
    return person


def fetch(token: str, client: Client | None = None):
    return (client or Client()).get(reverse("calendar:feed", kwargs={"token": token}))


def events(token: str) -> dict[str, dict]:
    """The feed's events by UID, each as {property: decoded value}."""
    response = fetch(token)
    assert response.status_code == 200
    parsed = Calendar.from_ical(response.content)
    return {
        str(event["uid"]): {
            "summary": str(event["summary"]),
            "start": event.decoded("dtstart"),
            "end": event.decoded("dtend"),
            "sequence": int(event["sequence"]),
            "status": str(event["status"]),
            "location": str(event.get("location", "")),
            "description": str(event.get("description", "")),
            "last_modified": event.decoded("last-modified"),
            "stamp": event.decoded("dtstamp"),
        }
        for event in parsed.walk("VEVENT")
    }


def uids(run) -> set[str]:
    return {calendar.event_uid(pk) for pk in run.sessions.values_list("pk", flat=True)}


# What a feed holds ---------------------------------------------------------------------------


def test_a_participants_feed_lists_their_sessions_in_utc_with_stable_uids(run, home_org, coordinator):
    person = with_login(carer(home_org))
    enrol(run, person, coordinator)
    issued = issue(person)

    response = fetch(issued.token)
    parsed = Calendar.from_ical(response.content)
    found = events(issued.token)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(parsed["x-wr-calname"]) == "My PeerPath sessions"
    assert parsed["refresh-interval"].to_ical() == b"PT1H"
    assert str(parsed["x-published-ttl"]) == "PT1H"
    assert set(found) == uids(run)
    first = run.sessions.order_by("number").first()
    event = found[f"session-{first.pk}@peerpath"]
    assert event["summary"] == f"Understanding psychosis: {first.topic}"
    assert event["start"] == first.starts_at and event["start"].utcoffset() == datetime.timedelta(0)
    assert event["end"] == first.ends_at
    assert (event["sequence"], event["status"]) == (0, "CONFIRMED")
    assert b"TZID" not in response.content
    assert event["location"] == ""  # no venue yet


def test_the_feed_names_the_venue_with_its_address_and_postcode(run, home_org, coordinator):
    venue = VenueFactory(organisation=home_org, name="Wellbeing hub", address="12 High Street\nTooting")
    run.sessions.update(venue=venue)
    person = with_login(carer(home_org))
    enrol(run, person, coordinator)

    found = events(issue(person).token)

    assert {event["location"] for event in found.values()} == {"Wellbeing hub, 12 High Street, Tooting, SW17 0QT"}


def test_moving_a_session_keeps_its_uid_and_raises_its_sequence(run, home_org, coordinator):
    person = with_login(carer(home_org))
    enrol(run, person, coordinator)
    token = issue(person).token
    session = run.sessions.order_by("number").first()
    uid = calendar.event_uid(session.pk)
    before = events(token)[uid]

    later = timezone.now() + ONE_HOUR
    with time_machine.travel(later, tick=False):
        sessions.move_session(
            actor=coordinator,
            session=session,
            starts_at=session.starts_at - datetime.timedelta(days=1),
            ends_at=session.ends_at - datetime.timedelta(days=1),
            venue=None,
        )
    after = events(token)

    assert set(after) == uids(run)
    assert after[uid]["sequence"] == before["sequence"] + 1 == 1
    assert after[uid]["start"] == before["start"] - datetime.timedelta(days=1)
    assert after[uid]["last_modified"] == after[uid]["stamp"] > before["last_modified"]
    assert abs(after[uid]["last_modified"] - later) < datetime.timedelta(seconds=1)


def test_sessions_of_a_cancelled_run_stay_in_the_feed_as_cancelled_events(run, home_org, coordinator):
    person = with_login(carer(home_org))
    enrol(run, person, coordinator)
    token = issue(person).token
    before = events(token)

    with time_machine.travel(timezone.now() + ONE_HOUR, tick=False):
        services.cancel_run(actor=coordinator, run=run, reason="The tutor is unwell")
    after = events(token)

    assert set(after) == set(before)
    assert {event["status"] for event in after.values()} == {"CANCELLED"}
    # A cancellation is a change: a higher SEQUENCE and a later LAST-MODIFIED, as RFC 5546 asks.
    for uid, event in after.items():
        assert event["sequence"] == before[uid]["sequence"] + 1
        assert event["last_modified"] > before[uid]["last_modified"]
    assert "cancelled" in next(iter(after.values()))["description"]


def test_an_online_rooms_link_goes_only_to_confirmed_places_and_facilitators(run, home_org, coordinator, actors):
    link = "https://meet.example.org/room-42"
    room = VenueFactory(organisation=home_org, name="Online room", online=True, joining_link=link, address="")
    run.sessions.update(venue=room)
    run.capacity = 2
    run.save(update_fields=["capacity"])
    enrolled, leaving, second = (with_login(carer(home_org)) for _ in range(3))
    enrol(run, enrolled, coordinator)
    placed = enrol(run, leaving, coordinator)
    enrol(run, second, coordinator)  # waiting
    enrolment.withdraw(actor=coordinator, enrolment_id=placed.pk)  # second is offered the place
    assert Enrolment.objects.get(run=run, person=second).status == E.OFFERED
    peer = actors["peer_tutor"].person

    offered_feed = events(issue(second).token)
    enrolled_feed = events(issue(enrolled).token)
    peer_feed = events(issue(peer).token)
    run_feed = events(calendar.create_run_feed(actor=coordinator, run=run).token)

    assert offered_feed and all(link not in json.dumps(event, default=str) for event in offered_feed.values())
    assert {event["location"] for event in offered_feed.values()} == {"Online room (online)"}
    for feed in (enrolled_feed, peer_feed, run_feed):
        assert {event["location"] for event in feed.values()} == {link}
        assert all(f"Join online: {link}" in event["description"] for event in feed.values())


@pytest.mark.parametrize("how", ["withdrawn", "waitlisted"])
def test_someone_without_a_place_gets_an_empty_feed(run, home_org, coordinator, how):
    person = with_login(carer(home_org))
    if how == "withdrawn":
        enrolment.withdraw(actor=coordinator, enrolment_id=enrol(run, person, coordinator).pk)
    else:
        run.capacity = 1
        run.save(update_fields=["capacity"])
        enrol(run, carer(home_org), coordinator)
        assert enrol(run, person, coordinator).status == E.WAITLISTED

    assert events(issue(person).token) == {}


def test_a_facilitators_feed_has_their_runs_and_single_sessions_they_stand_in_for(run, home_org, coordinator):
    stand_in = tutor(home_org, Membership.TutorKind.PROFESSIONAL)
    with_login(stand_in)
    second = run.sessions.get(number=2)
    services.assign_facilitator(
        actor=coordinator,
        run=run,
        person=stand_in,
        role=FacilitatorAssignment.Role.PROFESSIONAL_TUTOR,
        session=second,
    )
    other = open_run(home_org, coordinator, title="Looking after yourself", professional=stand_in)

    found = events(issue(stand_in).token)

    assert set(found) == {calendar.event_uid(second.pk)} | uids(other)


def test_a_planned_runs_sessions_are_tentative(home_org, coordinator, actors):
    run = open_run(home_org, coordinator, peer=actors["peer_tutor"].person)
    services.change_status(actor=coordinator, run=run, to_status="planned")

    found = events(issue(actors["peer_tutor"].person).token)

    assert {event["status"] for event in found.values()} == {"TENTATIVE"}


def test_a_person_feed_costs_the_same_queries_however_many_sessions(
    run, home_org, coordinator, assert_flat_query_count
):
    person = with_login(carer(home_org))
    enrol(run, person, coordinator)
    token = issue(person).token
    last = run.sessions.order_by("-number").first()
    state = {"number": last.number, "start": last.starts_at}

    def grow(count: int) -> None:
        rows = []
        for _ in range(count):
            state["number"] += 1
            state["start"] += datetime.timedelta(weeks=1)
            rows.append(
                Session(
                    run=run,
                    number=state["number"],
                    topic=f"Extra {state['number']}",
                    starts_at=state["start"],
                    ends_at=state["start"] + ONE_HOUR,
                    venue=last.venue,
                )
            )
        Session.objects.bulk_create(rows)

    # The feed (with its run), then the sessions with everything an event shows.
    assert_flat_query_count(lambda: fetch(token), grow, expected=2)
    assert len(events(token)) == 2 + 2 + 20


def test_a_run_feed_costs_the_same_queries_however_many_sessions(run, coordinator, assert_flat_query_count):
    token = calendar.create_run_feed(actor=coordinator, run=run).token
    last = run.sessions.order_by("-number").first()
    state = {"number": last.number}

    def grow(count: int) -> None:
        start = run.sessions.order_by("-number").first().ends_at + ONE_HOUR
        rows = []
        for index in range(count):
            state["number"] += 1
            begins = start + index * datetime.timedelta(days=1)
            rows.append(
                Session(run=run, number=state["number"], topic="Extra", starts_at=begins, ends_at=begins + ONE_HOUR)
            )
        Session.objects.bulk_create(rows)

    # The feed; whether its maker still sees the run (their roles, the run); the sessions.
    assert_flat_query_count(lambda: fetch(token), grow, expected=4)


# Addresses ----------------------------------------------------------------------------------


def test_the_feed_answers_privately_without_a_cookie(run, coordinator):
    token = calendar.create_run_feed(actor=coordinator, run=run).token

    response = fetch(token)

    assert response.status_code == 200
    assert response["Cache-Control"] == f"private, max-age={calendar.CACHE_SECONDS}"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert not response.cookies


def test_only_a_hash_of_the_token_is_kept_and_the_audit_log_never_sees_it(home_org, actors):
    person = actors["participant"].person

    issued = issue(person)

    feed = CalendarFeed.objects.get(person=person)
    assert feed.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert len(issued.token) >= 43
    assert issued.url == f"{settings.PEERPATH_SITE_URL}/calendar/{issued.token}.ics"
    assert issued.webcal_url.startswith("webcal://") and issued.webcal_url.endswith(f"/{issued.token}.ics")
    event = AuditEvent.objects.get(action="calendar_feed.created")
    assert event.data == {"person": str(person.pk), "replaced": False}
    assert issued.token not in json.dumps(list(AuditEvent.objects.values("data", "target_id")), default=str)


def test_a_new_address_replaces_the_old_one_which_stops_working(actors):
    person = actors["participant"].person
    old = issue(person)
    assert fetch(old.token).status_code == 200

    new = issue(person)

    assert new.replaced
    assert fetch(old.token).status_code == 404
    assert fetch(new.token).status_code == 200
    assert CalendarFeed.objects.filter(person=person).count() == 1
    assert AuditEvent.objects.filter(action="calendar_feed.created", data__replaced=True).count() == 1


def test_a_revoked_address_stops_working(actors):
    person = actors["participant"].person
    issued = issue(person)

    calendar.revoke_feed(actor=person.user, feed=issued.feed)

    assert fetch(issued.token).status_code == 404
    assert AuditEvent.objects.filter(action="calendar_feed.revoked", target_id=str(issued.feed.pk)).exists()


@pytest.mark.parametrize("path", ["nonsense.ics", f"{'a' * 43}.ics", ".ics", "..%2F..%2Fetc%2Fpasswd.ics"])
def test_an_unknown_token_is_not_found(db, path):
    assert Client().get(f"/calendar/{path}").status_code == 404


def test_only_the_person_themselves_can_make_or_revoke_their_address(actors):
    person = actors["participant"].person

    with pytest.raises(DeliveryError, match="Only the person themselves"):
        calendar.create_person_feed(actor=actors["coordinator"].user, person=person)
    feed = issue(person).feed
    with pytest.raises(DeliveryError, match="Only the person who made"):
        calendar.revoke_feed(actor=actors["coordinator"].user, feed=feed)


def test_a_run_feed_stops_when_its_maker_can_no_longer_see_the_run(run, actors):
    peer = actors["peer_tutor"]
    token = calendar.create_run_feed(actor=peer.user, run=run).token
    assert fetch(token).status_code == 200

    FacilitatorAssignment.objects.filter(run=run, person=peer.person).delete()

    assert fetch(token).status_code == 404


# Pages -------------------------------------------------------------------------------------


def test_my_calendar_shows_the_address_once(actors):
    client = actors["participant"].client
    page = reverse("calendar:my_calendar")

    first = client.get(page)
    made = client.post(page)
    token = CalendarFeed.objects.get(person=actors["participant"].person).token_hash
    later = client.get(page)

    assert "Make my calendar address" in first.content.decode()
    shown = made.content.decode()
    assert made.status_code == 200 and "Keep this address private" in shown
    address = shown.split('id="calendar-address" type="text" value="')[1].split('"')[0]
    assert hashlib.sha256(address.rsplit("/", 1)[1].removesuffix(".ics").encode()).hexdigest() == token
    assert 'href="webcal://' in shown
    assert address not in later.content.decode()
    assert "cannot be shown again" in later.content.decode()
    assert "no-store" in made["Cache-Control"]


def test_my_calendar_revoke_deletes_the_address(actors):
    client = actors["participant"].client
    issue(actors["participant"].person)

    response = client.post(reverse("calendar:revoke"))

    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()


def test_staff_make_a_run_feed_from_the_run(run, actors):
    response = actors["professional_tutor"].client.post(reverse("calendar:run_feed", kwargs={"pk": run.pk}))

    assert response.status_code == 200
    feed = CalendarFeed.objects.get(run=run)
    assert feed.created_by == actors["professional_tutor"].user
    assert "Keep this address private" in response.content.decode()


# Moving a session ---------------------------------------------------------------------------


def _move(session, coordinator, **changes):
    values = {"starts_at": session.starts_at, "ends_at": session.ends_at, "venue": session.venue, **changes}
    return sessions.move_session(actor=coordinator, session=session, **values)


def test_moving_a_session_is_audited_and_forgets_reminders_sent_for_the_old_time(run, home_org, coordinator):
    session = run.sessions.get(number=1)
    placed = enrol(run, carer(home_org), coordinator)
    SessionReminder.objects.create(session=session, enrolment=placed)
    new_start = session.starts_at + ONE_HOUR

    assert _move(session, coordinator, starts_at=new_start, ends_at=new_start + ONE_HOUR)

    stored = Session.objects.get(pk=session.pk)
    assert (stored.starts_at, stored.sequence) == (new_start, 1)
    assert (session.starts_at, session.sequence) == (new_start, 1)
    # The run keeps its first session's start for lists.
    run.refresh_from_db()
    assert run.starts_at == new_start
    assert not SessionReminder.objects.filter(session=session).exists()
    event = AuditEvent.objects.get(action="session.moved")
    assert event.target_id == str(session.pk) and event.data["to"] == new_start.isoformat()


def test_a_move_that_changes_nothing_writes_nothing(run, coordinator):
    session = run.sessions.get(number=1)

    assert not _move(session, coordinator)
    assert Session.objects.get(pk=session.pk).sequence == 0
    assert not AuditEvent.objects.filter(action="session.moved").exists()


def test_changing_only_the_venue_is_a_move(run, home_org, coordinator):
    session = run.sessions.get(number=1)

    assert _move(session, coordinator, venue=VenueFactory(organisation=home_org))
    assert Session.objects.get(pk=session.pk).sequence == 1


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        (lambda s: {"ends_at": s.starts_at}, "end time must be after", "ends_at"),
        (lambda s: {"starts_at": s.ends_at, "ends_at": s.starts_at}, "end time must be after", "ends_at"),
        (
            lambda s: {"starts_at": timezone.now() - ONE_HOUR, "ends_at": timezone.now()},
            "must be in the future",
            "starts_at",
        ),
        (lambda s: {"ends_at": s.ends_at + datetime.timedelta(weeks=1)}, "must end before session 2", "ends_at"),
        (
            lambda s: {
                "starts_at": s.starts_at + datetime.timedelta(weeks=2),
                "ends_at": s.ends_at + datetime.timedelta(weeks=2),
            },
            "must end before session 2",
            "ends_at",
        ),
        (
            lambda s: {
                "starts_at": s.starts_at - datetime.timedelta(days=200),
                "ends_at": s.ends_at - datetime.timedelta(days=200),
            },
            "must be in the future",
            "starts_at",
        ),
    ],
    ids=["end-at-start", "end-before-start", "in-the-past", "overlaps-next", "passes-next", "long-ago"],
)
def test_moving_session_one_is_refused_when(run, coordinator, change, message, field):
    session = run.sessions.get(number=1)

    with pytest.raises(DeliveryError, match=message) as refused:
        _move(session, coordinator, **change(session))

    assert refused.value.field == field
    assert Session.objects.get(pk=session.pk).sequence == 0


def test_a_session_cannot_start_before_the_one_before_it_ends(run, coordinator):
    first, second = run.sessions.order_by("number")

    with pytest.raises(DeliveryError, match="must start after session 1 ends"):
        _move(second, coordinator, starts_at=first.ends_at - ONE_HOUR, ends_at=first.ends_at + ONE_HOUR)
    assert _move(second, coordinator, starts_at=first.ends_at, ends_at=first.ends_at + ONE_HOUR)


def test_the_first_session_stays_within_the_term(run, coordinator):
    first = run.sessions.get(number=1)
    beyond = datetime.datetime.combine(run.term.ends_on, datetime.time(10), tzinfo=datetime.UTC)

    run.sessions.filter(number=2).update(
        starts_at=beyond + datetime.timedelta(days=30), ends_at=beyond + 2 * ONE_HOUR + datetime.timedelta(days=30)
    )
    with pytest.raises(DeliveryError, match="must fall within"):
        _move(
            first,
            coordinator,
            starts_at=beyond + datetime.timedelta(days=1),
            ends_at=beyond + datetime.timedelta(days=1, hours=2),
        )


def test_a_venue_of_another_organisation_is_refused(run, other_org, coordinator):
    session = run.sessions.get(number=1)

    with pytest.raises(DeliveryError, match="venue of the organisation") as refused:
        _move(session, coordinator, venue=VenueFactory(organisation=other_org))
    assert refused.value.field == "venue"


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_sessions_of_a_finished_run_cannot_move(run, coordinator, status):
    session = run.sessions.get(number=1)
    if status == "cancelled":
        services.cancel_run(actor=coordinator, run=run, reason="Not enough people")
    else:
        with transaction.atomic():
            services.change_status(actor=coordinator, run=run, to_status="running")
            services.change_status(actor=coordinator, run=run, to_status="completed")

    with pytest.raises(DeliveryError, match=f"The run is {status}"):
        _move(session, coordinator, starts_at=session.starts_at + ONE_HOUR, ends_at=session.ends_at + ONE_HOUR)


def test_a_session_that_has_started_cannot_move(run, coordinator):
    session = run.sessions.get(number=1)

    started = time_machine.travel(session.starts_at + datetime.timedelta(minutes=5), tick=False)
    with started, pytest.raises(DeliveryError, match="already started"):
        _move(
            session,
            coordinator,
            starts_at=session.starts_at + datetime.timedelta(days=1),
            ends_at=session.ends_at + datetime.timedelta(days=1),
        )


def test_the_move_page_saves_the_new_time_in_local_time(run, actors):
    session = run.sessions.get(number=1)
    day = timezone.localdate(session.starts_at) - datetime.timedelta(days=1)
    url = reverse("calendar:session_move", kwargs={"pk": run.pk, "session_id": session.pk})

    page = actors["coordinator"].client.get(url)
    response = actors["coordinator"].client.post(
        url,
        {
            "day_day": day.day,
            "day_month": day.month,
            "day_year": day.year,
            "starts_at": "6:30pm",
            "ends_at": "20:00",
            "venue": "",
        },
    )

    assert page.status_code == 200 and 'value="10:30"' in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:run_detail", kwargs={"pk": run.pk})
    stored = Session.objects.get(pk=session.pk)
    assert timezone.localtime(stored.starts_at).replace(tzinfo=None) == datetime.datetime.combine(
        day, datetime.time(18, 30)
    )
    assert timezone.localtime(stored.ends_at).time() == datetime.time(20)
    assert stored.sequence == 1


def test_the_move_page_shows_a_refusal_beside_the_field(run, actors):
    session = run.sessions.get(number=1)
    day = timezone.localdate(session.starts_at) + datetime.timedelta(days=7)
    url = reverse("calendar:session_move", kwargs={"pk": run.pk, "session_id": session.pk})

    response = actors["coordinator"].client.post(
        url, {"day_day": day.day, "day_month": day.month, "day_year": day.year, "starts_at": "10:30", "ends_at": "9am"}
    )

    assert response.status_code == 400
    assert "The end time must be after the start time" in response.content.decode()
    assert Session.objects.get(pk=session.pk).sequence == 0


def test_tutors_cannot_move_sessions(run, actors):
    session = run.sessions.get(number=1)
    url = reverse("calendar:session_move", kwargs={"pk": run.pk, "session_id": session.pk})

    assert actors["peer_tutor"].client.get(url).status_code == 403
    assert actors["participant"].client.get(url).status_code == 404
