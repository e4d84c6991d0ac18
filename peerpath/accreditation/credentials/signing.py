"""Securing a credential as a VC-JWT (W3C VC-JOSE-COSE): the credential itself is the JWT claims set.

The protected header carries ``alg: EdDSA``, ``kid`` (the full DID URL of the key),
``typ: vc+jwt`` and ``cty: vc``, as VC-JOSE-COSE recommends for ``application/vc+jwt``.
There is no ``vc`` claim (VC-JOSE-COSE forbids it). A few registered claims repeat what
the credential says (``iss`` = issuer id, ``jti`` = id, ``nbf``/``exp`` = validFrom/validUntil,
``iat`` = when it was signed), never disagreeing with it, so that any JWT library checks
the dates too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from peerpath.accreditation.credentials import did, jose
from peerpath.accreditation.credentials.keys import SigningKey

MEDIA_TYPE = "application/vc+jwt"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, whole seconds: ``2027-01-15T00:00:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def start_of(day: date) -> datetime:
    """The first moment of ``day`` where PeerPath is (its time zone)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of(day: date) -> datetime:
    """The last whole second of ``day`` where PeerPath is: an award is valid through its end date."""
    return start_of(day + timedelta(days=1)) - timedelta(seconds=1)


def sign_credential(credential: dict[str, Any], key: SigningKey, *, signed_at: datetime) -> str:
    """The compact VC-JWT of ``credential``, signed with ``key``."""
    issuer = credential["issuer"]
    claims: dict[str, Any] = {
        **credential,
        "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
        "jti": credential["id"],
        "iat": int(signed_at.timestamp()),
    }
    if "validFrom" in credential:
        claims["nbf"] = int(datetime.fromisoformat(credential["validFrom"]).timestamp())
    if "validUntil" in credential:
        claims["exp"] = int(datetime.fromisoformat(credential["validUntil"]).timestamp())
    header = {"kid": did.verification_method(key.key_id), "typ": "vc+jwt", "cty": "vc"}
    return jose.sign_compact(header, claims, key.private_key)
