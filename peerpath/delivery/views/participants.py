"""A participant's own courses: enrolling from the prospectus, offers, leaving, and their sessions."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerpath.core.decorators import permission_required
from peerpath.core.forms import add_service_error, form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.delivery import access, enrolment, presenters
from peerpath.delivery.forms import EnrolForm, WithdrawForm
from peerpath.delivery.prospectus import public_run
from peerpath.delivery.services import DeliveryError
from peerpath.people.access import own_person


@require_safe
@permission_required("delivery.enrol_self")
def my_courses(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "delivery/my_courses.jinja", presenters.my_courses(access.own_enrolments(request.user)))


@require_http_methods(["GET", "POST"])
@permission_required("delivery.enrol_self")
def enrol(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Enrol on a run listed in a published prospectus: one question, the student agreement."""
    run = public_run(pk)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            placed = enrolment.enrol(
                actor=request.user,
                run_id=run.pk,
                person=own_person(request.user),
                agreement_accepted=form.cleaned_data["agreement"],
            )
        except DeliveryError as error:
            add_service_error(form, error)
        else:
            messages.success(request, presenters.enrolled_message(placed))
            return redirect("delivery:my_courses")
    return render(
        request,
        "delivery/enrol.jinja",
        {"run": run, "form": form, "places": presenters.places_left_text(run), "when": presenters.run_dates(run)},
        status=form_status(form),
    )


@require_POST
@permission_required("delivery.enrol_self")
def accept_offer(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    placed = access.access_own_enrolment(request.user, pk)
    try:
        enrolment.accept_offer(actor=request.user, enrolment_id=placed.pk)
    except DeliveryError as error:
        messages.error(request, str(error))
        return redirect("delivery:my_courses")
    messages.success(request, f"You have a place on {placed.run.version.course.title}")
    return redirect("delivery:my_courses")


@require_http_methods(["GET", "POST"])
@permission_required("delivery.enrol_self")
def leave(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Withdraw from a run, decline an offer or leave the waiting list, after a confirmation page."""
    placed = access.access_own_enrolment(request.user, pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment.withdraw(actor=request.user, enrolment_id=placed.pk, reason=form.cleaned_data["reason"])
        except DeliveryError as error:
            add_service_error(form, error)
        else:
            messages.success(request, presenters.left_message(placed))
            return redirect("delivery:my_courses")
    return render(
        request,
        "delivery/leave.jinja",
        {"enrolment": placed, "form": form, "action": presenters.leave_action(placed)},
        status=form_status(form),
    )
