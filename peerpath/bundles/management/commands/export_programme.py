"""``manage.py export_programme <organisation> <code> <file>``: a programme's bundle, written to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerpath.bundles import services
from peerpath.core.audit import SystemActor
from peerpath.programmes.models import Programme

# Exports from the command line are audited too, under the command's name.
COMMAND = SystemActor("export_programme command")


class Command(BaseCommand):
    help = "Export a programme as a bundle another PeerPath can import (docs/programme-bundles.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="the name of the organisation that owns the programme")
        parser.add_argument("code", help="the programme's code, e.g. carers-mental-health")
        parser.add_argument("file", type=Path, help="where to write the .zip")

    def handle(self, *args: Any, **options: Any) -> None:
        programme = (
            Programme.objects.select_related("owner")
            .filter(owner__name=options["organisation"], code=options["code"])
            .first()
        )
        if programme is None:
            raise CommandError(f"{options['organisation']} has no programme with the code '{options['code']}'")
        exported = services.export_programme(programme, actor=COMMAND)
        path: Path = options["file"]
        path.write_bytes(exported.content)
        self.stdout.write(f"Wrote {path} ({len(exported.content):,} bytes): {exported.summary}")
