"""``manage.py evaluation_jobs``: evaluation's periodic jobs, once or every few seconds.

Makes the invitations due now (consent checked first), queues the first email of any
invitation whose sending never happened, reminds people who have not answered, and
withdraws open invitations of people whose consent to evaluation has gone. Each job is safe
to run as often as you like and from more than one process. Under the immediate task
backend (the demo) the emails go out inline; in production they are queued for the worker.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from peerpath.delivery.management.commands.delivery_jobs import _seconds
from peerpath.evaluation import invitations

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Make due questionnaire invitations, send unsent ones and reminders (once, or --every SECONDS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=_seconds, metavar="SECONDS", help="keep running, and run the jobs again every SECONDS"
        )

    def handle(self, *args: Any, every: int | None = None, **options: Any) -> None:
        if every is None:
            self.run_once()
            return
        self.stdout.write(f"Running evaluation jobs every {every} seconds; stop with Ctrl+C")
        while True:
            try:
                self.run_once()
            except Exception:
                # One bad run must not stop the loop: the next one retries, and the log has the cause.
                logger.exception("Evaluation jobs failed; trying again in %s seconds", every)
            time.sleep(every)

    def run_once(self) -> None:
        now = timezone.now()
        withdrawn = invitations.withdraw_without_consent(now)
        made = invitations.create_due_invitations(now)
        unsent = invitations.queue_unsent(now)
        reminded = invitations.send_due_reminders(now)
        self.stdout.write(
            f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S} invitations made: {made}; "
            f"unsent queued again: {unsent}; reminders queued: {reminded}; withdrawn (no consent): {withdrawn}"
        )
