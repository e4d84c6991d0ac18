"""Pseudonyms: keyed hashes under a key made for one extract and thrown away once it is written."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

PSEUDONYM_LENGTH = 16
PERSON_DOMAIN = b"peerpath-extract-person:"
RUN_DOMAIN = b"peerpath-extract-run:"
PSEUDONYM_NOTE = (
    "Pseudonyms are only valid within this file: they were made with a random key that was "
    "thrown away once the file was written, so they cannot be matched with any other extract "
    "or traced back to a person."
)


class Pseudonymiser:
    """Keyed hashes of ids under a random key made for one extract and never stored or shown."""

    __slots__ = ("_key",)

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def __repr__(self) -> str:
        return "Pseudonymiser(key hidden)"

    def person(self, person_id: uuid.UUID) -> str:
        return self._digest(PERSON_DOMAIN, person_id)

    def run(self, run_id: uuid.UUID) -> str:
        return self._digest(RUN_DOMAIN, run_id)

    def _digest(self, domain: bytes, value: uuid.UUID) -> str:
        # The domain prefix keeps a run's pseudonym from ever equalling a person's.
        return hmac.new(self._key, domain + value.bytes, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]
