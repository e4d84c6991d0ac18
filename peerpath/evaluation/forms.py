"""Forms for the coordinators' evaluation pages: list filters, a run's schedule and closing an alert.

The forms check what was typed; the rules (which instruments may be asked, who may close an
alert) are the services' in ``scheduling`` and ``responses``, whose errors the views show
beside the field they name.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms

from peerpath.core.forms import NHSForm
from peerpath.courses.models import Term
from peerpath.delivery.models import CourseRun
from peerpath.evaluation.models import InstrumentVersion, SafetyAlert, Schedule
from peerpath.evaluation.scheduling import MAX_DAYS, MAX_OPEN_DAYS, MIN_OPEN_DAYS


class RunFilterForm(NHSForm):
    """The run list's filters, read from the address so that a filtered list can be shared."""

    q = forms.CharField(label="Course title", required=False, max_length=100)
    term = forms.ChoiceField(
        label="Term", required=False, error_messages={"invalid_choice": "Select a term from the list"}
    )
    status = forms.ChoiceField(
        label="Run status", required=False, error_messages={"invalid_choice": "Select a run status from the list"}
    )

    def __init__(self, *args: Any, terms: Sequence[Term], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Two organisations can each have a "Spring 2027": name the organisation when they differ.
        several = len({term.organisation_id for term in terms}) > 1
        self.fields["term"].choices = [  # type: ignore[attr-defined]
            ("", "Any term"),
            *((term.slug, f"{term.name}, {term.organisation.name}" if several else term.name) for term in terms),
        ]
        self.fields["status"].choices = [("", "Any status"), *CourseRun.Status.choices]  # type: ignore[attr-defined]
        # Filters are optional by nature: no "(optional)" after each label.
        self.nhs_options = {name: {"no_optional": True} for name in self.fields}

    def chosen(self) -> dict[str, str]:
        """The valid filters (none when any is invalid: the whole list is shown with the error)."""
        if not self.is_valid():
            return {"title": "", "term": "", "status": ""}
        data = self.cleaned_data
        return {"title": data["q"], "term": data["term"], "status": data["status"]}


class AlertFilterForm(NHSForm):
    """The alert list's filters: open or closed, and one run's (from the run list's link)."""

    BAD_RUN = "The run in the address is not recognised: alerts for all your runs are shown"

    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Open, then closed"), *SafetyAlert.Status.choices],
        error_messages={"invalid_choice": "Select open or closed alerts from the list"},
    )
    run = forms.CharField(required=False, max_length=36, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nhs_options = {"status": {"no_optional": True}}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        run = data.get("run") or ""
        data["run"] = None
        if run:
            try:
                data["run"] = uuid.UUID(run)
            except ValueError:
                # Not beside the hidden field, which nobody can reach: above the list.
                self.add_error(None, self.BAD_RUN)
        return data

    def chosen(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"status": "", "run_id": None}
        return {"status": self.cleaned_data["status"], "run_id": self.cleaned_data["run"]}


class ScoreFilterForm(NHSForm):
    """Which questionnaire's scores the run page shows (all of them unless one is chosen)."""

    instrument = forms.ChoiceField(
        label="Show scores for",
        required=False,
        error_messages={"invalid_choice": "Select a questionnaire from the list: every questionnaire is shown"},
    )

    def __init__(self, *args: Any, instruments: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [("", "Every questionnaire"), *instruments]  # type: ignore[attr-defined]
        self.nhs_options = {"instrument": {"no_optional": True}}

    def chosen(self) -> str:
        return str(self.cleaned_data["instrument"]) if self.is_valid() else ""


class ScheduleForm(NHSForm):
    """What one run asks at one timepoint; the ``action`` button says whether to save it,
    switch the timepoint off, or go back to the category's schedule."""

    SAVE, SWITCH_OFF, USE_CATEGORY = "save", "switch_off", "use_category"

    instruments = forms.MultipleChoiceField(
        label="Questionnaires to ask",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. They are asked in this order.",
        error_messages={"invalid_choice": "Select questionnaires from the list"},
    )
    days = forms.IntegerField(
        min_value=0,
        max_value=MAX_DAYS,
        error_messages={
            "required": "Enter the number of days",
            "invalid": "Enter the number of days as a whole number, like 7",
            "min_value": "Days must be 0 or more",
            "max_value": f"Days must be {MAX_DAYS} or fewer",
        },
    )
    open_days = forms.IntegerField(
        label="How many days the link works",
        min_value=MIN_OPEN_DAYS,
        max_value=MAX_OPEN_DAYS,
        error_messages={
            "required": "Enter how many days the link works",
            "invalid": "Enter how many days the link works as a whole number, like 28",
            "min_value": f"The link must work for at least {MIN_OPEN_DAYS} day",
            "max_value": f"The link can work for at most {MAX_OPEN_DAYS} days",
        },
    )

    DAYS_LABELS = {
        "baseline": ("Days before the first session", "0 sends it on the day of the first session"),
        "end": ("Days after the last session starts", "0 sends it on the day of the last session"),
        "follow_up": ("Days after the last session ends", "For example 90 for about three months"),
    }

    def __init__(
        self, *args: Any, timepoint: str, versions: Sequence[InstrumentVersion], action: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.action = action if action in (self.SWITCH_OFF, self.USE_CATEGORY) else self.SAVE
        self.versions = list(versions)
        self.fields["instruments"].choices = [  # type: ignore[attr-defined]
            (version.code, version.short_name) for version in self.versions
        ]
        label, hint = self.DAYS_LABELS[timepoint]
        self.fields["days"].label = label
        self.fields["days"].help_text = hint
        if self.action != self.SAVE:
            # Switching off or going back to the category's schedule needs nothing typed.
            for field in self.fields.values():
                field.required = False
        self.nhs_options = {
            "days": {"classes": "nhsuk-input--width-3", "inputmode": "numeric"},
            "open_days": {"classes": "nhsuk-input--width-3", "inputmode": "numeric"},
        }

    @staticmethod
    def initial_for(schedule: Schedule | None) -> dict[str, Any]:
        """The form as the schedule in effect fills it (the model's defaults when there is none)."""
        if schedule is None:
            return {"instruments": [], "days": 0, "open_days": 28}
        return {
            "instruments": [item.instrument_code for item in schedule.instruments.all()],
            "days": schedule.days,
            "open_days": schedule.open_days,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.action == self.SAVE and not data.get("instruments") and "instruments" not in self.errors:
            self.add_error("instruments", "Select at least one questionnaire, or ask nothing at this timepoint")
        return data

    def chosen_codes(self) -> list[str]:
        """The ticked instruments in the order the list offers them."""
        ticked = set(self.cleaned_data.get("instruments") or ())
        return [version.code for version in self.versions if version.code in ticked]


class CloseAlertForm(NHSForm):
    note = forms.CharField(
        label="How was it followed up?",
        max_length=2000,
        widget=forms.Textarea,
        help_text="For example who called them, when, and what was agreed. Saving closes the alert.",
        error_messages={"required": "Enter a note of how the alert was followed up"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nhs_options = {"note": {"rows": 6}}
