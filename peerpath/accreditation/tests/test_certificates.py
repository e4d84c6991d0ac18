"""Award certificates: a one-page PDF that names the holder and says how to check it, only while the award stands."""

from __future__ import annotations

import datetime
import io
import re
from urllib.parse import unquote

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from peerpath.accreditation import certificates
from peerpath.accreditation.models import Award, Scheme
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.datetime(2027, 6, 1, 12, tzinfo=datetime.UTC)
A4_LANDSCAPE = (841.89, 595.28)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def scheme():
    return Scheme.objects.get(code="carer-peer-trainer-rc")


@pytest.fixture
def award(actors, scheme):
    holder = actors["peer_tutor"].person
    holder.given_name, holder.family_name, holder.preferred_name = "Bernadette", "Okafor", ""
    holder.save(update_fields=["given_name", "family_name", "preferred_name"])
    return Award.objects.create(
        holder=holder,
        scheme=scheme,
        valid_from=D(2027, 1, 15),
        valid_until=D(2029, 1, 15),
        granted_by=actors["assessor"].person,
    )


def url(award: Award) -> str:
    return reverse("accreditation:certificate", kwargs={"award_id": award.pk})


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return reader, re.sub(r"\s+", " ", text)


def test_the_certificate_names_holder_award_dates_organisation_and_how_to_check_it(actors, award, home_org):
    response = actors["peer_tutor"].client.get(url(award))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'inline; filename="Accredited-carer-peer-trainer-Recovery-College-certificate-Bernadette-Okafor.pdf"'
    )
    reader, text = pdf_text(response.content)
    assert len(reader.pages) == 1
    assert tuple(round(float(side), 2) for side in reader.pages[0].mediabox[2:]) == A4_LANDSCAPE
    assert "Bernadette Okafor" in text
    assert "Accredited carer peer trainer (Recovery College)" in text
    assert "Valid from 15 January 2027 until 15 January 2029" in text
    assert f"Awarded by {home_org.name}" in text
    assert f"{settings.PEERPATH_SITE_URL}/verify/{award.verification_code}/" in text
    assert f"Verification code: {award.verification_code}" in text
    # The competences of the scheme's framework, by their short titles.
    titles = list(award.scheme.framework.competencies.values_list("title", flat=True))
    assert titles
    assert all(title in text for title in titles)


def test_the_qr_code_is_an_inline_svg_of_the_verification_address(award):
    document = certificates.certificate_for(award)

    assert document.qr_code.startswith("data:image/svg+xml")
    svg = unquote(document.qr_code.split(",", 1)[1])
    assert svg.startswith("<svg") and "<path" in svg
    assert document.verification_url == f"{settings.PEERPATH_SITE_URL}/verify/{award.verification_code}/"


def test_an_award_that_does_not_expire_says_so(actors, award):
    Award.objects.filter(pk=award.pk).update(valid_until=None)

    _, text = pdf_text(actors["peer_tutor"].client.get(url(award)).content)

    assert "Valid from 15 January 2027. This award does not expire" in text


def test_an_expired_award_still_has_a_certificate_stating_its_dates(actors, award):
    Award.objects.filter(pk=award.pk).update(
        status=Award.Status.EXPIRED, valid_from=D(2024, 1, 15), valid_until=D(2026, 1, 15)
    )

    response = actors["peer_tutor"].client.get(url(award))

    assert response.status_code == 200
    assert "Valid from 15 January 2024 until 15 January 2026" in pdf_text(response.content)[1]


@pytest.mark.parametrize(
    ("status", "why"),
    [
        (Award.Status.SUSPENDED, "This award is suspended, so its certificate cannot be printed"),
        (Award.Status.REVOKED, "This award has been revoked, so it has no certificate"),
    ],
)
def test_a_suspended_or_revoked_award_has_no_certificate(actors, award, status, why):
    Award.objects.filter(pk=award.pk).update(status=status)

    for role in ("peer_tutor", "assessor", "coordinator", "administrator"):
        response = actors[role].client.get(url(award))
        assert response.status_code == 409, role
        assert response["Content-Type"].startswith("text/html")
        assert why in response.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("peer_tutor", 200),  # the holder
        ("assessor", 200),
        ("coordinator", 200),
        ("administrator", 200),
        ("professional_tutor", 404),
        ("evaluator", 404),
        ("participant", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_who_may_print_a_certificate(actors, award, role, expected):
    response = actors[role].client.get(url(award))

    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_awarding_organisation_is_where_the_granter_assessed_the_holder(actors, award, home_org):
    # The assessor also assesses elsewhere, in an organisation the holder does not belong to.
    MembershipFactory(
        person=actors["assessor"].person,
        organisation=OrganisationFactory(name="Aardvark Carers Trust"),
        role=Membership.Role.ASSESSOR,
    )

    assert certificates.awarding_organisation(award) == home_org.name


def test_an_award_an_administrator_granted_names_the_holders_organisation(actors, award, home_org):
    admin_person = MembershipFactory(organisation=OrganisationFactory(), role=Membership.Role.COORDINATOR).person
    admin_person.user = UserFactory(is_superuser=True)
    admin_person.save(update_fields=["user"])
    Award.objects.filter(pk=award.pk).update(granted_by=admin_person)
    award.refresh_from_db()

    assert certificates.awarding_organisation(award) == home_org.name


def test_without_any_membership_the_service_awards(actors, award):
    Membership.objects.filter(person__in=[award.holder, award.granted_by]).delete()

    assert certificates.awarding_organisation(award) == settings.PEERPATH_SERVICE_NAME
