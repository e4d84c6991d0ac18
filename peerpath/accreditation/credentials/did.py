"""The issuer's identifier (did:web, from ``settings.PEERPATH_SITE_URL``) and its DID document.

did:web turns a web address into a DID: the host, a port as ``%3A<port>``, then each
path segment after a ``:``. A resolver fetches ``https://<host>[:port]/.well-known/did.json``
for a bare host, or ``https://<host>[:port]/<path>/did.json`` when there is a path, so
the document's route follows the site address (``document_route``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

from peerpath.accreditation.credentials import keys
from peerpath.accreditation.credentials.jose import b64url

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"]


def _site_parts(site_url: str) -> tuple[str, int | None, list[str]]:
    parts = urlsplit(site_url)
    if not parts.hostname:
        raise ValueError(f"PEERPATH_SITE_URL has no host: {site_url!r}")
    segments = [segment for segment in parts.path.split("/") if segment]
    return parts.hostname, parts.port, segments


def issuer_did(site_url: str | None = None) -> str:
    """``did:web:peerpath.example.org``, ``did:web:127.0.0.1%3A8000`` or ``did:web:example.org:peerpath``."""
    host, port, segments = _site_parts(site_url or settings.PEERPATH_SITE_URL)
    identifier = quote(host, safe="")
    if port is not None:
        identifier += f"%3A{port}"
    return "did:web:" + ":".join([identifier, *(quote(segment, safe="") for segment in segments)])


def document_route(site_url: str | None = None) -> str:
    """Where, below the site address, a did:web resolver looks for the DID document."""
    _, _, segments = _site_parts(site_url or settings.PEERPATH_SITE_URL)
    return "did.json" if segments else ".well-known/did.json"


def verification_method(key_id: str) -> str:
    """The full DID URL of a key, as JWT headers carry it in ``kid``."""
    return f"{issuer_did()}#{key_id}"


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The public key as an OKP JSON Web Key (RFC 8037)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


def did_document() -> dict[str, Any]:
    """Every key's public half, retired ones included, so everything ever signed still verifies."""
    did = issuer_did()
    methods = [
        {
            "id": verification_method(key.key_id),
            "type": "JsonWebKey2020",
            "controller": did,
            "publicKeyJwk": public_jwk(key.public_key),
        }
        for key in keys.published_keys()
    ]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
