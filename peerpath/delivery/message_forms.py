"""The form for a message to some of a run's participants."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from peerpath.core.forms import NHSForm
from peerpath.delivery.models import SentMessage, Session
from peerpath.delivery.presenters import format_when


class MessageForm(NHSForm):
    """Who a message is for, and what it says.

    ``sessions`` are the run's sessions that have started, already fetched:
    "attended" and "missed" can be narrowed to one of them.
    """

    audience = forms.ChoiceField(
        label="Who is it for?",
        choices=SentMessage.Audience.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who the message is for",
            "invalid_choice": "Select who the message is for from the list",
        },
    )
    session = forms.ChoiceField(
        label="Which session?",
        required=False,
        help_text="Only for those who attended or missed a session",
        error_messages={"invalid_choice": "Select a session from the list"},
    )
    subject = forms.CharField(
        label="Subject",
        max_length=150,
        error_messages={"required": "Enter a subject"},
    )
    body = forms.CharField(
        label="Message",
        max_length=5000,
        widget=forms.Textarea,
        help_text="Each person gets their own email, starting with their name. Nobody sees who else it went to.",
        error_messages={"required": "Enter a message"},
    )

    nhs_options = {
        "session": {"no_optional": True},
        "subject": {"spellcheck": True},
        "body": {"rows": 8},
    }

    def __init__(self, *args: Any, sessions: Sequence[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions = {str(session.pk): session for session in sessions}
        self.fields["session"].choices = [  # type: ignore[attr-defined]
            ("", "Any session"),
            *(
                (pk, f"Session {session.number}: {session.topic} ({format_when(session.starts_at)})")
                for pk, session in self.sessions.items()
            ),
        ]

    def chosen_session(self) -> Session | None:
        return self.sessions.get(self.cleaned_data.get("session") or "")
