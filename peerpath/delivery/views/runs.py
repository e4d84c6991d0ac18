"""Course runs for staff: the list, a new run, its page, staffing, status and enrolling people."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from peerpath.core.decorators import permission_required, require_object_permission
from peerpath.core.forms import add_service_error, form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.delivery import access, enrolment, presenters, services
from peerpath.delivery.forms import AssignForm, RunFilterForm, RunForm, StaffEnrolForm, StatusForm, WithdrawForm
from peerpath.delivery.models import CourseRun, Enrolment
from peerpath.people import access as people_access
from peerpath.programmes.context import terms_of

Status = CourseRun.Status


@require_safe
@permission_required("delivery.list_runs")
def run_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RunFilterForm(request.GET)
    runs = (
        form.filter(access.visible_runs(request.user))
        .select_related("version__course", "term", "organisation")
        .soonest_last()
    )
    page = Paginator(runs, settings.PEERPATH_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "delivery/run_list.jinja",
        {
            "filter_form": form,
            "page": page,
            "rows": [presenters.run_row(run) for run in page.object_list],
            "query": query.urlencode(),
            "can_add": request.user.has_perm("delivery.add_run"),
            "can_manage_venues": request.user.has_perm("delivery.manage_venues"),
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@permission_required("delivery.add_run")
def run_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RunForm(
        request.POST if request.method == "POST" else None,
        versions=list(access.runnable_versions(request.user)),
        terms=list(access.run_terms(request.user)),
        organisations=list(people_access.coordinated_organisations(request.user).order_by("name")),
        venues=list(access.managed_venues(request.user).order_by("name")),
        initial={"interval_days": 7},
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.create_run(
                actor=request.user,
                version=form.chosen("version"),
                term=form.chosen("term"),
                organisation=form.chosen("organisation"),
                capacity=form.cleaned_data["capacity"],
                starts=form.starts(),
                venue=form.chosen("venue"),
                enrolment_opens_on=form.cleaned_data["enrolment_opens_on"],
                enrolment_closes_on=form.cleaned_data["enrolment_closes_on"],
            )
        except services.DeliveryError as error:
            add_service_error(form, error, {"starts": "first_day"})
        else:
            messages.success(request, "The run has been planned. Assign its tutors, then open it for enrolment")
            return redirect("delivery:run_detail", pk=run.pk)
    return render(request, "delivery/run_form.jinja", {"form": form}, status=form_status(form))


@require_safe
def run_detail(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    run = access.access_run(request.user, pk)
    require_object_permission(request, "delivery.view_run", run)
    can_manage = request.user.has_perm("delivery.manage_run", run)
    can_mark = request.user.has_perm("delivery.mark_register", run)
    sessions = presenters.session_rows(run, with_registers=can_mark)
    enrolments = list(
        run.enrolments.select_related("person").order_by("status", "position", "person__family_name", "pk")
    )
    assignments = list(run.assignments.select_related("person", "session").order_by("session__number", "role", "pk"))
    return render(
        request,
        "delivery/run_detail.jinja",
        {
            "run": run,
            "course": run.version.course,
            "terms": terms_of(run.version.course.programme),
            "status": presenters.run_status_tag(run),
            "facts": presenters.run_summary_rows(run, sessions),
            "sessions": sessions,
            "assignments": assignments,
            "gaps": services.staffing_gaps(run) if run.status == Status.PLANNED else [],
            "groups": presenters.enrolment_groups(enrolments),
            "history": presenters.history_rows(run.status_changes.all()[:20]),
            "can_manage": can_manage,
            "can_mark": can_mark,
            "can_message": request.user.has_perm("delivery.message_run", run),
            "status_choices": services.next_statuses(run),
        },
    )


@require_http_methods(["GET", "POST"])
def run_assign(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    run = access.access_run(request.user, pk)
    require_object_permission(request, "delivery.manage_run", run)
    sessions = list(run.sessions.order_by("number"))
    form = AssignForm(
        request.POST if request.method == "POST" else None,
        tutors=list(access.possible_facilitators(run)),
        sessions=sessions,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_facilitator(
                actor=request.user,
                run=run,
                person=form.tutors[form.cleaned_data["person"]],
                role=form.cleaned_data["role"],
                session=form.sessions.get(form.cleaned_data["session"] or ""),
            )
        except services.DeliveryError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The tutor has been assigned")
            return redirect("delivery:run_detail", pk=run.pk)
    return render(request, "delivery/run_assign.jinja", {"run": run, "form": form}, status=form_status(form))


@require_http_methods(["GET", "POST"])
def run_status(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    run = access.access_run(request.user, pk)
    require_object_permission(request, "delivery.manage_run", run)
    choices = services.next_statuses(run)
    form = StatusForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        to_status = form.cleaned_data["status"]
        try:
            if to_status == Status.CANCELLED:
                enrolment.cancel_run(actor=request.user, run_id=run.pk, reason=form.cleaned_data["reason"])
            elif to_status == Status.COMPLETED:
                result = enrolment.complete_run(actor=request.user, run_id=run.pk)
                messages.info(request, f"{result.completed} completed the course; {result.did_not_complete} did not")
            else:
                services.change_status(actor=request.user, run=run, to_status=to_status)
        except services.DeliveryError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"The run is now {Status(to_status).label.lower()}")
            return redirect("delivery:run_detail", pk=run.pk)
    return render(
        request,
        "delivery/run_status.jinja",
        {"run": run, "form": form, "gaps": services.staffing_gaps(run) if run.status == Status.PLANNED else []},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def run_enrol(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """A coordinator enrols someone on their behalf (by phone, or at a drop-in)."""
    run = access.access_run(request.user, pk)
    require_object_permission(request, "delivery.manage_run", run)
    form = StaffEnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        person = access.find_participant(request.user, run, form.cleaned_data["email"])
        if person is None:
            form.add_error("email", "No one in your organisations has this email address. Add them first")
        else:
            try:
                placed = enrolment.enrol(
                    actor=request.user,
                    run_id=run.pk,
                    person=person,
                    agreement_accepted=form.cleaned_data["agreement"],
                    channel=Enrolment.Channel.STAFF,
                )
            except services.DeliveryError as error:
                add_service_error(form, error, {"agreement": "agreement"})
            else:
                messages.success(request, presenters.enrolled_message(placed, person.display_name))
                return redirect("delivery:run_detail", pk=run.pk)
    return render(request, "delivery/run_enrol.jinja", {"run": run, "form": form}, status=form_status(form))


@require_http_methods(["GET", "POST"])
def run_withdraw(request: AuthenticatedHttpRequest, pk: UUID, enrolment_id: UUID) -> HttpResponse:
    run = access.access_run(request.user, pk)
    require_object_permission(request, "delivery.manage_run", run)
    placed = access.access_run_enrolment(run, enrolment_id)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment.withdraw(actor=request.user, enrolment_id=placed.pk, reason=form.cleaned_data["reason"])
        except services.DeliveryError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{placed.person.display_name} has been withdrawn")
            return redirect("delivery:run_detail", pk=run.pk)
    return render(
        request,
        "delivery/run_withdraw.jinja",
        {"run": run, "enrolment": placed, "form": form},
        status=form_status(form),
    )
