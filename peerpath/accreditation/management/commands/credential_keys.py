"""``manage.py credential_keys``: the issuer's Ed25519 signing keys for Open Badges credentials.

- ``generate`` makes the first key (``--if-missing``: only when there is nothing to sign with);
- ``rotate`` makes a new current key; older keys stay published, so what they signed still verifies;
- ``retire <key id>`` deletes a key's private half and keeps its public half published;
- ``list`` shows every key, which one is current and which are retired.

Keys live in ``settings.PEERPATH_CREDENTIAL_KEY_DIR`` (private halves mode 0600), never in the
database. Each change is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from peerpath.accreditation.credentials import keys
from peerpath.core import audit
from peerpath.core.audit import SystemActor

COMMAND = SystemActor("credential_keys command")


def _audit(action: str, key_id: str) -> None:
    with transaction.atomic():
        audit.record(actor=COMMAND, action=action, data={"key": key_id})


class Command(BaseCommand):
    help = "Generate, rotate, retire and list the keys that sign Open Badges credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{generate,rotate,retire,list}")
        generate = actions.add_parser("generate", help="make the first signing key")
        generate.add_argument(
            "--if-missing", action="store_true", help="do nothing when there is already a key to sign with"
        )
        actions.add_parser("rotate", help="make a new current key; older keys stay published")
        retire = actions.add_parser("retire", help="delete a key's private half; its public half stays published")
        retire.add_argument("key_id", help="e.g. key-2026-11-26-1")
        actions.add_parser("list", help="show every key")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "generate":
                self.generate(if_missing=options["if_missing"])
            elif action == "rotate":
                self.rotate()
            elif action == "retire":
                self.retire(options["key_id"])
            else:
                self.show()
        except keys.KeyStoreError as error:
            raise CommandError(str(error)) from error

    def generate(self, *, if_missing: bool) -> None:
        current = keys.signing_key()
        if current is not None:
            if if_missing:
                self.stdout.write(f"Signing key {current.key_id} is already in place")
                return
            raise CommandError(f"Signing key {current.key_id} is already in place: use 'rotate' for a new one")
        key_id = keys.create_key()
        _audit("credential_key.created", key_id)
        self.stdout.write(f"Made signing key {key_id} in {keys.key_dir()}")

    def rotate(self) -> None:
        before = keys.signing_key()
        key_id = keys.create_key()
        _audit("credential_key.rotated", key_id)
        replaced = f"; {before.key_id} stays published" if before else ""
        self.stdout.write(f"Made signing key {key_id}, now the current key{replaced}")

    def retire(self, key_id: str) -> None:
        current = keys.signing_key()
        keys.retire(key_id)
        _audit("credential_key.retired", key_id)
        self.stdout.write(f"Retired {key_id}: its private half is deleted, its public half stays published")
        if current is not None and current.key_id == key_id:
            self.stderr.write("That was the current key: no badge can be issued until you run 'rotate'")

    def show(self) -> None:
        published = keys.published_keys()
        if not published:
            self.stdout.write(f"No keys in {keys.key_dir()}: run 'generate'")
            return
        current = keys.signing_key()
        for key in published:
            if current is not None and key.key_id == current.key_id:
                state = "current"
            elif key.has_private:
                state = "rotated out, private half kept (retire it when you are ready)"
            else:
                state = "retired (public half only)"
            self.stdout.write(f"{key.key_id}  {state}")
