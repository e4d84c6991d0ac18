"""``manage.py delivery_jobs``: delivery's periodic jobs, once or every few seconds.

Expires offers not accepted in time (passing the places on), starts runs whose
first session has begun, and sends session reminders. Each job is safe to run
as often as you like and from more than one process. Under the immediate task
backend (the demo) the emails go out inline; in production the reminder tasks
are queued for the task worker.
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from peerpath.delivery import enrolment, reminders

logger = logging.getLogger(__name__)


def _seconds(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("Enter a whole number of seconds") from None
    if number < 1:
        raise argparse.ArgumentTypeError("Enter a whole number of seconds, 1 or more")
    return number


class Command(BaseCommand):
    help = "Expire lapsed offers, start runs that have begun and send session reminders (once, or --every SECONDS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=_seconds, metavar="SECONDS", help="keep running, and run the jobs again every SECONDS"
        )

    def handle(self, *args: Any, every: int | None = None, **options: Any) -> None:
        if every is None:
            self.run_once()
            return
        self.stdout.write(f"Running delivery jobs every {every} seconds; stop with Ctrl+C")
        while True:
            try:
                self.run_once()
            except Exception:
                # One bad run must not stop the loop: the next one retries, and the log has the cause.
                logger.exception("Delivery jobs failed; trying again in %s seconds", every)
            time.sleep(every)

    def run_once(self) -> None:
        now = timezone.now()
        expired = enrolment.expire_offers(now)
        started = enrolment.start_due_runs(now)
        reminded = reminders.send_due_reminders(now)
        self.stdout.write(
            f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S} offers expired: {expired}; "
            f"runs started: {started}; session reminders queued: {reminded}"
        )
