"""Calendar feeds: making and removing private addresses, serving them, and moving a session.

The feed itself (``feed``) is public: calendar apps fetch it without signing
in, so its secret token is the only key. Everything else is for signed-in
people about their own feed, or staff about a run they may see.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerpath.core.decorators import require_object_permission
from peerpath.core.forms import form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.delivery import access, calendar, sessions
from peerpath.delivery.calendar_forms import SessionMoveForm
from peerpath.delivery.models import CourseRun
from peerpath.delivery.presenters import format_when
from peerpath.delivery.services import DeliveryError
from peerpath.people.access import own_person


@require_http_methods(["GET", "POST"])
def my_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Whether the person has a calendar address; a POST makes a new one and shows it, once."""
    person = own_person(request.user)
    issued = None
    if request.method == "POST":
        try:
            issued = calendar.create_person_feed(actor=request.user, person=person)
        except DeliveryError as error:
            messages.error(request, str(error))
            return redirect("calendar:my_calendar")
    feed = issued.feed if issued else calendar.person_feed(person)
    return render(request, "calendar/my_calendar.jinja", {"feed": feed, "issued": issued})


@require_POST
def revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = own_person(request.user)
    feed = calendar.person_feed(person)
    if feed is not None:
        calendar.revoke_feed(actor=request.user, feed=feed)
        messages.success(request, "Your calendar address has been deleted. Calendars using it will stop updating")
    return redirect("calendar:my_calendar")


@login_not_required
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar text behind a private address; 404 for an unknown or replaced token."""
    found = calendar.feed_for_token(token)
    if found is None:
        raise Http404("No such calendar")
    response = HttpResponse(calendar.render_feed(found), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = f"private, max-age={calendar.CACHE_SECONDS}"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    return response


def _staff_run(request: AuthenticatedHttpRequest, pk: UUID) -> CourseRun:
    run = access.access_run(request.user, pk)
    require_object_permission(request, "delivery.view_run", run)
    return run


@require_http_methods(["GET", "POST"])
def run_feed(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """A member of staff's calendar address for one run's sessions; a POST makes (or replaces) it."""
    run = _staff_run(request, pk)
    issued = calendar.create_run_feed(actor=request.user, run=run) if request.method == "POST" else None
    feed = issued.feed if issued else calendar.run_feed(run, request.user)
    return render(request, "calendar/run_feed.jinja", {"run": run, "feed": feed, "issued": issued})


@require_POST
def run_feed_revoke(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    run = _staff_run(request, pk)
    feed = calendar.run_feed(run, request.user)
    if feed is not None:
        calendar.revoke_feed(actor=request.user, feed=feed)
        messages.success(request, "The calendar address for this run has been deleted")
    return redirect("calendar:run_feed", pk=run.pk)


@require_http_methods(["GET", "POST"])
def session_move(request: AuthenticatedHttpRequest, pk: UUID, session_id: UUID) -> HttpResponse:
    """Move a session to another day, time or venue: the run's coordinators only."""
    run = access.access_run(request.user, pk)
    require_object_permission(request, "delivery.manage_run", run)
    session = access.access_session(run, session_id)
    owners = {run.organisation_id, run.version.course.owner_id}
    venues = list(access.managed_venues(request.user).filter(organisation_id__in=owners).order_by("name"))
    if session.venue is not None and session.venue not in venues:
        venues.append(session.venue)
    form = SessionMoveForm(request.POST if request.method == "POST" else None, venues=venues, session=session)
    was = format_when(session.starts_at, session.ends_at)
    if request.method == "POST" and form.is_valid():
        try:
            moved = sessions.move_session(
                actor=request.user,
                session=session,
                starts_at=form.starts(),
                ends_at=form.ends(),
                venue=form.chosen_venue(),
            )
        except DeliveryError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            if moved:
                when = format_when(session.starts_at, session.ends_at)
                messages.success(request, f"Session {session.number} now meets on {when}")
            return redirect("delivery:run_detail", pk=run.pk)
    return render(
        request,
        "calendar/session_move.jinja",
        {"run": run, "session": session, "form": form, "was": was},
        status=form_status(form),
    )
