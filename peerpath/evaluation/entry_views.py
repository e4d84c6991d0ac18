"""Staff typing in a questionnaire given on paper, by phone or in person.

Only those with ``evaluation.enter_answers`` (coordinators and administrators) reach these
pages; the response services then check that they may enter answers for the person
(``access.may_enter_for``), and a form is reached again only by whoever started it
(``access.access_entered_response``: 404 for anyone else).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from peerpath.core.decorators import permission_required
from peerpath.core.forms import add_service_error, form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.courses.presenters import format_day
from peerpath.delivery.models import CourseRun
from peerpath.evaluation import access, responses, wording
from peerpath.evaluation.definitions import Instrument
from peerpath.evaluation.models import Response, SafetyAlert
from peerpath.evaluation.questionnaire_forms import NO_RUN, EntryStartForm, QuestionnaireForm, RunChoiceForm, run_label
from peerpath.evaluation.questionnaire_presenters import score_lines
from peerpath.evaluation.responses import AnswerError

# Lists to choose from are capped: beyond these, start from the run (or the person's page).
RUN_LIMIT = 200
PEOPLE_LIMIT = 500
UNFINISHED_LIMIT = 50


def _form_url(response: Response) -> str:
    return reverse("evaluation_entry:form", kwargs={"response_id": response.pk})


@require_http_methods(["GET", "POST"])
@permission_required("evaluation.enter_answers")
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Choose the run (or none), then the person, questionnaire, timepoint and mode; then type it in."""
    user = request.user
    posted = request.method == "POST"
    source = request.POST if posted else request.GET
    choice = source.get("run")
    if not posted and not choice and "person" not in request.GET:
        # First step (or the run picker sent back empty): which run is the form about?
        picker = RunChoiceForm(request.GET if "run" in request.GET else None, runs=access.entry_runs(user)[:RUN_LIMIT])
        unfinished = list(access.unfinished_entries(user)[:UNFINISHED_LIMIT])
        return render(
            request,
            "evaluation/entry/choose_run.jinja",
            {"form": picker, "unfinished": unfinished},
            status=form_status(picker),
        )
    run: CourseRun | None = None if choice in (None, "", NO_RUN) else access.access_evaluated_run(user, choice)
    form = EntryStartForm(
        request.POST if posted else None,
        initial={key: request.GET[key] for key in ("person", "instrument", "timepoint", "mode") if key in request.GET},
        people=list(access.entry_people(user, run)[:PEOPLE_LIMIT]),
        versions=list(access.entry_versions()),
        run=run,
    )
    if posted and form.is_valid():
        try:
            response = responses.start_response(
                actor=user,
                person=form.chosen_person(),
                instrument_version=form.chosen_version(),
                run=run,
                timepoint=form.cleaned_data["timepoint"],
                mode=form.cleaned_data["mode"],
            )
        except AnswerError as error:
            add_service_error(form, error)
        else:
            return redirect(_form_url(response))
    return render(
        request,
        "evaluation/entry/start.jinja",
        {
            "form": form,
            "run": run,
            "run_label": run_label(run) if run else "",
            "run_value": str(run.pk) if run else NO_RUN,
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@permission_required("evaluation.enter_answers")
def entry_form(request: AuthenticatedHttpRequest, response_id: UUID) -> HttpResponse:
    """The questionnaire's items to type in; once submitted, its scores and any safety alert."""
    response = access.access_entered_response(request.user, response_id)
    instrument = responses.instrument_for(response.instrument_version)
    if response.status == Response.Status.COMPLETE:
        if request.method == "POST":
            messages.info(request, "This form has already been submitted: its answers can no longer change")
            return redirect(_form_url(response))
        return _submitted(request, response)
    try:
        words = wording.wording_for(instrument)
    except wording.WordingError:
        words = None  # staff type in by question number and value, as without wording
    posted = request.method == "POST"
    answers_form = QuestionnaireForm(
        request.POST if posted else None, instrument=instrument, wording=words, saved=access.saved_answers(response)
    )
    context: dict[str, Any] = {"form": answers_form, "response": response, "instrument": instrument, "wording": words}
    if not posted:
        return render(request, "evaluation/entry/form.jinja", context)
    unknown = answers_form.unknown_items()
    if unknown:
        answers_form.add_error(None, f"This questionnaire has no question {unknown[0]!r}: nothing was saved")
        return render(request, "evaluation/entry/form.jinja", context, status=400)
    try:
        saved = responses.save_answers(actor=request.user, response=response, answers=answers_form.posted_answers())
        if saved.errors:
            answers_form.show_errors(saved.errors)
            return render(request, "evaluation/entry/form.jinja", context, status=400)
        if request.POST.get("action") != "submit":
            messages.success(request, "The answers have been saved. You can come back to this form to finish it")
            return redirect(_form_url(response))
        result = responses.submit(
            actor=request.user, response=response, left_blank_on_form=request.POST.get("left_blank") == "yes"
        )
    except AnswerError as error:
        answers_form.add_error(None, str(error))
        return render(request, "evaluation/entry/form.jinja", context, status=400)
    if result.errors:
        answers_form.show_errors(result.errors)
        context["blank_required"] = True
        return render(request, "evaluation/entry/form.jinja", context, status=400)
    messages.success(
        request, f"{response.instrument_version.short_name} for {response.person.display_name} has been submitted"
    )
    return redirect(_form_url(response))


def _alert_href(alert: SafetyAlert) -> str:
    # The follow-up page belongs to the staff evaluation pages; without it, the notice stays.
    try:
        return reverse("evaluation:alert", args=[alert.pk])
    except NoReverseMatch:
        return ""


def _question_number(instrument: Instrument, item_id: str) -> str:
    try:
        return str(instrument.item(item_id).number)
    except KeyError:
        return item_id


def _submitted(request: AuthenticatedHttpRequest, response: Response) -> HttpResponse:
    scores, alerts = access.entry_outcome(response)
    instrument = responses.instrument_for(response.instrument_version)
    return render(
        request,
        "evaluation/entry/submitted.jinja",
        {
            "response": response,
            "instrument": instrument,
            "scores": score_lines(instrument, scores),
            "alerts": [
                {"alert": alert, "href": _alert_href(alert), "question": _question_number(instrument, alert.item_id)}
                for alert in alerts
            ],
            "completed": format_day(response.completed_at),
            "again": reverse("evaluation_entry:start") + (f"?run={response.run_id}" if response.run_id else ""),
        },
    )
