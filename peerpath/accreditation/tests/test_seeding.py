"""The demo awards cover every seeded peer assignment, period after period."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.utils import timezone

from peerpath.accreditation.lifecycle import holders_on
from peerpath.accreditation.models import Award
from peerpath.core.seeding import DEFAULT_ANCHOR_DATE
from peerpath.delivery.models import CourseRun, FacilitatorAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(capsys):
    call_command("seed_demo", "--scale", "small")
    return capsys.readouterr().out


def test_every_seeded_peer_assignment_is_covered_by_an_award_on_the_runs_first_day(seeded):
    assert "accreditation:" in seeded
    assignments = (
        FacilitatorAssignment.objects.filter(role__in=("peer_trainer", "peer_facilitator"), session__isnull=True)
        .exclude(run__status=CourseRun.Status.CANCELLED)
        .values_list("person_id", "role", "run__starts_at")
    )
    assert assignments
    for person_id, role, starts_at in assignments:
        assert holders_on([person_id], role, timezone.localdate(starts_at)) == {person_id}, (person_id, role)


def test_periods_follow_on_without_gaps_and_only_the_last_is_current(seeded):
    today = DEFAULT_ANCHOR_DATE
    chains: dict[tuple, list[Award]] = {}
    staffed = FacilitatorAssignment.objects.filter(role__in=("peer_trainer", "peer_facilitator")).values("person_id")
    for award in Award.objects.filter(holder_id__in=staffed).order_by("holder_id", "scheme_id", "period"):
        chains.setdefault((award.holder_id, award.scheme_id), []).append(award)
    assert chains
    for periods in chains.values():
        assert [award.period for award in periods] == list(range(1, len(periods) + 1))
        for earlier, later in pairwise(periods):
            assert later.renews_id == earlier.pk
            assert later.valid_from == earlier.valid_until + timedelta(days=1)
            assert earlier.status == Award.Status.EXPIRED
            assert list(earlier.status_changes.values_list("to_status", flat=True)) == ["active", "expired"]
        assert periods[-1].status == Award.Status.ACTIVE and periods[-1].valid_until >= today
        assert all(award.granted_by_id != award.holder_id for award in periods)


def test_candidates_are_seeded_at_every_stage_and_awards_in_every_standing(seeded):
    from peerpath.accreditation import requirements
    from peerpath.accreditation.lifecycle import Standing, standing
    from peerpath.accreditation.models import Observation, PortfolioEntry, Scheme

    today = DEFAULT_ANCHOR_DATE
    assert "accreditation candidates:" in seeded
    assert "holders from paper records: 1 expiring soon, 1 in grace, 1 expired, 1 suspended, 1 revoked" in seeded
    scheme = Scheme.objects.get(code="carer-peer-trainer-rc")
    standings = {standing(award, today) for award in Award.objects.all()}
    assert standings == set(Standing)
    statuses = set(PortfolioEntry.objects.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "accepted", "returned"}
    assert PortfolioEntry.objects.filter(status="returned").exclude(review_note="").exists()
    # Observed sessions are ones the candidate co-delivered, observed by someone else.
    for observation in Observation.objects.select_related("session"):
        assert observation.assessor_id != observation.candidate_id
        shadowed = FacilitatorAssignment.objects.filter(
            person_id=observation.candidate_id, run_id=observation.session.run_id, session__isnull=True
        )
        assert shadowed.filter(role="trainee").exists()
        assert observation.observed_on == timezone.localdate(observation.session.starts_at)
    # Someone is ready and waiting for an assessor; someone else is still short of evidence.
    trained = (
        PortfolioEntry.objects.exclude(candidate__awards__isnull=False)
        .values_list("candidate_id", flat=True)
        .distinct()
    )
    verdicts = {not requirements.unmet(requirements.progress(person, scheme)) for person in trained}
    assert verdicts == {True, False}
