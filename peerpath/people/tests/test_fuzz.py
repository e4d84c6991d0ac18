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
from hypothesis import HealthCheck, Phase, event, given, settings
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

FORM_EXAMPLES = 200
VIEW_EXAMPLES = 40

fuzz_settings = settings(
    max_examples=FORM_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Each view example is a full request: no shrinking, so a failure costs seconds, not minutes.
# The ``spoil({...})`` draws are short enough to read unshrunk.
view_fuzz_settings = settings(fuzz_settings, max_examples=VIEW_EXAMPLES, phases=(Phase.explicit, Phase.generate))

# Text a browser, a script or an attacker might send ----------------------------------

_any_character = st.characters(exclude_categories=("Cs",))  # surrogates cannot be encoded
_control_character = st.characters(max_codepoint=0x1F) | st.sampled_from(["\x7f", "\x85", "\u2028", "\u202e"])
_awkward = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "%00",
        "0",
        "-1",
        "+1",
        "1.5",
        "1e309",
        "NaN",
        "99999999999999999999",
        "-99999999999999999999",
        "٣١",  # Arabic-Indic digits
        "\uff11\uff12",  # full-width digits
        "2026\x00",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "../../etc/passwd",
        "\ufeff",
        "\u202eevil",
        "ß" * 40,
        "00000000-0000-4000-8000-000000000000",
    ]
)
_long = st.builds(
    lambda chunk, times: chunk * times, st.text(_any_character, min_size=1, max_size=3), st.integers(50, 3000)
)
fuzz_text = st.one_of(
    st.text(_any_character, max_size=30),
    st.text(_control_character, max_size=5),
    st.text(_any_character | _control_character, max_size=12).map(lambda s: f"{s}\x00{s}"),
    _awkward,
    _long,
    st.integers(-(10**20), 10**20).map(str),
)


def _valid_values(field: forms.Field) -> list[str]:
    """Some values the field accepts, so that noise sometimes lands on a real choice."""
    if isinstance(field, forms.ModelChoiceField):
        return [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:3]]
    if isinstance(field, forms.ChoiceField):
        return [str(value) for value, _ in field.choices if value != ""]
    return []


def _data_keys(form: forms.BaseForm) -> dict[str, st.SearchStrategy[str]]:
    """Every POST key the form reads, including the day/month/year boxes of date fields."""
    keys: dict[str, st.SearchStrategy[str]] = {}
    for name, field in form.fields.items():
        if isinstance(field.widget, NHSDateInput):
            for part in NHSDateInput.parts:
                keys[f"{name}_{part}"] = fuzz_text | st.integers(-(2**64), 2**64).map(str)
            continue
        valid = _valid_values(field)
        keys[name] = fuzz_text | st.sampled_from(valid) if valid else fuzz_text
    return keys


def form_data(form: forms.BaseForm, baseline: dict[str, str] | None = None) -> st.SearchStrategy[dict[str, str]]:
    """POST data for the form: pure noise, or a valid ``baseline`` with up to three keys spoiled.

    Pure noise exercises field validation; spoiling a valid submission reaches
    ``clean()``, the services and the views' success paths.
    """
    keys = _data_keys(form)
    stray = st.dictionaries(st.text(_any_character, max_size=8), fuzz_text, max_size=2)
    noise = st.builds(
        lambda chosen, extra: {**extra, **{k: v for k, v in chosen.items() if v is not None}},
        st.fixed_dictionaries({key: st.none() | strategy for key, strategy in keys.items()}),
        stray,
    )
    if baseline is None:
        return noise

    def spoil(changes: dict[str, str | None]) -> dict[str, str]:
        data = dict(baseline)
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return data

    spoiled = st.sets(st.sampled_from(sorted(keys)), max_size=3).flatmap(
        lambda chosen: st.fixed_dictionaries({key: st.none() | keys[key] for key in sorted(chosen)})
    )
    # One draw in four is pure noise; the rest spoil a valid submission.
    return st.integers(0, 3).flatmap(lambda n: noise if n == 0 else spoiled.map(spoil))


def _date(name: str, day: int, month: int, year: int) -> dict[str, str]:
    return {f"{name}_day": str(day), f"{name}_month": str(month), f"{name}_year": str(year)}


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
    **_date("date_of_birth", 27, 3, 1968),
}
CONSENT = {"purpose": "contact", "decision": "given", "method": "paper", **_date("decided_on", 15, 3, 2025)}
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
@given(uid=st.one_of(fuzz_text, st.integers(-(10**20), 10**20).map(str)), token=st.text(_any_character, max_size=40))
def test_password_reset_link_with_a_forged_uid_or_token_answers_below_500(actors, uid, token):
    uidb64 = urlsafe_base64_encode(force_bytes(uid))
    path = f"/accounts/reset/{uidb64}/{quote(token, safe='') or 'x'}/"

    response = Client().get(path, follow=True)
    event(f"status {response.status_code}")

    assert response.status_code in {200, 404}
    if response.status_code == 200:
        assert "This link has expired" in response.content.decode()
