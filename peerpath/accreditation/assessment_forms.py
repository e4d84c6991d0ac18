"""Forms for assessors: finding candidates, granting, changing and renewing awards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from peerpath.accreditation.assessment import SHOW_CHOICES
from peerpath.accreditation.models import Scheme
from peerpath.core.forms import NHSDateField, NHSForm

EXCEPTION_HINT = (
    "Administrators only. Fill this in only to grant with a requirement unmet; say which one and why. "
    "It is kept with the award and shown on its record."
)


class CandidateFilterForm(NHSForm):
    """The candidate list's search and filter, read from the query string."""

    q = forms.CharField(label="Search by name", max_length=100, required=False)
    show = forms.ChoiceField(
        label="Show",
        choices=list(SHOW_CHOICES.items()),
        required=False,
        error_messages={"invalid_choice": "Select who to show from the list"},
    )

    nhs_options = {"q": {"no_optional": True, "spellcheck": False}, "show": {"no_optional": True}}


class GrantForm(NHSForm):
    scheme = forms.ChoiceField(
        label="Award",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the award to grant", "invalid_choice": "Select an award from the list"},
    )
    valid_from = NHSDateField(
        label="Valid from",
        noun="the date the award starts",
        help_text="Usually today. For example, 26 11 2026",
    )
    exception_reason = forms.CharField(
        label="Exception (administrators only)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=EXCEPTION_HINT,
    )

    def __init__(self, *args: Any, schemes: Sequence[Scheme], allow_exception: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schemes = {scheme.code: scheme for scheme in schemes}
        self.fields["scheme"].choices = [(scheme.code, scheme.name) for scheme in schemes]  # type: ignore[attr-defined]
        if not allow_exception:
            del self.fields["exception_reason"]

    def chosen_scheme(self) -> Scheme:
        return self.schemes[self.cleaned_data["scheme"]]


class AwardChangeForm(NHSForm):
    move = forms.ChoiceField(
        label="What do you want to do?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select what to do", "invalid_choice": "Select an action from the list"},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The holder is told this reason, and it stays on the award's history",
        error_messages={"required": "Enter the reason: the holder is told it"},
    )

    def __init__(self, *args: Any, moves: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["move"].choices = list(moves)  # type: ignore[attr-defined]


class RenewForm(NHSForm):
    exception_reason = forms.CharField(
        label="Exception (administrators only)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=EXCEPTION_HINT,
    )

    def __init__(self, *args: Any, allow_exception: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_exception:
            del self.fields["exception_reason"]
