"""``manage.py delivery_jobs``: delivery's periodic jobs, once or every few seconds.

Expires offers not accepted in time (passing the places on), starts runs whose
first session has begun, and sends session reminders. Each job is safe to run
as often as you like and from more than one process. Under the immediate task
backend (the demo) the emails go out inline; in production the reminder tasks
are queued for the task worker.
"""

from __future__ import annotations

from django.utils import timezone

from peerpath.core.jobs import PeriodicJobsCommand
from peerpath.delivery import enrolment, reminders


class Command(PeriodicJobsCommand):
    help = "Expire lapsed offers, start runs that have begun and send session reminders (once, or --every SECONDS)."
    jobs_name = "delivery jobs"

    def run_once(self) -> None:
        now = timezone.now()
        expired = enrolment.expire_offers(now)
        started = enrolment.start_due_runs(now)
        reminded = reminders.send_due_reminders(now)
        self.stdout.write(
            f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S} offers expired: {expired}; "
            f"runs started: {started}; session reminders queued: {reminded}"
        )
