"""Forms for importing a programme: where the bundle comes from, then the answers to its preview."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.forms.utils import ErrorDict

from peerpath.bundles import format as fmt
from peerpath.bundles.importing import Conflict, Preview
from peerpath.core.forms import NHSForm
from peerpath.people.models import Organisation

UPLOAD = "upload"
# A programme code, as the bundle format writes one (docs/programme-bundles.md).
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def upload_limit() -> int:
    """The largest bundle file the form accepts: the format's limit, or the import page's
    request ceiling (``PEERPATH_BUNDLE_MAX_BYTES``) if lower.

    A request larger than the ceiling is refused before it is read (``core.uploads``), so the
    form could never say anything about a larger file.
    """
    return min(fmt.MAX_TOTAL_BYTES, settings.PEERPATH_BUNDLE_MAX_BYTES)


def megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


class ImportStartForm(NHSForm):
    """A bundle file or one of the models PeerPath ships, and the organisation that will own it.

    Rendered by hand in ``bundles/import_start.jinja``: the radios, then the file upload (which
    counts only for the "upload" choice, and chooses it when no radio was).
    """

    source = forms.ChoiceField(
        label="Where is the programme from?",
        required=False,
        error_messages={
            "required": "Choose where the programme comes from",
            "invalid_choice": "Choose where the programme comes from",
        },
    )
    bundle = forms.FileField(
        label="Programme bundle",
        required=False,
        error_messages={
            "empty": "The selected file is empty",
            "invalid": "Select a programme bundle",
            "missing": "Select a programme bundle",
        },
    )
    owner = forms.ModelChoiceField(
        label="Which organisation will own the programme?",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={
            "required": "Select the organisation that will own the programme",
            "invalid_choice": "Select the organisation that will own the programme",
        },
    )

    def __init__(
        self,
        *args: Any,
        models: list[tuple[str, str]],
        organisations: QuerySet[Organisation],
        max_bytes: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        source: Any = self.fields["source"]
        source.choices = [(UPLOAD, "A bundle file exported from PeerPath"), *models]
        owner: Any = self.fields["owner"]
        owner.queryset = organisations

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("source") and "source" not in self.errors:
            # A file chosen without the radio: the upload is what was meant.
            if cleaned.get("bundle") is not None:
                cleaned["source"] = UPLOAD
            else:
                self.add_error("source", "Choose where the programme comes from")
        if cleaned.get("source") == UPLOAD:
            upload: UploadedFile | None = cleaned.get("bundle")
            if upload is None and "bundle" not in self.errors:
                self.add_error("bundle", "Select a programme bundle")
            elif upload is not None and (upload.size or 0) > self.max_bytes:
                self.add_error("bundle", f"The selected file must be smaller than {megabytes(self.max_bytes)}")
        # The error summary lists errors in the order of the fields on the page.
        order = list(self.fields)
        ordered = sorted(self.errors.items(), key=lambda item: order.index(item[0]) if item[0] in order else -1)
        self._errors = ErrorDict(ordered, renderer=self.renderer)
        return cleaned

    @property
    def shipped(self) -> str:
        """The shipped model chosen, or "" for an upload."""
        source = str(self.cleaned_data.get("source") or "")
        return "" if source == UPLOAD else source


def conflict_field_name(conflict: Conflict) -> str:
    """A form field name for a conflict key ('scheme:abc' -> 'conflict-scheme-abc')."""
    return "conflict-" + re.sub(r"[^a-z0-9]+", "-", conflict.key.lower()).strip("-")


def about(title: str) -> str:
    """'Accreditation scheme 'X'' -> 'accreditation scheme 'X'' (only the first letter lowered)."""
    return title[:1].lower() + title[1:]


class ImportPreviewForm(NHSForm):
    """The programme's code and name, and an answer to each conflict the preview found."""

    code = forms.CharField(
        label="Programme code",
        max_length=60,
        help_text="Short, lower case letters, numbers and hyphens, for example dementia-carers",
        error_messages={"required": "Enter a programme code"},
    )
    name = forms.CharField(
        label="Programme name",
        max_length=200,
        error_messages={"required": "Enter a programme name"},
    )
    nhs_options: dict[str, dict[str, Any]] = {
        "code": {"classes": "nhsuk-input--width-20", "spellcheck": False},
    }

    def __init__(self, *args: Any, plan: Preview, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"code": plan.bundle.programme.code, "name": plan.bundle.programme.name})
        super().__init__(*args, **kwargs)
        self.conflicts = {conflict_field_name(conflict): conflict for conflict in plan.conflicts}
        for name, conflict in self.conflicts.items():
            message = f"Choose what to do about {about(conflict.title)}"
            self.fields[name] = forms.ChoiceField(
                label=conflict.title,
                help_text=conflict.problem,
                choices=conflict.choices,
                widget=forms.RadioSelect,
                error_messages={"required": message, "invalid_choice": message},
            )
        # Conflicts come first on the page, so their errors lead the error summary too.
        self.order_fields([*self.conflicts, "code", "name"])

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        if not SLUG.match(code):
            raise forms.ValidationError(
                "Programme code must only include lower case letters, numbers and hyphens, like dementia-carers"
            )
        return code

    def resolutions(self) -> dict[str, str]:
        return {conflict.key: str(self.cleaned_data[name]) for name, conflict in self.conflicts.items()}

    def conflict_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.conflicts]
