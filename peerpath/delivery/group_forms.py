"""Forms for support groups: the list's filters, a group's details and a meeting's record.

Forms validate and clean; the rules that need the database (who was a tutor on the
day, one meeting a day, whether attendance can change kind) live in
``peerpath.delivery.groups`` and come back as ``DeliveryError``s.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from peerpath.core.forms import NHSDateField, NHSForm
from peerpath.delivery.models import GroupMeeting, SupportGroup, Venue
from peerpath.people.models import Area, Organisation, Person

# Longer lists than these are offered as a multiple select, not checkboxes.
ORGANISATION_CHECKBOX_LIMIT = 30
PEOPLE_CHECKBOX_LIMIT = 40
NAMED, ANONYMOUS = "named", "anonymous"
ACTIVE, CLOSED = "active", "closed"


class ChoicesField(forms.ModelMultipleChoiceField):
    """Several rows from a list: any value not in it, however malformed, is "not in the list"."""

    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except ValidationError as error:
            if error.code == "required":
                raise
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class OneChoiceField(forms.ModelChoiceField):
    """One row from a list: a malformed id is "not in the list" too, not "not a valid UUID"."""

    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except ValidationError as error:
            if error.code in ("required", "null_characters_not_allowed"):
                raise
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class PeopleField(ChoicesField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class VenueField(OneChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.organisation.name})"


def _long_list_as_select(field: forms.Field, limit: int) -> int:
    """Past ``limit`` choices, checkboxes become a multiple select. Returns how many choices there are (one query)."""
    count: int = field.queryset.count()  # type: ignore[attr-defined]
    if count > limit:
        field.widget = forms.SelectMultiple()
        field.help_text = f"{field.help_text} Hold Ctrl (or Cmd on a Mac) to select more than one.".strip()
    return count


class GroupFilterForm(NHSForm):
    """The group list's filters, read from the query string; each may be left as "all"."""

    organisation = OneChoiceField(
        label="Organisation", queryset=Organisation.objects.none(), required=False, empty_label="All organisations"
    )
    area = OneChoiceField(label="Borough", queryset=Area.objects.none(), required=False, empty_label="All boroughs")
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Active and closed"), (ACTIVE, "Active"), (CLOSED, "Closed")],
        required=False,
    )

    nhs_options = {name: {"no_optional": True} for name in ("organisation", "area", "status")}

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = "Select an option from the list"

    def filter(self, groups: QuerySet[SupportGroup]) -> QuerySet[SupportGroup]:
        """The groups matching the valid filters (none when a filter is not valid)."""
        if not self.is_valid():
            return groups.none()
        data = self.cleaned_data
        if data["organisation"] is not None:
            groups = groups.filter(organisation=data["organisation"])
        if data["area"] is not None:
            groups = groups.filter(area=data["area"])
        if data["status"]:
            groups = groups.filter(active=data["status"] == ACTIVE)
        return groups


class GroupForm(NHSForm):
    """A group's details. ``organisations`` are those the user may add a group for; with one,
    the field is left out and that one used. Editing passes None: a group stays with its
    organisation."""

    name = forms.CharField(label="Name of the group", max_length=150, error_messages={"required": "Enter a name"})
    organisation = OneChoiceField(
        label="Which organisation runs the group?",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={"required": "Select an organisation", "invalid_choice": "Select an organisation from the list"},
    )
    partners = ChoicesField(
        label="Partner organisations",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Organisations that run the group with you, such as a local carers' centre. "
        "Their coordinators can record meetings.",
        error_messages={"invalid_choice": "Select partner organisations from the list"},
    )
    area = OneChoiceField(
        label="Borough",
        queryset=Area.objects.none(),
        required=False,
        empty_label="Not one borough",
        error_messages={"invalid_choice": "Select a borough from the list"},
    )
    meeting_pattern = forms.CharField(
        label="When does the group meet?",
        max_length=200,
        help_text="For example, second Tuesday of the month, 6pm to 8pm",
        error_messages={"required": "Enter when the group meets"},
    )
    venue = VenueField(
        label="Where does it meet?",
        queryset=Venue.objects.none(),
        required=False,
        empty_label="Not one venue",
        error_messages={"invalid_choice": "Select a venue from the list"},
    )
    attendance = forms.ChoiceField(
        label="How is attendance kept?",
        choices=[
            (NAMED, "By name: facilitators record who came"),
            (ANONYMOUS, "As a head count, without names (an anonymous group)"),
        ],
        widget=forms.RadioSelect,
        help_text="This cannot change once a meeting has been recorded",
        error_messages={
            "required": "Select how attendance is kept",
            "invalid_choice": "Select how attendance is kept",
        },
    )
    closed = forms.BooleanField(
        label="The group has stopped meeting",
        required=False,
        help_text="It stays in the records, marked as closed",
    )

    nhs_options = {
        "name": {"classes": "nhsuk-u-width-full", "spellcheck": True},
        "meeting_pattern": {"classes": "nhsuk-u-width-full"},
    }

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation] | None,
        venues: QuerySet[Venue],
        exclude_partner: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.single_organisation: Organisation | None = None
        if organisations is None:
            del self.fields["organisation"]
        else:
            # The "closed" box is for a group that has met; a new one is active.
            del self.fields["closed"]
            choices = list(organisations.order_by("name"))
            self.fields["organisation"].queryset = organisations.order_by("name")  # type: ignore[attr-defined]
            if len(choices) == 1:
                self.single_organisation = choices[0]
                del self.fields["organisation"]
        excluded = exclude_partner if exclude_partner is not None else getattr(self.single_organisation, "pk", None)
        partners = Organisation.objects.order_by("name")
        if excluded is not None:
            partners = partners.exclude(pk=excluded)
        self.fields["partners"].queryset = partners  # type: ignore[attr-defined]
        _long_list_as_select(self.fields["partners"], ORGANISATION_CHECKBOX_LIMIT)
        self.fields["area"].queryset = Area.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["venue"].queryset = venues  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, group: SupportGroup) -> dict[str, Any]:
        return {
            "name": group.name,
            "partners": [org.pk for org in getattr(group, "partner_list", group.partners.all())],
            "area": group.area_id,
            "meeting_pattern": group.meeting_pattern,
            "venue": group.venue_id,
            "attendance": ANONYMOUS if group.anonymous else NAMED,
            "closed": not group.active,
        }

    def as_select(self, name: str) -> bool:
        """Whether a field of several choices is a multiple select rather than checkboxes."""
        return isinstance(self.fields[name].widget, forms.SelectMultiple)

    def chosen_organisation(self) -> Organisation:
        chosen = self.cleaned_data.get("organisation") or self.single_organisation
        if chosen is None:
            raise ValueError("chosen_organisation() needs a form built with the organisations to choose from")
        return chosen

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        details = {
            "name": data["name"],
            "area": data["area"],
            "meeting_pattern": data["meeting_pattern"],
            "venue": data["venue"],
            "anonymous": data["attendance"] == ANONYMOUS,
        }
        if "closed" in self.fields:
            details["active"] = not data["closed"]
        return details


class MeetingForm(NHSForm):
    """One meeting of a group. A named group's form asks who came (``attendees``, the people
    it may offer); an anonymous group's asks how many came instead."""

    met_on = NHSDateField(
        label="When did the group meet?",
        noun="the date of the meeting",
        past_only=True,
        help_text="For example, 15 3 2027",
        error_messages={"required": "Enter the date the group met"},
    )
    facilitators = PeopleField(
        label="Who facilitated?",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={
            "required": "Select who facilitated the meeting",
            "invalid_choice": "Select facilitators from the list",
        },
    )
    attendees = PeopleField(
        label="Who came?",
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select everyone who came",
        error_messages={"invalid_choice": "Select the people who came from the list"},
    )
    head_count = forms.IntegerField(
        label="How many people came?",
        min_value=0,
        max_value=500,
        widget=forms.TextInput,
        help_text="Count everyone who came, not the facilitators",
        error_messages={
            "required": "Enter how many people came",
            "invalid": "How many people came must be a whole number, like 8",
            "min_value": "How many people came must be 0 or more",
            "max_value": "How many people came must be 500 or fewer",
        },
    )
    topics = forms.CharField(
        label="What did the group talk about?",
        max_length=2000,
        required=False,
        widget=forms.Textarea,
        help_text="Topics only. Do not write anything that identifies someone.",
    )
    safeguarding_concern = forms.BooleanField(
        label="A safeguarding concern was raised",
        required=False,
        help_text="Record the details in your organisation's safeguarding system, not here",
    )

    nhs_options = {
        "head_count": {"classes": "nhsuk-input--width-3", "inputmode": "numeric"},
        "topics": {"rows": 4},
    }

    def __init__(
        self,
        *args: Any,
        group: SupportGroup,
        facilitators: QuerySet[Person],
        attendees: QuerySet[Person] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        # How many people each list offers: the page explains an empty list instead of showing it.
        self.offered: dict[str, int] = {}
        self.fields["facilitators"].queryset = facilitators  # type: ignore[attr-defined]
        self.offered["facilitators"] = _long_list_as_select(self.fields["facilitators"], PEOPLE_CHECKBOX_LIMIT)
        if group.anonymous:
            del self.fields["attendees"]
        else:
            del self.fields["head_count"]
            people = attendees if attendees is not None else Person.objects.none()
            self.fields["attendees"].queryset = people  # type: ignore[attr-defined]
            self.offered["attendees"] = _long_list_as_select(self.fields["attendees"], PEOPLE_CHECKBOX_LIMIT)

    @classmethod
    def initial_for(cls, meeting: GroupMeeting) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "met_on": meeting.met_on,
            "facilitators": list(meeting.facilitators.values_list("pk", flat=True)),
            "topics": meeting.topics,
            "safeguarding_concern": meeting.safeguarding_concern,
        }
        if meeting.group.anonymous:
            initial["head_count"] = meeting.head_count
        else:
            initial["attendees"] = list(meeting.attendees.values_list("pk", flat=True))
        return initial

    def as_select(self, name: str) -> bool:
        """Whether a people field is a multiple select rather than checkboxes."""
        return isinstance(self.fields[name].widget, forms.SelectMultiple)

    def record(self) -> dict[str, Any]:
        """The service's keyword arguments for a valid form."""
        data = self.cleaned_data
        return {
            "met_on": data["met_on"],
            "facilitators": list(data["facilitators"]),
            "attendees": list(data.get("attendees") or ()),
            "head_count": data.get("head_count"),
            "topics": data["topics"],
            "safeguarding_concern": data["safeguarding_concern"],
        }
