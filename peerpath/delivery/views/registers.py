"""A session's register: marked on one screen by a tutor (HTMX saves each change; a plain form
without JavaScript), entered late by a coordinator, and printed as a PDF."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from peerpath.core.decorators import require_object_permission
from peerpath.core.forms import add_service_error, form_status
from peerpath.core.pdf import pdf_response, render_pdf
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.delivery import access, presenters, registers
from peerpath.delivery.forms import RegisterForm
from peerpath.delivery.services import DeliveryError


@require_http_methods(["GET", "POST"])
def register(request: AuthenticatedHttpRequest, pk: UUID, session_id: UUID) -> HttpResponse:
    run = access.access_run(request.user, pk)
    require_object_permission(request, "delivery.mark_register", run)
    session = access.access_session(run, session_id)
    rows = registers.register_rows(session)
    coordinator = request.user.has_perm("delivery.manage_run", run)
    window = registers.window(session)
    today = timezone.localdate()
    initial = {f"mark_{row.pk}": row.mark.status for row in rows if row.mark}  # type: ignore[attr-defined]
    form = RegisterForm(request.POST if request.method == "POST" else None, enrolments=rows, initial=initial)
    saved = None
    if request.method == "POST" and form.is_valid():
        if form.unknown_marks():
            form.add_error(None, "Some of the people marked are not enrolled on this run. Reload the register")
        else:
            try:
                saved = registers.record_attendance(
                    actor=request.user, session=session, marks=form.marks(), coordinator=coordinator
                )
            except DeliveryError as error:
                add_service_error(form, error)
    if request.htmx:
        # One change saved in place: answer with the status line only.
        status = 200 if saved is not None else 400
        return render(
            request,
            "delivery/_register_status.jinja",
            {"form": form, "saved": saved, "session": session},
            status=status,
        )
    if saved is not None:
        messages.success(request, presenters.saved_message(saved))
        return redirect("delivery:register", pk=run.pk, session_id=session.pk)
    return render(
        request,
        "delivery/register.jinja",
        {
            "run": run,
            "session": session,
            "when": presenters.format_when(session.starts_at, session.ends_at),
            "where": presenters.venue_text(session.venue),
            "form": form,
            "rows": rows,
            "open": window.open_to(today, coordinator=coordinator),
            "late": window.is_late(today),
            "window": window,
            "coordinator": coordinator,
            "grace_days": registers.TUTOR_GRACE_DAYS,
        },
        status=form_status(form),
    )


@require_safe
def register_pdf(request: AuthenticatedHttpRequest, pk: UUID, session_id: UUID) -> HttpResponse:
    """The register to print: names with a box per mark, and marks already made."""
    run = access.access_run(request.user, pk)
    require_object_permission(request, "delivery.mark_register", run)
    session = access.access_session(run, session_id)
    context = {
        "run": run,
        "session": session,
        "when": presenters.format_when(session.starts_at, session.ends_at),
        "where": presenters.venue_text(session.venue),
        "rows": registers.register_rows(session),
        "facilitators": list(
            run.assignments.filter(session__isnull=True).select_related("person").order_by("role", "pk")
        ),
    }
    pdf = render_pdf("delivery/register_print.jinja", context, request=request)
    course = run.version.course.title
    return pdf_response(pdf, f"Register {course} session {session.number}")
