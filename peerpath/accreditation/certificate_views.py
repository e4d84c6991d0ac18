"""An award's printable certificate, and the holder's choice about being named on its verification page."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from peerpath.accreditation import access, certificates, lifecycle
from peerpath.core.decorators import permission_required, require_object_permission
from peerpath.core.forms import NHSForm, add_service_error, form_status
from peerpath.core.pdf import pdf_response, render_pdf
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.courses.presenters import format_day
from peerpath.people import services as people_services
from peerpath.people.access import own_person
from peerpath.people.models import Consent


@require_safe
def certificate(request: AuthenticatedHttpRequest, award_id: UUID) -> HttpResponse:
    """The certificate as a PDF; a suspended or revoked award has none (409, saying why)."""
    award = access.access_award(request.user, award_id)
    require_object_permission(request, "accreditation.view_award", award)
    refused = certificates.refusal(award, timezone.localdate())
    if refused:
        return render(request, "accreditation/certificate.jinja", {"refusal": refused}, status=409)
    document = certificates.certificate_for(award)
    pdf = render_pdf("accreditation/certificate.jinja", {"certificate": document}, request=request)
    return pdf_response(pdf, document.filename)


class VerificationConsentForm(NHSForm):
    decision = forms.ChoiceField(
        label="Show your name on the verification page?",
        choices=[
            (Consent.Decision.GIVEN, "Yes, show my name"),
            (Consent.Decision.WITHDRAWN, "No, do not show my name"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether to show your name on the verification page",
            "invalid_choice": "Select yes or no",
        },
    )
    nhs_options = {
        "decision": {
            "hint": "If you choose no, the page still says whether the award is valid, "
            "and says that you chose not to show your name."
        }
    }


@require_http_methods(["GET", "POST"])
@permission_required("accreditation.keep_portfolio")
def verification_consent(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The holder decides whether the public verification pages of their awards show their name."""
    person = own_person(request.user)
    current = people_services.current_consents(person).get(Consent.Purpose.VERIFICATION)
    if request.method == "POST":
        form = VerificationConsentForm(request.POST)
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                people_services.record_consent(
                    actor=request.user,
                    person=person,
                    purpose=Consent.Purpose.VERIFICATION,
                    decision=decision,
                    method=Consent.Method.ONLINE,
                    decided_on=timezone.localdate(),
                )
            except people_services.PeopleError as error:
                add_service_error(form, error, {"decided_on": "decision"})
            else:
                shown = decision == Consent.Decision.GIVEN
                messages.success(
                    request,
                    "Your name will be shown on your verification pages"
                    if shown
                    else "Your name will not be shown on your verification pages",
                )
                return redirect("accreditation:verification_consent")
    else:
        form = VerificationConsentForm(initial={"decision": current.decision if current else None})
    today = timezone.localdate()
    awards = [
        {
            "scheme": award.scheme.name,
            "period": award.period,
            "from": format_day(award.valid_from),
            "until": format_day(award.valid_until) if award.valid_until else "",
            "code": award.verification_code,
            "printable": certificates.refusal(award, today) is None,
            "pk": award.pk,
        }
        for award in lifecycle.awards_of(person.pk)
    ]
    return render(
        request,
        "accreditation/verification_consent.jinja",
        {
            "form": form,
            "shown": current is not None and current.decision == Consent.Decision.GIVEN,
            "decided": format_day(current.decided_on) if current else "",
            "awards": awards,
        },
        status=form_status(form),
    )
