"""Forms for answering a questionnaire (by invitation link, or typed in by staff) and for starting
a typed-in one.

``QuestionnaireForm`` is built from a parsed instrument and its wording: one field per item.
It does not judge answers. ``responses.save_answers`` and ``responses.submit`` do that, through
``answers.clean_answer``, and the view shows their errors beside the items they name. So one
rule decides what is a valid answer, and a person's invalid input is shown back as typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms

from peerpath.core.forms import NHSForm
from peerpath.delivery.models import CourseRun
from peerpath.evaluation import definitions
from peerpath.evaluation.definitions import Instrument, Item
from peerpath.evaluation.models import InstrumentVersion, Response
from peerpath.evaluation.wording import Wording
from peerpath.people.models import Person

# Answer fields are named for their item, so a posted name says which item it answers.
FIELD_PREFIX = "answer-"


def field_name(item_id: str) -> str:
    return f"{FIELD_PREFIX}{item_id}"


def shown(value: Decimal) -> str:
    """A value as people read and type it: 3, not 3.00; 2.5, not 2.50."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def range_hint(item: Item) -> str:
    """What a number or scale item accepts, as a hint above its box."""
    lowest, highest = definitions.item_bounds(item)
    if item.step == 1 and lowest == lowest.to_integral_value():
        return f"Enter a whole number from {shown(lowest)} to {shown(highest)}"
    assert item.step is not None  # noqa: S101 - parse guarantees it for numbers
    return f"Enter a number from {shown(lowest)} to {shown(highest)}, in steps of {shown(item.step)}"


class AnswerField(forms.Field):
    """One item's answer as it was posted. The response services check it; the form does not,
    so the text comes back unchanged and only one rule decides what is valid."""

    def to_python(self, value: Any) -> str:
        return "" if value is None else str(value)


@dataclass(frozen=True)
class ItemRow:
    """What the item macro needs to draw one item."""

    field: forms.BoundField
    kind: str  # "choice" (radios) or "number" (a text box for number and scale items)
    label: str
    hint: str
    value: str
    options: tuple[dict[str, Any], ...] = ()
    unit: str = ""
    inline: bool = False
    inputmode: str = "numeric"

    @property
    def error(self) -> str:
        return " ".join(str(message) for message in self.field.errors)


class QuestionnaireForm(NHSForm):
    """The items of one questionnaire, labelled from its wording; or, without wording, as
    "Question N" with option values (staff copy them from the licensed paper form)."""

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        instrument: Instrument,
        wording: Wording | None,
        saved: Mapping[str, Decimal] | None = None,
    ) -> None:
        initial = {field_name(item_id): shown(value) for item_id, value in (saved or {}).items()}
        super().__init__(data, initial=initial)
        self.instrument = instrument
        self.wording = wording
        for item in instrument.items:
            self.fields[field_name(item.id)] = AnswerField(required=False, label=self._label(item))

    def _label(self, item: Item) -> str:
        optional = "" if item.required else " (optional)"
        if self.wording is None:
            return f"Question {item.number}{optional}"
        return f"{item.number}. {self.wording.item_text(item.id)}{optional}"

    def posted_answers(self) -> dict[str, str]:
        """The answers in the post, by item id. An item not posted is left out, so it keeps its
        saved answer (an unticked radio group sends nothing); an emptied box clears it."""
        return {
            item.id: self.data[name] for item in self.instrument.items if (name := field_name(item.id)) in self.data
        }

    def unknown_items(self) -> list[str]:
        """Item ids posted that this questionnaire does not have: never sent by our own page."""
        known = {item.id for item in self.instrument.items}
        return sorted(
            key.removeprefix(FIELD_PREFIX)
            for key in self.data
            if key.startswith(FIELD_PREFIX) and key.removeprefix(FIELD_PREFIX) not in known
        )

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Put the services' errors (by item id) beside their items, in the questionnaire's order."""
        for item in self.instrument.items:
            if item.id in errors:
                self.add_error(field_name(item.id), errors[item.id])

    def rows(self) -> list[ItemRow]:
        return [self._row(item) for item in self.instrument.items]

    def _value(self, item: Item) -> str:
        name = field_name(item.id)
        if self.is_bound and name in self.data:
            return str(self.data[name])
        return str(self.initial.get(name, ""))

    def _row(self, item: Item) -> ItemRow:
        bound = self[field_name(item.id)]
        value = self._value(item)
        label = str(bound.label)
        if item.kind == "choice":
            assert item.response_set is not None  # noqa: S101 - parse guarantees it for choices
            options = tuple(
                {
                    "value": shown(option.value),
                    "text": self.wording.option_label(item.response_set, index)
                    if self.wording is not None
                    else shown(option.value),
                    "checked": shown(option.value) == value,
                }
                for index, option in enumerate(item.options)
            )
            return ItemRow(bound, "choice", label, "", value, options=options, inline=self.wording is None)
        whole = item.step == 1 and item.min is not None and item.min == item.min.to_integral_value()
        return ItemRow(
            bound,
            "number",
            label,
            range_hint(item),
            value,
            unit=item.unit or "",
            inputmode="numeric" if whole and item.min is not None and item.min >= 0 else "decimal",
        )


# Staff: starting a typed-in form --------------------------------------------------------

NO_RUN = "none"
MODE_CHOICES = [(mode.value, mode.label) for mode in Response.Mode if mode != Response.Mode.ONLINE]
TIMEPOINT_CHOICES = list(Response.Timepoint.choices)


def run_label(run: CourseRun) -> str:
    return f"{run.version.course.title} ({run.term.name}), {run.organisation.name}"


def version_label(version: InstrumentVersion) -> str:
    return f"{version.short_name}: {version.name} (version {version.version})"


class RunChoiceForm(NHSForm):
    """First step of typing in a form: which course run it is for, or none."""

    run = forms.ChoiceField(
        label="Which course run is the form about?",
        error_messages={
            "required": "Select the course run, or 'Not about a course run'",
            "invalid_choice": "Select a course run from the list",
        },
    )

    def __init__(self, *args: Any, runs: Iterable[CourseRun], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["run"].choices = [  # type: ignore[attr-defined]
            ("", "Select a course run"),
            *((str(run.pk), run_label(run)) for run in runs),
            (NO_RUN, "Not about a course run"),
        ]


class EntryStartForm(NHSForm):
    """Who the form is from, which questionnaire, which timepoint and how it was given."""

    person = forms.ChoiceField(
        label="Who filled in the form?",
        error_messages={
            "required": "Select who filled in the form",
            "invalid_choice": "Select someone from the list",
        },
    )
    instrument = forms.ChoiceField(
        label="Which questionnaire?",
        error_messages={
            "required": "Select which questionnaire it is",
            "invalid_choice": "Select a questionnaire from the list",
        },
    )
    timepoint = forms.ChoiceField(
        label="When was it filled in?",
        choices=TIMEPOINT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select when the form was filled in",
            "invalid_choice": "Select one of the timepoints",
        },
    )
    mode = forms.ChoiceField(
        label="How were the answers given?",
        choices=MODE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how the answers were given",
            "invalid_choice": "Select paper, phone or in person",
        },
    )

    def __init__(
        self,
        *args: Any,
        people: Sequence[Person],
        versions: Sequence[InstrumentVersion],
        run: CourseRun | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in people}
        # A college's own self-assessment is about the college, not a run's participants.
        self.versions = {
            str(version.pk): version for version in versions if run is None or version.respondent != "college"
        }
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            ("", "Select a person"),
            *((key, person.display_name) for key, person in self.people.items()),
        ]
        self.fields["instrument"].choices = [  # type: ignore[attr-defined]
            ("", "Select a questionnaire"),
            *((key, version_label(version)) for key, version in self.versions.items()),
        ]
        if run is None:
            self.fields["timepoint"].initial = Response.Timepoint.OTHER
        self.nhs_options = {
            "person": {"hint": "People on this course run" if run is not None else "People in your organisations"},
            "timepoint": {"hint": "The timepoint the paper form was for"},
        }

    def chosen_person(self) -> Person:
        return self.people[self.cleaned_data["person"]]

    def chosen_version(self) -> InstrumentVersion:
        return self.versions[self.cleaned_data["instrument"]]
