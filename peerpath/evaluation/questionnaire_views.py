"""Questionnaire pages for the people who answer them.

Invitation links open without a login (``tokens.find``): the overview of an invitation's
questionnaires, and one questionnaire at a time. Nothing is written on a GET, because mail
scanners open links before people do: a response starts on the first POST that carries an
answer or a submit. Every POST saves first (``responses.save_answers`` keeps the valid answers
even when others are wrong), then submits when asked.

Token pages are never cached, never indexed and send no referrer. The token is in their
address, so Django's own "Not Found: <path>" log line is switched off for them and a line
without the path is written instead.

Signed-in participants also have their own list (``mine``) and, where an instrument's
guidance allows it, their scores over time (``my_scores``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import get_callable, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from peerpath.core.decorators import permission_required
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.courses.presenters import format_day
from peerpath.evaluation import access, responses, tokens, wording
from peerpath.evaluation import questionnaire_presenters as presenters
from peerpath.evaluation.definitions import Instrument
from peerpath.evaluation.models import Invitation, InvitationQuestionnaire, Response
from peerpath.evaluation.questionnaire_forms import QuestionnaireForm
from peerpath.evaluation.responses import AnswerError
from peerpath.evaluation.wording import Wording
from peerpath.programmes.context import terms_of

logger = logging.getLogger(__name__)

SUBMIT = "submit"


# Token pages: headers, refusals ----------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    """Headers for a page whose address is a secret: no cache, no index, and no referrer to
    other sites. ``same-origin`` (the site's policy, stated here so it cannot drift), not
    ``no-referrer``: under ``no-referrer`` browsers post forms with ``Origin: null``, which
    Django's CSRF check rightly refuses, so nobody could submit their answers."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    if response.status_code >= 400:
        # Django would log "<reason>: <path>" with the token in it; say what happened without it.
        response._has_been_logged = True  # type: ignore[attr-defined]
        logger.info("Invitation link page answered %s", response.status_code)
    return response


class _QuietCsrfMiddleware(CsrfViewMiddleware):
    """The usual CSRF check, whose refusal is logged without the path (it holds the token)."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        response: HttpResponse = get_callable(settings.CSRF_FAILURE_VIEW)(request, reason=reason)
        response._has_been_logged = True  # type: ignore[attr-defined]
        logger.warning("Forbidden (%s) on an invitation link page", reason)
        return response


_token_csrf_protect = decorator_from_middleware(_QuietCsrfMiddleware)


def token_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page reached by an invitation link: open without a login, CSRF-checked here rather than
    by the site's middleware (whose refusal would log the path), private headers on every answer."""
    protected: Callable[..., HttpResponse] = _token_csrf_protect(view)  # type: ignore[assignment]

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _private(protected(request, *args, **kwargs))

    return login_not_required(csrf_exempt(wrapped))


def _refusal(request: HttpRequest, invitation: Invitation) -> HttpResponse | None:
    """The page for a link that no longer works (complete, withdrawn, expired), or None."""
    reason = invitation.closed_because()
    if reason is None:
        return None
    context = {"reason": reason, "organisation": invitation.run.organisation, "course": invitation.run.version.course}
    return render(request, "evaluation/questionnaire/link_closed.jinja", context, status=410)


def _open_invitation(request: HttpRequest, link_token: str) -> Invitation | HttpResponse:
    """The invitation a link opens while it still works, or the page saying why it does not."""
    found = tokens.find(link_token)
    if found is None:
        return render(request, "evaluation/questionnaire/link_unknown.jinja", status=404)
    return _refusal(request, found) or found


def _overview_url(link_token: str) -> str:
    return reverse("questionnaires:invitation", kwargs={"link_token": link_token})


def _answer_url(link_token: str, position: int) -> str:
    return reverse("questionnaires:answer", kwargs={"link_token": link_token, "position": position})


def _wording_of(instrument: Instrument) -> Wording | None:
    try:
        return wording.wording_for(instrument)
    except wording.WordingError:
        logger.warning("Local wording for %s version %s cannot be used", instrument.code, instrument.version)
        return None


# Token pages: views ------------------------------------------------------------------------


@token_page
@require_safe
def invitation(request: HttpRequest, link_token: str) -> HttpResponse:
    """What the questionnaires are for, and each one's progress, with a way to start or go on."""
    found = _open_invitation(request, link_token)
    if isinstance(found, HttpResponse):
        return found
    asked = access.invitation_questionnaires(found)
    rows = presenters.questionnaire_rows(asked)
    waiting = [row for row in rows if row.status != "done"]
    return render(
        request,
        "evaluation/questionnaire/invitation.jinja",
        {
            "invitation": found,
            "course": found.run.version.course,
            "terms": terms_of(found.run.version.course.programme),
            "organisation": found.run.organisation,
            "when": presenters.timepoint_phrase(found.timepoint),
            "rows": rows,
            "link_token": link_token,
            "minutes": presenters.about_minutes(sum(row.questions for row in waiting)),
            "next": presenters.next_position(asked),
            "started": any(row.status != "not_started" for row in rows),
            "closes": format_day(found.expires_at),
        },
    )


@token_page
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, link_token: str, position: int) -> HttpResponse:
    """One questionnaire of the invitation: show it, save it, submit it."""
    found = _open_invitation(request, link_token)
    if isinstance(found, HttpResponse):
        return found
    asked = access.invitation_questionnaires(found)
    current = next((q for q in asked if q.position == position), None)
    if current is None:
        return render(
            request, "evaluation/questionnaire/link_unknown.jinja", {"no_such_questionnaire": True}, status=404
        )
    response: Response | None = current.response  # type: ignore[attr-defined]
    if response is not None and response.status == Response.Status.COMPLETE:
        messages.info(request, f"You have already submitted {current.instrument_version.name}. Thank you")
        return redirect(_overview_url(link_token))
    instrument = responses.instrument_for(current.instrument_version)
    words = _wording_of(instrument)
    if words is None:
        context = {
            "link_token": link_token,
            "name": current.instrument_version.name,
            "organisation": found.run.organisation,
        }
        return render(request, "evaluation/questionnaire/unavailable.jinja", context, status=409)
    saved = access.saved_answers(response) if response is not None else {}
    posted = request.method == "POST"
    form = QuestionnaireForm(request.POST if posted else None, instrument=instrument, wording=words, saved=saved)
    context = {
        "form": form,
        "instrument": instrument,
        "wording": words,
        "questionnaire": current,
        "count": len(asked),
        "link_token": link_token,
        "back": _overview_url(link_token),
    }
    if not posted:
        return render(request, "evaluation/questionnaire/answer.jinja", context)
    return _answer_posted(request, found, asked, current, response, form, context)


def _answer_posted(
    request: HttpRequest,
    found: Invitation,
    asked: list[InvitationQuestionnaire],
    current: InvitationQuestionnaire,
    response: Response | None,
    form: QuestionnaireForm,
    context: dict[str, Any],
) -> HttpResponse:
    link_token = context["link_token"]
    unknown = form.unknown_items()
    if unknown:
        return _problem(request, context, f"This questionnaire has no question {unknown[0]!r}: nothing was saved")
    submitting = request.POST.get("action") == SUBMIT
    answers = form.posted_answers()
    if response is None and not (answers or submitting):
        messages.info(request, f"Nothing was saved: you have not answered {current.instrument_version.name} yet")
        return redirect(_overview_url(link_token))
    link = responses.INVITATION_LINK
    try:
        if response is None:
            response = _start(found, current)
        saved = responses.save_answers(actor=link, response=response, answers=answers, invitation=found)
        if saved.errors:
            form.show_errors(saved.errors)
            return render(request, "evaluation/questionnaire/answer.jinja", context, status=400)
        if not submitting:
            messages.success(
                request,
                f"Your answers to {current.instrument_version.name} have been saved. "
                f"You can come back to this link until {format_day(found.expires_at)}",
            )
            return redirect(_overview_url(link_token))
        result = responses.submit(actor=link, response=response, invitation=found)
    except AnswerError as error:
        return _answer_error(request, found, current, context, error)
    if result.errors:
        form.show_errors(result.errors)
        return render(request, "evaluation/questionnaire/answer.jinja", context, status=400)
    after = _after_submit(asked, current)
    if result.safety_messages:
        # Shown on this very answer, before anything else, so that nobody misses it.
        return render(
            request,
            "evaluation/questionnaire/get_help.jinja",
            {"safety_messages": result.safety_messages, "next": after, "link_token": link_token},
        )
    if after is None:
        context = {"organisation": found.run.organisation, "terms": terms_of(found.run.version.course.programme)}
        return render(request, "evaluation/questionnaire/thank_you.jinja", context)
    return redirect(_answer_url(link_token, after))


def _start(found: Invitation, current: InvitationQuestionnaire) -> Response:
    return responses.start_response(
        actor=responses.INVITATION_LINK,
        person=found.person,
        instrument_version=current.instrument_version,
        mode=Response.Mode.ONLINE,
        invitation=found,
    )


def _after_submit(asked: list[InvitationQuestionnaire], current: InvitationQuestionnaire) -> int | None:
    """The next questionnaire not yet done, now that ``current`` is."""
    return presenters.next_position([q for q in asked if q.pk != current.pk], after=current.position)


def _answer_error(
    request: HttpRequest,
    found: Invitation,
    current: InvitationQuestionnaire,
    context: dict[str, Any],
    error: AnswerError,
) -> HttpResponse:
    """A refusal from the services: the link closed meanwhile, or the questionnaire was submitted already."""
    found.refresh_from_db(fields=["status", "expires_at"])
    refused = _refusal(request, found)
    if refused is not None:
        return refused
    done = {
        q.instrument_version_id
        for q in access.invitation_questionnaires(found)
        if presenters.questionnaire_status(q) == "done"
    }
    if current.instrument_version_id in done:
        messages.info(request, f"You have already submitted {current.instrument_version.name}. Thank you")
        return redirect(_overview_url(context["link_token"]))
    return _problem(request, context, str(error))


def _problem(request: HttpRequest, context: dict[str, Any], message: str) -> HttpResponse:
    """The questionnaire again with a message above it: a post our page never sends. Nothing was saved."""
    form: QuestionnaireForm = context["form"]
    form.add_error(None, message)
    return render(request, "evaluation/questionnaire/answer.jinja", context, status=400)


# Signed-in participants ------------------------------------------------------------------


@require_safe
@permission_required("evaluation.answer_own")
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's open invitations (with their links) and their submitted questionnaires."""
    invitations = [
        {
            "invitation": invitation,
            "href": _overview_url(tokens.token_for(invitation)),
            "when": presenters.timepoint_phrase(invitation.timepoint),
            "closes": format_day(invitation.expires_at),
        }
        for invitation in access.own_invitations(request.user)
    ]
    completed = [
        {"response": response, "day": format_day(response.completed_at)}
        for response in access.own_completed_responses(request.user)
    ]
    return render(request, "evaluation/questionnaire/mine.jinja", {"invitations": invitations, "completed": completed})


@require_safe
@permission_required("evaluation.answer_own")
def my_scores(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's own scores over time, for instruments whose guidance allows them to see them."""
    histories, hidden = presenters.score_histories(access.own_scores(request.user))
    return render(request, "evaluation/questionnaire/my_scores.jinja", {"histories": histories, "hidden": hidden})
