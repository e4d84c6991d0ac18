"""Forms for people records, worded in NHS content style."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from peerpath.core.forms import NHSDateField, NHSForm
from peerpath.people import choices
from peerpath.people.hooks import Words
from peerpath.people.models import Area, Consent, EqualityMonitoring, Membership, Organisation
from peerpath.people.services import NewMembership

# Outward code, space optional, inward code (GOV.UK pattern, simplified; BFPO and overseas are out of scope).
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
# Relationships in the words carers use, alphabetically; the stored value is the NHS code.
RELATIONSHIP_CHOICES = sorted(choices.RELATIONSHIP_PLAIN_ENGLISH.items(), key=lambda item: item[1])


class PersonDetailsForm(NHSForm):
    given_name = forms.CharField(label="First name", max_length=100, error_messages={"required": "Enter a first name"})
    family_name = forms.CharField(label="Last name", max_length=100, error_messages={"required": "Enter a last name"})
    preferred_name = forms.CharField(label="Preferred first name", max_length=100, required=False)
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        required=False,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    phone = forms.CharField(label="Phone number", max_length=32, required=False)
    date_of_birth = NHSDateField(
        label="Date of birth", noun="date of birth", past_only=True, required=False, help_text="For example, 27 3 1968"
    )
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    area = forms.ModelChoiceField(
        label="Borough",
        queryset=Area.objects.all(),
        required=False,
        empty_label="Not known",
        error_messages={"invalid_choice": "Select a borough from the list"},
    )

    nhs_options = {
        "given_name": {"autocomplete": "off", "spellcheck": False, "classes": "nhsuk-u-width-two-thirds"},
        "family_name": {"autocomplete": "off", "spellcheck": False, "classes": "nhsuk-u-width-two-thirds"},
        "preferred_name": {"spellcheck": False, "classes": "nhsuk-u-width-two-thirds"},
        "email": {"spellcheck": False, "autocomplete": "off", "classes": "nhsuk-u-width-two-thirds"},
        "phone": {"tel": True, "autocomplete": "off", "classes": "nhsuk-input--width-20"},
        "postcode": {"classes": "nhsuk-input--width-10", "autocomplete": "off"},
    }

    def clean_postcode(self) -> str:
        value: str = self.cleaned_data["postcode"].strip().upper()
        if value and not _POSTCODE.match(value):
            raise ValidationError("Enter a real postcode, like SW17 0QT")
        if value and " " not in value:
            value = f"{value[:-3]} {value[-3:]}"
        return value

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"].strip()
        if value and not _PHONE.match(value):
            raise ValidationError("Enter a phone number, like 020 7946 0000 or 07700 900 982")
        return value


class MembershipForm(NHSForm):
    """A role in one of the organisations the user coordinates."""

    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        error_messages={"required": "Select an organisation", "invalid_choice": "Select an organisation from the list"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Membership.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role", "invalid_choice": "Select a role from the list"},
    )
    tutor_kind = forms.ChoiceField(
        label="Kind of tutor",
        choices=Membership.TutorKind.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Only for tutors",
        error_messages={"invalid_choice": "Select a kind of tutor from the list"},
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role, kind = cleaned.get("role"), cleaned.get("tutor_kind")
        if role == Membership.Role.TUTOR and not kind:
            self.add_error("tutor_kind", "Select whether they are a peer tutor or a professional tutor")
        if role != Membership.Role.TUTOR:
            cleaned["tutor_kind"] = ""
        return cleaned

    def new_membership(self) -> NewMembership:
        data = self.cleaned_data
        return NewMembership(data["organisation"], data["role"], data["tutor_kind"])


class NewPersonForm(PersonDetailsForm, MembershipForm):
    """Details plus the first membership, so nobody is created outside an organisation."""

    # Errors are summarised in page order: details first, then the role.
    field_order = [*PersonDetailsForm.base_fields, *MembershipForm.base_fields, "relationship"]

    relationship = forms.ChoiceField(
        label="Relationship to the person they care for",
        choices=[
            ("", "Not a carer, or not known"),
            *RELATIONSHIP_CHOICES,
        ],
        required=False,
        help_text="Only for carers. For example, choose 'Mother' if they care for their son or daughter.",
        error_messages={"invalid_choice": "Select a relationship from the list"},
    )

    def __init__(self, *args: Any, words: Words | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        words = words or Words()
        field = self.fields["relationship"]
        field.label = f"Relationship to {words.cared_for_third}"
        field.choices = [("", f"Not {words.a_person}, or not known"), *RELATIONSHIP_CHOICES]  # type: ignore[attr-defined]
        field.help_text = (
            f"Only for {words.people}. For example, choose 'Mother' if they care for their son or daughter."
        )


class CaringRoleForm(NHSForm):
    relationship = forms.ChoiceField(
        label="What are they to the person they care for?",
        choices=[("", "Choose a relationship"), *RELATIONSHIP_CHOICES],
        help_text="For example, choose 'Mother' if she cares for her son or daughter.",
        error_messages={"required": "Select a relationship", "invalid_choice": "Select a relationship from the list"},
    )
    cared_for_label = forms.CharField(
        label="How do they refer to the person they care for?",
        max_length=60,
        required=False,
        help_text="For example, 'my son' or 'my wife'. Do not enter a name.",
    )

    def __init__(self, *args: Any, words: Words | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        words = words or Words()
        self.fields["relationship"].label = f"What are they to {words.cared_for_third}?"
        self.fields["cared_for_label"].label = f"How do they refer to {words.cared_for_third}?"


class ConsentForm(NHSForm):
    purpose = forms.ChoiceField(
        label="What is the consent for?",
        choices=Consent.Purpose.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what the consent is for",
            "invalid_choice": "Select a purpose from the list",
        },
    )
    decision = forms.ChoiceField(
        label="Decision",
        choices=Consent.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether consent was given or withdrawn",
            "invalid_choice": "Select given or withdrawn",
        },
    )
    method = forms.ChoiceField(
        label="How was it given or withdrawn?",
        choices=Consent.Method.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how the decision was made",
            "invalid_choice": "Select a method from the list",
        },
    )
    decided_on = NHSDateField(
        label="Date of the decision",
        noun="the date of the decision",
        past_only=True,
        help_text="For example, 15 3 2026",
    )


class OwnConsentForm(ConsentForm):
    """A person deciding for themselves online: the method and date are implied."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["method"]
        del self.fields["decided_on"]


def _equality_field(label: str, choice_class: Any, hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choice_class.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=hint,
        error_messages={"invalid_choice": "Select an answer from the list"},
    )


class EqualityMonitoringForm(NHSForm):
    """Every question is optional; 'Prefer not to say' is offered on each."""

    age_band = _equality_field("What is your age?", choices.AgeBand)
    ethnicity = _equality_field(
        "What is your ethnic group?", choices.Ethnicity, "These are the groups used in the 2021 Census."
    )
    sex = _equality_field("What is your sex?", choices.Sex)
    gender_same_as_sex_at_birth = _equality_field(
        "Is the gender you identify with the same as your sex registered at birth?", choices.YesNo
    )
    sexual_orientation = _equality_field(
        "Which of the following best describes your sexual orientation?", choices.SexualOrientation
    )
    religion = _equality_field("What is your religion?", choices.Religion)
    disability = _equality_field(
        "Do you have any physical or mental health conditions or illnesses lasting or expected to last"
        " 12 months or more that reduce your ability to carry out day-to-day activities?",
        choices.Disability,
    )
    marital_status = _equality_field(
        "What is your legal marital or registered civil partnership status?", choices.MaritalStatus
    )
    pregnant_or_recent_birth = _equality_field(
        "Are you pregnant, or have you given birth in the last 26 weeks?", choices.YesNo
    )

    nhs_options = {
        **{
            name: {"divider_before": choices.PREFER_NOT_TO_SAY, "no_optional": True}
            for name in [f.name for f in EqualityMonitoring._meta.get_fields() if getattr(f, "choices", None)]
        },
        "ethnicity": {
            "no_optional": True,
            "groups": [
                *((group.label, [choice.value for choice in members]) for group, members in choices.ETHNICITY_GROUPS),
                ("", [choices.PREFER_NOT_TO_SAY]),
            ],
        },
    }


class PeopleFilterForm(NHSForm):
    """The people list's search and filters, read from the query string."""

    q = forms.CharField(label="Search by name or email", max_length=100, required=False)
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(), required=False, empty_label="All organisations"
    )
    area = forms.ModelChoiceField(
        label="Borough", queryset=Area.objects.all(), required=False, empty_label="All boroughs"
    )
    role = forms.ChoiceField(label="Role", choices=[("", "All roles"), *Membership.Role.choices], required=False)

    nhs_options = {
        "q": {"no_optional": True, "spellcheck": False},
        "organisation": {"no_optional": True},
        "area": {"no_optional": True},
        "role": {"no_optional": True},
    }

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = "Select an option from the list"
