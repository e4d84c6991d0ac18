"""Messages from a run's staff to some of its participants, chosen by place or attendance."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from peerpath.core.decorators import require_object_permission
from peerpath.core.forms import form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.delivery import access, reminders
from peerpath.delivery.message_forms import MessageForm
from peerpath.delivery.models import CourseRun
from peerpath.delivery.presenters import format_when
from peerpath.delivery.services import DeliveryError


def _run(request: AuthenticatedHttpRequest, pk: UUID) -> CourseRun:
    run = access.access_run(request.user, pk)
    require_object_permission(request, "delivery.message_run", run)
    return run


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


@require_safe
def message_list(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    run = _run(request, pk)
    sent = run.messages.select_related("session", "sent_by__person").order_by("-created_at")
    rows = [
        {
            "message": message,
            "when": format_when(message.created_at),
            "audience": reminders.describe_audience(message.audience, message.session),
            "sender": _sender(message.sent_by),
        }
        for message in sent
    ]
    return render(request, "messages/message_list.jinja", {"run": run, "rows": rows})


def _sender(user: object) -> str:
    person = getattr(user, "person", None)
    return person.display_name if person is not None else str(getattr(user, "username", ""))


@require_http_methods(["GET", "POST"])
def message_create(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Write a message, see how many people it reaches, then send it (three steps, one URL)."""
    run = _run(request, pk)
    started = list(run.sessions.filter(starts_at__lte=timezone.now()).order_by("number"))
    form = MessageForm(request.POST if request.method == "POST" else None, sessions=started)
    context: dict[str, object] = {"run": run, "form": form}
    if request.method == "POST" and form.is_valid():
        audience, session = form.cleaned_data["audience"], form.chosen_session()
        if "send" in request.POST:
            try:
                message = reminders.send_run_message(
                    actor=request.user,
                    run=run,
                    audience=audience,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    session=session,
                )
            except DeliveryError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, f"Your message is on its way to {_people(message.recipients)}")
                return redirect("messages:message_list", pk=run.pk)
        elif "change" not in request.POST:
            if audience not in reminders.BY_SESSION:
                session = None
            size = reminders.audience_size(run, audience, session)
            context |= {
                "size": size,
                "reached": _people(size.reached),
                "missing": _people(size.without_email),
                "audience": reminders.describe_audience(audience, session),
            }
            return render(request, "messages/message_confirm.jinja", context)
    return render(request, "messages/message_form.jinja", context, status=form_status(form))
