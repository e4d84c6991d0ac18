"""``manage.py import_programme``: adopt a bundle (a .zip, or a shipped model by name) as a new programme."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerpath.bundles import importing, reading, services
from peerpath.people.models import Organisation


class Command(BaseCommand):
    help = (
        "Import a programme bundle for an organisation, e.g. the shipped dementia carers' model: "
        "import_programme --model dementia-carers --organisation 'Name' --as admin"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--file", type=Path, help="a bundle (.zip) exported from PeerPath")
        source.add_argument("--model", choices=services.shipped_models(), help="a model shipped with PeerPath")
        parser.add_argument("--organisation", required=True, help="the name of the organisation that will own it")
        parser.add_argument("--as", dest="username", required=True, help="the administrator importing it")
        parser.add_argument("--code", default="", help="the new programme's code (the bundle's by default)")
        parser.add_argument(
            "--resolve",
            action="append",
            default=[],
            metavar="KEY=keep|bundle",
            help="answer a conflict the preview lists (repeatable)",
        )
        parser.add_argument("--dry-run", action="store_true", help="show the preview and write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user is called '{options['username']}'")
        owner = Organisation.objects.filter(name=options["organisation"]).first()
        if owner is None:
            raise CommandError(f"No organisation is called '{options['organisation']}'")
        try:
            bundle = (
                services.shipped_model(options["model"])
                if options["model"]
                else reading.read(options["file"].read_bytes())
            )
            plan = importing.preview(bundle, owner=owner, code=options["code"])
        except (reading.BundleError, OSError) as error:
            raise CommandError(str(error)) from error
        for line in services.describe(plan):
            self.stdout.write(line)
        if options["dry_run"]:
            return
        resolutions = dict(answer.split("=", 1) for answer in options["resolve"] if "=" in answer)
        try:
            imported = importing.import_bundle(
                actor=user, bundle=bundle, owner=owner, code=options["code"], resolutions=resolutions
            )
        except (importing.ImportRefusedError, reading.BundleError) as error:
            raise CommandError(str(error)) from error
        if imported.created:
            self.stdout.write(self.style.SUCCESS(f"Imported '{imported.programme}' for {owner}."))
        else:
            self.stdout.write(f"Already imported for {owner} as '{imported.programme}'; nothing changed.")
