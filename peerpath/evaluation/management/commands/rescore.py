"""``manage.py rescore CODE --to-version N [--dry-run]``: score every submitted response to an
instrument again with one of its published versions (ADR 016).

A new scoring rule arrives as a new published version with a higher ``scoring_version``.
This command adds that rule's scores to every complete response of the instrument that
has none from it yet, keeping every earlier score; responses whose answers the rule cannot
score (other questions, other values) are reported and left as they are. Each response is
its own transaction and audit event, so the command can be stopped and run again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Exists, OuterRef

from peerpath.evaluation import responses
from peerpath.evaluation.models import InstrumentVersion, Response, Score


class Command(BaseCommand):
    help = "Score every submitted response to an instrument again with one of its published versions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the instrument's code, e.g. phq9")
        parser.add_argument("--to-version", type=int, required=True, help="the published version whose rule to apply")
        parser.add_argument("--dry-run", action="store_true", help="count what would be rescored; change nothing")

    def handle(self, *args: Any, code: str, to_version: int, dry_run: bool = False, **options: Any) -> None:
        version = to_version
        rule = InstrumentVersion.objects.filter(code=code, version=version).first()
        if rule is None:
            raise CommandError(f"There is no version {version} of {code!r}")
        if rule.status != InstrumentVersion.Status.PUBLISHED:
            raise CommandError(f"{rule} is {rule.get_status_display().lower()}: only a published version can rescore")
        scored = Score.objects.filter(response_id=OuterRef("pk"), scoring_version=rule.scoring_version)
        waiting = (
            Response.objects.filter(instrument_version__code=code, status=Response.Status.COMPLETE)
            .exclude(Exists(scored))
            .order_by("completed_at", "pk")
        )
        pending = list(waiting.values_list("pk", flat=True))
        if dry_run:
            self.stdout.write(
                f"{len(pending)} responses to {code} have no scores from scoring version "
                f"{rule.scoring_version} yet; nothing was changed"
            )
            return
        rescored = refused = 0
        for response in Response.objects.filter(pk__in=pending).order_by("completed_at", "pk").iterator(chunk_size=500):
            try:
                responses.rescore(response, rule=rule)
            except responses.AnswerError as error:
                refused += 1
                self.stderr.write(f"{response.pk}: {error}")
            else:
                rescored += 1
        self.stdout.write(
            f"Rescored {rescored} responses to {code} with version {rule.version} "
            f"(scoring version {rule.scoring_version}); {refused} could not be scored by it"
        )
