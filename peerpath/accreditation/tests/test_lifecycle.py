"""An award's standing over time, expiry and grace, suspension, revocation and renewal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from peerpath.accreditation import lifecycle
from peerpath.accreditation.awards import AccreditationError
from peerpath.accreditation.lifecycle import Standing
from peerpath.accreditation.models import Award, PortfolioEntry, Scheme
from peerpath.delivery.models import CourseRun, FacilitatorAssignment
from peerpath.delivery.tests.factories import open_run
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
D = datetime.date
GRANTED = D(2027, 1, 15)
ENDS = D(2029, 1, 15)  # 24 months


@pytest.fixture
def scheme():
    return Scheme.objects.get(code="carer-peer-trainer-rc")  # 24 months, 60 days' grace, reminders from 60 days


@pytest.fixture
def holder(home_org):
    return MembershipFactory(organisation=home_org, role=Membership.Role.TUTOR).person


@pytest.fixture
def assessor(actors):
    return actors["assessor"]


@pytest.fixture
def award(holder, scheme, assessor):
    return Award.objects.create(
        holder=holder, scheme=scheme, valid_from=GRANTED, valid_until=ENDS, granted_by=assessor.person
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (GRANTED, Standing.ACTIVE),
        (ENDS - datetime.timedelta(days=61), Standing.ACTIVE),
        (ENDS - datetime.timedelta(days=60), Standing.EXPIRING_SOON),
        (ENDS, Standing.EXPIRING_SOON),
        (ENDS + datetime.timedelta(days=1), Standing.IN_GRACE),
        (ENDS + datetime.timedelta(days=60), Standing.IN_GRACE),
        (ENDS + datetime.timedelta(days=61), Standing.EXPIRED),
    ],
)
def test_standing_follows_the_dates_at_each_boundary(award, day, expected):
    assert lifecycle.standing(award, day) is expected
    assert expected.lets_facilitate is (expected in (Standing.ACTIVE, Standing.EXPIRING_SOON))


def test_the_right_to_facilitate_ends_with_the_award(award, holder):
    assert lifecycle.holders_on([holder.pk], "peer_trainer", ENDS) == {holder.pk}
    assert lifecycle.holders_on([holder.pk], "peer_trainer", ENDS + datetime.timedelta(days=1)) == set()
    assert lifecycle.holders_on([holder.pk], "peer_trainer", GRANTED - datetime.timedelta(days=1)) == set()
    assert lifecycle.holders_on([holder.pk], "peer_facilitator", GRANTED) == set()  # another scheme's role
    # Once stored as expired, it still covers the days of its period, for runs in the past.
    lifecycle.expire_awards(ENDS + datetime.timedelta(days=1))
    assert lifecycle.holders_on([holder.pk], "peer_trainer", ENDS) == {holder.pk}


def test_the_expiry_job_stores_expiry_the_day_after_the_end(award):
    assert lifecycle.expire_awards(ENDS) == 0
    assert lifecycle.expire_awards(ENDS + datetime.timedelta(days=1)) == 1
    award.refresh_from_db()
    assert award.status == Award.Status.EXPIRED
    change = award.status_changes.get()
    assert (change.changed_by_label, change.reason) == ("award expiry", "Passed its end date, 15 January 2029")
    # Still renewable in grace, as the standing says.
    assert lifecycle.standing(award, ENDS + datetime.timedelta(days=30)) is Standing.IN_GRACE
    assert lifecycle.expire_awards(ENDS + datetime.timedelta(days=2)) == 0


def test_suspension_lifts_the_right_to_facilitate_and_reinstatement_restores_it(award, holder, assessor):
    lifecycle.change_award(actor=assessor.user, award=award, move="suspend", reason="Concern under review")
    assert lifecycle.standing(award, GRANTED) is Standing.SUSPENDED
    assert lifecycle.holders_on([holder.pk], "peer_trainer", GRANTED) == set()
    lifecycle.change_award(actor=assessor.user, award=award, move="reinstate", reason="Review found no concern")
    assert lifecycle.holders_on([holder.pk], "peer_trainer", GRANTED) == {holder.pk}
    assert list(award.status_changes.values_list("to_status", "reason")) == [
        ("suspended", "Concern under review"),
        ("active", "Review found no concern"),
    ]


def test_revocation_is_final_and_needs_a_reason_and_a_decider(award, assessor, actors):
    with pytest.raises(AccreditationError, match="Enter the reason"):
        lifecycle.change_award(actor=assessor.user, award=award, move="revoke", reason=" ")
    with pytest.raises(AccreditationError, match="Only an accredited assessor or an administrator"):
        lifecycle.change_award(actor=actors["coordinator"].user, award=award, move="revoke", reason="Because")
    lifecycle.change_award(actor=assessor.user, award=award, move="revoke", reason="Misconduct")
    with pytest.raises(AccreditationError, match="cannot be reinstated"):
        lifecycle.change_award(actor=assessor.user, award=award, move="reinstate", reason="Appeal")
    assert lifecycle.standing(award, GRANTED) is Standing.REVOKED


def evidence_for_renewal(holder, scheme, home_org, user, *, sessions: int, supervisions: int, hours: str, on):
    run = open_run(
        home_org, user, session_count=max(sessions, 1), first_day=timezone.localdate() + datetime.timedelta(days=7)
    )
    FacilitatorAssignment.objects.create(run=run, person=holder, role="peer_trainer", assigned_by=user)
    # The run went ahead in the award's period.
    start = datetime.datetime.combine(on, datetime.time(10, 30), tzinfo=datetime.UTC)
    for index, session in enumerate(run.sessions.order_by("number")[:sessions]):
        session.starts_at = start + datetime.timedelta(weeks=index)
        session.ends_at = session.starts_at + datetime.timedelta(hours=2)
        session.save()
    CourseRun.objects.filter(pk=run.pk).update(status=CourseRun.Status.COMPLETED)
    for _ in range(supervisions):
        PortfolioEntry.objects.create(
            candidate=holder, kind="supervision", occurred_on=on, title="Supervision", status="accepted"
        )
    PortfolioEntry.objects.create(
        candidate=holder, kind="cpd", occurred_on=on, title="Workshop", status="accepted", hours=Decimal(hours)
    )


def test_renewal_needs_its_requirements_in_the_period_and_continues_without_a_gap(
    award, holder, scheme, home_org, assessor, actors
):
    user = actors["coordinator"].user
    evidence_for_renewal(holder, scheme, home_org, user, sessions=5, supervisions=4, hours="6.0", on=D(2027, 6, 1))
    with time_machine.travel(datetime.datetime(2028, 12, 1, 12, tzinfo=datetime.UTC), tick=False):
        progress = {r.key: r for r in lifecycle.renewal_progress(award)}
        assert (progress["delivered"].have, progress["delivered"].met) == (5, False)
        assert progress["supervision"].met and progress["cpd"].met
        with pytest.raises(AccreditationError, match="6 sessions delivered in the period"):
            lifecycle.renew_award(actor=assessor.user, award=award, today=D(2028, 12, 1))
    evidence_for_renewal(holder, scheme, home_org, user, sessions=1, supervisions=0, hours="0", on=D(2028, 3, 1))
    with time_machine.travel(datetime.datetime(2028, 12, 1, 12, tzinfo=datetime.UTC), tick=False):
        renewal = lifecycle.renew_award(actor=assessor.user, award=award, today=D(2028, 12, 1))
    renewed = renewal.award
    assert (renewed.period, renewed.renews_id, renewal.gap_days) == (2, award.pk, 0)
    assert (renewed.valid_from, renewed.valid_until) == (D(2029, 1, 16), D(2031, 1, 16))
    with pytest.raises(AccreditationError, match="already been renewed"):
        lifecycle.renew_award(actor=assessor.user, award=award, today=D(2028, 12, 2))


def test_renewal_from_grace_starts_on_the_day_and_closes_the_old_period(award, holder, assessor, actors):
    admin = actors["administrator"].user
    MembershipFactory(
        organisation=actors["coordinator"].person.memberships.first().organisation,
        role=Membership.Role.COORDINATOR,
        person__user=admin,
    )
    in_grace = ENDS + datetime.timedelta(days=20)
    renewal = lifecycle.renew_award(
        actor=admin, award=award, today=in_grace, exception_reason="Long-term illness; supervision continued"
    )
    assert renewal.award.valid_from == in_grace and renewal.gap_days == 19
    award.refresh_from_db()
    assert award.status == Award.Status.EXPIRED
    too_late = ENDS + datetime.timedelta(days=61)
    other = Award.objects.create(
        holder=holder, scheme=award.scheme, period=5, valid_from=GRANTED, valid_until=ENDS, granted_by=assessor.person
    )
    with pytest.raises(AccreditationError, match="cannot be renewed: it must be granted again"):
        lifecycle.renew_award(actor=admin, award=other, today=too_late, exception_reason="x")
