"""Open Badges 3.0: the holder's downloads, and the issuer's public DID document and status lists.

Downloads are for the award's holder only (``accreditation.download_credential``,
through ``access.access_award``). The DID document and status lists are public:
anyone verifying a badge must be able to fetch them, from a server or a browser.
"""

from __future__ import annotations

import json
import uuid

import rules
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import engines
from django.views.decorators.http import require_safe

from peerpath.accreditation.access import access_award
from peerpath.accreditation.awards import AccreditationError
from peerpath.accreditation.credentials import baking, did, issuing, status_list
from peerpath.accreditation.credentials.signing import MEDIA_TYPE
from peerpath.accreditation.models import Award, Credential
from peerpath.core.types import AuthenticatedHttpRequest

# The page for a refused download: the reason, and where to go next. Kept beside the views
# that use it; it extends the service layout like every other page.
REFUSED_PAGE = """{% extends "core/layout.jinja" %}
{% block title %}You cannot download this badge{% endblock %}
{% block main_content %}
<h1>You cannot download this badge</h1>
<p>{{ message }}</p>
<p><a href="{{ url('accreditation:my_progress') }}">Go to your accreditation</a></p>
{% endblock %}
"""
REFUSED_STATUS = 409  # the request is fine; the award (or the issuer's set-up) does not allow it now
PUBLIC_MAX_AGE = status_list.TTL_SECONDS


def _refused(request: HttpRequest, error: AccreditationError) -> HttpResponse:
    template = engines["jinja2"].from_string(REFUSED_PAGE)
    return HttpResponse(template.render({"message": str(error)}, request), status=REFUSED_STATUS)


def _holders_credential(request: AuthenticatedHttpRequest, award_id: uuid.UUID) -> tuple[Award, Credential]:
    award = access_award(request.user, award_id)
    # The rule itself, not user.has_perm: Django lets a superuser pass every has_perm, and a
    # badge is the holder's alone to download.
    if not rules.has_perm("accreditation.download_credential", request.user, award):
        raise PermissionDenied
    return award, issuing.issue_credential(award, actor=request.user)


def _attachment(response: HttpResponse, award: Award, extension: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{award.scheme.code}-{award.period}-badge.{extension}"'
    return response


@require_safe
def credential_json(request: AuthenticatedHttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """The holder's signed credential as a VCDM 2.0 EnvelopedVerifiableCredential (JSON)."""
    try:
        award, credential = _holders_credential(request, award_id)
    except AccreditationError as error:
        return _refused(request, error)
    body = json.dumps(issuing.enveloped(credential), indent=2)
    return _attachment(HttpResponse(body, content_type="application/vc"), award, "json")


@require_safe
def badge_png(request: AuthenticatedHttpRequest, award_id: uuid.UUID) -> HttpResponse:
    """The holder's badge image with the signed credential baked in."""
    try:
        award, credential = _holders_credential(request, award_id)
    except AccreditationError as error:
        return _refused(request, error)
    image = baking.badge_image(award.scheme, settings.PEERPATH_SERVICE_NAME)
    body = baking.bake(image, credential.token)
    return _attachment(HttpResponse(body, content_type="image/png"), award, "png")


def _public(response: HttpResponse) -> HttpResponse:
    # Verifiers run in browsers too (web wallets, verifier pages), so any origin may read these.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response


@login_not_required
@require_safe
def did_document(request: HttpRequest) -> HttpResponse:
    """The issuer's DID document: every signing key's public half, retired ones included."""
    return _public(JsonResponse(did.did_document(), content_type="application/did+ld+json"))


@login_not_required
@require_safe
def status_list_credential(request: HttpRequest, purpose: str) -> HttpResponse:
    """The revocation or suspension list, as a signed BitstringStatusListCredential (VC-JWT)."""
    if purpose not in status_list.PURPOSES:
        raise Http404("No such status list")
    try:
        token = status_list.signed_status_list(purpose)
    except status_list.NoSigningKeyError as error:
        # Not published (yet): there is no key to sign it with. A verifier treats this like
        # any list it cannot fetch, as "status unknown".
        raise Http404(str(error)) from error
    return _public(HttpResponse(token, content_type=MEDIA_TYPE))
