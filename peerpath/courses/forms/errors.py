"""Service errors on forms, and one error summary for a form and its formset."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from peerpath.core.forms import error_list
from peerpath.courses.services import CourseError


def add_service_error(form: forms.BaseForm, error: CourseError, fields: Mapping[str, str] | None = None) -> None:
    """Show a service's CourseError on the field it names (or the whole form)."""
    name = (fields or {}).get(error.field or "", error.field)
    form.add_error(name if name in form.fields else None, str(error))


def summary_errors(form: forms.BaseForm, formset: forms.BaseFormSet | None = None) -> list[dict[str, str]]:
    """Errors of a form and its formset for one NHS.UK error summary, in page order."""
    items = error_list(form) if form.is_bound else []
    if formset is not None and formset.is_bound:
        for row in formset.forms:
            items.extend(error_list(row))
        first = formset.forms[0] if formset.forms else None
        anchor = f"#{first[next(iter(first.fields))].auto_id}" if first is not None else "#maincontent"
        items.extend({"text": str(message), "href": anchor} for message in formset.non_form_errors())
    return items


def add_formset_error(formset: forms.BaseFormSet, message: str) -> None:
    """A whole-formset error found after validation (the service's own checks)."""
    formset.non_form_errors().append(message)
