"""T1: every URL x every role, checked against ``permission_matrix``.

A new URL pattern without an entry in the matrix fails
``test_every_route_has_a_decision_for_every_role``; every entry is then
exercised with GET (and with an empty POST where the route accepts one).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from conftest import Actor, make_actors, make_home_org, make_other_org
from peerpath.accreditation.frameworks import ensure_default
from peerpath.accreditation.models import Award, Observation, PortfolioEntry, Scheme
from peerpath.core import audit
from peerpath.courses.choices import Capacity, Stage
from peerpath.courses.models import CoproductionActivity, CoproductionRule, Course, CourseMaterial, CourseVersion, Term
from peerpath.courses.tests.factories import (
    CourseVersionFactory,
    OutlineSessionFactory,
    TermFactory,
    approved_course,
)
from peerpath.courses.tests.factories import log as log_activity
from peerpath.delivery import enrolment
from peerpath.delivery.models import CourseRun, Enrolment, GroupMeeting, Session, SupportGroup, Venue
from peerpath.delivery.tests.factories import GroupMeetingFactory, SupportGroupFactory, VenueFactory, open_run
from peerpath.evaluation import responses as evaluation_responses
from peerpath.evaluation.invitations import create_invitation
from peerpath.evaluation.models import InstrumentVersion, Invitation, Response, SafetyAlert
from peerpath.people.models import Area, Membership, Organisation, Person
from peerpath.people.tests.factories import MembershipFactory
from peerpath.programmes.models import Programme
from peerpath.reports.models import DisclosurePolicy, PopulationBenchmark, UnitCost
from tests.permission_matrix import MATRIX, ROLES, UNNAMED, Case


def all_routes() -> Iterator[tuple[str, str | None]]:
    """(full pattern text, namespaced name or None) for every URL pattern."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str | None]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner or namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                yield prefix + str(pattern.pattern), name

    yield from walk(get_resolver().url_patterns, "", "")


def test_every_route_has_a_decision_for_every_role():
    routes = list(all_routes())
    missing_named = sorted({name for _, name in routes if name and name not in MATRIX})
    missing_unnamed = sorted({text for text, name in routes if not name and text not in UNNAMED})
    assert not missing_named, f"add access decisions to tests/permission_matrix.py for: {missing_named}"
    assert not missing_unnamed, f"add access decisions for unnamed patterns: {missing_unnamed}"
    for key, cases in [*MATRIX.items(), *UNNAMED.items()]:
        assert cases, key
        for case in cases:
            assert set(case.get) == set(ROLES), key
            assert case.post is None or set(case.post) == set(ROLES), key


def test_matrix_has_no_stale_entries():
    routes = list(all_routes())
    names = {name for _, name in routes if name}
    texts = {text for text, name in routes if not name}
    assert not set(MATRIX) - names, "the matrix names routes that no longer exist"
    assert not set(UNNAMED) - texts


@dataclass
class World:
    home_org: Organisation
    home_carer: Person
    other_carer: Person
    admin_objects: dict[str, Any]
    organisation_type_id: int
    # Courses: home_course is approved (v1) with a draft v2 and a material on each;
    # other_course belongs to other_org. Terms: published home and other, unpublished home.
    home_course: Course
    home_material: CourseMaterial
    other_course: Course
    other_material: CourseMaterial
    home_activity: CoproductionActivity
    home_term: Term
    other_term: Term
    unpublished_term: Term
    # Delivery: home_run is open, staffed by the peer and professional tutor actors, with the
    # participant actor and home_carer enrolled; other_run belongs to other_org.
    home_run: CourseRun
    home_venue: Venue
    home_session: Session
    home_enrolment: Enrolment
    carer_enrolment: Enrolment
    other_run: CourseRun
    other_session: Session
    other_enrolment: Enrolment
    # Support groups: home_group (named attendance) with one meeting the peer tutor facilitated,
    # anonymous_group (head counts) and other_group of other_org.
    home_group: SupportGroup
    home_meeting: GroupMeeting
    anonymous_group: SupportGroup
    other_group: SupportGroup
    # Accreditation: home_award is the peer tutor's award (from open_run), other_award the
    # other run's peer trainer's. home_entry is the participant's submitted reflection,
    # carer_entry home_carer's draft, other_entry other_carer's. home_observation is the
    # assessor's of the peer tutor on home_session; other_observation one in other_org.
    home_award: Award
    other_award: Award
    home_entry: PortfolioEntry
    carer_entry: PortfolioEntry
    other_entry: PortfolioEntry
    home_observation: Observation
    other_observation: Observation
    # Evaluation: paper_form is the coordinator's complete paper PHQ-9 for home_carer (no run),
    # with home_alert (item 9 above zero). home_invitation asks the participant actor GSE then
    # PHQ-9 about home_run at baseline; home_online is their complete GSE through it, so the
    # invitation is still open. home_entry_form is the coordinator's unfinished paper GSE for
    # home_carer on home_run. other_response is other_carer's complete paper PHQ-9 on other_run
    # (typed in by the outsider), with other_alert.
    paper_form: Response
    home_alert: SafetyAlert
    home_invitation: Invitation
    home_online: Response
    home_entry_form: Response
    other_response: Response
    other_alert: SafetyAlert


@pytest.fixture(scope="module")
def shared_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[dict[str, Actor], World]]:
    """Actors and world, built once per module (about 1,800 cases use them).

    They are written inside a transaction that stays open for the module and is
    rolled back at its end; each test's own transaction is then a savepoint
    inside it, so whatever a test writes is undone before the next one.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            home_org, other_org = make_home_org(), make_other_org()
            actors = make_actors(home_org, other_org)
            yield actors, build_world(actors, home_org, other_org)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def actors(shared_world: tuple[dict[str, Actor], World], db: None) -> dict[str, Actor]:
    """The module's actors, each with a fresh client carrying a copy of its session cookie,
    so that a test that logs out or changes cookies leaves the next test untouched."""
    fresh = {}
    for role, actor in shared_world[0].items():
        client = Client()
        for name, morsel in actor.client.cookies.items():
            client.cookies[name] = morsel.value
        fresh[role] = replace(actor, client=client)
    return fresh


@pytest.fixture
def world(shared_world: tuple[dict[str, Actor], World], db: None) -> World:
    return shared_world[1]


def build_world(actors: dict[str, Actor], home_org: Organisation, other_org: Organisation) -> World:
    home_carer = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person
    other_carer = MembershipFactory(organisation=other_org, role=Membership.Role.PARTICIPANT).person
    with transaction.atomic():
        event = audit.record(actor=actors["administrator"].user, action="test.event", target=home_org)
    attempt = AccessAttempt.objects.create(username="someone", ip_address="192.0.2.1", failures_since_start=1)
    log = AccessLog.objects.create(username="someone", ip_address="192.0.2.1")
    failure = AccessFailureLog.objects.create(username="someone", ip_address="192.0.2.1")
    # A paper PHQ-9 the coordinator typed in for home_carer, item 9 above zero: one safety alert.
    paper_form = evaluation_responses.start_response(
        actor=actors["coordinator"].user,
        person=home_carer,
        instrument_version=InstrumentVersion.objects.get(code="phq9", version=1),
        mode="paper",
    )
    evaluation_responses.save_answers(
        actor=actors["coordinator"].user, response=paper_form, answers={f"q{n}": 1 for n in range(1, 10)}
    )
    evaluation_responses.submit(actor=actors["coordinator"].user, response=paper_form)
    admin_objects = {
        "auth_group": Group.objects.create(name="Test group"),
        "auth_user": actors["participant"].user,
        "axes_accessattempt": attempt,
        "axes_accesslog": log,
        "axes_accessfailurelog": failure,
        "core_auditevent": event,
        "people_area": Area.objects.first(),
        "people_organisation": home_org,
        "programmes_programme": Programme.objects.create(owner=home_org, code="matrix", name="Matrix programme"),
        "courses_coproductionrule": CoproductionRule.objects.get(),
        "accreditation_competencyframework": ensure_default(),
        "accreditation_scheme": Scheme.objects.get(code="carer-peer-trainer-rc"),
        "evaluation_instrumentversion": InstrumentVersion.objects.order_by("code", "version").first(),
        "evaluation_response": paper_form,
        "evaluation_safetyalert": paper_form.safety_alerts.get(),
        "reports_disclosurepolicy": DisclosurePolicy.objects.create(),
        "reports_populationbenchmark": PopulationBenchmark.objects.create(
            dimension="sex", category="female", share="0.51", source="Test", year=2021
        ),
        "reports_unitcost": UnitCost.objects.create(
            instrument_code="service-use-carer",
            item_id="bed_days",
            label="Bed day",
            unit="day",
            cost=500,
            source="Test",
            year=2025,
        ),
        "django_tasks_database_dbtaskresult": DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="peerpath.delivery.tasks.send_enrolment_email",
            backend_name="default",
            run_after=get_date_max(),  # as queued without a delay
            exception_class_path="",
            traceback="",
        ),
    }
    coordinator = actors["coordinator"].user
    home_course = approved_course(home_org, coordinator, title="Caring for someone in crisis")
    draft = CourseVersionFactory(course=home_course, number=2, created_by=coordinator)
    OutlineSessionFactory(version=draft, number=1)
    home_material = _material(home_course.versions.get(number=1), coordinator)
    _material(draft, coordinator)
    home_activity = log_activity(home_course, Stage.DESIGN_WORKSHOP, (Capacity.CARER, "2"), recorded_by=coordinator)
    other_course = approved_course(other_org, actors["outsider"].user, title="Looking after yourself")
    other_material = _material(other_course.versions.get(), actors["outsider"].user)
    home_term = TermFactory(organisation=home_org, name="Spring 2027")
    home_term.courses.add(home_course)
    other_term = TermFactory(organisation=other_org, name="Spring 2027")
    other_term.courses.add(other_course)
    unpublished_term = TermFactory(organisation=home_org, name="Summer 2027", published=False)
    home_run = open_run(
        home_org,
        coordinator,
        course=home_course,
        term=home_term,
        peer=actors["peer_tutor"].person,
        professional=actors["professional_tutor"].person,
    )
    other_run = open_run(other_org, actors["outsider"].user, course=other_course, term=other_term)

    def _enrol(run: CourseRun, person: Person) -> Enrolment:
        return enrolment.enrol(actor=coordinator, run_id=run.pk, person=person, agreement_accepted=True)

    home_group = SupportGroupFactory(organisation=home_org, name="Tuesday carers' group")
    home_meeting = GroupMeetingFactory(group=home_group, recorded_by=coordinator)
    home_meeting.facilitators.add(actors["peer_tutor"].person)
    home_meeting.attendees.add(home_carer)
    home_session = home_run.sessions.order_by("number").first()
    other_session = other_run.sessions.order_by("number").first()
    other_peer = other_run.assignments.get(role="peer_trainer").person
    other_assessor = MembershipFactory(organisation=other_org, role=Membership.Role.ASSESSOR).person
    phq9 = InstrumentVersion.objects.get(code="phq9", version=1)
    gse = InstrumentVersion.objects.get(code="gse", version=1)
    home_invitation = create_invitation(
        person=actors["participant"].person,
        run=home_run,
        timepoint="baseline",
        versions=[gse, phq9],
        expires_at=timezone.now() + timedelta(days=28),
    )
    home_online = evaluation_responses.start_response(
        actor=evaluation_responses.INVITATION_LINK,
        person=actors["participant"].person,
        instrument_version=gse,
        mode="online",
        invitation=home_invitation,
    )
    link = evaluation_responses.INVITATION_LINK
    gse_answers = {f"q{n}": 3 for n in range(1, 11)}
    evaluation_responses.save_answers(actor=link, response=home_online, answers=gse_answers, invitation=home_invitation)
    evaluation_responses.submit(actor=link, response=home_online, invitation=home_invitation)
    home_entry_form = evaluation_responses.start_response(
        actor=coordinator, person=home_carer, instrument_version=gse, run=home_run, timepoint="end", mode="paper"
    )
    other_coordinator = actors["outsider"].user
    other_response = evaluation_responses.start_response(
        actor=other_coordinator, person=other_carer, instrument_version=phq9, run=other_run, mode="paper"
    )
    evaluation_responses.save_answers(
        actor=other_coordinator, response=other_response, answers={f"q{n}": 2 for n in range(1, 10)}
    )
    evaluation_responses.submit(actor=other_coordinator, response=other_response)
    return World(
        home_org=home_org,
        home_carer=home_carer,
        other_carer=other_carer,
        admin_objects=admin_objects,
        organisation_type_id=ContentType.objects.get_for_model(Organisation).pk,
        home_course=home_course,
        home_material=home_material,
        other_course=other_course,
        other_material=other_material,
        home_activity=home_activity,
        home_term=home_term,
        other_term=other_term,
        unpublished_term=unpublished_term,
        home_run=home_run,
        home_venue=VenueFactory(organisation=home_org, name="Springfield Recovery College"),
        home_session=home_session,
        home_enrolment=_enrol(home_run, actors["participant"].person),
        carer_enrolment=_enrol(home_run, home_carer),
        other_run=other_run,
        other_session=other_session,
        other_enrolment=_enrol(other_run, other_carer),
        home_group=home_group,
        home_meeting=home_meeting,
        anonymous_group=SupportGroupFactory(organisation=home_org, name="Evening drop-in", anonymous=True),
        other_group=SupportGroupFactory(organisation=other_org, name="Tuesday carers' group"),
        home_award=Award.objects.get(holder=actors["peer_tutor"].person),
        other_award=Award.objects.get(holder=other_peer),
        home_entry=_entry(actors["participant"].person, PortfolioEntry.Status.SUBMITTED),
        carer_entry=_entry(home_carer, PortfolioEntry.Status.DRAFT),
        other_entry=_entry(other_carer, PortfolioEntry.Status.SUBMITTED),
        home_observation=_observation(actors["peer_tutor"].person, actors["assessor"].person, home_session),
        other_observation=_observation(other_peer, other_assessor, other_session),
        paper_form=paper_form,
        home_alert=paper_form.safety_alerts.get(),
        home_invitation=home_invitation,
        home_online=home_online,
        home_entry_form=home_entry_form,
        other_response=other_response,
        other_alert=other_response.safety_alerts.get(),
    )


def _entry(candidate: Person, status: str) -> PortfolioEntry:
    return PortfolioEntry.objects.create(
        candidate=candidate,
        kind=PortfolioEntry.Kind.REFLECTION,
        occurred_on=timezone.localdate(),
        title="What I learned from co-delivering session 2",
        text="I shared my story at the right moment and kept to time.",
        status=status,
    )


def _observation(candidate: Person, assessor: Person, session: Session) -> Observation:
    return Observation.objects.create(
        candidate=candidate,
        assessor=assessor,
        session=session,
        observed_on=timezone.localdate(),
        outcome=Observation.Outcome.COMPETENT,
        feedback="Shared lived experience with purpose and kept the group safe.",
    )


def _material(version: CourseVersion, user: Any) -> CourseMaterial:
    return CourseMaterial.objects.create(
        version=version,
        title="Handout",
        file=ContentFile(b"%PDF-1.4 test", name="handout.pdf"),
        original_name="handout.pdf",
        extension=".pdf",
        content_type="application/pdf",
        size=13,
        uploaded_by=user,
    )


def classify(response: Any) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith(reverse("accounts:login")):
            return "login"
        if location.startswith("/admin/login/"):
            return "admin_login"
        return "redirect"
    return {
        200: "ok",
        400: "bad",
        401: "unauthenticated",
        403: "forbidden",
        404: "missing",
        405: "not_allowed",
    }.get(response.status_code, str(response.status_code))


def _url(key: str, case: Case, world: World) -> str:
    kwargs = case.kwargs(world)
    if key in MATRIX:
        return reverse(key, kwargs=kwargs or None)
    if "(?P<url>" in key:
        return f"/admin/{kwargs['url']}"
    return "/" + key.replace("<path:object_id>", kwargs["object_id"])


CASES = [
    pytest.param(key, index, role, id=f"{key}[{case.variant or 'default'}]-{role}")
    for key, cases in [*MATRIX.items(), *UNNAMED.items()]
    for index, case in enumerate(cases)
    for role in ROLES
]
POST_CASES = [
    pytest.param(key, index, role, id=f"POST {key}[{case.variant or 'default'}]-{role}")
    for key, cases in MATRIX.items()
    for index, case in enumerate(cases)
    if case.post is not None
    for role in ROLES
]


def _case(key: str, index: int) -> Case:
    return (MATRIX.get(key) or UNNAMED[key])[index]


@pytest.mark.parametrize(("key", "index", "role"), CASES)
def test_get(key: str, index: int, role: str, actors, world: World):
    case = _case(key, index)
    client: Client = actors[role].client
    response = client.get(_url(key, case, world))
    assert classify(response) == case.get[role], f"GET {key} as {role}: {response.status_code}"


@pytest.mark.parametrize(("key", "index", "role"), POST_CASES)
def test_post(key: str, index: int, role: str, actors, world: World):
    case = _case(key, index)
    assert case.post is not None
    client: Client = actors[role].client
    response = client.post(_url(key, case, world), {})
    assert classify(response) == case.post[role], f"POST {key} as {role}: {response.status_code}"


SELF_ROUTES = {
    "people:person_detail": "ok",
    "people:consent_list": "ok",
    "people:equality_monitoring": "ok",
    # Only someone who coordinates an organisation they belong to may change their own record.
    "people:person_edit": "forbidden",
}


@pytest.mark.parametrize("role", [role for role in ROLES if role not in ("anonymous", "administrator")])
@pytest.mark.parametrize("route", list(SELF_ROUTES))
def test_everyone_with_a_person_record_reaches_their_own_pages(route: str, role: str, actors):
    actor = actors[role]
    response = actor.client.get(reverse(route, kwargs={"pk": actor.person.pk}))
    expected = "ok" if role in ("coordinator", "outsider") else SELF_ROUTES[route]
    assert classify(response) == expected


@pytest.mark.parametrize("attempt", range(2))
def test_each_case_runs_in_a_savepoint_of_the_module_transaction(world: World, attempt: int):
    """What a case writes is undone before the next: the test's transaction is nested.

    Each attempt finds the shared support group, deletes it and sees it gone; whichever
    attempt runs second would not find it if the first one's delete had leaked.
    """
    assert connection.in_atomic_block
    assert connection.savepoint_ids, "the test's transaction should be a savepoint inside the module's"
    assert SupportGroup.objects.filter(pk=world.home_group.pk).exists()
    SupportGroup.objects.filter(pk=world.home_group.pk).delete()
    assert not SupportGroup.objects.filter(pk=world.home_group.pk).exists()
