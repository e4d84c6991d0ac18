"""Django forms rendered as NHS.UK design system components.

``NHSFormRenderer`` makes ``{{ form.field.as_field_group() }}`` render the NHS.UK
macro that matches the field's widget (see ``core/forms/field.jinja``). Error
messages follow NHS content style: say what to do, not what went wrong.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.renderers import TemplatesSetting
from django.utils import timezone


class NHSFormRenderer(TemplatesSetting):
    field_template_name = "core/forms/field.jinja"


class NHSDateInput(forms.Widget):
    """Three boxes (day, month, year) as the NHS.UK date input asks for."""

    parts = ("day", "month", "year")

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str] | None:
        values = {part: (data.get(f"{name}_{part}") or "").strip() for part in self.parts}
        if not any(values.values()):
            return None
        return values

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}_{part}" in data for part in self.parts)

    def format_parts(self, value: Any) -> dict[str, str]:
        if isinstance(value, datetime.date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        if isinstance(value, dict):
            return {part: str(value.get(part, "")) for part in self.parts}
        return dict.fromkeys(self.parts, "")


class NHSDateField(forms.Field):
    """A date typed as day, month and year, with the NHS.UK error messages."""

    widget = NHSDateInput

    def __init__(self, *, noun: str = "date", past_only: bool = False, **kwargs: Any) -> None:
        self.noun = noun
        self.past_only = past_only
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("required", f"Enter {noun}")
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        missing = [part for part in NHSDateInput.parts if not value.get(part)]
        if missing:
            raise ValidationError(f"{self.noun[0].upper()}{self.noun[1:]} must include a {' and '.join(missing)}")
        not_real = ValidationError(f"{self.noun[0].upper()}{self.noun[1:]} must be a real date")
        try:
            day, month, year = (int(value[part]) for part in NHSDateInput.parts)
        except ValueError:
            raise not_real from None
        if not (1 <= day <= 31 and 1 <= month <= 12):
            raise not_real
        if year < 1900 or year > 2999:
            raise ValidationError("Year must include 4 numbers, for example 1968")
        try:
            return datetime.date(year, month, day)
        except ValueError:  # 31 April, 29 February in a common year
            raise not_real from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and self.past_only and value > timezone.localdate():
            raise ValidationError(f"{self.noun[0].upper()}{self.noun[1:]} must be today or in the past")


class NHSForm(forms.Form):
    """Base form: strips text, rejects NUL bytes everywhere, carries per-field NHS options.

    ``nhs_options`` maps a field name to extra macro parameters (classes,
    autocomplete, hint text, ...), which keeps presentation out of the fields.
    """

    nhs_options: dict[str, dict[str, Any]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        harden_fields(self.fields)


class NHSModelForm(forms.ModelForm):
    nhs_options: dict[str, dict[str, Any]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        harden_fields(self.fields)


def harden_fields(fields: dict[str, forms.Field]) -> None:
    """NUL bytes never reach the database (PostgreSQL rejects them); length errors speak NHS style."""
    for field in fields.values():
        max_length = getattr(field, "max_length", None)
        if max_length:
            label = str(field.label or "This answer")
            field.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"
        guarded = any(isinstance(v, ProhibitNullCharactersValidator) for v in field.validators)
        if isinstance(field, forms.CharField | forms.ChoiceField) and not guarded:
            field.validators.append(ProhibitNullCharactersValidator())


def error_list(form: forms.BaseForm) -> list[dict[str, str]]:
    """Errors for the NHS.UK error summary, each linking to its field's first input."""
    items: list[dict[str, str]] = []
    for name, errors in form.errors.items():
        if name == "__all__":
            # A whole-form error (a wrong password, say) points at the first field.
            first = next(iter(form.fields), None)
            anchor = form[first].auto_id if first else "maincontent"
            items.extend({"text": str(message), "href": f"#{anchor}"} for message in errors)
            continue
        bound = form[name]
        anchor = bound.auto_id or name
        widget = bound.field.widget
        if isinstance(widget, NHSDateInput):
            anchor = f"{anchor}-day"  # the NHS.UK date input's first box
        items.extend({"text": str(message), "href": f"#{anchor}"} for message in errors)
    return items


def summary_errors(form: forms.BaseForm, formset: forms.BaseFormSet | None = None) -> list[dict[str, str]]:
    """Errors of a form and its formset for one NHS.UK error summary, in page order.

    A view whose page has a formset passes the result to its template as ``errors``;
    the layout then shows this summary (and "Error:" in the title) instead of the form's.
    """
    items = error_list(form) if form.is_bound else []
    if formset is not None and formset.is_bound:
        for row in formset.forms:
            items.extend(error_list(row))
        first = formset.forms[0] if formset.forms else None
        anchor = f"#{first[next(iter(first.fields))].auto_id}" if first is not None else "#maincontent"
        items.extend({"text": str(message), "href": anchor} for message in formset.non_form_errors())
    return items


def add_service_error(form: forms.BaseForm, error: Exception, fields: Mapping[str, str] | None = None) -> None:
    """Show a service's error on the field it names (``error.field``, renamed by ``fields``) or the whole form."""
    field = getattr(error, "field", None) or ""
    name = (fields or {}).get(field, field)
    form.add_error(name if name in form.fields else None, str(error))


def form_status(form: forms.BaseForm) -> int:
    """Every PeerPath page re-shown with form errors answers 400, so clients and tests can
    tell a rejected submission from a page that loaded."""
    return 400 if form.is_bound and form.errors else 200
