"""Run, register, enrolment and venue screens: what they do, what they refuse, and their query counts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pypdf import PdfReader

from peerpath.courses.tests.factories import TermFactory
from peerpath.delivery import enrolment
from peerpath.delivery.models import Attendance, CourseRun, Enrolment, Venue
from peerpath.delivery.tests.factories import move_sessions, open_run
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
E = Enrolment.Status


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


@pytest.fixture
def run(home_org, coordinator, actors):
    """A run of three places starting in two weeks, taught by the tutor actors."""
    today = timezone.localdate()
    term = TermFactory(organisation=home_org, starts_on=today - datetime.timedelta(days=30))
    return open_run(
        home_org,
        coordinator,
        capacity=3,
        term=term,
        first_day=today + datetime.timedelta(days=14),
        peer=actors["peer_tutor"].person,
        professional=actors["professional_tutor"].person,
    )


def meets(run, days_from_today=0):
    """Move the run so its first session is today (or that many days from today): its register opens."""
    move_sessions(run, timezone.localdate() + datetime.timedelta(days=days_from_today))


def carer(organisation):
    return MembershipFactory(organisation=organisation, role=Membership.Role.PARTICIPANT).person


def fill(run, user, count):
    return [
        enrolment.enrol(actor=user, run_id=run.pk, person=carer(run.organisation), agreement_accepted=True)
        for _ in range(count)
    ]


def test_a_participant_enrols_from_the_prospectus_and_sees_the_course(run, actors):
    client = actors["participant"].client
    page = client.get(reverse("delivery:enrol", kwargs={"pk": run.pk}))
    assert page.status_code == 200
    assert "student agreement" in page.content.decode()
    refused = client.post(reverse("delivery:enrol", kwargs={"pk": run.pk}), {})
    assert refused.status_code == 400
    assert "Confirm that you accept the student agreement" in refused.content.decode()
    done = client.post(reverse("delivery:enrol", kwargs={"pk": run.pk}), {"agreement": "on"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("delivery:my_courses")
    body = done.content.decode()
    assert "You have a place" in body
    assert run.version.course.title in body
    again = client.post(reverse("delivery:enrol", kwargs={"pk": run.pk}), {"agreement": "on"})
    assert again.status_code == 400
    assert "already enrolled" in again.content.decode()


def test_a_full_run_offers_the_waiting_list_and_the_offer_is_accepted(run, actors, coordinator):
    fill(run, coordinator, 3)
    client = actors["participant"].client
    client.post(reverse("delivery:enrol", kwargs={"pk": run.pk}), {"agreement": "on"})
    mine = Enrolment.objects.get(run=run, person=actors["participant"].person)
    assert mine.status == E.WAITLISTED
    assert "number 1 on the waiting list" in client.get(reverse("delivery:my_courses")).content.decode()
    first = run.enrolments.filter(status=E.ENROLLED).first()
    coordinator_client = actors["coordinator"].client
    coordinator_client.post(
        reverse("delivery:run_withdraw", kwargs={"pk": run.pk, "enrolment_id": first.pk}), {"reason": "Moved away"}
    )
    mine.refresh_from_db()
    assert mine.status == E.OFFERED
    assert "Accept the place" in client.get(reverse("delivery:my_courses")).content.decode()
    client.post(reverse("delivery:accept_offer", kwargs={"pk": mine.pk}))
    mine.refresh_from_db()
    assert mine.status == E.ENROLLED


def test_a_participant_leaves_the_waiting_list(run, actors, coordinator):
    fill(run, coordinator, 3)
    person = actors["participant"].person
    mine = enrolment.enrol(actor=coordinator, run_id=run.pk, person=person, agreement_accepted=True)
    client = actors["participant"].client
    page = client.get(reverse("delivery:leave", kwargs={"pk": mine.pk}))
    assert "Leave the waiting list" in page.content.decode()
    client.post(reverse("delivery:leave", kwargs={"pk": mine.pk}), {"reason": ""})
    mine.refresh_from_db()
    assert mine.status == E.WITHDRAWN


def test_the_run_page_sums_up_the_run(run, actors, coordinator):
    fill(run, coordinator, 3)
    body = actors["coordinator"].client.get(reverse("delivery:run_detail", kwargs={"pk": run.pk})).content.decode()
    assert "3 taken of 3" in body
    assert run.term.name in body
    assert "Full (coordinator)" in body  # its history, newest first
    assert "Enrol someone" in body


def test_a_coordinator_enrols_someone_by_email(run, actors, home_org, other_org):
    client = actors["coordinator"].client
    person = carer(home_org)
    url = reverse("delivery:run_enrol", kwargs={"pk": run.pk})
    stranger = carer(other_org)
    refused = client.post(url, {"email": stranger.email, "agreement": "on"})
    assert refused.status_code == 400
    assert "No one in your organisations has this email address" in refused.content.decode()
    client.post(url, {"email": person.email.upper(), "agreement": "on"})
    placed = Enrolment.objects.get(run=run, person=person)
    assert (placed.status, placed.channel) == (E.ENROLLED, Enrolment.Channel.STAFF)


def _first(run):
    return run.sessions.order_by("number").first()


def test_a_tutor_marks_the_register_on_the_day(run, actors, coordinator):
    people = fill(run, coordinator, 2)
    meets(run)
    session = _first(run)
    client = actors["peer_tutor"].client
    url = reverse("delivery:register", kwargs={"pk": run.pk, "session_id": session.pk})
    page = client.get(url)
    assert page.status_code == 200
    for person in people:
        assert escape(person.person.display_name) in page.content.decode()
    data = {f"mark_{people[0].pk}": "present", f"mark_{people[1].pk}": "apologies"}
    assert client.post(url, data).status_code == 302
    # HTMX saves a change in place and answers with the status line only.
    partial = client.post(url, {**data, f"mark_{people[1].pk}": "late"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "Saved: 1 change" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "status"))
    assert marks == {people[0].pk: "present", people[1].pk: "late"}
    assert not Attendance.objects.filter(late_entry=True).exists()


def test_marks_for_someone_not_on_the_register_are_refused_and_nothing_is_saved(run, actors, coordinator, home_org):
    people = fill(run, coordinator, 1)
    other_run = open_run(home_org, coordinator, capacity=3)
    stranger = fill(other_run, coordinator, 1)[0]
    meets(run)
    url = reverse("delivery:register", kwargs={"pk": run.pk, "session_id": _first(run).pk})
    response = actors["peer_tutor"].client.post(
        url, {f"mark_{people[0].pk}": "present", f"mark_{stranger.pk}": "present"}
    )
    assert response.status_code == 400
    assert "not enrolled on this run" in response.content.decode()
    assert not Attendance.objects.exists()


def test_after_the_grace_days_only_a_coordinator_can_enter_a_register_late(run, actors, coordinator):
    people = fill(run, coordinator, 1)
    meets(run, days_from_today=-3)
    url = reverse("delivery:register", kwargs={"pk": run.pk, "session_id": _first(run).pk})
    data = {f"mark_{people[0].pk}": "present"}
    refused = actors["peer_tutor"].client.post(url, data)
    assert refused.status_code == 400
    assert "Ask a coordinator to enter it late" in refused.content.decode()
    assert actors["coordinator"].client.post(url, data).status_code == 302
    assert Attendance.objects.get().late_entry is True


def test_the_printable_register_is_a_pdf_with_the_names(run, actors, coordinator):
    people = fill(run, coordinator, 2)
    session = run.sessions.order_by("number").first()
    response = actors["peer_tutor"].client.get(
        reverse("delivery:register_pdf", kwargs={"pk": run.pk, "session_id": session.pk})
    )
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for placed in people:
        assert placed.person.family_name in text


def test_a_coordinator_plans_a_run_from_an_approved_course(actors, home_org, coordinator):
    existing = open_run(home_org, coordinator)
    version = existing.version
    first = existing.sessions.order_by("number").first().starts_at.date() + datetime.timedelta(days=7)
    client = actors["coordinator"].client
    data = {
        "version": str(version.pk),
        "term": str(existing.term.pk),
        "organisation": str(home_org.pk),
        "capacity": "10",
        "first_day_day": str(first.day),
        "first_day_month": str(first.month),
        "first_day_year": str(first.year),
        "start_time": "18:00",
        "interval_days": "7",
    }
    response = client.post(reverse("delivery:run_create"), data)
    assert response.status_code == 302
    run = CourseRun.objects.exclude(pk=existing.pk).get()
    starts = [timezone.localtime(s.starts_at) for s in run.sessions.order_by("number")]
    assert [(s.hour, s.minute) for s in starts] == [(18, 0)] * version.course.session_count
    bad = client.post(reverse("delivery:run_create"), {**data, "capacity": "0", "start_time": "6pm-ish"})
    assert bad.status_code == 400
    assert "A run needs at least 1 place" in bad.content.decode()
    assert CourseRun.objects.count() == 2


def test_an_online_venue_needs_its_link_and_a_room_its_address(actors):
    client = actors["coordinator"].client
    response = client.post(reverse("delivery:venue_create"), {"name": "Zoom room", "online": "on"})
    assert response.status_code == 400
    assert "Enter the joining link" in response.content.decode()
    response = client.post(reverse("delivery:venue_create"), {"name": "Library"})
    assert "Enter the venue" in response.content.decode()
    client.post(
        reverse("delivery:venue_create"),
        {"name": "Zoom room", "online": "on", "joining_link": "https://example.org/j/1"},
    )
    assert Venue.objects.get().online


def test_the_prospectus_lists_open_runs_with_places_and_the_waiting_list(run, coordinator, client):
    fill(run, coordinator, 3)
    enrolment.enrol(actor=coordinator, run_id=run.pk, person=carer(run.organisation), agreement_accepted=True)
    page = client.get(reverse("prospectus:term", kwargs={"slug": run.term.slug}))
    body = page.content.decode()
    assert "None: this run is full" in body
    assert "1 person waiting" in body
    assert reverse("delivery:enrol", kwargs={"pk": run.pk}) in body


@pytest.mark.parametrize(("view", "expected"), [("run_list", 5), ("run_detail", 9), ("register", 8)])
def test_query_counts_stay_flat_as_runs_grow(view, expected, actors, home_org, coordinator, assert_flat_query_count):
    run = open_run(home_org, coordinator, capacity=60, peer=actors["peer_tutor"].person)
    session = run.sessions.order_by("number").first()
    client = actors["coordinator"].client
    url = {
        "run_list": reverse("delivery:run_list"),
        "run_detail": reverse("delivery:run_detail", kwargs={"pk": run.pk}),
        "register": reverse("delivery:register", kwargs={"pk": run.pk, "session_id": session.pk}),
    }[view]

    def grow(n):
        fill(run, coordinator, 5 * n)
        for _ in range(n):
            open_run(home_org, coordinator, course=run.version.course, term=run.term)
        people = run.enrolments.all()
        Attendance.objects.bulk_create(
            [Attendance(session=session, enrolment=e, status="present", recorded_by=coordinator) for e in people],
            ignore_conflicts=True,
        )

    assert_flat_query_count(lambda: client.get(url), grow, expected)


def test_the_prospectus_costs_the_same_queries_however_many_runs_it_lists(
    home_org, coordinator, client, assert_flat_query_count
):
    first = open_run(home_org, coordinator)
    first.term.courses.add(first.version.course)
    url = reverse("prospectus:term", kwargs={"slug": first.term.slug})

    def grow(count):
        for _ in range(count):
            run = open_run(home_org, coordinator, term=first.term)
            first.term.courses.add(run.version.course)
            fill(run, coordinator, 2)

    def fetch():
        assert client.get(url).status_code == 200

    # term, courses, partners, rule, contributions; runs, their partners, first venues, rule, contributions
    assert_flat_query_count(fetch, grow, expected=10, sizes=(2, 6))


def test_my_courses_costs_the_same_queries_however_many_places_and_queues(
    actors, home_org, coordinator, assert_flat_query_count
):
    person = actors["participant"].person
    client = actors["participant"].client

    def grow(count):
        for _ in range(count):
            enrolled = open_run(home_org, coordinator, capacity=2)
            enrolment.enrol(actor=coordinator, run_id=enrolled.pk, person=person, agreement_accepted=True)
            full = open_run(home_org, coordinator, capacity=1)
            fill(full, coordinator, 2)
            enrolment.enrol(actor=coordinator, run_id=full.pk, person=person, agreement_accepted=True)

    def fetch():
        assert client.get(reverse("delivery:my_courses")).status_code == 200

    # session, user, principal, enrolments with runs, sessions with venues, attendance, queue places
    assert_flat_query_count(fetch, grow, expected=9, sizes=(1, 4))
    page = client.get(reverse("delivery:my_courses")).content.decode()
    assert page.count("You are number 2 on the waiting list") == 5
