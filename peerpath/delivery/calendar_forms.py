"""The form for moving a session to another day, time or venue."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone

from peerpath.core.forms import NHSDateField, NHSForm
from peerpath.delivery.models import Session, Venue

# 18:30, 18.30, 6:30pm, 6.30pm, 6pm, 6:30 pm, 6 pm
TIME_FORMATS = ["%H:%M", "%H.%M", "%I:%M%p", "%I.%M%p", "%I%p", "%I:%M %p", "%I %p"]


def _time_field(label: str, noun: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=TIME_FORMATS,
        help_text="For example, 10:30 or 6:30pm",
        error_messages={"required": f"Enter {noun}", "invalid": f"Enter {noun} like 10:30 or 6:30pm"},
    )


class SessionMoveForm(NHSForm):
    """A session's new day, start and end (local time) and venue.

    ``venues`` are those the run may meet at, already fetched. Field names match
    the ``field`` of ``move_session``'s refusals, so they land beside the right box.
    """

    day = NHSDateField(label="Date", noun="the date of the session", help_text="For example, 2 3 2027")
    starts_at = _time_field("Start time", "the start time")
    ends_at = _time_field("End time", "the end time")
    venue = forms.ChoiceField(
        label="Venue",
        required=False,
        error_messages={"invalid_choice": "Select a venue from the list"},
    )

    nhs_options = {
        "starts_at": {"classes": "nhsuk-input--width-5", "inputmode": "text"},
        "ends_at": {"classes": "nhsuk-input--width-5", "inputmode": "text"},
        "venue": {"no_optional": True},
    }

    def __init__(self, *args: Any, venues: Sequence[Venue], session: Session, **kwargs: Any) -> None:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        kwargs.setdefault(
            "initial",
            {
                "day": starts.date(),
                "starts_at": starts.strftime("%H:%M"),
                "ends_at": ends.strftime("%H:%M"),
                "venue": str(session.venue_id or ""),
            },
        )
        super().__init__(*args, **kwargs)
        self.venues = {str(venue.pk): venue for venue in venues}
        self.fields["venue"].choices = [  # type: ignore[attr-defined]
            ("", "To be confirmed"),
            *((pk, f"{venue.name} (online)" if venue.online else venue.name) for pk, venue in self.venues.items()),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end time must be after the start time")
        return cleaned

    def _moment(self, at: datetime.time) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.cleaned_data["day"], at))

    def starts(self) -> datetime.datetime:
        return self._moment(self.cleaned_data["starts_at"])

    def ends(self) -> datetime.datetime:
        return self._moment(self.cleaned_data["ends_at"])

    def chosen_venue(self) -> Venue | None:
        return self.venues.get(self.cleaned_data.get("venue") or "")
