"""Compact JWS signing with Ed25519 (``alg: EdDSA``), on top of ``cryptography``.

Only what issuing needs: base64url without padding (RFC 7515 section 2), and the
compact serialisation ``header.payload.signature`` where the signature covers the
ASCII bytes of ``header.payload`` (RFC 7515 section 7.1, RFC 8037 section 3.1).
Verification is deliberately not here: tests verify with an independent library.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json_segment(value: dict[str, Any]) -> str:
    # Compact, UTF-8 JSON: the bytes signed are exactly the bytes sent.
    return b64url(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def sign_compact(header: dict[str, Any], payload: dict[str, Any], key: Ed25519PrivateKey) -> str:
    """A compact JWS of ``payload`` with ``header`` (``alg`` is set to ``EdDSA`` here)."""
    signing_input = f"{_json_segment({**header, 'alg': 'EdDSA'})}.{_json_segment(payload)}"
    signature = key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"
