"""The public verification page: the award's standing in plain words, the holder's name only by consent."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerpath.accreditation import verification
from peerpath.accreditation.models import Award, Scheme
from peerpath.people import services as people_services
from peerpath.people.models import Consent, Membership
from peerpath.people.tests.factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db
D = datetime.date
GRANTED = D(2027, 1, 15)
ENDS = D(2029, 1, 15)  # the scheme's 24 months; reminders from 60 days before, 60 days' grace after


def at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def scheme():
    return Scheme.objects.get(code="carer-peer-trainer-rc")


@pytest.fixture
def holder(actors):
    person = actors["peer_tutor"].person
    person.given_name, person.family_name, person.preferred_name = "Bernadette", "Okafor", ""
    person.email, person.phone, person.postcode = "b.okafor.private@example.org", "07700 900123", "SW17 0QT"
    person.save()
    return person


@pytest.fixture
def award(holder, scheme, actors):
    return Award.objects.create(
        holder=holder, scheme=scheme, valid_from=GRANTED, valid_until=ENDS, granted_by=actors["assessor"].person
    )


def consent(actors, holder, decision: str) -> Consent:
    return people_services.record_consent(
        actor=actors["peer_tutor"].user,
        person=holder,
        purpose=Consent.Purpose.VERIFICATION,
        decision=decision,
        method=Consent.Method.ONLINE,
        decided_on=timezone.localdate(),
    )


def page(code: str, client: Client | None = None):
    return (client or Client()).get(reverse("verify:award", kwargs={"code": code}))


# The code --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "K7QF-2M9X-TR4P-8WZD",
        "k7qf 2m9x tr4p 8wzd",
        "k7qf2m9xtr4p8wzd",
        "  K7QF\u20132M9X \u2013 TR4P-8WZD ",  # en dashes, as a word processor writes them
        "K7QF-2M9X-TR4P-8WZD".replace("-", " - "),
    ],
)
def test_a_typed_code_is_normalised(typed):
    assert verification.normalise_code(typed) == "K7QF-2M9X-TR4P-8WZD"


def test_letters_that_look_like_digits_are_read_as_digits():
    assert verification.normalise_code("ABCD-EFGH-JK0O-1IL9") == "ABCD-EFGH-JK00-1119"


@pytest.mark.parametrize(
    "typed", ["", "K7QF-2M9X-TR4P", "K7QF-2M9X-TR4P-8WZD-1", "U7QF-2M9X-TR4P-8WZD", "K7QF/2M9X/TR4P/8WZD", "é" * 16]
)
def test_malformed_codes_are_refused(typed):
    assert verification.normalise_code(typed) is None


def test_the_lookup_form_sends_a_code_however_typed_to_its_page():
    response = Client().get(reverse("verify:lookup"), {"code": "k7qf 2m9x tr4p 8wzd"})

    assert response.status_code == 302
    assert response["Location"] == "/verify/K7QF-2M9X-TR4P-8WZD/"


def test_the_lookup_form_shows_an_empty_form_first():
    response = Client().get(reverse("verify:lookup"))

    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("not a code", "Enter the verification code as it is on the certificate"),
        ("", "Enter the verification code from the certificate"),
    ],
)
def test_the_lookup_form_reshows_a_malformed_code_with_an_error(typed, error):
    response = Client().get(reverse("verify:lookup"), {"code": typed})

    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert "There is a problem" in html


def test_a_code_typed_into_the_address_goes_to_the_canonical_address(award):
    response = page(award.verification_code.lower().replace("-", ""))

    assert response.status_code == 302
    assert response["Location"] == f"/verify/{award.verification_code}/"


@pytest.mark.parametrize("code", ["K7QF-2M9X-TR4P-8WZD", "not-a-code", "K7QF-2M9X-TR4P"])
def test_unknown_and_malformed_codes_find_no_award(award, code):
    assert code != award.verification_code

    response = page(code)

    assert response.status_code == 404
    assert "No award has this code" in response.content.decode()


# What the page shows ---------------------------------------------------------------------


def test_the_holder_is_named_only_while_they_consent(actors, holder, award):
    with at(D(2027, 6, 1)):
        hidden = page(award.verification_code).content.decode()
        consent(actors, holder, Consent.Decision.GIVEN)
        named = page(award.verification_code).content.decode()
    with at(D(2027, 6, 2)):
        consent(actors, holder, Consent.Decision.WITHDRAWN)
        withdrawn = page(award.verification_code).content.decode()

    assert "Bernadette Okafor" in named
    for html in (hidden, withdrawn):
        assert "The holder chose not to show their name on this page." in html
        assert "Bernadette" not in html
        assert "Okafor" not in html
        assert "B. O" not in html and "B.O." not in html


def test_another_purpose_of_consent_does_not_name_the_holder(actors, holder, award):
    people_services.record_consent(
        actor=actors["peer_tutor"].user,
        person=holder,
        purpose=Consent.Purpose.CREDIT,
        decision=Consent.Decision.GIVEN,
        method=Consent.Method.ONLINE,
        decided_on=timezone.localdate(),
    )

    with at(D(2027, 6, 1)):
        assert "Okafor" not in page(award.verification_code).content.decode()


@pytest.mark.parametrize(
    ("day", "status", "until", "tag", "sentence"),
    [
        (D(2027, 6, 1), "active", ENDS, "Valid", "This award is valid until 15 January 2029."),
        (
            D(2028, 12, 1),
            "active",
            ENDS,
            "Valid",
            "This award is still valid until 15 January 2029. It ends soon unless it is renewed.",
        ),
        (
            D(2029, 2, 1),
            "active",
            ENDS,
            "No longer valid",
            "This award ended on 15 January 2029. It is no longer valid.",
        ),
        (
            D(2029, 6, 1),
            "expired",
            ENDS,
            "No longer valid",
            "This award ended on 15 January 2029. It is no longer valid.",
        ),
        (
            D(2027, 6, 1),
            "suspended",
            ENDS,
            "Suspended",
            "This award is suspended. It is not valid while it is suspended.",
        ),
        (D(2027, 6, 1), "revoked", ENDS, "Revoked", "This award has been revoked (taken back). It is no longer valid."),
        (D(2027, 6, 1), "active", None, "Valid", "This award is valid. It does not expire."),
        (D(2026, 12, 1), "active", ENDS, "Not valid yet", "This award starts on 15 January 2027."),
    ],
    ids=["active", "expiring soon", "in grace", "expired", "suspended", "revoked", "does not expire", "not started"],
)
def test_every_standing_is_worded_for_the_public(award, day, status, until, tag, sentence):
    Award.objects.filter(pk=award.pk).update(status=status, valid_until=until)

    with at(day):
        response = page(award.verification_code)

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<strong class="nhsuk-tag [^"]*"\s*>\s*(.*?)\s*</strong>', html, re.DOTALL) == [tag]
    assert sentence in html
    assert "Accredited carer peer trainer (Recovery College)" in html
    assert "15 January 2027" in html


def test_the_page_shows_nothing_else_about_the_holder_or_the_award(actors, holder, award, home_org):
    """A holder with rich data, named by consent: only the name, award, dates and standing reach the page."""
    granter = actors["assessor"].person
    granter.given_name, granter.family_name = "Gwendolyn", "Fairweather"
    granter.save(update_fields=["given_name", "family_name"])
    holder.date_of_birth = D(1961, 3, 9)
    holder.save(update_fields=["date_of_birth"])
    Award.objects.filter(pk=award.pk).update(exception_reason="Attendance waived while caring for her mother")
    consent(actors, holder, Consent.Decision.GIVEN)

    for client in (Client(), actors["outsider"].client):
        with at(D(2027, 6, 1)):
            html = page(award.verification_code, client).content.decode()

        assert "Bernadette Okafor" in html  # the page did render the holder
        for secret in (
            "b.okafor.private@example.org",
            "07700 900123",
            "07700900123",
            "SW17 0QT",
            "1961",
            "Gwendolyn",
            "Fairweather",
            home_org.name,
            "Attendance waived",
            str(award.pk),
            award.pk.hex,
            "period",
        ):
            assert secret not in html, secret


def test_the_page_asks_search_engines_not_to_index_it(award):
    response = page(award.verification_code)

    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"


def test_the_page_is_one_query_however_much_the_holder_has(actors, holder, award, scheme):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert page(award.verification_code).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for decision in [Consent.Decision.GIVEN, Consent.Decision.WITHDRAWN] * 3:
        consent(actors, holder, decision)
    others = [MembershipFactory(role=Membership.Role.PARTICIPANT).person for _ in range(3)]
    for number, person in enumerate([*others, PersonFactory()], start=2):
        Award.objects.create(
            holder=person, scheme=scheme, period=number, valid_from=GRANTED, granted_by=actors["assessor"].person
        )
    Award.objects.create(holder=holder, scheme=scheme, period=2, valid_from=ENDS, granted_by=actors["assessor"].person)

    assert few == 1  # the award, its scheme, holder and consent in force
    assert queries() == few


# The holder's choice ---------------------------------------------------------------------


def test_the_holder_records_their_choice_online_and_sees_it(actors, holder, award):
    client = actors["peer_tutor"].client
    url = reverse("accreditation:verification_consent")

    assert "is not shown" in client.get(url).content.decode()
    response = client.post(url, {"decision": "given"}, follow=True)

    recorded = Consent.objects.get(person=holder, purpose=Consent.Purpose.VERIFICATION)
    assert recorded.decision == Consent.Decision.GIVEN
    assert recorded.method == Consent.Method.ONLINE
    assert recorded.recorded_by == actors["peer_tutor"].user
    assert response.redirect_chain == [(url, 302)]
    html = response.content.decode()
    assert "Your name will be shown on your verification pages" in html
    assert "is shown</strong>" in html
    assert re.search(r'value="given"\s+checked', html)
    assert not re.search(r'value="withdrawn"\s+checked', html)
    assert "Bernadette Okafor" in page(award.verification_code).content.decode()

    client.post(url, {"decision": "withdrawn"})
    assert people_services.current_consents(holder)[Consent.Purpose.VERIFICATION].decision == Consent.Decision.WITHDRAWN
    assert "Okafor" not in page(award.verification_code).content.decode()
    assert "is not shown</strong>" in client.get(url).content.decode()


@pytest.mark.parametrize("data", [{}, {"decision": "maybe"}])
def test_a_bad_choice_is_refused_with_the_error_and_records_nothing(actors, holder, data):
    response = actors["peer_tutor"].client.post(reverse("accreditation:verification_consent"), data)

    assert response.status_code == 400
    assert "Select" in response.content.decode()
    assert not Consent.objects.filter(person=holder).exists()


def test_the_choice_page_lists_the_holders_certificates(actors, award, scheme):
    suspended = Award.objects.create(
        holder=award.holder,
        scheme=scheme,
        period=2,
        valid_from=ENDS,
        granted_by=actors["assessor"].person,
        status=Award.Status.SUSPENDED,
    )

    html = actors["peer_tutor"].client.get(reverse("accreditation:verification_consent")).content.decode()

    assert reverse("accreditation:certificate", kwargs={"award_id": award.pk}) in html
    assert f"/verify/{award.verification_code}/" in html
    # A suspended award keeps its verification page but offers no certificate to print.
    assert f"/verify/{suspended.verification_code}/" in html
    assert reverse("accreditation:certificate", kwargs={"award_id": suspended.pk}) not in html


def test_the_choice_page_queries_stay_flat_as_awards_grow(actors, holder, award, scheme):
    client = actors["peer_tutor"].client
    url = reverse("accreditation:verification_consent")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    one = queries()
    facilitator = Scheme.objects.exclude(pk=scheme.pk).get()
    for period, (chosen, start) in enumerate(
        [(scheme, ENDS), (facilitator, GRANTED), (facilitator, D(2030, 1, 1))], start=2
    ):
        Award.objects.create(
            holder=holder, scheme=chosen, period=period, valid_from=start, granted_by=actors["assessor"].person
        )
    consent(actors, holder, Consent.Decision.GIVEN)

    assert queries() == one
