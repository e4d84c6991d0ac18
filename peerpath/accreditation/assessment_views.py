"""Assessors' screens: candidates, a candidate's file, granting, and an award's record and decisions."""

from __future__ import annotations

from uuid import UUID

import rules
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from peerpath.accreditation import access, assessment, awards, certificates, lifecycle, verification
from peerpath.accreditation.assessment_forms import AwardChangeForm, CandidateFilterForm, GrantForm, RenewForm
from peerpath.accreditation.awards import AccreditationError
from peerpath.accreditation.presenters import award_row
from peerpath.core.decorators import permission_required, require_object_permission
from peerpath.core.forms import add_service_error, form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.courses.presenters import format_day


@require_safe
@permission_required("accreditation.list_candidates")
def candidate_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """People in the user's organisations who are training, keeping a portfolio, observed or awarded."""
    form = CandidateFilterForm(request.GET)
    valid = form.is_valid()
    rows = assessment.candidate_rows(
        request.user,
        today=timezone.localdate(),
        show=form.cleaned_data.get("show", "") if valid else "",
        name=form.cleaned_data.get("q", "") if valid else "",
    )
    page = Paginator(rows, settings.PEERPATH_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accreditation/candidate_list.jinja",
        {"filter_form": form, "page": page, "query": query.urlencode()},
        status=form_status(form),
    )


@require_safe
@permission_required("accreditation.list_candidates")
def candidate_detail(request: AuthenticatedHttpRequest, candidate_id: UUID) -> HttpResponse:
    """One candidate's progress towards each scheme, evidence to review, observations and awards."""
    candidate = access.access_candidate(request.user, candidate_id)
    require_object_permission(request, "accreditation.view_candidate", candidate)
    today = timezone.localdate()
    file = assessment.candidate_file(candidate.pk, today=today)
    return render(
        request,
        "accreditation/candidate_detail.jinja",
        {
            "candidate": candidate,
            "file": file,
            "can_assess": request.user.has_perm("accreditation.assess_candidate", candidate),
            "awards": [award_row(award, today) for award in file.awards],
            "observations": [
                {"observation": observation, "day": format_day(observation.observed_on)}
                for observation in file.observations
            ],
            "to_review": [{"entry": entry, "day": format_day(entry.occurred_on)} for entry in file.to_review],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("accreditation.list_candidates")
def grant(request: AuthenticatedHttpRequest, candidate_id: UUID) -> HttpResponse:
    """Grant an award whose every requirement the candidate has met (the service checks again)."""
    candidate = access.access_candidate(request.user, candidate_id)
    require_object_permission(request, "accreditation.assess_candidate", candidate)
    today = timezone.localdate()
    held = lifecycle.awards_of(candidate.pk)
    schemes = assessment.grantable_schemes(held, today=today)
    initial: dict[str, object] = {"valid_from": today}
    if request.GET.get("scheme") in {scheme.code for scheme in schemes}:
        initial["scheme"] = request.GET["scheme"]
    form = GrantForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        schemes=schemes,
        allow_exception=request.user.is_superuser,
    )
    if request.method == "POST" and form.is_valid():
        try:
            award = awards.grant_award(
                actor=request.user,
                holder=candidate,
                scheme=form.chosen_scheme(),
                valid_from=form.cleaned_data["valid_from"],
                exception_reason=form.cleaned_data.get("exception_reason", ""),
            )
        except AccreditationError as error:
            add_service_error(form, error, {"exception_reason": "exception_reason"})
        else:
            messages.success(request, f"{candidate.display_name} now holds {award.scheme.name}")
            return redirect("accreditation:award_detail", award_id=award.pk)
    return render(
        request,
        "accreditation/grant.jinja",
        {
            "candidate": candidate,
            "form": form,
            "schemes": schemes,
            "progress": assessment.scheme_progress(candidate.pk, held, today=today),
        },
        status=form_status(form),
    )


@require_safe
@permission_required("accreditation.open_awards")
def award_detail(request: AuthenticatedHttpRequest, award_id: UUID) -> HttpResponse:
    """An award period: standing, dates, history, downloads for its holder and decisions for assessors."""
    award = access.access_award(request.user, award_id)
    require_object_permission(request, "accreditation.view_award", award)
    today = timezone.localdate()
    standing = lifecycle.standing(award, today)
    renewable = award.valid_until is not None and standing in (
        lifecycle.Standing.ACTIVE,
        lifecycle.Standing.EXPIRING_SOON,
        lifecycle.Standing.IN_GRACE,
    )
    successor = assessment.renewed_by(award)
    return render(
        request,
        "accreditation/award_detail.jinja",
        {
            **award_row(award, today),
            "history": [
                {"change": change, "when": format_day(timezone.localdate(change.changed_at))}
                for change in assessment.award_history(award)
            ],
            "successor": successor,
            "renewal": lifecycle.renewal_progress(award) if renewable and successor is None else [],
            "can_decide": request.user.has_perm("accreditation.decide_award", award),
            # Asked of the rule itself: Django's has_perm lets a superuser through every rule, and the
            # credential downloads are the holder's alone.
            "can_download": rules.has_perm("accreditation.download_credential", request.user, award),
            "moves": assessment.allowed_moves(award),
            "printable": certificates.refusal(award, today) is None,
            "verify_url": verification.verification_url(award),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("accreditation.open_awards")
def award_change(request: AuthenticatedHttpRequest, award_id: UUID) -> HttpResponse:
    """Suspend, reinstate or revoke an award, with a reason the holder is told."""
    award = access.access_award(request.user, award_id)
    require_object_permission(request, "accreditation.decide_award", award)
    moves = assessment.allowed_moves(award)
    form = AwardChangeForm(request.POST if request.method == "POST" else None, moves=moves)
    if request.method == "POST" and form.is_valid():
        move = form.cleaned_data["move"]
        try:
            lifecycle.change_award(actor=request.user, award=award, move=move, reason=form.cleaned_data["reason"])
        except AccreditationError as error:
            add_service_error(form, error, {"reason": "reason"})
        else:
            messages.success(request, f"The award has been {lifecycle.DONE[move]}")
            return redirect("accreditation:award_detail", award_id=award.pk)
    return render(
        request,
        "accreditation/award_change.jinja",
        {"award": award, "form": form, "moves": moves},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@permission_required("accreditation.open_awards")
def award_renew(request: AuthenticatedHttpRequest, award_id: UUID) -> HttpResponse:
    """The next period of an award, once its renewal requirements are met."""
    award = access.access_award(request.user, award_id)
    require_object_permission(request, "accreditation.decide_award", award)
    form = RenewForm(request.POST if request.method == "POST" else None, allow_exception=request.user.is_superuser)
    if request.method == "POST" and form.is_valid():
        try:
            renewal = lifecycle.renew_award(
                actor=request.user, award=award, exception_reason=form.cleaned_data.get("exception_reason", "")
            )
        except AccreditationError as error:
            add_service_error(form, error, {"exception_reason": "exception_reason"})
        else:
            until = renewal.award.valid_until
            messages.success(request, f"Renewed until {format_day(until)}" if until else "Renewed")
            return redirect("accreditation:award_detail", award_id=renewal.award.pk)
    return render(
        request,
        "accreditation/award_renew.jinja",
        {
            "award": award,
            "form": form,
            "renewal": lifecycle.renewal_progress(award),
            "until": format_day(award.valid_until) if award.valid_until else "",
        },
        status=form_status(form),
    )
