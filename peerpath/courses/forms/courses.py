"""The course list's filters, a course's catalogue details and its status."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from peerpath.core.forms import NHSForm
from peerpath.courses import presenters
from peerpath.courses.choices import Audience, Category, DeliveryMode
from peerpath.courses.forms import WHOLE_NUMBER
from peerpath.courses.models import Course
from peerpath.courses.querysets import CourseQuerySet
from peerpath.people.models import Organisation
from peerpath.programmes.terms import DEFAULT, Terms

# More partner organisations than this are offered as a multiple select, not checkboxes.
PARTNER_CHECKBOX_LIMIT = 30
# A course's details that a form field holds as the model does (delivery modes are one field for three flags).
DETAIL_FIELDS = ("title", "summary", "category", "audience", "session_count", "session_minutes")


class CourseFilterForm(NHSForm):
    """The course list's search and filters, read from the query string."""

    q = forms.CharField(label="Search by title", max_length=100, required=False)
    category = forms.ChoiceField(label="Category", choices=[("", "All categories"), *Category.choices], required=False)
    status = forms.ChoiceField(label="Status", choices=[("", "All statuses"), *Course.Status.choices], required=False)
    organisation = forms.ModelChoiceField(
        label="Owned by", queryset=Organisation.objects.none(), required=False, empty_label="All organisations"
    )

    nhs_options = {
        "q": {"no_optional": True, "spellcheck": False},
        "category": {"no_optional": True},
        "status": {"no_optional": True},
        "organisation": {"no_optional": True},
    }

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], terms: Terms = DEFAULT, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        # The same values, labelled in the words of the user's programme.
        self.fields["category"].choices = [("", "All categories"), *presenters.category_choices(terms)]  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = "Select an option from the list"

    def filter(self, courses: CourseQuerySet) -> CourseQuerySet:
        """The courses matching the valid filters (none when a filter is not valid)."""
        if not self.is_valid():
            return courses.none()
        data = self.cleaned_data
        if data["q"]:
            courses = courses.filter(title__icontains=data["q"])
        if data["category"]:
            courses = courses.filter(category=data["category"])
        if data["status"]:
            courses = courses.filter(status=data["status"])
        if data["organisation"] is not None:
            courses = courses.filter(owner=data["organisation"])
        return courses


class OrganisationsField(forms.ModelMultipleChoiceField):
    """Any value that is not one of the choices, however malformed, is "not in the list"."""

    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except ValidationError as error:
            if error.code == "required":
                raise
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class CourseForm(NHSForm):
    """A course's catalogue details. ``organisations`` are the owners the user may choose;
    None (when editing) leaves the owner as it is."""

    title = forms.CharField(label="Title", max_length=150, error_messages={"required": "Enter a title"})
    summary = forms.CharField(
        label="Summary",
        max_length=2000,
        widget=forms.Textarea,
        help_text="What the course is about, in a few sentences. This is shown in the prospectus.",
        error_messages={"required": "Enter a summary"},
    )
    category = forms.ChoiceField(
        label="Category",
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a category", "invalid_choice": "Select a category from the list"},
    )
    audience = forms.ChoiceField(
        label="Who is it for?",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who the course is for", "invalid_choice": "Select an audience"},
    )
    session_count = forms.IntegerField(
        label="Number of sessions",
        min_value=1,
        max_value=52,
        widget=forms.TextInput,
        error_messages={
            "required": "Enter the number of sessions",
            "invalid": "Number of sessions must be a whole number, like 4",
            "min_value": "Number of sessions must be at least 1",
            "max_value": "Number of sessions must be 52 or fewer",
        },
    )
    session_minutes = forms.IntegerField(
        label="Length of each session, in minutes",
        min_value=15,
        max_value=480,
        widget=forms.TextInput,
        help_text="For example, 120 for two hours",
        error_messages={
            "required": "Enter the length of each session",
            "invalid": "Length of each session must be a whole number of minutes, like 90",
            "min_value": "Length of each session must be at least 15 minutes",
            "max_value": "Length of each session must be 480 minutes or fewer",
        },
    )
    delivery_modes = forms.MultipleChoiceField(
        label="How is it delivered?",
        choices=DeliveryMode.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={
            "required": "Select at least one way the course is delivered",
            "invalid_choice": "Select ways of delivery from the list",
        },
    )
    owner = forms.ModelChoiceField(
        label="Which organisation owns the course?",
        queryset=Organisation.objects.none(),
        help_text="Its coordinators approve versions of the course",
        empty_label="Choose an organisation",
        error_messages={"required": "Select an organisation", "invalid_choice": "Select an organisation from the list"},
    )
    partners = OrganisationsField(
        label="Partner organisations",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Organisations that co-produce the course. Their coordinators can log co-production activities.",
        error_messages={"invalid_choice": "Select partner organisations from the list"},
    )

    nhs_options = {
        "title": {"classes": "nhsuk-u-width-full"},
        "session_count": WHOLE_NUMBER,
        "session_minutes": WHOLE_NUMBER,
        "delivery_modes": {"no_optional": True},
    }

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation] | None,
        exclude_partner: Any = None,
        terms: Terms = DEFAULT,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The same values, labelled in the words of the course's (or the user's) programme.
        self.fields["category"].choices = presenters.category_choices(terms)  # type: ignore[attr-defined]
        self.fields["audience"].choices = presenters.audience_choices(terms)  # type: ignore[attr-defined]
        self.single_owner: Organisation | None = None
        if organisations is None:
            del self.fields["owner"]
        else:
            owners = list(organisations.order_by("name"))
            self.fields["owner"].queryset = organisations.order_by("name")  # type: ignore[attr-defined]
            if len(owners) == 1:
                # Nothing to choose: the only organisation they coordinate owns it.
                self.single_owner = owners[0]
                del self.fields["owner"]
        partners = Organisation.objects.order_by("name")
        # An owner is never its own partner.
        excluded = exclude_partner if exclude_partner is not None else getattr(self.single_owner, "pk", None)
        if excluded is not None:
            partners = partners.exclude(pk=excluded)
        field = self.fields["partners"]
        field.queryset = partners  # type: ignore[attr-defined]
        if partners.count() > PARTNER_CHECKBOX_LIMIT:
            field.widget = forms.SelectMultiple()
            field.help_text = f"{field.help_text} Hold Ctrl (or Cmd on a Mac) to select more than one."

    @classmethod
    def initial_for(cls, course: Course) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(course, name) for name in DETAIL_FIELDS}
        initial["delivery_modes"] = [mode.value for mode in DeliveryMode if getattr(course, mode.value)]
        initial["partners"] = [org.pk for org in getattr(course, "partner_list", course.partners.all())]
        return initial

    @property
    def partners_as_select(self) -> bool:
        return isinstance(self.fields["partners"].widget, forms.SelectMultiple)

    def chosen_owner(self) -> Organisation:
        owner = self.cleaned_data.get("owner") or self.single_owner
        if owner is None:
            raise ValueError("chosen_owner() needs a form built with the organisations to choose from")
        return owner

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        modes = set(data["delivery_modes"])
        return {
            **{name: data[name] for name in DETAIL_FIELDS},
            **{mode.value: mode.value in modes for mode in DeliveryMode},
        }


# Service field names that this form shows under another name.
COURSE_ERROR_FIELDS = {"in_person": "delivery_modes", "online": "delivery_modes", "blended": "delivery_modes"}


class StatusForm(NHSForm):
    to_status = forms.ChoiceField(
        label="What should the status be?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a new status", "invalid_choice": "Select a status from the list"},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        required=False,
        widget=forms.Textarea,
        help_text="Needed when you retire a course, for example 'Replaced by a shorter online course'",
    )

    nhs_options = {"reason": {"rows": 3}}

    def __init__(self, *args: Any, allowed: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = set(allowed)
        self.fields["to_status"].choices = [  # type: ignore[attr-defined]
            (status.value, status.label) for status in Course.Status if status.value in allowed
        ]


STATUS_ERROR_FIELDS = {"status": "to_status"}
