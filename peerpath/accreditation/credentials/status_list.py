"""Revocation and suspension as W3C Bitstring Status Lists.

Each credential has one random position (``Credential.status_index``) in two lists
of 131,072 bits, the smallest the specification allows, so a list says nothing
about how many credentials there are or in which order they were issued. The
revocation list has a 1 where the credential's award is revoked; the suspension
list where it is suspended, so reinstating an award clears its bit. Nothing is
stored: each list is built from the awards' current statuses in one query and
signed as a VC-JWT when it is asked for.

Encoding: bit 0 is the most significant bit of the first byte; the bytes are
GZIP-compressed, base64url-encoded without padding and given the multibase
prefix ``u``.
"""

from __future__ import annotations

import gzip
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from peerpath.accreditation.credentials import did, keys
from peerpath.accreditation.credentials.jose import b64url
from peerpath.accreditation.credentials.signing import CREDENTIALS_V2, sign_credential, timestamp
from peerpath.accreditation.models import Award, Credential

LIST_LENGTH = 131_072
# Which award status sets a credential's bit in each list.
PURPOSES = {"revocation": Award.Status.REVOKED, "suspension": Award.Status.SUSPENDED}
# How long (seconds) verifiers and caches may keep a list before fetching it again.
TTL_SECONDS = 300


class NoSigningKeyError(Exception):
    """There is no current key to sign with."""


def list_url(purpose: str) -> str:
    return settings.PEERPATH_SITE_URL + reverse("issuer:status_list", kwargs={"purpose": purpose})


def entry(purpose: str, index: int) -> dict[str, str]:
    """A credential's ``BitstringStatusListEntry`` for one purpose."""
    url = list_url(purpose)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def encode(positions: list[int]) -> str:
    """The multibase (``u``) base64url GZIP of a ``LIST_LENGTH``-bit string with ``positions`` set."""
    bits = bytearray(LIST_LENGTH // 8)
    for position in positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    # mtime=0: the same statuses always give the same bytes.
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + b64url(compressed)


def set_positions(purpose: str) -> list[int]:
    """Positions of credentials whose award has the purpose's status (one query)."""
    status = PURPOSES[purpose]
    return list(Credential.objects.filter(award__status=status).values_list("status_index", flat=True))


def status_list_credential(purpose: str) -> dict[str, Any]:
    if purpose not in PURPOSES:
        raise ValueError(f"No status list for {purpose!r}")
    url = list_url(purpose)
    return {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did.issuer_did(),
        "validFrom": timestamp(timezone.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode(set_positions(purpose)),
            "ttl": TTL_SECONDS * 1000,
        },
    }


def signed_status_list(purpose: str) -> str:
    """The status list for ``purpose`` (a key of ``PURPOSES``) as a compact VC-JWT."""
    key = keys.signing_key()
    if key is None:
        raise NoSigningKeyError("PeerPath has no signing key, so it cannot publish its status lists")
    return sign_credential(status_list_credential(purpose), key, signed_at=timezone.now())
