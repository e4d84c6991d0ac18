"""Fuzzing the people forms and views with Hypothesis (T3).

Every form must turn any input into either clean data or errors, never an
exception, and clean data must never carry a NUL byte (PostgreSQL refuses NUL
in text). Every view must answer below 500 and lose nothing already saved.
Run on SQLite and PostgreSQL (``DATABASE_URL``). Seeds are fixed, so a run
reproduces; set ``max_examples`` higher locally for a deeper search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django import forms
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import event, given
from hypothesis import strategies as st

from peerpath.core.accounts import LoginForm, PasswordResetForm, SetPasswordForm
from peerpath.core.forms import NHSDateInput
from peerpath.people.forms import (
    ConsentForm,
    EqualityMonitoringForm,
    NewPersonForm,
    OwnConsentForm,
    PeopleFilterForm,
    PersonDetailsForm,
)
from peerpath.people.models import Consent, EqualityMonitoring, Membership, Organisation, Person
from peerpath.people.tests.factories import TEST_PASSWORD, AreaFactory, MembershipFactory
from tests.fuzzing import any_character, date_fields, form_data, fuzz_settings, fuzz_text, view_fuzz_settings

# Column widths a cleaned person value must fit: PostgreSQL refuses longer text with DataError.
PERSON_COLUMNS = {
    field.name: field.max_length for field in Person._meta.get_fields() if getattr(field, "max_length", None)
}


def _assert_clean_data_is_safe(form: forms.BaseForm) -> None:
    for name, value in form.cleaned_data.items():
        if isinstance(value, str):
            assert "\x00" not in value, f"{name} let a NUL byte through"
            max_length = getattr(form.fields.get(name), "max_length", None)
            assert max_length is None or len(value) <= max_length, f"{name} is longer than {max_length}"
            if isinstance(form, PersonDetailsForm) and name in PERSON_COLUMNS:
                assert len(value) <= PERSON_COLUMNS[name], f"{name} does not fit its column"


# Forms ------------------------------------------------------------------------

NEW_PASSWORD = "violet-lantern-harbour-91"
PERSON = {
    "given_name": "Ada",
    "family_name": "Okafor",
    "phone": "020 7946 0000",
    "postcode": "SW17 0QT",
    **date_fields("date_of_birth", 27, 3, 1968),
}
CONSENT = {"purpose": "contact", "decision": "given", "method": "paper", **date_fields("decided_on", 15, 3, 2025)}
EQUALITY = {"age_band": "45_54", "religion": "prefer_not_to_say", "sex": "female"}


@pytest.fixture
def world(actors, home_org):
    """Reference rows the forms' choice fields point at."""
    AreaFactory.create_batch(2)
    return {"organisations": Organisation.objects.filter(pk=home_org.pk), "user": actors["participant"].user}


def _login_request():
    return RequestFactory().post(reverse("accounts:login"), REMOTE_ADDR="192.0.2.10")


@dataclass(frozen=True)
class FormCase:
    make: Callable[[dict[str, Any], dict[str, str] | None], forms.BaseForm]
    baseline: Callable[[dict[str, Any]], dict[str, str]]


FORMS: dict[str, FormCase] = {
    "PersonDetailsForm": FormCase(lambda w, data: PersonDetailsForm(data), lambda w: PERSON),
    "NewPersonForm": FormCase(
        lambda w, data: NewPersonForm(data, organisations=w["organisations"]),
        lambda w: {**PERSON, "organisation": str(w["organisations"].get().pk), "role": "participant"},
    ),
    "ConsentForm": FormCase(lambda w, data: ConsentForm(data), lambda w: CONSENT),
    "OwnConsentForm": FormCase(lambda w, data: OwnConsentForm(data), lambda w: CONSENT),
    "EqualityMonitoringForm": FormCase(lambda w, data: EqualityMonitoringForm(data), lambda w: EQUALITY),
    "PeopleFilterForm": FormCase(
        lambda w, data: PeopleFilterForm(data, organisations=w["organisations"]),
        lambda w: {"q": "Ada", "role": "participant"},
    ),
    "LoginForm": FormCase(
        lambda w, data: LoginForm(_login_request(), data=data),
        lambda w: {"username": "coordinator", "password": TEST_PASSWORD},
    ),
    "PasswordResetForm": FormCase(
        lambda w, data: PasswordResetForm(data), lambda w: {"email": "coordinator@example.org"}
    ),
    "SetPasswordForm": FormCase(
        lambda w, data: SetPasswordForm(w["user"], data),
        lambda w: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    ),
}


@pytest.mark.parametrize("form_name", FORMS)
def test_each_fuzz_baseline_is_valid(form_name, world):
    # The positive control: spoiling a valid submission only means something if it was valid.
    case = FORMS[form_name]
    form = case.make(world, case.baseline(world))

    assert form.is_valid(), form.errors


@pytest.mark.parametrize("form_name", FORMS)
@fuzz_settings
@given(data=st.data())
def test_forms_never_raise_and_never_clean_a_nul_byte(form_name, world, data):
    case = FORMS[form_name]
    posted = data.draw(form_data(case.make(world, None), case.baseline(world)), label="posted")

    form = case.make(world, posted)

    valid = form.is_valid()
    event(f"valid {valid}")
    if valid:
        _assert_clean_data_is_safe(form)


@pytest.mark.parametrize("form_name", FORMS)
def test_forms_reject_a_nul_byte_in_every_text_field(form_name, world):
    case = FORMS[form_name]
    unbound = case.make(world, None)
    text_fields = [
        name
        for name, field in unbound.fields.items()
        if isinstance(field, forms.CharField) and not isinstance(field.widget, NHSDateInput)
    ]

    for name in text_fields:
        form = case.make(world, {**case.baseline(world), name: "a\x00b"})
        form.is_valid()
        assert name in form.errors, f"{form_name}.{name} accepted a NUL byte"


def test_date_fields_reject_a_nul_byte_in_each_box(world):
    for part in NHSDateInput.parts:
        posted = {**PERSON, f"date_of_birth_{part}": PERSON[f"date_of_birth_{part}"] + "\x00"}
        form = PersonDetailsForm(posted)

        assert not form.is_valid()
        assert "date_of_birth" in form.errors


# Found by the fuzz above: datetime.date() raises OverflowError, not ValueError, past a C int.
HUGE_DATE_PARTS = [
    {"day": "1", "month": "2147483648", "year": "2000"},
    {"day": "99999999999999999999", "month": "1", "year": "2000"},
    {"day": "-2147483649", "month": "1", "year": "2000"},
]


@pytest.mark.parametrize("parts", HUGE_DATE_PARTS, ids=["month", "day", "negative-day"])
@pytest.mark.parametrize(
    ("form_name", "field"), [("PersonDetailsForm", "date_of_birth"), ("ConsentForm", "decided_on")]
)
def test_date_boxes_with_huge_numbers_are_refused_not_crashed(form_name, field, parts, world):
    case = FORMS[form_name]
    form = case.make(world, {**case.baseline(world), **{f"{field}_{part}": value for part, value in parts.items()}})

    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.parametrize(
    ("url_name", "field", "needs_pk"),
    [
        ("people:person_create", "date_of_birth", False),
        ("people:person_edit", "date_of_birth", True),
        ("people:consent_list", "decided_on", True),
    ],
)
def test_views_refuse_a_date_with_a_huge_month_with_400(url_name, field, needs_pk, coordinator_client, actors):
    kwargs = {"pk": actors["participant"].person.pk} if needs_pk else {}
    posted = {f"{field}_day": "1", f"{field}_month": "2147483648", f"{field}_year": "2000"}

    response = coordinator_client.post(reverse(url_name, kwargs=kwargs), posted)

    assert response.status_code == 400


# Views as a coordinator ---------------------------------------------------------------


@pytest.fixture
def carer(home_org) -> Person:
    return MembershipFactory(
        organisation=home_org, role=Membership.Role.PARTICIPANT, person__given_name="Ada", person__family_name="Okafor"
    ).person


@pytest.fixture
def stranger(other_org) -> Person:
    return MembershipFactory(organisation=other_org, role=Membership.Role.PARTICIPANT).person


def _snapshot(person: Person) -> dict[str, Any]:
    return model_to_dict(Person.objects.get(pk=person.pk))


@view_fuzz_settings
@given(data=st.data())
def test_person_create_answers_below_500_and_adds_at_most_one_person(coordinator_client, home_org, data):
    organisations = Organisation.objects.filter(pk=home_org.pk)
    baseline = {**PERSON, "organisation": str(home_org.pk), "role": "participant"}
    posted = data.draw(form_data(NewPersonForm(organisations=organisations), baseline), label="posted")
    before = Person.objects.count()

    response = coordinator_client.post(reverse("people:person_create"), posted)
    event(f"status {response.status_code}")

    assert response.status_code in {302, 400}
    assert Person.objects.count() == before + (1 if response.status_code == 302 else 0)


@view_fuzz_settings
@given(data=st.data())
def test_person_edit_answers_below_500_and_keeps_details_when_refused(coordinator_client, carer, data):
    posted = data.draw(form_data(PersonDetailsForm(), PERSON), label="posted")
    before = _snapshot(carer)

    response = coordinator_client.post(reverse("people:person_edit", kwargs={"pk": carer.pk}), posted)
    event(f"status {response.status_code}")

    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert _snapshot(carer) == before
    for value in _snapshot(carer).values():
        assert "\x00" not in str(value)


@view_fuzz_settings
@given(data=st.data())
def test_consent_answers_below_500_and_records_only_valid_decisions(coordinator_client, carer, data):
    posted = data.draw(form_data(ConsentForm(), CONSENT), label="posted")
    before = Consent.objects.filter(person=carer).count()

    response = coordinator_client.post(reverse("people:consent_list", kwargs={"pk": carer.pk}), posted)
    event(f"status {response.status_code}")

    assert response.status_code in {302, 400}
    assert Consent.objects.filter(person=carer).count() == before + (1 if response.status_code == 302 else 0)


@view_fuzz_settings
@given(data=st.data())
def test_equality_monitoring_answers_below_500_and_keeps_answers_when_refused(coordinator_client, carer, data):
    posted = data.draw(form_data(EqualityMonitoringForm(), EQUALITY), label="posted")
    before = list(EqualityMonitoring.objects.filter(person=carer).values())

    response = coordinator_client.post(reverse("people:equality_monitoring", kwargs={"pk": carer.pk}), posted)
    event(f"status {response.status_code}")

    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert list(EqualityMonitoring.objects.filter(person=carer).values()) == before


@view_fuzz_settings
@given(data=st.data())
def test_people_list_answers_below_500_for_any_query(coordinator_client, home_org, carer, data):
    organisations = Organisation.objects.filter(pk=home_org.pk)
    query = data.draw(
        form_data(PeopleFilterForm(organisations=organisations), {"q": "Ada", "role": "participant"}), label="query"
    )
    query["page"] = data.draw(fuzz_text | st.integers(-5, 10**6).map(str), label="page")

    response = coordinator_client.get(reverse("people:person_list"), query)
    event(f"status {response.status_code}")

    assert response.status_code in {200, 400}


# Anything in a person's URL that is not the id of someone in scope is a 404.

PERSON_URL_SUFFIXES = ("", "edit/", "consent/", "equality-monitoring/")


def _segment_strategy(carer: Person, stranger: Person) -> st.SearchStrategy[str]:
    visible = str(carer.pk)
    return st.one_of(
        fuzz_text,
        st.uuids().map(str),
        st.just(str(stranger.pk)),
        st.just(visible.upper()),
        st.just(visible.replace("-", "")),
        st.just(f"{{{visible}}}"),
        st.just(f"{visible}\x00"),
        st.just(visible[:-1]),
    ).filter(lambda segment: segment not in {"add", "me"})


@view_fuzz_settings
@given(data=st.data())
def test_malformed_or_foreign_person_ids_are_404(coordinator_client, carer, stranger, data):
    segment = data.draw(_segment_strategy(carer, stranger), label="segment")
    suffix = data.draw(st.sampled_from(PERSON_URL_SUFFIXES), label="suffix")
    method = data.draw(st.sampled_from(["get", "post"]), label="method")
    path = f"/people/{quote(segment, safe='')}/{suffix}"

    response = getattr(coordinator_client, method)(path)
    event(f"status {response.status_code}")

    if method == "post" and suffix == "":
        assert response.status_code in {404, 405}
    else:
        assert response.status_code == 404


def test_the_person_url_reaches_someone_in_scope(coordinator_client, carer):
    # The positive control for the 404 fuzz above.
    assert coordinator_client.get(f"/people/{carer.pk}/").status_code == 200


# Account views, anonymous ----------------------------------------------------------------


@view_fuzz_settings
@given(data=st.data())
def test_login_view_answers_below_500(actors, data):
    posted = data.draw(form_data(LoginForm(), {"username": "coordinator", "password": TEST_PASSWORD}), label="posted")

    response = Client().post(reverse("accounts:login"), posted, REMOTE_ADDR="192.0.2.20")
    event(f"status {response.status_code}")

    assert response.status_code in {302, 400, 429}


@view_fuzz_settings
@given(data=st.data())
def test_password_reset_view_answers_below_500(actors, data):
    posted = data.draw(form_data(PasswordResetForm(), {"email": "coordinator@example.org"}), label="posted")

    response = Client().post(reverse("accounts:password_reset"), posted)
    event(f"status {response.status_code}")

    assert response.status_code in {302, 400}


@view_fuzz_settings
@given(uid=st.one_of(fuzz_text, st.integers(-(10**20), 10**20).map(str)), token=st.text(any_character, max_size=40))
def test_password_reset_link_with_a_forged_uid_or_token_answers_below_500(actors, uid, token):
    uidb64 = urlsafe_base64_encode(force_bytes(uid))
    path = f"/accounts/reset/{uidb64}/{quote(token, safe='') or 'x'}/"

    response = Client().get(path, follow=True)
    event(f"status {response.status_code}")

    assert response.status_code in {200, 404}
    if response.status_code == 200:
        assert "This link has expired" in response.content.decode()
