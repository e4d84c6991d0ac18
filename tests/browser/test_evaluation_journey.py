"""A carer answers her questionnaires on a phone from the emailed link, and the coordinator
sees her score; axe on every page.

Bea has a place on a carers' self-management course starting in five days and has agreed to
take part in its evaluation. The evaluation job emails her a baseline link. On her phone she
opens it, submits the self-efficacy questionnaire with one question missed, is shown the
error, answers it and submits again, then answers the PHQ-9. The link then says it has been
used. The coordinator, signed in on a desktop, sees Bea's score on the run's evaluation page.
"""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import make_member
from peerpath.courses.choices import Category
from peerpath.delivery import enrolment
from peerpath.delivery.tests.factories import open_run
from peerpath.evaluation.models import Invitation, Response, Schedule, ScheduleInstrument
from peerpath.people.models import Consent, Membership, Organisation
from peerpath.people.services import record_consent
from peerpath.people.tests.factories import TEST_PASSWORD, AreaFactory, OrganisationFactory
from tests.browser.conftest import DESKTOP, PHONE, OpenPage, log_in, submit, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GSE_CHOICES = ["Exactly true", "Moderately true", "Moderately true", "Hardly true", "Exactly true"] * 2
# Exactly true scores 4, moderately 3, hardly 2: a total of 32.
GSE_TOTAL = 32


@pytest.fixture
def college() -> Organisation:
    return OrganisationFactory(
        name="South West London Recovery College", area=AreaFactory(code="E09000032", name="Wandsworth")
    )


def _baseline_schedule(category: str) -> None:
    schedule = Schedule.objects.create(category=category, timepoint="baseline", days=7, open_days=28)
    ScheduleInstrument.objects.create(schedule=schedule, instrument_code="gse", position=1)
    ScheduleInstrument.objects.create(schedule=schedule, instrument_code="phq9", position=2)


def _choose(page: Page, question: int, label: str) -> None:
    page.locator("fieldset").nth(question - 1).get_by_label(label, exact=True).check()


def test_a_carer_answers_on_her_phone_and_the_coordinator_sees_her_score(
    open_page: OpenPage, live_server, college: Organisation
):
    coordinator = make_member(college, Membership.Role.COORDINATOR, username="coordinator")
    coordinator.email = "coordinator@example.org"
    coordinator.save(update_fields=["email"])
    run = open_run(
        college,
        coordinator.user,
        first_day=timezone.localdate() + datetime.timedelta(days=5),
        title="Looking after yourself while caring",
        category=Category.SELF_MANAGEMENT,
    )
    bea = make_member(college, Membership.Role.PARTICIPANT, username="bea")
    bea.given_name, bea.family_name, bea.email = "Bea", "Adeyemi", "bea@example.org"
    bea.save()
    record_consent(
        actor=coordinator.user,
        person=bea,
        purpose=Consent.Purpose.EVALUATION,
        decision=Consent.Decision.GIVEN,
        method=Consent.Method.PAPER,
        decided_on=timezone.localdate(),
    )
    enrolment.enrol(actor=coordinator.user, run_id=run.pk, person=bea, agreement_accepted=True)
    _baseline_schedule(Category.SELF_MANAGEMENT)

    # The evaluation job invites Bea and emails her link.
    mail.outbox.clear()
    call_command("evaluation_jobs", stdout=StringIO())
    [email] = [message for message in mail.outbox if message.to == ["bea@example.org"]]
    link = re.search(re.escape(settings.PEERPATH_SITE_URL) + r"(/questionnaires/[0-9a-f]{64}/)", email.body)
    assert link, email.body
    path = link.group(1)

    # On her phone, without signing in.
    phone = open_page(viewport=PHONE)
    visit(phone, path)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Looking after yourself while caring")
    submit(phone, "Start now")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("General Self-Efficacy")
    for question, label in enumerate(GSE_CHOICES, start=1):
        if question != 4:  # she misses question 4
            _choose(phone, question, label)
    submit(phone, "Submit", status=400)
    summary = phone.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("question 4")
    # Her other answers were kept; she answers the one she missed.
    expect(phone.locator("fieldset").nth(0).get_by_label("Exactly true", exact=True)).to_be_checked()
    _choose(phone, 4, GSE_CHOICES[3])
    submit(phone, "Submit")

    expect(phone.get_by_role("heading", level=1)).to_contain_text("Patient Health Questionnaire-9")
    for question in range(1, 10):
        _choose(phone, question, "Not at all")
    submit(phone, "Submit")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Thank you")

    # The link has done its work.
    visit(phone, path, status=410)
    invitation = Invitation.objects.get(person=bea)
    assert invitation.status == Invitation.Status.COMPLETE
    gse = Response.objects.get(person=bea, instrument_version__code="gse")
    assert gse.scores.get().value == GSE_TOTAL

    # The coordinator sees the score on the run's evaluation page.
    desk = open_page(viewport=DESKTOP)
    log_in(desk, "coordinator", TEST_PASSWORD)
    visit(desk, "/evaluation/")
    visit(desk, f"/evaluation/runs/{run.pk}/")
    row = desk.get_by_role("row").filter(has_text="Bea Adeyemi").first
    expect(row).to_contain_text(str(GSE_TOTAL))
