"""Coordinators' evaluation pages: their runs' questionnaires and scores, a run's own schedule,
and safety alerts to follow up (namespace ``evaluation``; ADR 018).

Rows come through ``access`` (404 out of scope) after a named rule (403); the reads behind
each page are ``selectors``, a fixed number of queries whatever the rows; writes go through
``scheduling`` and ``responses``, whose errors are shown beside the field they name.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from peerpath.core.decorators import permission_required
from peerpath.core.forms import add_service_error, error_list, form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.courses.choices import Category
from peerpath.courses.presenters import format_day, format_percent, user_name
from peerpath.delivery.models import CourseRun, Enrolment
from peerpath.delivery.presenters import format_when, run_status_tag
from peerpath.evaluation import access, responses, scheduling, selectors, wording
from peerpath.evaluation.forms import AlertFilterForm, CloseAlertForm, RunFilterForm, ScheduleForm, ScoreFilterForm
from peerpath.evaluation.models import SCHEDULED_TIMEPOINTS, SafetyAlert
from peerpath.evaluation.selectors import State, plain_number

STATE_TAGS: dict[str, tuple[str, str]] = {
    State.NOT_INVITED: ("Not invited", "grey"),
    State.INVITED: ("Invited", "blue"),
    State.IN_PROGRESS: ("In progress", "yellow"),
    State.COMPLETE: ("Complete", "green"),
    State.EXPIRED: ("Expired", "orange"),
    State.WITHDRAWN: ("Withdrawn", "grey"),
}
ALERT_TAGS: dict[str, str] = {SafetyAlert.Status.OPEN: "red", SafetyAlert.Status.CLOSED: "grey"}


# Presenting -----------------------------------------------------------------------------


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def format_change(change: Decimal) -> str:
    """+3, 0, and -6 written with a true minus sign (U+2212)."""
    if change > 0:
        return f"+{plain_number(change)}"
    if change < 0:
        return f"\N{MINUS SIGN}{plain_number(-change)}"
    return "0"


def _entry_href(run: CourseRun, person_id: UUID, timepoint: str) -> str:
    query = urlencode({"run": str(run.pk), "person": str(person_id), "timepoint": timepoint})
    return f"{reverse('evaluation_entry:start')}?{query}"


def _state_detail(entry: selectors.TimepointEntry) -> str:
    invitation = entry.invitation
    if entry.state == State.COMPLETE:
        how = f" ({', '.join(mode.lower() for mode in entry.modes)})" if entry.modes else ""
        return f"On {format_day(entry.completed_at)}{how}" if entry.completed_at else ""
    if invitation is None:
        return "Started on paper, not submitted" if entry.state == State.IN_PROGRESS else ""
    if entry.state == State.WITHDRAWN:
        return invitation.withdrawn_reason
    if entry.state == State.EXPIRED:
        return f"The link stopped working on {format_day(invitation.expires_at)}"
    reminders = _plural(invitation.reminders, "reminder", "reminders") if invitation.reminders else "no reminders yet"
    invited = f"Invited on {format_day(invitation.sent_at or invitation.created_at)}, {reminders}"
    if entry.state == State.IN_PROGRESS:
        return f"{invited}. Started, not submitted"
    return invited


def _score_groups(lines: list[selectors.ScoreLine], chosen: str) -> list[dict[str, Any]]:
    """Scores by questionnaire, in the order given (only the chosen questionnaire's, if one is)."""
    groups: dict[str, dict[str, Any]] = {}
    for line in lines:
        if chosen and line.code != chosen:
            continue
        group = groups.setdefault(line.code, {"instrument": line.instrument, "scales": []})
        group["scales"].append({"name": line.scale, "value": plain_number(line.value), "band": line.band})
    return list(groups.values())


def _participant_cell(
    run: CourseRun, participant: selectors.Participant, timepoint: str, *, can_enter: bool, chosen: str
) -> dict[str, Any]:
    entry = participant.entries[timepoint]
    text, colour = STATE_TAGS[entry.state]
    enter = can_enter and participant.may_enter and entry.state != State.COMPLETE
    return {
        "person": participant.person,
        # "Enrolled" goes without saying; completed, did not complete and offered do not.
        "enrolment": ""
        if participant.enrolment.status == Enrolment.Status.ENROLLED
        else participant.enrolment.get_status_display(),
        "tag": {"text": text, "classes": f"nhsuk-tag--{colour}"},
        "detail": _state_detail(entry),
        "scores": _score_groups(entry.scores, chosen),
        "entry_href": _entry_href(run, participant.person.pk, timepoint) if enter else "",
    }


def _change_groups(participants: list[selectors.Participant], chosen: str) -> list[dict[str, Any]]:
    """Changes from baseline to end, one table per questionnaire (by name), people in list order."""
    groups: dict[str, dict[str, Any]] = {}
    for participant in participants:
        for change in participant.changes:
            if chosen and change.code != chosen:
                continue
            group = groups.setdefault(change.code, {"instrument": change.instrument, "rows": []})
            group["rows"].append(
                {
                    "person": participant.person,
                    "scale": change.scale,
                    "before": plain_number(change.before),
                    "after": plain_number(change.after),
                    "change": format_change(change.change),
                    "reading": change.reading,
                }
            )
    return sorted(groups.values(), key=lambda group: str(group["instrument"]).lower())


def _offered_instruments(
    plan: list[selectors.PlannedTimepoint], participants: list[selectors.Participant]
) -> list[tuple[str, str]]:
    """(code, short name) of every questionnaire planned or scored on the run, by name."""
    offered = {code: name for planned in plan for code, name in planned.instruments}
    for participant in participants:
        for entry in participant.entries.values():
            offered.update((line.code, line.instrument) for line in entry.scores)
    return sorted(offered.items(), key=lambda pair: (pair[1].lower(), pair[0]))


def _schedule_source(run: CourseRun, planned: selectors.PlannedTimepoint) -> str:
    schedule = planned.schedule
    if planned.switched_off:
        return "Switched off for this run"
    if schedule is None:
        return "Nothing planned for this course's category"
    if schedule.run_id is not None:
        return "This run's own schedule"
    category = Category(run.version.course.category).label
    if schedule.organisation_id is not None:
        return f"{run.organisation.name}'s schedule for each {category}"
    return f"The network's schedule for each {category}"


def _plan_row(run: CourseRun, planned: selectors.PlannedTimepoint) -> dict[str, Any]:
    window = planned.window
    when = ""
    if planned.schedule is not None:
        when = (
            f"Invitations go on {format_day(window.due)}; links work until {format_day(window.closes)}"
            if window
            else "Dates follow once the run has sessions"
        )
    return {
        "timepoint": planned.timepoint,
        "label": planned.label,
        "instruments": [name for _, name in planned.instruments],
        "source": _schedule_source(run, planned),
        "when": when,
        "overridden": planned.overridden,
    }


def _alert_row(alert: SafetyAlert) -> dict[str, Any]:
    run = alert.response.run
    return {
        "alert": alert,
        "when": format_day(alert.created_at),
        "name": alert.response.person.display_name,
        "course": run.version.course.title if run else "Not part of a course run",
        "organisation": alert.organisation.name if alert.organisation else "",
        "tag": {"text": alert.get_status_display(), "classes": f"nhsuk-tag--{ALERT_TAGS[alert.status]}"},
    }


def _query_without_page(request: AuthenticatedHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Runs ------------------------------------------------------------------------------------


@require_safe
@permission_required("evaluation.follow_runs")
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The runs of the user's organisations with, per timepoint, invited, completed and the rate."""
    form = RunFilterForm(request.GET, terms=selectors.evaluated_terms(request.user))
    runs = selectors.evaluated_run_list(request.user, **form.chosen())
    page = Paginator(runs, settings.PEERPATH_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "run": summary.run,
            "status": run_status_tag(summary.run),
            "starts": format_day(summary.run.starts_at) if summary.run.starts_at else "No sessions",
            "timepoints": [
                {
                    "label": count.label,
                    "invited": count.invited,
                    "completed": count.completed,
                    "rate": format_percent(count.rate) if count.rate is not None else "",
                    "planned": count.planned,
                }
                for count in summary.timepoints
            ],
            "open_alerts": summary.open_alerts,
        }
        for summary in selectors.run_summaries(request.user, list(page.object_list))
    ]
    follows_safety = request.user.has_perm("evaluation.follow_safety")
    return render(
        request,
        "evaluation/staff/index.jinja",
        {
            "filter_form": form,
            # The layout's error summary reads ``errors`` (or ``form``, which is not this one).
            "errors": error_list(form),
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
            "open_alerts": selectors.open_alert_count(request.user) if follows_safety else 0,
            "follows_safety": follows_safety,
        },
        status=form_status(form),
    )


@require_safe
@permission_required("evaluation.follow_runs")
def run_detail(request: AuthenticatedHttpRequest, run_id: UUID) -> HttpResponse:
    """One run's plan per timepoint and its participants' invitations, scores and changes."""
    run = access.access_evaluated_run(request.user, run_id)
    plan = selectors.run_plan(run)
    participants = selectors.run_participants(request.user, run)
    form = ScoreFilterForm(request.GET, instruments=_offered_instruments(plan, participants))
    chosen = form.chosen()
    can_enter = request.user.has_perm("evaluation.enter_answers")
    sections = [
        {
            "timepoint": planned.timepoint,
            "label": planned.label,
            "rows": [
                _participant_cell(run, participant, planned.timepoint, can_enter=can_enter, chosen=chosen)
                for participant in participants
            ],
        }
        for planned in plan
        if planned.schedule is not None
        or any(participant.entries[planned.timepoint].state != State.NOT_INVITED for participant in participants)
    ]
    return render(
        request,
        "evaluation/staff/run_detail.jinja",
        {
            "run": run,
            "status": run_status_tag(run),
            "plan": [_plan_row(run, planned) for planned in plan],
            "filter_form": form,
            "errors": error_list(form),
            "sections": sections,
            "participant_count": len(participants),
            "change_groups": _change_groups(participants, chosen),
            "open_alerts": selectors.run_open_alerts(request.user, run),
            "follows_safety": request.user.has_perm("evaluation.follow_safety"),
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@permission_required("evaluation.follow_runs")
def run_schedule(request: AuthenticatedHttpRequest, run_id: UUID, timepoint: str) -> HttpResponse:
    """Change what one run asks at one timepoint, switch it off, or go back to the category's schedule."""
    run = access.access_evaluated_run(request.user, run_id)
    if timepoint not in SCHEDULED_TIMEPOINTS:
        raise Http404("No such timepoint")
    planned = next(planned for planned in selectors.run_plan(run) if planned.timepoint == timepoint)
    versions = scheduling.askable_versions()
    posted = request.method == "POST"
    form = ScheduleForm(
        request.POST if posted else None,
        timepoint=timepoint,
        versions=versions,
        action=request.POST.get("action", "") if posted else "",
        initial=ScheduleForm.initial_for(planned.schedule),
    )
    if posted and form.is_valid():
        try:
            done = _change_schedule(request, run, timepoint, form)
        except scheduling.SchedulingError as error:
            add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect("evaluation:run", run_id=run.pk)
    return render(
        request,
        "evaluation/staff/run_schedule.jinja",
        {
            "run": run,
            "form": form,
            "planned": _plan_row(run, planned),
            "label": planned.label,
            "paper_only": {version.code for version in versions if not wording.can_answer_online(version)},
        },
        status=form_status(form),
    )


def _change_schedule(request: AuthenticatedHttpRequest, run: CourseRun, timepoint: str, form: ScheduleForm) -> str:
    label = selectors.timepoint_label(timepoint).lower()
    if form.action == ScheduleForm.SWITCH_OFF:
        scheduling.switch_off_timepoint(actor=request.user, run=run, timepoint=timepoint)
        return f"This run will ask nothing at {label}"
    if form.action == ScheduleForm.USE_CATEGORY:
        scheduling.use_category_schedule(actor=request.user, run=run, timepoint=timepoint)
        return f"This run now follows its category's schedule at {label}"
    scheduling.set_run_schedule(
        actor=request.user,
        run=run,
        timepoint=timepoint,
        instrument_codes=form.chosen_codes(),
        days=form.cleaned_data["days"],
        open_days=form.cleaned_data["open_days"],
    )
    return f"This run's questionnaires at {label} have been saved"


# Safety alerts ---------------------------------------------------------------------------


@require_safe
@permission_required("evaluation.follow_safety")
def alerts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Safety alerts of the user's organisations: open ones oldest first, then closed ones."""
    form = AlertFilterForm(request.GET)
    chosen = form.chosen()
    run = selectors.followed_run(request.user, chosen["run_id"]) if chosen["run_id"] else None
    if chosen["run_id"] and run is None:
        form.add_error(None, AlertFilterForm.BAD_RUN)
        chosen["run_id"] = None
    page = Paginator(selectors.alert_list(request.user, **chosen), settings.PEERPATH_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "evaluation/staff/alert_list.jinja",
        {
            "filter_form": form,
            "errors": error_list(form),
            "page": page,
            "rows": [_alert_row(alert) for alert in page.object_list],
            "run": run,
            "query": _query_without_page(request),
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@permission_required("evaluation.follow_safety")
def alert(request: AuthenticatedHttpRequest, alert_id: int) -> HttpResponse:
    """One alert, with how to reach the person; closed here with a note of how it was followed up."""
    found = access.access_alert(request.user, alert_id)
    form = CloseAlertForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if found.status == SafetyAlert.Status.CLOSED:
            return _closed_already(request, found)
        if form.is_valid():
            try:
                responses.close_safety_alert(actor=request.user, alert=found, note=form.cleaned_data["note"])
            except responses.AnswerError as error:
                found.refresh_from_db(fields=["status"])
                if found.status == SafetyAlert.Status.CLOSED:
                    # Someone closed it while this page was open.
                    return _closed_already(request, access.access_alert(request.user, alert_id))
                add_service_error(form, error)
            else:
                messages.success(request, "The alert has been closed with your note")
                return redirect("evaluation:alert", alert_id=found.pk)
    return _alert_page(request, found, form, status=form_status(form))


def _closed_already(request: AuthenticatedHttpRequest, found: SafetyAlert) -> HttpResponse:
    """409: the alert was closed before this post; nothing changed, and the page shows who closed it."""
    message = f"This alert was already closed by {user_name(found.closed_by)}: your note was not saved"
    errors = [{"text": message, "href": "#closed"}]
    return _alert_page(request, found, None, status=409, errors=errors)


def _alert_page(
    request: AuthenticatedHttpRequest,
    found: SafetyAlert,
    form: CloseAlertForm | None,
    *,
    status: int,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    response = found.response
    run = response.run
    closed = found.status == SafetyAlert.Status.CLOSED
    return render(
        request,
        "evaluation/staff/alert_detail.jinja",
        {
            "alert": found,
            "person": response.person,
            "tag": {"text": found.get_status_display(), "classes": f"nhsuk-tag--{ALERT_TAGS[found.status]}"},
            "raised": format_when(found.created_at),
            "run": run,
            "instrument": response.instrument_version.short_name,
            "item": selectors.alert_item(found),
            "closed_on": format_when(found.closed_at) if isinstance(found.closed_at, datetime) else "",
            "closed_by": user_name(found.closed_by),
            "form": None if closed else form,
            "errors": errors or [],
            "can_follow_run": run is not None and request.user.has_perm("evaluation.follow_runs"),
        },
        status=status,
    )
