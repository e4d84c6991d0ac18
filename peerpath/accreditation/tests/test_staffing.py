"""Runs to re-staff: peer assignments an award no longer covers, listed for coordinators."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from peerpath.accreditation import lifecycle, staffing
from peerpath.accreditation.models import Award
from peerpath.delivery.models import CourseRun
from peerpath.delivery.tests.factories import open_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(home_org, actors):
    return open_run(home_org, actors["coordinator"].user, peer=actors["peer_tutor"].person)


def peer_award(run):
    return Award.objects.get(holder=run.assignments.get(role="peer_trainer").person)


def listed(runs=None):
    return list(staffing.uncovered_assignments(runs or CourseRun.objects.all()))


def test_a_covered_assignment_is_not_listed_and_a_suspended_one_is(run, actors):
    assert listed() == []
    lifecycle.change_award(actor=actors["assessor"].user, award=peer_award(run), move="suspend", reason="Review")
    (row,) = listed()
    assert (row.person_id, row.role, row.run_id) == (actors["peer_tutor"].person.pk, "peer_trainer", run.pk)
    assert row.day_that_counts == run.sessions.order_by("starts_at").first().starts_at.date()


def test_an_award_ending_before_the_run_starts_is_listed_but_finished_runs_are_not(run):
    award = peer_award(run)
    first = run.sessions.order_by("starts_at").first().starts_at.date()
    Award.objects.filter(pk=award.pk).update(valid_until=first - datetime.timedelta(days=1))
    assert len(listed()) == 1
    CourseRun.objects.filter(pk=run.pk).update(status=CourseRun.Status.COMPLETED)
    assert listed() == []


def test_coordinators_see_their_runs_to_re_staff_at_a_flat_query_count(run, actors, home_org, assert_flat_query_count):
    client = actors["coordinator"].client
    url = reverse("accreditation:uncovered_staffing")
    assert "holds an award that covers it" in client.get(url).content.decode()

    def grow(count):
        for _ in range(count):
            other = open_run(home_org, actors["coordinator"].user)
            Award.objects.filter(holder=other.assignments.get(role="peer_trainer").person).update(status="suspended")

    def fetch():
        assert client.get(url).status_code == 200

    # session, user, principal, the uncovered assignments with their runs and people
    assert_flat_query_count(fetch, grow, expected=4, sizes=(1, 3))
    body = client.get(url).content.decode()
    assert body.count('<a href="/runs/') == 4
    # Another organisation's coordinator sees none of them.
    assert "holds an award that covers it" in actors["outsider"].client.get(url).content.decode()


def test_a_candidate_sees_what_is_met_and_what_is_missing(actors, home_org):
    client = actors["participant"].client
    body = client.get(reverse("accreditation:my_progress")).content.decode()
    assert "You do not hold an award yet" in body
    assert "Towards: Accredited carer peer trainer (Recovery College)" in body
    assert "CPT-6 Sharing lived experience with purpose" in body  # not yet evidenced
    assert "0 of 2" in body  # observations, supervision


def test_a_holder_sees_their_award_and_its_standing(run, actors):
    client = actors["peer_tutor"].client
    body = client.get(reverse("accreditation:my_progress")).content.decode()
    assert "Accredited carer peer trainer (Recovery College)" in body and "period 1" in body
    assert "Towards: Accredited carer peer trainer" not in body  # already held
    assert "Towards: Accredited support-group facilitator" in body
