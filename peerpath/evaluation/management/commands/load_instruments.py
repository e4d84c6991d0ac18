"""Load the shipped instrument files that the database does not hold yet (ADR 016)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from peerpath.evaluation import definitions, instruments


class Command(BaseCommand):
    help = "Load every shipped instrument version not yet in the database; refuse changed published versions."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--folder",
            type=Path,
            default=instruments.SHIPPED_DIR,
            help="load the instrument files in this folder instead of the shipped ones",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = instruments.sync_shipped(folder=options["folder"])
        except definitions.DefinitionError as error:
            raise CommandError(f"An instrument file is not valid: {error}") from error
        for label in result.created:
            self.stdout.write(f"loaded {label}")
        self.stdout.write(f"{len(result.created)} loaded, {len(result.unchanged)} already there")
        if result.refused:
            raise CommandError("\n".join(result.refused))
