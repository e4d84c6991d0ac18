"""Logging a co-production activity and the people who took part."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from peerpath.core.forms import NHSDateField, NHSForm
from peerpath.courses.choices import Capacity, Stage
from peerpath.courses.models import CourseVersion
from peerpath.courses.presenters import capacity_label
from peerpath.courses.services import NewContribution
from peerpath.people.models import Person
from peerpath.programmes.terms import DEFAULT, Terms

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


class PeopleChoices:
    """The people a contributor can be, fetched once and rendered once for every row.

    A college has thousands of people: six ModelChoiceFields would query them six
    times and render every option through the NHS.UK macro six times (2.5 s at the
    regional scale). The options' HTML is built here once; a row only marks its choice.
    """

    def __init__(self, people: Iterable[Person]) -> None:
        self.by_id = {str(person.pk): person for person in people}
        self.options = format_html_join(
            "", '<option value="{}">{}</option>', ((pk, person.display_name) for pk, person in self.by_id.items())
        )

    def options_html(self, chosen: Any) -> SafeString:
        chosen = str(chosen or "")
        if chosen not in self.by_id:
            return self.options
        # Ids are UUIDs from our own rows and the replacement is a literal: nothing unescaped enters.
        marked = self.options.replace(f'<option value="{chosen}">', f'<option value="{chosen}" selected>', 1)
        return mark_safe(marked)  # noqa: S308


class ContributorForm(NHSForm):
    """One person who took part. A row left blank is not a contributor."""

    capacity = forms.ChoiceField(
        label="Took part as",
        choices=[("", "Choose"), *Capacity.choices],
        required=False,
        error_messages={"invalid_choice": "Select a capacity from the list"},
    )
    # Rendered by the template from ``people.options_html`` (see PeopleChoices).
    person = forms.CharField(label="Who (optional)", required=False)
    hours = _hours_field(
        label="Their hours (optional)",
        required=False,
        help_text="Leave blank if they were there for all of it",
        error_messages=_HOURS_MESSAGES,
    )

    nhs_options = {
        "capacity": {"no_optional": True},
        "hours": {"classes": "nhsuk-input--width-4", "inputmode": "decimal", "no_optional": True},
    }

    def __init__(self, *args: Any, people: PeopleChoices, terms: Terms = DEFAULT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        # "Lived experience as a member" for a programme whose people are members.
        self.fields["capacity"].choices = [  # type: ignore[attr-defined]
            ("", "Choose"),
            *((value, capacity_label(value, terms)) for value in Capacity.values),
        ]

    def clean_person(self) -> Person | None:
        value = self.cleaned_data["person"]
        if not value:
            return None
        person = self.people.by_id.get(value)
        if person is None:
            raise ValidationError("Select a person from the list")
        return person

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


def contributor_formset(
    people: QuerySet[Person], data: Any = None, *, terms: Terms = DEFAULT
) -> BaseContributorFormSet:
    """Six rows; ``people`` (those a contributor may be) is fetched once for all of them, and
    capacities are labelled in the course's programme words."""
    choices = PeopleChoices(people.only("id", "given_name", "family_name", "preferred_name"))
    formset_class = forms.formset_factory(
        ContributorForm,
        formset=BaseContributorFormSet,
        extra=CONTRIBUTOR_ROWS,
        max_num=CONTRIBUTOR_ROWS,
        absolute_max=CONTRIBUTOR_ROWS,
        validate_max=True,
    )
    return cast(
        BaseContributorFormSet,
        formset_class(data, prefix="contributors", form_kwargs={"people": choices, "terms": terms}),
    )
