"""``manage.py accreditation_jobs``: store expired awards and send expiry reminders, once or every few seconds."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerpath.accreditation import lifecycle, tasks

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Store awards past their end date as expired and send expiry reminders (once, or --every SECONDS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, metavar="SECONDS", help="keep running, every SECONDS (60 or more)")

    def handle(self, *args: Any, every: int | None = None, **options: Any) -> None:
        if every is None:
            self.run_once()
            return
        if every < 60:
            raise CommandError("Use --every 60 or more")
        self.stdout.write(f"Running accreditation jobs every {every} seconds; stop with Ctrl+C")
        while True:
            try:
                self.run_once()
            except Exception:
                # One bad run must not stop the loop: the next one retries, and the log has the cause.
                logger.exception("Accreditation jobs failed; trying again in %s seconds", every)
            time.sleep(every)

    def run_once(self) -> None:
        expired = lifecycle.expire_awards()
        reminded = tasks.send_expiry_reminders()
        self.stdout.write(f"awards expired: {expired}; reminders queued: {reminded}")
