"""Service errors shown on forms and formsets."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from peerpath.courses.services import CourseError


def add_service_error(form: forms.BaseForm, error: CourseError, fields: Mapping[str, str] | None = None) -> None:
    """Show a service's CourseError on the field it names (or the whole form)."""
    name = (fields or {}).get(error.field or "", error.field)
    form.add_error(name if name in form.fields else None, str(error))


def add_formset_error(formset: forms.BaseFormSet, message: str) -> None:
    """A whole-formset error found after validation (the service's own checks)."""
    formset.non_form_errors().append(message)
