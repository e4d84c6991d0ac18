"""The issuer's Ed25519 signing keys, kept as files outside the database.

Each key is two PEM files in ``settings.PEERPATH_CREDENTIAL_KEY_DIR``:
``<key id>.private.pem`` (PKCS #8, mode 0600) and ``<key id>.public.pem``.
Key ids say when a key was made, ``key-2026-11-26-1`` (the day, then a count
within the day), so they sort in the order the keys were made.

- The **current** key is the newest one. Credentials are signed with it while its
  private half is there.
- **Rotating** makes a new current key; older keys stay published in the DID
  document, so credentials they signed keep verifying.
- **Retiring** deletes a key's private half and keeps its public half published.
  Retiring the current key stops issuing until a new key is made.

Only ``manage.py credential_keys`` and tests change keys; issuing only reads them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

KEY_ID = re.compile(r"^key-(\d{4})-(\d{2})-(\d{2})-([1-9]\d{0,3})$")
PRIVATE_SUFFIX = ".private.pem"
PUBLIC_SUFFIX = ".public.pem"


class KeyStoreError(Exception):
    """A key operation was refused; the message is fit to show an operator."""


@dataclass(frozen=True)
class PublishedKey:
    key_id: str
    public_key: Ed25519PublicKey
    has_private: bool

    @property
    def sort_key(self) -> tuple[int, int, int, int]:
        return _sort_key(self.key_id)


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private_key: Ed25519PrivateKey


def _sort_key(key_id: str) -> tuple[int, int, int, int]:
    match = KEY_ID.match(key_id)
    if match is None:
        raise KeyStoreError(f"{key_id!r} is not a key id (they look like key-2026-11-26-1)")
    year, month, day, count = (int(part) for part in match.groups())
    return year, month, day, count


def key_dir() -> Path:
    return Path(settings.PEERPATH_CREDENTIAL_KEY_DIR)


def _private_path(key_id: str) -> Path:
    return key_dir() / f"{key_id}{PRIVATE_SUFFIX}"


def _public_path(key_id: str) -> Path:
    return key_dir() / f"{key_id}{PUBLIC_SUFFIX}"


def published_keys() -> list[PublishedKey]:
    """Every key with a public half, oldest first (a key whose private half is gone is still listed)."""
    folder = key_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"*{PUBLIC_SUFFIX}"):
        key_id = path.name.removesuffix(PUBLIC_SUFFIX)
        if not KEY_ID.match(key_id):
            continue  # not ours: ignore stray files rather than publish them
        public_key = serialization.load_pem_public_key(path.read_bytes())
        if not isinstance(public_key, Ed25519PublicKey):
            raise KeyStoreError(f"{path} does not hold an Ed25519 public key")
        found.append(PublishedKey(key_id, public_key, _private_path(key_id).exists()))
    return sorted(found, key=lambda key: key.sort_key)


def signing_key() -> SigningKey | None:
    """The current (newest) key with its private half, or None when there is none to sign with."""
    keys = published_keys()
    if not keys or not keys[-1].has_private:
        return None
    key_id = keys[-1].key_id
    private_key = serialization.load_pem_private_key(_private_path(key_id).read_bytes(), password=None)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise KeyStoreError(f"{_private_path(key_id)} does not hold an Ed25519 private key")
    return SigningKey(key_id, private_key)


def _write_private(key_id: str, key: Ed25519PrivateKey) -> bool:
    """Write the private half, readable by its owner only; False when that key id is taken."""
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    try:
        # O_EXCL claims the id atomically, so two commands at once cannot overwrite a key.
        descriptor = os.open(_private_path(key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    try:
        os.fchmod(descriptor, 0o600)  # whatever the umask
        os.write(descriptor, pem)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return True


def create_key(today: date | None = None) -> str:
    """Make a new key, which becomes the current one; returns its id."""
    today = today or timezone.localdate()
    folder = key_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    count = 1 + sum(1 for known in published_keys() if known.key_id.startswith(f"key-{today:%Y-%m-%d}-"))
    while True:
        key_id = f"key-{today:%Y-%m-%d}-{count}"
        if not _public_path(key_id).exists() and _write_private(key_id, key):
            break
        count += 1
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _public_path(key_id).write_bytes(public_pem)
    _public_path(key_id).chmod(0o644)
    return key_id


def ensure_signing_key(today: date | None = None) -> str:
    """The current key's id, making a key first when there is nothing to sign with."""
    current = signing_key()
    return current.key_id if current else create_key(today)


def retire(key_id: str) -> None:
    """Delete a key's private half; its public half stays published so what it signed still verifies."""
    _sort_key(key_id)  # refuses anything that is not a key id, so no path can be smuggled in
    if not _public_path(key_id).exists():
        raise KeyStoreError(f"There is no key {key_id}")
    private = _private_path(key_id)
    if not private.exists():
        raise KeyStoreError(f"{key_id} is already retired")
    private.unlink()
