"""``manage.py accreditation_jobs``: store expired awards and send expiry reminders, once or every few seconds."""

from __future__ import annotations

from peerpath.accreditation import lifecycle, tasks
from peerpath.core.jobs import PeriodicJobsCommand


class Command(PeriodicJobsCommand):
    help = "Store awards past their end date as expired and send expiry reminders (once, or --every SECONDS)."
    jobs_name = "accreditation jobs"
    minimum_every = 60

    def run_once(self) -> None:
        expired = lifecycle.expire_awards()
        reminded = tasks.send_expiry_reminders()
        self.stdout.write(f"awards expired: {expired}; reminders queued: {reminded}")
