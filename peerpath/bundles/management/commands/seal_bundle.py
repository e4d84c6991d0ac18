"""``manage.py seal_bundle <folder>``: write the manifest of a bundle kept unpacked in a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from peerpath.bundles import reading, writing


class Command(BaseCommand):
    help = "Write manifest.json for a programme bundle kept as a folder (such as a shipped model), then check it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        if not (folder / "programme.json").is_file():
            raise CommandError(f"{folder} holds no programme.json: it is not a bundle folder")
        document = writing.seal_folder(folder, exported_at=timezone.now().replace(microsecond=0))
        try:
            bundle = reading.parse(reading.read_folder(folder))
        except reading.BundleError as error:
            raise CommandError(f"The manifest is written, but the bundle does not read: {error}") from error
        self.stdout.write(
            f"Sealed {folder}: {len(document['files'])} files, {len(bundle.courses)} courses, "
            f"{len(bundle.schemes)} schemes, {len(bundle.instruments)} instruments."
        )
