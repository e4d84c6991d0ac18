"""Delivery asks accreditation who may take a peer role: only holders of an active award of the right scheme."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from peerpath.accreditation import lifecycle
from peerpath.accreditation.models import Award, Scheme
from peerpath.courses.tests.factories import TermFactory, approved_course
from peerpath.delivery import services
from peerpath.delivery.models import FacilitatorAssignment
from peerpath.delivery.services import DeliveryError
from peerpath.delivery.tests.factories import tutor, weekly
from peerpath.people.models import Membership

pytestmark = pytest.mark.django_db
Role = FacilitatorAssignment.Role


@pytest.fixture
def run(home_org, actors):
    user = actors["coordinator"].user
    course = approved_course(home_org, user)
    today = timezone.localdate()
    term = TermFactory(organisation=home_org, starts_on=today, ends_on=today + datetime.timedelta(days=120))
    return services.create_run(
        actor=user,
        version=course.versions.get(),
        term=term,
        organisation=home_org,
        capacity=12,
        starts=weekly(today + datetime.timedelta(days=21), course.session_count),
    )


@pytest.fixture
def first_day(run):
    return timezone.localdate(run.sessions.order_by("starts_at").first().starts_at)


def award(person, code, first_day, assessor, **fields):
    return Award.objects.create(
        holder=person,
        scheme=Scheme.objects.get(code=code),
        valid_from=first_day - datetime.timedelta(days=30),
        valid_until=first_day + datetime.timedelta(days=300),
        granted_by=assessor,
        **fields,
    )


def assign(run, actors, person, role=Role.PEER_TRAINER):
    return services.assign_facilitator(actor=actors["coordinator"].user, run=run, person=person, role=role)


def test_a_peer_tutor_without_an_award_can_only_shadow(run, actors, home_org):
    peer = tutor(home_org, Membership.TutorKind.PEER)
    with pytest.raises(DeliveryError, match="not accredited as a peer trainer: assign them as a trainee"):
        assign(run, actors, peer)
    assert assign(run, actors, peer, Role.TRAINEE).role == Role.TRAINEE


def test_an_active_award_of_the_right_scheme_lets_them_co_deliver(run, actors, home_org, first_day):
    peer = tutor(home_org, Membership.TutorKind.PEER)
    award(peer, "support-group-facilitator", first_day, actors["assessor"].person)
    with pytest.raises(DeliveryError, match="not accredited"):
        assign(run, actors, peer)  # a facilitator's award does not make a peer trainer
    award(peer, "carer-peer-trainer-rc", first_day, actors["assessor"].person)
    assert assign(run, actors, peer).role == Role.PEER_TRAINER


def test_an_award_ending_before_the_first_session_does_not_count(run, actors, home_org, first_day):
    peer = tutor(home_org, Membership.TutorKind.PEER)
    award(peer, "carer-peer-trainer-rc", first_day - datetime.timedelta(days=400), actors["assessor"].person)
    with pytest.raises(DeliveryError, match="not accredited"):
        assign(run, actors, peer)


def test_a_suspension_reopens_the_staffing_gap_and_blocks_opening(run, actors, home_org, first_day):
    peer = tutor(home_org, Membership.TutorKind.PEER)
    granted = award(peer, "carer-peer-trainer-rc", first_day, actors["assessor"].person)
    assign(run, actors, peer)
    assign(run, actors, tutor(home_org, Membership.TutorKind.PROFESSIONAL), Role.PROFESSIONAL_TUTOR)
    assert services.staffing_gaps(run) == []
    lifecycle.change_award(actor=actors["assessor"].user, award=granted, move="suspend", reason="Under review")
    assert services.staffing_gaps(run) == ["Needs 1 accredited peer trainer more (the course asks for 1)"]
    with pytest.raises(DeliveryError, match="not fully staffed"):
        services.open_enrolment(actor=actors["coordinator"].user, run=run)
