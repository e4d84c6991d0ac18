"""Logging a co-production activity and the people who took part."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from peerpath.core.forms import NHSDateField, NHSForm
from peerpath.courses.choices import Capacity, Stage
from peerpath.courses.models import CourseVersion
from peerpath.courses.services import NewContribution
from peerpath.people.models import Person

CONTRIBUTOR_ROWS = 6


_HOURS_MESSAGES = {
    "invalid": "Hours must be a number, like 1.5",
    "min_value": "Hours must be at least 0.25",
    "max_value": "Hours must be 100 or fewer",
    "max_digits": "Hours must be 100 or fewer",
    "max_decimal_places": "Hours can have up to 2 decimal places, like 1.25",
    "max_whole_digits": "Hours must be 100 or fewer",
}


def _hours_field(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        min_value=Decimal("0.25"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput,
        **kwargs,
    )


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"Version {obj.number} ({obj.get_status_display().lower()})"


class ActivityForm(NHSForm):
    occurred_on = NHSDateField(
        label="When did it happen?", noun="the date of the activity", past_only=True, help_text="For example, 15 3 2026"
    )
    stage = forms.ChoiceField(
        label="Stage",
        choices=Stage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the stage of co-production", "invalid_choice": "Select a stage"},
    )
    hours = _hours_field(
        label="How many hours did it take?",
        help_text="For example, 2 or 1.5",
        error_messages={"required": "Enter how many hours it took", **_HOURS_MESSAGES},
    )
    version = VersionChoiceField(
        label="Which version was it about?",
        queryset=CourseVersion.objects.none(),
        required=False,
        empty_label="Not one version in particular",
        error_messages={"invalid_choice": "Select a version from the list"},
    )
    decisions = forms.CharField(label="What was decided?", max_length=4000, required=False, widget=forms.Textarea)

    nhs_options = {
        "hours": {"classes": "nhsuk-input--width-4", "inputmode": "decimal"},
        "decisions": {"rows": 4},
    }

    def __init__(self, *args: Any, versions: QuerySet[CourseVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate()
        self.fields["version"].queryset = versions  # type: ignore[attr-defined]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class ContributorForm(NHSForm):
    """One person who took part. A row left blank is not a contributor."""

    capacity = forms.ChoiceField(
        label="Took part as",
        choices=[("", "Choose"), *Capacity.choices],
        required=False,
        error_messages={"invalid_choice": "Select a capacity from the list"},
    )
    person = PersonChoiceField(
        label="Who (optional)",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Not on PeerPath, or not named",
        error_messages={"invalid_choice": "Select a person from the list"},
    )
    hours = _hours_field(
        label="Their hours (optional)",
        required=False,
        help_text="Leave blank if they were there for all of it",
        error_messages=_HOURS_MESSAGES,
    )

    nhs_options = {
        "capacity": {"no_optional": True},
        "person": {"no_optional": True},
        "hours": {"classes": "nhsuk-input--width-4", "inputmode": "decimal", "no_optional": True},
    }

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        used = cleaned.get("person") is not None or cleaned.get("hours") is not None
        if used and not cleaned.get("capacity"):
            self.add_error("capacity", "Select the capacity in which they took part")
        return cleaned

    @property
    def is_used(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("capacity"))


class BaseContributorFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        used = [row for row in self.forms if row.is_used]
        if not used:
            raise ValidationError("Add at least one person who took part")
        people = [row.cleaned_data["person"].pk for row in used if row.cleaned_data.get("person") is not None]
        if len(people) != len(set(people)):
            raise ValidationError("Each person can be listed once per activity")

    def contributions(self) -> list[NewContribution]:
        return [
            NewContribution(
                capacity=row.cleaned_data["capacity"],
                person=row.cleaned_data.get("person"),
                hours=row.cleaned_data.get("hours"),
            )
            for row in self.forms
            if row.is_used
        ]


def contributor_formset(people: QuerySet[Person], data: Any = None) -> BaseContributorFormSet:
    formset_class = forms.formset_factory(
        ContributorForm,
        formset=BaseContributorFormSet,
        extra=CONTRIBUTOR_ROWS,
        max_num=CONTRIBUTOR_ROWS,
        absolute_max=CONTRIBUTOR_ROWS,
        validate_max=True,
    )
    return cast(BaseContributorFormSet, formset_class(data, prefix="contributors", form_kwargs={"people": people}))
