"""Forms for terms and for filtering their public prospectus."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from peerpath.core.forms import NHSDateField, NHSForm
from peerpath.courses import presenters
from peerpath.courses.choices import Audience, Category, DeliveryMode
from peerpath.courses.models import Course
from peerpath.courses.prospectus import Borough, Filters
from peerpath.people.models import Organisation
from peerpath.programmes.terms import DEFAULT, Terms


class TermForm(NHSForm):
    """A term's name, dates, publication and the approved courses it offers.

    ``organisations`` are those the user may add a term for; with one, the
    field is left out and that organisation used. Editing passes none: a
    term stays with its organisation. ``courses`` are the approved courses the
    user may offer, already fetched.
    """

    name = forms.CharField(
        label="Name of the term",
        max_length=100,
        help_text="For example, Spring 2027",
        error_messages={"required": "Enter a name for the term"},
    )
    organisation = forms.ChoiceField(
        label="Organisation",
        error_messages={
            "required": "Select the organisation running the term",
            "invalid_choice": "Select an organisation from the list",
        },
    )
    starts_on = NHSDateField(
        label="Start date",
        noun="start date",
        help_text="For example, 11 1 2027",
        error_messages={"required": "Enter the date the term starts"},
    )
    ends_on = NHSDateField(
        label="End date",
        noun="end date",
        help_text="For example, 26 3 2027",
        error_messages={"required": "Enter the date the term ends"},
    )
    published = forms.BooleanField(
        label="Publish the prospectus for this term",
        required=False,
        help_text="Anyone can see a published prospectus, without signing in",
    )
    courses = forms.MultipleChoiceField(
        label="Courses offered",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only approved courses can be offered",
        error_messages={"invalid_choice": "Select courses from the list"},
    )

    nhs_options = {"name": {"classes": "nhsuk-u-width-two-thirds", "spellcheck": True}}

    def __init__(
        self,
        *args: Any,
        organisations: Sequence[Organisation] | None,
        courses: Sequence[Course],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {str(org.pk): org for org in organisations or ()}
        self.single_organisation = len(self.organisations) == 1
        if organisations is None or self.single_organisation:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [  # type: ignore[attr-defined]
                ("", "Choose an organisation"),
                *((pk, org.name) for pk, org in self.organisations.items()),
            ]
        self.offerable = {str(course.pk): course for course in courses}
        # Name the owner only when the courses come from more than one organisation.
        owned_apart = len({course.owner_id for course in courses}) > 1
        self.fields["courses"].choices = [  # type: ignore[attr-defined]
            (pk, f"{course.title} ({course.owner.name})" if owned_apart else course.title)
            for pk, course in self.offerable.items()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The end date must be the same as or after the start date")
        return cleaned

    def chosen_organisation(self) -> Organisation:
        if self.single_organisation:
            return next(iter(self.organisations.values()))
        return self.organisations[self.cleaned_data["organisation"]]

    def chosen_courses(self) -> list[Course]:
        return [self.offerable[pk] for pk in self.cleaned_data["courses"]]

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("name", "starts_on", "ends_on", "published")}


class ProspectusFilterForm(NHSForm):
    """The prospectus filters, sent as a GET query; every field may be left as "all"."""

    category = forms.ChoiceField(
        label="Type of course",
        required=False,
        choices=[("", "All types"), *Category.choices],
        error_messages={"invalid_choice": "Select a type of course from the list"},
    )
    audience = forms.ChoiceField(
        label="Who it is for",
        required=False,
        choices=[("", "Anyone"), *Audience.choices],
        help_text="Courses for everyone are always included",
        error_messages={"invalid_choice": "Select who the course is for from the list"},
    )
    borough = forms.ChoiceField(
        label="Borough",
        required=False,
        help_text="Courses open to every borough are always included",
        error_messages={"invalid_choice": "Select a borough from the list"},
    )
    mode = forms.ChoiceField(
        label="How it is delivered",
        required=False,
        choices=[("", "In person or online"), *DeliveryMode.choices],
        error_messages={"invalid_choice": "Select how the course is delivered from the list"},
    )

    nhs_options = {name: {"no_optional": True} for name in ("category", "audience", "borough", "mode")}

    def __init__(self, *args: Any, boroughs: Sequence[Borough], terms: Terms = DEFAULT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.boroughs = list(boroughs)
        # The same values, labelled in the words of the term's programme.
        self.fields["category"].choices = [("", "All types"), *presenters.category_choices(terms)]  # type: ignore[attr-defined]
        self.fields["audience"].choices = [("", "Anyone"), *presenters.audience_choices(terms)]  # type: ignore[attr-defined]
        self.fields["borough"].choices = [  # type: ignore[attr-defined]
            ("", "All boroughs"),
            *((borough.code, borough.name) for borough in self.boroughs),
        ]

    def filters(self) -> Filters:
        """The chosen filters; call only on a valid form."""
        return Filters(
            **{name: self.cleaned_data.get(name) or "" for name in ("category", "audience", "borough", "mode")}
        )
