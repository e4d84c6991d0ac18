"""The periodic-jobs commands' shared loop (``delivery_jobs``, ``evaluation_jobs``,
``accreditation_jobs``): run the jobs once, or ``--every SECONDS`` until stopped.

Each job a command runs must be safe to run as often as you like and from more than one
process; one failed round is logged and the next round tries again.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

logger = logging.getLogger(__name__)


class PeriodicJobsCommand(BaseCommand):
    """A management command whose ``run_once`` does one round of an app's periodic jobs."""

    # Named in messages: "Running <jobs_name> every N seconds".
    jobs_name = "jobs"
    # The shortest interval --every accepts.
    minimum_every = 1

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help=f"keep running, and run the jobs again every SECONDS ({self.minimum_every} or more)",
        )

    def handle(self, *args: Any, every: int | None = None, **options: Any) -> None:
        if every is None:
            self.run_once()
            return
        if every < self.minimum_every:
            raise CommandError(f"Use --every {self.minimum_every} or more")
        self.stdout.write(f"Running {self.jobs_name} every {every} seconds; stop with Ctrl+C")
        while True:
            try:
                self.run_once()
            except Exception:
                # One bad round must not stop the loop: the next one retries, and the log has the cause.
                logger.exception("%s failed; trying again in %s seconds", self.jobs_name.capitalize(), every)
            time.sleep(every)

    def run_once(self) -> None:
        raise NotImplementedError
