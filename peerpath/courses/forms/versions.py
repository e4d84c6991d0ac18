"""A version's content (outcomes, outline, staffing) and its materials."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from peerpath.core.forms import NHSForm
from peerpath.courses.forms import WHOLE_NUMBER
from peerpath.courses.models import CourseVersion
from peerpath.courses.services import OutlineEntry


class VersionForm(NHSForm):
    learning_outcomes = forms.CharField(
        label="Learning outcomes",
        max_length=4000,
        required=False,
        widget=forms.Textarea,
        help_text="One per line. For example, 'Explain what recovery means'",
    )
    peer_trainers_required = forms.IntegerField(label="Accredited peer trainers", min_value=0, max_value=6)
    professional_tutors_required = forms.IntegerField(label="Professional tutors", min_value=0, max_value=6)
    peer_facilitators_required = forms.IntegerField(label="Accredited peer facilitators", min_value=0, max_value=6)
    change_note = forms.CharField(
        label="What changed from the previous version?",
        max_length=500,
        required=False,
        widget=forms.Textarea,
    )

    nhs_options = {
        "learning_outcomes": {"rows": 6},
        "change_note": {"rows": 3},
        "peer_trainers_required": WHOLE_NUMBER,
        "professional_tutors_required": WHOLE_NUMBER,
        "peer_facilitators_required": WHOLE_NUMBER,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("peer_trainers_required", "professional_tutors_required", "peer_facilitators_required"):
            field = self.fields[name]
            field.widget = forms.TextInput()
            noun = str(field.label).lower()
            field.error_messages.update(
                {
                    "required": f"Enter the number of {noun}, or 0",
                    "invalid": f"Number of {noun} must be a whole number, like 1",
                    "min_value": f"Number of {noun} must be 0 or more",
                    "max_value": f"Number of {noun} must be 6 or fewer",
                }
            )

    @classmethod
    def initial_for(cls, version: CourseVersion) -> dict[str, Any]:
        return {
            "learning_outcomes": version.learning_outcomes,
            "peer_trainers_required": version.peer_trainers_required,
            "professional_tutors_required": version.professional_tutors_required,
            "peer_facilitators_required": version.peer_facilitators_required,
            # A new draft describes its own changes; a draft keeps its note.
            "change_note": version.change_note if version.is_editable else "",
        }


class OutlineSessionForm(NHSForm):
    title = forms.CharField(label="Title", max_length=150, required=False)
    description = forms.CharField(
        label="What happens in this session (optional)", max_length=2000, required=False, widget=forms.Textarea
    )

    nhs_options = {"title": {"no_optional": True}, "description": {"rows": 3, "no_optional": True}}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("description", "").strip() and not cleaned.get("title", "").strip():
            self.add_error("title", "Enter a title for this session")
        return cleaned


def outline_formset(session_count: int, outline: Iterable[Any], data: Any = None) -> forms.BaseFormSet:
    """Exactly one row per session of the course, prefilled from an outline."""
    initial = [{"title": entry.title, "description": entry.description} for entry in outline][:session_count]
    initial += [{} for _ in range(session_count - len(initial))]
    formset_class = forms.formset_factory(
        OutlineSessionForm, extra=0, max_num=session_count, absolute_max=session_count, validate_max=True
    )
    return formset_class(data, initial=initial, prefix="sessions")


def outline_entries(formset: forms.BaseFormSet) -> list[OutlineEntry]:
    return [
        OutlineEntry(row.cleaned_data.get("title", ""), row.cleaned_data.get("description", ""))
        for row in formset.forms
        if row.cleaned_data.get("title")
    ]


class MaterialForm(NHSForm):
    title = forms.CharField(
        label="Title",
        max_length=150,
        required=False,
        help_text="For example, 'Session 1 slides'. If you leave it blank, we use the file name.",
    )
    file = forms.FileField(
        label="File",
        max_length=255,
        error_messages={
            "required": "Select a file",
            "empty": "The selected file is empty",
            "invalid": "Select a file",
            "missing": "Select a file",
        },
    )
