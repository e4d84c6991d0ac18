"""Forms of the report pages beyond the shared filters (``filters.ReportFilterForm``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from peerpath.core.forms import NHSForm
from peerpath.evaluation.definitions import Instrument
from peerpath.reports.sections.pairs import COMPARISON_LABELS, GROUPINGS


class OutcomeOptionsForm(NHSForm):
    """Which measure and scale, compared with which timepoint, broken down how."""

    instrument = forms.ChoiceField(label="Measure", required=False)
    scale = forms.ChoiceField(label="Scale", required=False)
    compare = forms.ChoiceField(label="Compare baseline with", required=False, choices=list(COMPARISON_LABELS.items()))
    by = forms.ChoiceField(
        label="Break down by",
        required=False,
        choices=[(key, heading) for key, (_, heading) in GROUPINGS.items()],
    )

    DROPPED = {
        "instrument": "The measure in the address was not recognised, so every measure is summarised.",
        "scale": "The scale in the address was not recognised, so the measure's main scale is shown.",
        "compare": "The comparison in the address was not recognised, so the end of the course is used.",
        "by": "The breakdown in the address was not recognised, so results are broken down by course category.",
    }

    def __init__(self, data: QueryDict, *, measures: dict[str, Instrument]) -> None:
        super().__init__(data)
        self.fields["instrument"].choices = [  # type: ignore[attr-defined]
            ("", "Every measure (summary)"),
            *((code, instrument.name) for code, instrument in measures.items()),
        ]
        scales = [
            (scale.code, f"{instrument.short_name}: {scale.name}")
            for instrument in measures.values()
            for scale in instrument.scales
            if scale.direction != "none"
        ]
        self.fields["scale"].choices = [("", "Main scale"), *dict(scales).items()]  # type: ignore[attr-defined]
        self.nhs_options = {name: {"no_optional": True} for name in self.fields}

    def options(self) -> tuple[dict[str, Any], list[str]]:
        self.is_valid()
        messages = [self.DROPPED[name] for name in self.errors if name in self.DROPPED]
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return (
            {
                "instrument": data.get("instrument") or None,
                "scale": data.get("scale") or None,
                "compare": data.get("compare") or "end",
                "grouping": data.get("by") or "category",
            },
            messages,
        )


class CompareForm(NHSForm):
    compare = forms.ChoiceField(label="Compare baseline with", required=False, choices=list(COMPARISON_LABELS.items()))

    def __init__(self, data: QueryDict) -> None:
        super().__init__(data)
        self.nhs_options = {"compare": {"no_optional": True}}

    def options(self) -> tuple[dict[str, Any], list[str]]:
        if not self.is_valid():
            return {"compare": "end"}, [OutcomeOptionsForm.DROPPED["compare"]]
        return {"compare": self.cleaned_data.get("compare") or "end"}, []


class ProgrammeReportForm(NHSForm):
    title = forms.CharField(
        label="Report title",
        max_length=200,
        error_messages={
            "required": "Enter a report title",
            "max_length": "Report title must be 200 characters or fewer",
        },
        initial="Programme report",
        help_text="For example 'Carers' peer trainer programme: report to our funders, 2026'",
    )
