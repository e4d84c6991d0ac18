"""Invitation links: a token that opens one invitation's questionnaires without a login.

A token is the invitation's id (32 hex digits) followed by a 128-bit HMAC-SHA256 tag (32 hex
digits) of that id and the invitation's ``nonce``, keyed by the site's secret key. Nothing
that could rebuild a token is stored: a copy of the database lacks the key, and the key alone
lacks the nonces. A new nonce (``Invitation.nonce``) kills every earlier link to it.

Whether a found invitation may still be answered (not expired, not complete, not withdrawn)
is the questionnaire pages' and the response services' business, not the token's.
"""

from __future__ import annotations

import re
import secrets
import uuid

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from peerpath.evaluation.models import Invitation

_SALT = "peerpath.evaluation.invitation-link"
_TOKEN = re.compile(r"^[0-9a-f]{64}$")
# The path converter's pattern, so a malformed token never reaches a view.
TOKEN_PATTERN = "[0-9a-f]{64}"  # noqa: S105 - a URL pattern, not a secret


def new_nonce() -> str:
    return secrets.token_hex(16)


def _tag(invitation_id: uuid.UUID, nonce: str) -> str:
    return salted_hmac(_SALT, f"{invitation_id.hex}.{nonce}", algorithm="sha256").hexdigest()[:32]


def token_for(invitation: Invitation) -> str:
    """The token in the invitation's link."""
    return invitation.pk.hex + _tag(invitation.pk, invitation.nonce)


def find(token: str) -> Invitation | None:
    """The invitation a token opens (person, run, course and its programme loaded), or None if malformed or forged.

    The tag is compared in constant time, so timing does not reveal how much of a guess was right.
    """
    if not _TOKEN.match(token or ""):
        return None
    invitation_id = uuid.UUID(hex=token[:32])
    invitation = (
        Invitation.objects.select_related("person", "run__version__course__programme", "run__organisation")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not constant_time_compare(token[32:], _tag(invitation.pk, invitation.nonce)):
        return None
    return invitation


def link_for(invitation: Invitation) -> str:
    """The full address of the invitation's questionnaires, for an email."""
    return settings.PEERPATH_SITE_URL + reverse("questionnaires:invitation", args=[token_for(invitation)])
