"""From Train the Trainer to the right to facilitate, in a real browser with axe on every page.

Amara, a carer, completes a two-day Train the Trainer run and is taken on as a trainee
peer tutor. On her phone she logs a reflection and a supervision session. An assessor, on
a tablet, accepts her evidence, observes her co-delivering two sessions and grants the
award. Amara downloads her certificate, her Open Badge credential and its baked badge,
and the public verification page confirms the award. The coordinator, refused at first,
can then assign her as a peer trainer.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import jwt
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import APIResponse, Page, expect

from conftest import make_member
from peerpath.accreditation import portfolio
from peerpath.accreditation.models import Award, PortfolioEntry, Scheme
from peerpath.courses.choices import Category
from peerpath.courses.tests.factories import TermFactory, approved_course
from peerpath.delivery import enrolment, services
from peerpath.delivery.models import Attendance, CourseRun, FacilitatorAssignment, Session
from peerpath.delivery.tests.factories import move_sessions, open_run
from peerpath.people.models import Membership, Organisation, Person
from peerpath.people.tests.factories import TEST_PASSWORD, AreaFactory, OrganisationFactory
from tests.browser.conftest import PHONE, OpenPage, follow, log_in, submit, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}
SCHEME = "Accredited carer peer trainer (Recovery College)"
PRACTICE = "Caring for yourself: a course for carers"


@pytest.fixture
def college() -> Organisation:
    return OrganisationFactory(
        name="South West London Recovery College", area=AreaFactory(code="E09000032", name="Wandsworth")
    )


@pytest.fixture
def staff(college: Organisation) -> dict[str, Person]:
    return {
        "coordinator": make_member(college, Membership.Role.COORDINATOR, username="coordinator"),
        "assessor": make_member(college, Membership.Role.ASSESSOR, username="assessor"),
        "peer": make_member(college, Membership.Role.TUTOR, Membership.TutorKind.PEER, username="tutor"),
        "professional": make_member(
            college, Membership.Role.TUTOR, Membership.TutorKind.PROFESSIONAL, username="nurse"
        ),
    }


@pytest.fixture
def amara(college: Organisation) -> Person:
    """A carer, taken on as a peer tutor in training after Train the Trainer."""
    person = make_member(college, Membership.Role.PARTICIPANT, username="amara")
    person.given_name, person.family_name, person.email = "Amara", "Okafor", "amara@example.org"
    person.save()
    Membership.objects.create(
        person=person,
        organisation=college,
        role=Membership.Role.TUTOR,
        tutor_kind=Membership.TutorKind.PEER,
        started_on=timezone.localdate() - datetime.timedelta(days=60),
    )
    return person


def _run(college, staff, *, first_day, **course_fields) -> CourseRun:
    today = timezone.localdate()
    course = approved_course(college, staff["coordinator"].user, **course_fields)
    term = TermFactory(organisation=college, starts_on=today - datetime.timedelta(days=90))
    term.courses.add(course)
    return open_run(
        college,
        staff["coordinator"].user,
        course=course,
        term=term,
        first_day=first_day,
        peer=staff["peer"],
        professional=staff["professional"],
    )


def completed_train_the_trainer(college, staff, amara) -> None:
    """Amara attends both days of a Train the Trainer run, which the coordinator then closes."""
    user = staff["coordinator"].user
    today = timezone.localdate()
    run = _run(
        college,
        staff,
        first_day=today + datetime.timedelta(days=14),
        title="Train the Trainer: carer peer trainers (two days)",
        category=Category.TRAIN_THE_TRAINER,
        session_count=2,
    )
    place = enrolment.enrol(actor=user, run_id=run.pk, person=amara, agreement_accepted=True)
    move_sessions(run, today - datetime.timedelta(days=50))
    for session in run.sessions.all():
        Attendance.objects.create(session=session, enrolment=place, status="present", recorded_by=user)
    CourseRun.objects.filter(pk=run.pk).update(status=CourseRun.Status.RUNNING)
    enrolment.complete_run(actor=user, run_id=run.pk)


def co_delivered_run(college, staff, amara) -> CourseRun:
    """A run Amara shadows as a trainee co-facilitator; two of its sessions have been held."""
    today = timezone.localdate()
    run = _run(college, staff, first_day=today + datetime.timedelta(days=14), title=PRACTICE, session_count=6)
    services.assign_facilitator(
        actor=staff["coordinator"].user, run=run, person=amara, role=FacilitatorAssignment.Role.TRAINEE
    )
    move_sessions(run, today - datetime.timedelta(days=14))
    return run


def press(page: Page, name: str) -> None:
    """Follow a link drawn as an NHS button (role "button")."""
    follow(page, page.get_by_role("button", name=name, exact=True))


def fetch(page: Page, link: str) -> APIResponse:
    """What a download link serves, fetched with the page's cookies (PDFs would open in the viewer)."""
    href = page.get_by_role("link", name=link, exact=True).get_attribute("href")
    assert href
    response = page.context.request.get(href)
    assert response.status == 200, (link, response.status)
    return response


def fill_date(page: Page, prefix: str, day: datetime.date) -> None:
    page.locator(f"#{prefix}-day").fill(str(day.day))
    page.locator(f"#{prefix}-month").fill(str(day.month))
    page.locator(f"#{prefix}-year").fill(str(day.year))


def add_entry(page: Page, kind: str, title: str, day: datetime.date, competencies: list[str], hours: str = "") -> None:
    if not page.url.endswith("/accreditation/portfolio/"):
        visit(page, "/accreditation/portfolio/")
    press(page, "Add an entry")
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Title", exact=True).fill(title)
    fill_date(page, "id_occurred_on", day)
    if hours:
        page.get_by_label("How many hours?").fill(hours)
    page.get_by_label("Your account").fill("What happened, what I did, and what I would do next time.")
    for name in competencies:
        page.get_by_label(name, exact=True).check()
    submit(page, "Submit for review")


def observe(page: Page, session: Session, day: datetime.date, competent: list[str]) -> None:
    press(page, "Record an observation")
    page.get_by_label("Session observed").select_option(value=str(session.pk))
    fill_date(page, "id_observed_on", day)
    for name in competent:
        page.get_by_role("group", name=name).get_by_label("Competent", exact=True).check()
    page.get_by_role("group", name="Overall outcome").get_by_label("Competent", exact=True).check()
    page.get_by_label("Feedback for the candidate").fill("Shared her story briefly and with purpose.")
    submit(page, "Save observation")
    expect(page.get_by_role("alert", name="Success")).to_be_visible()


def test_a_carer_is_trained_evidenced_observed_awarded_and_then_assignable(
    open_page: OpenPage, college, staff, amara, tmp_path
) -> None:
    call_command("credential_keys", "generate", "--if-missing")
    today = timezone.localdate()
    completed_train_the_trainer(college, staff, amara)
    practice = co_delivered_run(college, staff, amara)
    later = _run(college, staff, first_day=today + datetime.timedelta(days=45), title="Understanding psychosis")
    scheme = Scheme.objects.get(code="carer-peer-trainer-rc")
    competencies = [f"{c.code} {c.title}" for c in scheme.framework.competencies.order_by("order", "code")]

    # The coordinator cannot yet make Amara a peer trainer: she is not accredited.
    coordinator = open_page()
    log_in(coordinator, "coordinator", TEST_PASSWORD)
    visit(coordinator, f"/runs/{later.pk}/tutors/new/")
    coordinator.get_by_label("Tutor", exact=True).select_option(label=amara.display_name)
    coordinator.get_by_label("Peer trainer", exact=True).check()
    submit(coordinator, "Assign", status=400)
    expect(coordinator.get_by_role("alert")).to_contain_text("is not accredited as a peer trainer")

    # On her phone, Amara logs a reflection and a supervision session.
    phone = open_page(viewport=PHONE)
    log_in(phone, "amara", TEST_PASSWORD)
    follow(phone, phone.get_by_role("link", name="Your accreditation"))
    press(phone, "Go to your portfolio")
    add_entry(phone, "Reflection", "Sharing my story on day one", today - datetime.timedelta(days=40), competencies[:3])
    add_entry(
        phone, "Supervision", "Supervision with the peer trainer lead", today - datetime.timedelta(days=30), [], "1.5"
    )
    # The rest of her evidence, through the same services the pages use.
    user = amara.user
    for index in range(3):
        entry = portfolio.save_entry(
            actor=user,
            candidate=amara,
            data=portfolio.EntryData(
                kind=PortfolioEntry.Kind.REFLECTION,
                occurred_on=today - datetime.timedelta(days=20 - index),
                title=f"Reflection {index + 2}",
                text="What I learned.",
                hours=None,
                competency_ids=[
                    str(c.pk)
                    for c in scheme.framework.competencies.order_by("order", "code")[3 + index * 2 : 5 + index * 2]
                ],
                upload=None,
                remove_file=False,
            ),
        )
        portfolio.submit_entry(actor=user, entry=entry)
    extra = portfolio.save_entry(
        actor=user,
        candidate=amara,
        data=portfolio.EntryData(
            kind=PortfolioEntry.Kind.SUPERVISION,
            occurred_on=today - datetime.timedelta(days=10),
            title="Group supervision",
            text="",
            hours=Decimal("1.0"),
            competency_ids=[],
            upload=None,
            remove_file=False,
        ),
    )
    portfolio.submit_entry(actor=user, entry=extra)

    # On a tablet, the assessor accepts her evidence and observes her twice.
    tablet = open_page(viewport=TABLET)
    log_in(tablet, "assessor", TEST_PASSWORD)
    follow(tablet, tablet.get_by_role("link", name="Candidates for accreditation"))
    follow(tablet, amara.display_name)
    while (
        tablet.get_by_role("heading", name="Evidence waiting for review").count()
        and tablet.locator("a[href*='/accreditation/portfolio/']").count()
    ):
        follow(tablet, tablet.locator("a[href*='/accreditation/portfolio/']").first)
        tablet.get_by_label("Accept: it counts towards accreditation").check()
        submit(tablet, "Save review")
        expect(tablet.get_by_role("alert", name="Success")).to_be_visible()
        visit(tablet, f"/accreditation/candidates/{amara.pk}/")
    sessions = list(practice.sessions.order_by("number")[:2])
    observe(tablet, sessions[0], timezone.localdate(sessions[0].starts_at), competencies[9:])
    visit(tablet, f"/accreditation/candidates/{amara.pk}/")
    observe(tablet, sessions[1], timezone.localdate(sessions[1].starts_at), competencies[9:])
    visit(tablet, f"/accreditation/candidates/{amara.pk}/")
    press(tablet, f"Grant {SCHEME}")
    submit(tablet, "Grant award")
    expect(tablet.get_by_role("alert", name="Success")).to_contain_text(f"now holds {SCHEME}")
    award = Award.objects.get(holder=amara, scheme=scheme)

    # Amara reads the feedback and downloads her certificate, credential and badge.
    visit(phone, "/accreditation/portfolio/")
    follow(phone, phone.get_by_role("link", name=f"{PRACTICE}, session 1").first)
    expect(phone.get_by_text("Shared her story briefly and with purpose.")).to_be_visible()
    visit(phone, "/accreditation/my-progress/")
    follow(phone, phone.get_by_role("link", name=SCHEME).first)
    certificate = fetch(phone, "Download the certificate (PDF)")
    assert certificate.headers["content-type"] == "application/pdf"
    assert certificate.body().startswith(b"%PDF")
    credential = fetch(phone, "Download the Open Badge credential (JSON)")
    assert "attachment" in credential.headers["content-disposition"]
    envelope = json.loads(credential.body())
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    token = envelope["id"].removeprefix("data:application/vc+jwt,")
    header = jwt.get_unverified_header(token)
    did_document = phone.context.request.get("/.well-known/did.json").json()
    method = next(m for m in did_document["verificationMethod"] if m["id"] == header["kid"])
    key = jwt.PyJWK(method["publicKeyJwk"]).key
    claims = jwt.decode(token, key, algorithms=["EdDSA"], options={"verify_aud": False})
    assert claims["credentialSubject"]["achievement"]["name"] == SCHEME
    badge = fetch(phone, "Download the badge image with the credential inside (PNG)")
    assert badge.body().startswith(b"\x89PNG") and token.encode() in badge.body()

    # Anyone with the code sees that the award is valid.
    public = open_page(viewport=PHONE)
    visit(public, f"/verify/{award.verification_code}/")
    expect(public.get_by_role("heading", level=1)).to_contain_text(SCHEME)

    # Now the coordinator can make her a peer trainer.
    visit(coordinator, f"/runs/{later.pk}/tutors/new/")
    coordinator.get_by_label("Tutor", exact=True).select_option(label=amara.display_name)
    coordinator.get_by_label("Peer trainer", exact=True).check()
    submit(coordinator, "Assign")
    assert later.assignments.filter(person=amara, role=FacilitatorAssignment.Role.PEER_TRAINER).exists()
