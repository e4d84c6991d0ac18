"""Read-only FHIR R4 endpoints: instrument versions as Questionnaires, complete responses as
QuestionnaireResponses (ADR 017, "Endpoints").

These are for programs, not people, so every answer is FHIR JSON, errors included: an
OperationOutcome with a status a client can act on. Anonymous callers get 401 (not the
site's redirect to its login page), a method other than GET or HEAD 405, a signed-in user
without ``evaluation.read_fhir`` 403, and anything unknown, malformed or out of scope 404.

Rows come through ``access``: any published or retired instrument version, and only the
complete responses of the caller's organisations. A response names whom it is about only
for a caller who may know (``viewer_identifies``): an evaluator reads the answers and scores
without learning whose they are.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.csrf import csrf_exempt

from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.evaluation import access, fhir, wording
from peerpath.evaluation.definitions import Instrument
from peerpath.evaluation.models import InstrumentVersion, Response
from peerpath.evaluation.responses import instrument_for
from peerpath.evaluation.scoring import ScaleScore

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/fhir+json; charset=utf-8"
READ_PERMISSION = "evaluation.read_fhir"
SAFE_METHODS = ("GET", "HEAD")
# A published version is the questionnaire in use; a retired one still explains old answers.
QUESTIONNAIRE_STATUS = {InstrumentVersion.Status.PUBLISHED: "active", InstrumentVersion.Status.RETIRED: "retired"}

FhirView = Callable[..., HttpResponse]


# ---------------------------------------------------------------------------------------
# Responses and refusals


def _fhir_json(data: Mapping[str, Any], *, status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(data, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)
    # Set here as well as by the middleware: a 401 goes to someone not signed in.
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def operation_outcome(status: int, code: str, diagnostics: str) -> HttpResponse:
    """A refusal as FHIR: one error issue with an R4 issue-type code and a plain-English reason."""
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }
    return _fhir_json(outcome, status=status)


def _sign_in_first() -> HttpResponse:
    response = operation_outcome(401, "login", "Sign in to PeerPath to read its FHIR resources")
    # A 401 must carry a challenge. PeerPath signs people in with a form and a session
    # cookie, for which no scheme is registered; this one names the realm and the form.
    response["WWW-Authenticate"] = f'Cookie realm="PeerPath", form-action="{reverse("accounts:login")}"'
    return response


def fhir_read(view: FhirView) -> FhirView:
    """Answer a read-only FHIR interaction: sign-in, method and permission first, refusals as FHIR.

    Exempt from the site's login redirect, so that an anonymous client gets a 401 it can act
    on, and from CSRF checking, so that a POST gets the 405 below: nothing here changes
    anything, and every method but GET and HEAD is refused before the view runs.
    """

    @login_not_required
    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _sign_in_first()
        if request.method not in SAFE_METHODS:
            refused = operation_outcome(405, "not-supported", "This FHIR endpoint is read-only: use GET")
            refused["Allow"] = ", ".join(SAFE_METHODS)
            return refused
        if not request.user.has_perm(READ_PERMISSION):
            return operation_outcome(403, "forbidden", "You do not have access to evaluation data as FHIR")
        try:
            return view(request, **kwargs)
        except Http404 as error:
            return operation_outcome(404, "not-found", str(error))

    return wrapped


# ---------------------------------------------------------------------------------------
# Questionnaire


@fhir_read
def questionnaire(request: AuthenticatedHttpRequest, questionnaire_id: str) -> HttpResponse:
    """A published or retired instrument version, with the site's local wording where it has some."""
    try:
        code, number = fhir.parse_questionnaire_id(questionnaire_id)
    except ValueError:
        raise Http404("No such questionnaire") from None
    version = access.access_fhir_questionnaire(request.user, code, number)
    instrument = instrument_for(version)
    resource = fhir.questionnaire(
        instrument,
        base_url=settings.PEERPATH_SITE_URL,
        status=QUESTIONNAIRE_STATUS[InstrumentVersion.Status(version.status)],
        **_local_wording(instrument),
    )
    return _fhir_json(resource)


def _local_wording(instrument: Instrument) -> dict[str, Any]:
    """The site's installed wording for a licensed instrument (item text, instructions and
    option labels) as ``fhir.questionnaire`` arguments, if it has a usable file.

    A broken file is left out and logged, as it is for the questionnaire pages
    (``wording.can_answer_online``): the questionnaire's structure is still worth reading.
    """
    if instrument.licence.ships_text:
        return {}
    try:
        local = wording.local_wording(instrument)
    except wording.WordingError:
        logger.warning("Local wording for %s version %s is unusable", instrument.code, instrument.version)
        return {}
    if local is None:
        return {}
    return {
        "wording": dict(local.items),
        "local_instructions": local.instructions,
        "local_labels": dict(local.response_sets),
    }


# ---------------------------------------------------------------------------------------
# QuestionnaireResponse


@fhir_read
def questionnaire_response(request: AuthenticatedHttpRequest, response_id: str) -> HttpResponse:
    """A complete response of the caller's organisations, its subject only for those who may know it."""
    response = access.access_fhir_response(request.user, response_id)
    instrument = instrument_for(response.instrument_version)
    subject, source = _references(response, instrument, identifies=response.viewer_identifies)  # type: ignore[attr-defined]
    assert response.completed_at is not None  # noqa: S101 - complete responses only (a check constraint)
    resource = fhir.questionnaire_response(
        instrument,
        response_id=response.pk,
        questionnaire_url=fhir.questionnaire_url(instrument, base_url=settings.PEERPATH_SITE_URL),
        subject_reference=subject,
        source_reference=source,
        status="completed",
        authored=response.completed_at,
        answers=dict(response.answers.values_list("item_id", "value")),
        scores=_stored_scores(response),
    )
    return _fhir_json(resource)


def _references(response: Response, instrument: Instrument, *, identifies: bool) -> tuple[str | None, str | None]:
    """The (subject, source) references: whom the answers are about, and who gave them when
    that is someone else. Neither for a caller who may not know whose the response is.

    The member of staff who typed in a paper form is never named: in FHIR that is the
    ``author`` (who recorded the answers), not the ``source`` (who gave them), and no
    reader of these resources needs a staff identity (ADR 017, "Endpoints").
    """
    if not identifies:
        return None, None
    if instrument.respondent == "carer":
        return f"Patient/{response.person_id}", None
    if instrument.respondent == "carer_about_cared_for":
        # PeerPath holds no record of the person cared for; the carer answered about them.
        return None, f"Patient/{response.person_id}"
    # The college's own self-assessment is about the organisation that runs the course.
    if response.run is not None:
        return f"Organization/{response.run.organisation_id}", None
    return None, None


def _stored_scores(response: Response) -> dict[str, ScaleScore]:
    """Each scale's newest stored score (the highest scoring version), as the engine's ScaleScore.

    Stored, not recomputed: these are the scores PeerPath reported and audited, each with
    the scoring version that made it.
    """
    newest: dict[str, ScaleScore] = {}
    for row in response.scores.order_by("scale_code", "-scoring_version"):
        newest.setdefault(
            row.scale_code,
            ScaleScore(
                value=row.value,
                raw=row.raw,
                answered=row.answered,
                missing=row.missing,
                prorated=row.prorated,
                band=row.band or None,
                scoring_version=row.scoring_version,
            ),
        )
    return newest
