"""Service errors shown on forms and formsets."""

from __future__ import annotations

from django import forms

from peerpath.core.forms import add_service_error

__all__ = ["add_formset_error", "add_service_error"]


def add_formset_error(formset: forms.BaseFormSet, message: str) -> None:
    """A whole-formset error found after validation (the service's own checks)."""
    formset.non_form_errors().append(message)
