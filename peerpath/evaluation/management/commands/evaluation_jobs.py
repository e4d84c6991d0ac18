"""``manage.py evaluation_jobs``: evaluation's periodic jobs, once or every few seconds.

Makes the invitations due now (consent checked first), queues the first email of any
invitation whose sending never happened, reminds people who have not answered, and
withdraws open invitations of people whose consent to evaluation has gone. Each job is safe
to run as often as you like and from more than one process. Under the immediate task
backend (the demo) the emails go out inline; in production they are queued for the worker.
"""

from __future__ import annotations

from django.utils import timezone

from peerpath.core.jobs import PeriodicJobsCommand
from peerpath.evaluation import invitations


class Command(PeriodicJobsCommand):
    help = "Make due questionnaire invitations, send unsent ones and reminders (once, or --every SECONDS)."
    jobs_name = "evaluation jobs"

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
