"""The public verification page of an award, open to everyone, signed in or not.

What the page may show is decided in ``peerpath.accreditation.verification``;
these views only find the award by its code and hand the template a
``PublicAward``.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from peerpath.accreditation import verification
from peerpath.core.forms import NHSForm, form_status

EXAMPLE_CODE = "K7QF-2M9X-TR4P-8WZD"


class LookupForm(NHSForm):
    code = forms.CharField(
        label="Verification code",
        max_length=100,
        error_messages={"required": "Enter the verification code from the certificate"},
    )
    nhs_options = {
        "code": {
            "hint": f"It is on the certificate, beside the QR code. It has 16 letters and numbers, "
            f"for example {EXAMPLE_CODE}",
            "classes": "nhsuk-input--width-20",
            "autocomplete": "off",
            "spellcheck": False,
        }
    }

    def clean_code(self) -> str:
        code = verification.normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                f"Enter the verification code as it is on the certificate, for example {EXAMPLE_CODE}"
            )
        return code


def _public(response: HttpResponse) -> HttpResponse:
    # Verification pages are for people who have the code, not for search engines.
    response["X-Robots-Tag"] = "noindex"
    return response


@login_not_required
@require_safe
def lookup(request: HttpRequest) -> HttpResponse:
    """Type the code from a certificate; a code that can be one goes to its page, however it was typed."""
    form = LookupForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        return redirect("verify:award", code=form.cleaned_data["code"])
    return _public(render(request, "accreditation/verify_lookup.jinja", {"form": form}, status=form_status(form)))


@login_not_required
@require_safe
def award(request: HttpRequest, code: str) -> HttpResponse:
    """What anyone with the code may know about the award: see ``verification.public_view``."""
    canonical = verification.normalise_code(code)
    if canonical is not None and canonical != code:
        return redirect("verify:award", code=canonical)
    found = verification.find_award(canonical) if canonical else None
    if found is None:
        return _public(render(request, "accreditation/verify_missing.jinja", status=404))
    public = verification.public_view(found, timezone.localdate())
    return _public(render(request, "accreditation/verify.jinja", {"award": public}))
