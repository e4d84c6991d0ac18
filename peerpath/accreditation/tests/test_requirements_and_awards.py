"""Each scheme requirement at its boundary, and the rules for granting an award."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from peerpath.accreditation import awards, frameworks, requirements
from peerpath.accreditation.awards import AccreditationError
from peerpath.accreditation.models import (
    Award,
    Competency,
    CompetencyFramework,
    Observation,
    ObservationRating,
    PortfolioEntry,
    Scheme,
)
from peerpath.core.models import AuditEvent
from peerpath.courses.choices import Category
from peerpath.delivery import enrolment
from peerpath.delivery.models import Attendance, CourseRun
from peerpath.delivery.tests.factories import open_run
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
Kind = PortfolioEntry.Kind


@pytest.fixture
def scheme():
    return Scheme.objects.get(code="carer-peer-trainer-rc")


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


@pytest.fixture
def candidate(home_org):
    return MembershipFactory(organisation=home_org, role=Membership.Role.TUTOR).person


@pytest.fixture
def assessor(actors):
    return actors["assessor"]


def trained(candidate, organisation, user, attended: int, sessions: int = 5):
    """The candidate on a completed Train the Trainer run, present at ``attended`` of its sessions."""
    run = open_run(organisation, user, capacity=10, category=Category.TRAIN_THE_TRAINER, session_count=sessions)
    place = enrolment.enrol(actor=user, run_id=run.pk, person=candidate, agreement_accepted=True)
    for index, session in enumerate(run.sessions.order_by("number")):
        status = "present" if index < attended else "absent"
        Attendance.objects.create(session=session, enrolment=place, status=status, recorded_by=user)
    CourseRun.objects.filter(pk=run.pk).update(status=CourseRun.Status.COMPLETED)
    return run


def observe(candidate, assessor_person, run, outcome="competent", competencies=()):
    session = run.sessions.order_by("number").first()
    observation = Observation.objects.create(
        candidate=candidate,
        assessor=assessor_person,
        session=session,
        observed_on=timezone.localdate(),
        outcome=outcome,
        feedback="Warm opening; shared experience briefly and to the point.",
    )
    for competency in competencies:
        ObservationRating.objects.create(observation=observation, competency=competency, rating="competent")
    return observation


def entry(candidate, kind, status=PortfolioEntry.Status.ACCEPTED, competencies=()):
    made = PortfolioEntry.objects.create(
        candidate=candidate, kind=kind, occurred_on=timezone.localdate(), title=f"{kind} entry", status=status
    )
    made.competencies.set(competencies)
    return made


def by_key(candidate, scheme):
    return {requirement.key: requirement for requirement in requirements.progress(candidate.pk, scheme)}


def test_the_default_framework_references_domains_by_number_and_loads_once():
    framework = CompetencyFramework.objects.get(code="carer-peer-trainer")
    assert framework.status == "published"
    codes = list(framework.competencies.values_list("code", flat=True))
    assert codes == [f"CPT-{n}" for n in range(1, 12)]
    assert set(framework.competencies.exclude(domain_number=None).values_list("domain_number", flat=True)) <= {
        1,
        2,
        3,
        4,
    }
    assert framework.competencies.get(code="CPT-7").reference == "3.4"
    again = frameworks.load(
        frameworks.read(),
        lambda name: {"CompetencyFramework": CompetencyFramework, "Competency": Competency, "Scheme": Scheme}[name],
    )
    assert again == framework
    assert Competency.objects.count() == 11 and Scheme.objects.count() == 2


@pytest.mark.parametrize(("attended", "met"), [(4, True), (3, False), (5, True)])
def test_train_the_trainer_counts_at_the_schemes_attendance_threshold(
    candidate, scheme, home_org, coordinator, attended, met
):
    trained(candidate, home_org, coordinator, attended=attended)
    assert by_key(candidate, scheme)["training"].met is met


def test_a_run_not_yet_completed_or_of_another_course_does_not_count(candidate, scheme, home_org, coordinator):
    run = trained(candidate, home_org, coordinator, attended=5)
    CourseRun.objects.filter(pk=run.pk).update(status=CourseRun.Status.RUNNING)
    assert not by_key(candidate, scheme)["training"].met
    CourseRun.objects.filter(pk=run.pk).update(status=CourseRun.Status.COMPLETED)
    other = open_run(home_org, coordinator, category=Category.RECOVERY_COLLEGE)
    scheme.training_courses.set([other.version.course])
    assert not by_key(candidate, scheme)["training"].met


def test_observations_count_only_competent_ones_by_someone_else(candidate, scheme, home_org, coordinator, assessor):
    run = trained(candidate, home_org, coordinator, attended=5)
    observe(candidate, assessor.person, run)
    assert by_key(candidate, scheme)["observations"].summary == "1 of 2"
    second_run = open_run(home_org, coordinator)
    observe(candidate, assessor.person, second_run, outcome="not_yet")
    assert not by_key(candidate, scheme)["observations"].met
    third_run = open_run(home_org, coordinator)
    observe(candidate, assessor.person, third_run)
    assert by_key(candidate, scheme)["observations"].met


def test_nobody_can_be_observed_by_themselves(candidate, home_org, coordinator):
    run = open_run(home_org, coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        observe(candidate, candidate, run)


def test_every_competency_must_be_evidenced_by_accepted_entries_or_competent_ratings(
    candidate, scheme, home_org, coordinator, assessor
):
    competencies = list(scheme.framework.competencies.order_by("order"))
    entry(candidate, Kind.REFLECTION, competencies=competencies[:5])
    entry(candidate, Kind.REFLECTION, status=PortfolioEntry.Status.SUBMITTED, competencies=competencies[5:8])
    run = open_run(home_org, coordinator)
    observe(candidate, assessor.person, run, competencies=competencies[8:10])
    found = by_key(candidate, scheme)["competencies"]
    assert (found.have, found.needed) == (7, 11)
    assert found.missing == tuple(f"{c.code} {c.title}" for c in competencies[5:8] + competencies[10:])


@pytest.mark.parametrize(("kind", "key"), [(Kind.REFLECTION, "reflection"), (Kind.SUPERVISION, "supervision")])
def test_reflections_and_supervision_count_accepted_entries_up_to_the_number_asked(candidate, scheme, kind, key):
    needed = scheme.reflections_required if kind == Kind.REFLECTION else scheme.supervisions_required
    for _ in range(needed - 1):
        entry(candidate, kind)
    entry(candidate, kind, status=PortfolioEntry.Status.RETURNED)
    assert not by_key(candidate, scheme)[key].met
    entry(candidate, kind)
    assert by_key(candidate, scheme)[key].met


def qualified(candidate, scheme, home_org, user, assessor_person):
    """Everything the default peer trainer scheme asks for."""
    trained(candidate, home_org, user, attended=5)
    competencies = list(scheme.framework.competencies.all())
    for _ in range(scheme.observations_required):
        observe(candidate, assessor_person, open_run(home_org, user))
    for _ in range(scheme.reflections_required):
        entry(candidate, Kind.REFLECTION, competencies=competencies)
    for _ in range(scheme.supervisions_required):
        entry(candidate, Kind.SUPERVISION)


def test_an_assessor_grants_the_award_when_every_requirement_is_met(candidate, scheme, home_org, coordinator, assessor):
    qualified(candidate, scheme, home_org, coordinator, assessor.person)
    assert requirements.unmet(requirements.progress(candidate.pk, scheme)) == []
    award = awards.grant_award(
        actor=assessor.user, holder=candidate, scheme=scheme, valid_from=datetime.date(2027, 1, 31)
    )
    assert (award.period, award.valid_from, award.valid_until) == (
        1,
        datetime.date(2027, 1, 31),
        datetime.date(2029, 1, 31),
    )
    assert award.status_changes.get().to_status == Award.Status.ACTIVE
    assert AuditEvent.objects.filter(action="award.granted", target_id=str(award.pk)).exists()
    with pytest.raises(AccreditationError, match="already holds"):
        awards.grant_award(actor=assessor.user, holder=candidate, scheme=scheme, valid_from=datetime.date(2027, 6, 1))


def test_an_award_is_refused_while_a_requirement_is_unmet_and_says_which(
    candidate, scheme, home_org, coordinator, assessor
):
    trained(candidate, home_org, coordinator, attended=5)
    with pytest.raises(AccreditationError, match="Not every requirement is met") as caught:
        awards.grant_award(actor=assessor.user, holder=candidate, scheme=scheme)
    assert "observed co-delivered session" in str(caught.value)
    assert "CPT-1 Working from peer values" in str(caught.value)
    assert not Award.objects.filter(holder=candidate).exists()


def test_only_an_assessor_grants_and_never_to_themselves(candidate, scheme, home_org, coordinator, assessor, actors):
    qualified(candidate, scheme, home_org, coordinator, assessor.person)
    with pytest.raises(AccreditationError, match="Only an accredited assessor"):
        awards.grant_award(actor=actors["coordinator"].user, holder=candidate, scheme=scheme)
    with pytest.raises(AccreditationError, match="your own award"):
        awards.grant_award(actor=assessor.user, holder=assessor.person, scheme=scheme)
    assert not Award.objects.filter(holder__in=[candidate, assessor.person]).exists()


def test_an_administrator_may_grant_with_a_documented_exception(candidate, scheme, actors, home_org):
    admin = actors["administrator"].user
    MembershipFactory(organisation=home_org, role=Membership.Role.COORDINATOR, person__user=admin)
    with pytest.raises(AccreditationError, match="Not every requirement"):
        awards.grant_award(actor=admin, holder=candidate, scheme=scheme)
    award = awards.grant_award(
        actor=admin, holder=candidate, scheme=scheme, exception_reason="Accredited by the previous programme in 2025"
    )
    assert award.exception_reason == "Accredited by the previous programme in 2025"
    assert "exception" in award.status_changes.get().reason
    with pytest.raises(AccreditationError, match="Only an administrator"):
        awards.grant_award(actor=UserFactory(), holder=candidate, scheme=scheme, exception_reason="Because")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2027, 1, 31), 1, datetime.date(2027, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2027, 11, 30), 3, datetime.date(2028, 2, 29)),
        (datetime.date(2027, 3, 15), 24, datetime.date(2029, 3, 15)),
        (datetime.date(2027, 12, 1), 1, datetime.date(2028, 1, 1)),
    ],
)
def test_validity_is_counted_in_calendar_months(day, months, expected):
    assert awards.add_months(day, months) == expected
