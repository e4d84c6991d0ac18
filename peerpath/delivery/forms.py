"""Forms for runs, staffing, enrolment, registers and venues."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings

from peerpath.core.forms import NHSDateField, NHSForm, NHSModelForm
from peerpath.courses.models import CourseVersion, Term
from peerpath.delivery.models import (
    Attendance,
    CourseRun,
    CourseRunQuerySet,
    Enrolment,
    FacilitatorAssignment,
    Session,
    Venue,
)
from peerpath.people.models import Organisation, Person


def _choices(rows: Sequence[Any], label: Any = str, empty: str | None = None) -> list[tuple[str, str]]:
    choices = [("", empty)] if empty else []
    return choices + [(str(row.pk), label(row)) for row in rows]


class RunFilterForm(NHSForm):
    q = forms.CharField(label="Course title", required=False, max_length=100)
    status = forms.ChoiceField(label="Status", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *CourseRun.Status.choices]  # type: ignore[attr-defined]

    def filter(self, runs: CourseRunQuerySet) -> CourseRunQuerySet:
        if not self.is_valid():
            return runs
        if self.cleaned_data["q"]:
            runs = runs.filter(version__course__title__icontains=self.cleaned_data["q"])
        if self.cleaned_data["status"]:
            runs = runs.filter(status=self.cleaned_data["status"])
        return runs


class RunForm(NHSForm):
    """A new run: which approved course, when and where; the sessions follow its outline weekly
    (or every ``interval_days``) from the first date, and can be moved one by one afterwards."""

    version = forms.ChoiceField(
        label="Course",
        error_messages={"required": "Select the course", "invalid_choice": "Select a course from the list"},
    )
    term = forms.ChoiceField(
        label="Term", error_messages={"required": "Select the term", "invalid_choice": "Select a term from the list"}
    )
    organisation = forms.ChoiceField(
        label="Organisation running it",
        error_messages={
            "required": "Select the organisation",
            "invalid_choice": "Select an organisation from the list",
        },
    )
    capacity = forms.IntegerField(
        label="Places",
        min_value=1,
        max_value=500,
        error_messages={
            "required": "Enter the number of places",
            "invalid": "Enter the number of places as a whole number, like 12",
            "min_value": "A run needs at least 1 place",
            "max_value": "A run can have at most 500 places",
        },
    )
    venue = forms.ChoiceField(label="Venue", required=False, error_messages={"invalid_choice": "Select a venue"})
    first_day = NHSDateField(label="Date of the first session", noun="the date of the first session")
    start_time = forms.TimeField(
        label="Start time",
        help_text="For example, 10:30 or 18:00",
        error_messages={"required": "Enter the start time", "invalid": "Enter the start time like 10:30 or 18:00"},
    )
    interval_days = forms.IntegerField(
        label="Days between sessions",
        initial=7,
        min_value=1,
        max_value=60,
        error_messages={
            "required": "Enter the days between sessions",
            "invalid": "Enter the days between sessions as a whole number, like 7",
            "min_value": "Sessions must be at least 1 day apart",
            "max_value": "Sessions can be at most 60 days apart",
        },
    )
    enrolment_opens_on = NHSDateField(label="Enrolment opens", noun="the day enrolment opens", required=False)
    enrolment_closes_on = NHSDateField(label="Enrolment closes", noun="the day enrolment closes", required=False)

    nhs_options = {
        "capacity": {"classes": "nhsuk-input--width-3", "inputmode": "numeric"},
        "interval_days": {"classes": "nhsuk-input--width-3", "inputmode": "numeric"},
        "start_time": {"classes": "nhsuk-input--width-5"},
    }

    def __init__(
        self,
        *args: Any,
        versions: Sequence[CourseVersion],
        terms: Sequence[Term],
        organisations: Sequence[Organisation],
        venues: Sequence[Venue],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.options: dict[str, dict[str, Any]] = {
            "version": {str(v.pk): v for v in versions},
            "term": {str(t.pk): t for t in terms},
            "organisation": {str(o.pk): o for o in organisations},
            "venue": {str(v.pk): v for v in venues},
        }
        self.fields["version"].choices = _choices(versions, lambda v: v.course.title, "Choose a course")  # type: ignore[attr-defined]
        self.fields["term"].choices = _choices(  # type: ignore[attr-defined]
            terms, lambda t: f"{t.name} ({t.organisation.name})", "Choose a term"
        )
        self.fields["organisation"].choices = _choices(organisations, empty="Choose an organisation")  # type: ignore[attr-defined]
        self.fields["venue"].choices = _choices(venues, empty="Not decided yet")  # type: ignore[attr-defined]

    def chosen(self, name: str) -> Any:
        return self.options[name].get(self.cleaned_data.get(name) or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("enrolment_opens_on"), data.get("enrolment_closes_on")
        if opens and closes and closes < opens:
            self.add_error("enrolment_closes_on", "Enrolment must close on or after the day it opens")
        return data

    def starts(self) -> list[datetime.datetime]:
        """One start per outline session, ``interval_days`` apart, in the site's time zone."""
        version = self.chosen("version")
        zone = ZoneInfo(settings.TIME_ZONE)
        first = datetime.datetime.combine(self.cleaned_data["first_day"], self.cleaned_data["start_time"], tzinfo=zone)
        step = datetime.timedelta(days=self.cleaned_data["interval_days"])
        # Wall-clock times stay the same across a change to or from summer time.
        return [
            datetime.datetime.combine((first + step * n).date(), first.timetz().replace(tzinfo=None), tzinfo=zone)
            for n in range(version.course.session_count)
        ]


class AssignForm(NHSForm):
    person = forms.ChoiceField(
        label="Tutor", error_messages={"required": "Select a tutor", "invalid_choice": "Select a tutor from the list"}
    )
    role = forms.ChoiceField(
        label="Role",
        choices=FacilitatorAssignment.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the role", "invalid_choice": "Select a role from the list"},
    )
    session = forms.ChoiceField(
        label="For",
        required=False,
        help_text="Leave as the whole run unless they cover one session",
        error_messages={"invalid_choice": "Select a session from the list"},
    )

    def __init__(self, *args: Any, tutors: Sequence[Person], sessions: Sequence[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tutors = {str(p.pk): p for p in tutors}
        self.sessions = {str(s.pk): s for s in sessions}
        self.fields["person"].choices = _choices(tutors, lambda p: p.display_name, "Choose a tutor")  # type: ignore[attr-defined]
        self.fields["session"].choices = _choices(  # type: ignore[attr-defined]
            sessions, lambda s: f"Session {s.number}: {s.topic}", "The whole run"
        )


class StatusForm(NHSForm):
    status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the new status", "invalid_choice": "Select a status from the list"},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you cancel a run; participants are told",
    )

    def __init__(self, *args: Any, choices: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = list(choices)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == CourseRun.Status.CANCELLED and not data.get("reason"):
            self.add_error("reason", "Enter why the run is cancelled")
        return data


class EnrolForm(NHSForm):
    """The participant's own enrolment: the student agreement is the only question."""

    agreement = forms.BooleanField(
        label="I have read the student agreement and accept it",
        error_messages={"required": "Confirm that you accept the student agreement"},
    )


class StaffEnrolForm(NHSForm):
    email = forms.EmailField(
        label="Their email address",
        max_length=254,
        help_text="They must already have a PeerPath record in your organisation",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    agreement = forms.BooleanField(
        label="They have been told about the student agreement and accept it",
        error_messages={"required": "Confirm that they accept the student agreement"},
    )

    nhs_options = {"email": {"autocomplete": "off", "spellcheck": False}}


class WithdrawForm(NHSForm):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="It helps us plan future courses; you do not have to say",
    )


REGISTER_CHOICES = Attendance.Status.choices


class RegisterForm(NHSForm):
    """One radio group per participant: present, late, sent apologies or absent.

    Field names are ``mark_<enrolment id>``; a participant left unmarked is not saved.
    """

    def __init__(self, *args: Any, enrolments: Sequence[Enrolment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enrolments = {str(e.pk): e for e in enrolments}
        # Four choices side by side: one row per person on a tablet, two lines on a phone.
        self.nhs_options = {
            f"mark_{key}": {"classes": "nhsuk-radios--inline", "no_optional": True} for key in self.enrolments
        }
        for key, enrolment in self.enrolments.items():
            self.fields[f"mark_{key}"] = forms.ChoiceField(
                label=enrolment.person.display_name,
                choices=REGISTER_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Select how {enrolment.person.display_name} attended"},
            )

    def marks(self) -> dict[str, str]:
        return {
            key: self.cleaned_data[f"mark_{key}"] for key in self.enrolments if self.cleaned_data.get(f"mark_{key}")
        }

    def unknown_marks(self) -> list[str]:
        """Posted marks for people who are not on this register (another run's, or not enrolled)."""
        posted = [name[5:] for name in (self.data or {}) if name.startswith("mark_")]
        return [key for key in posted if key not in self.enrolments]


class VenueForm(NHSModelForm):
    joining_link = forms.URLField(
        label="Joining link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Online rooms only. Shown only to people enrolled on a run that meets here",
        error_messages={"invalid": "Enter the joining link as a web address, like https://meet.example.org/room"},
    )

    class Meta:
        model = Venue
        fields = [
            "name",
            "online",
            "joining_link",
            "address",
            "postcode",
            "area",
            "step_free",
            "accessibility_notes",
            "capacity",
        ]
        labels = {
            "online": "This is an online room",
            "joining_link": "Joining link",
            "area": "Borough",
            "step_free": "Step-free access from the street to the room",
            "accessibility_notes": "Other accessibility notes",
            "capacity": "Most people the room holds",
        }
        help_texts = {
            "joining_link": "Online rooms only. Shown only to people enrolled on a run that meets here",
            "accessibility_notes": "For example: hearing loop, accessible toilet, quiet room, nearest bus stop",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("online"):
            if not data.get("joining_link"):
                self.add_error("joining_link", "Enter the joining link for the online room")
        else:
            if data.get("joining_link"):
                self.add_error("joining_link", "Only online rooms have a joining link: remove it or tick online")
            if not data.get("address"):
                self.add_error("address", "Enter the venue's address")
        return data
