"""Background work of the reports app (ADR 007: inline in tests and the demo, a worker in production)."""

from __future__ import annotations

from django_tasks import task

from peerpath.reports import programme


@task()
def build_programme_report(build_id: str) -> None:
    programme.build_report(build_id)
