"""Forms for portfolio entries, their review, and observations.

The forms check what was typed; the rules (which kinds, when hours are needed, which
files, who may review or observe) are the services' in ``portfolio.py``, whose errors
the views show beside the field they name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from peerpath.accreditation import portfolio
from peerpath.accreditation.models import Competency, Observation, ObservationRating, PortfolioEntry
from peerpath.core.forms import NHSDateField, NHSForm, harden_fields
from peerpath.delivery.models import Session
from peerpath.delivery.presenters import format_when

KIND_HINTS = {
    PortfolioEntry.Kind.REFLECTION: "What happened, what you learned, and what you would do differently",
    PortfolioEntry.Kind.SUPERVISION: "A supervision session with your supervisor or a peer",
    PortfolioEntry.Kind.PRIOR_LEARNING: "Something you learned before this programme that counts towards it",
    PortfolioEntry.Kind.TRAINING: "A course or workshop you have finished",
    PortfolioEntry.Kind.CPD: "Reading, events or other learning that keeps your practice up to date",
}


class EntryForm(NHSForm):
    kind = forms.ChoiceField(
        label="What kind of evidence is this?",
        choices=[(kind.value, kind.label) for kind in portfolio.CANDIDATE_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of evidence this is"},
    )
    title = forms.CharField(
        label="Title",
        max_length=150,
        help_text="A few words to find it by, for example 'Co-delivering session 3 of Caring for yourself'",
        error_messages={"required": "Enter a title"},
    )
    occurred_on = NHSDateField(
        noun="the date", past_only=True, label="When did it happen?", help_text="For example, 15 3 2026"
    )
    hours = forms.DecimalField(
        label="How many hours?",
        required=False,
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=1,
        help_text="Needed for supervision and continuing development, for example 1.5",
        error_messages={
            "invalid": "Hours must be a number, for example 1.5",
            "min_value": "Hours must be 0 or more",
            "max_digits": "Hours must be 9999.9 or fewer",
            "max_decimal_places": "Hours can have 1 decimal place, for example 1.5",
            "max_whole_digits": "Hours must be 9999.9 or fewer",
        },
    )
    text = forms.CharField(
        label="Your account",
        required=False,
        max_length=10_000,
        widget=forms.Textarea,
        help_text="Write it in your own words. Do not include the names of people you support.",
    )
    competencies = forms.MultipleChoiceField(
        label="Which competencies does it show?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
    )
    file = forms.FileField(
        label="Upload a file",
        required=False,
        help_text=(
            "For example a certificate or supervision notes: "
            f"{portfolio.FILE_DESCRIPTION}, smaller than {portfolio.MAX_FILE_BYTES // 2**20} MB"
        ),
    )
    remove_file = forms.BooleanField(label="Remove the file that is attached now", required=False)

    def __init__(self, *args: Any, competencies: Iterable[Competency], has_file: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competencies"].choices = [  # type: ignore[attr-defined]
            (str(c.pk), f"{c.code} {c.title}") for c in competencies
        ]
        if not has_file:
            del self.fields["remove_file"]
        self.nhs_options = {
            "occurred_on": {},
            "hours": {"classes": "nhsuk-input--width-4", "inputmode": "decimal"},
            "text": {"rows": 8},
        }

    @classmethod
    def initial_for(cls, entry: PortfolioEntry) -> dict[str, Any]:
        return {
            "kind": entry.kind,
            "title": entry.title,
            "occurred_on": entry.occurred_on,
            "hours": entry.hours if entry.hours else None,
            "text": entry.text,
            "competencies": [str(c.pk) for c in entry.competencies.all()],
        }

    def entry_data(self) -> portfolio.EntryData:
        data = self.cleaned_data
        return portfolio.EntryData(
            kind=data["kind"],
            occurred_on=data["occurred_on"],
            title=data["title"],
            text=data.get("text") or "",
            hours=data.get("hours"),
            competency_ids=list(data.get("competencies") or ()),
            upload=data.get("file"),
            remove_file=bool(data.get("remove_file")),
        )


class ReviewForm(NHSForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (portfolio.Decision.ACCEPT, "Accept: it counts towards accreditation"),
            (portfolio.Decision.RETURN, "Return it to the candidate to add to"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to accept the entry or return it"},
    )
    note = forms.CharField(
        label="Note to the candidate",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="Needed when you return it: say what to add or change",
    )


RATING_CHOICES = [(rating.value, rating.label) for rating in ObservationRating.Rating]


def session_label(session: Session) -> str:
    return f"{session.run.version.course.title}, session {session.number}: {format_when(session.starts_at)}"


class ObservationForm(NHSForm):
    """The session, the day, the overall outcome and feedback, and one rating (and comment) per competency."""

    session = forms.ChoiceField(
        label="Session observed", error_messages={"required": "Select the session you observed"}
    )
    observed_on = NHSDateField(noun="the date observed", label="Date observed", help_text="The day of the session")
    outcome = forms.ChoiceField(
        label="Overall outcome",
        choices=Observation.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the overall outcome"},
    )
    feedback = forms.CharField(
        label="Feedback for the candidate",
        max_length=5000,
        widget=forms.Textarea,
        help_text="What went well and what to work on. The candidate reads this.",
        error_messages={"required": "Enter your feedback for the candidate"},
    )

    def __init__(
        self, *args: Any, sessions: Sequence[Session], competencies: Sequence[Competency], **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"observed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.sessions = {str(session.pk): session for session in sessions}
        self.fields["session"].choices = [("", "Select a session")] + [  # type: ignore[attr-defined]
            (key, session_label(session)) for key, session in self.sessions.items()
        ]
        self.competencies = list(competencies)
        self.nhs_options = {"feedback": {"rows": 8}}
        for competency in self.competencies:
            rating, comment = self.rating_names(competency)
            self.fields[rating] = forms.ChoiceField(
                label=f"{competency.code} {competency.title}",
                choices=RATING_CHOICES,
                widget=forms.RadioSelect,
                initial=ObservationRating.Rating.NOT_SEEN,
                error_messages={"required": f"Select a rating for {competency.code} {competency.title}"},
            )
            self.fields[comment] = forms.CharField(
                label=f"Comment on {competency.code}",
                required=False,
                max_length=500,
            )
            self.nhs_options[rating] = {"classes": "nhsuk-radios--inline", "hint": competency.statement}
        # The rating fields were added after NHSForm's guards: give them the same ones.
        harden_fields(self.fields)

    @staticmethod
    def rating_names(competency: Competency) -> tuple[str, str]:
        return f"rating_{competency.pk.hex}", f"comment_{competency.pk.hex}"

    def rating_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        rows = []
        for competency in self.competencies:
            rating, comment = self.rating_names(competency)
            rows.append((self[rating], self[comment]))
        return rows

    def chosen_session(self) -> Session:
        return self.sessions[self.cleaned_data["session"]]

    def ratings(self) -> dict[Any, tuple[str, str]]:
        found = {}
        for competency in self.competencies:
            rating, comment = self.rating_names(competency)
            found[competency.pk] = (self.cleaned_data[rating], self.cleaned_data.get(comment) or "")
        return found
