"""Programme exports built in the background (ADR 007: inline in tests and the demo, a worker in production).

Laying out the guide's PDF takes 8 to 17 seconds for a programme of 120 courses: too long for
a web request. So ``request_export`` records a ``ProgrammeExport`` and queues
``build_programme_export`` once the request's transaction commits; the task calls
``services.export_programme`` (which audits the export) and stores the bundle file for its
requester to download. With the immediate task backend (tests, ``make demo``) the export has
been built by the time the request that asked for it returns.
"""

from __future__ import annotations

import logging
import uuid
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from peerpath.bundles import services
from peerpath.bundles.models import ProgrammeExport
from peerpath.programmes.models import Programme

logger = logging.getLogger(__name__)

FAILED = "Something went wrong while building it."
NO_LONGER_ALLOWED = "You may no longer export programmes."
# Each administrator keeps this many of their newest exports of a programme; older finished
# ones (their files are kept in the database) go when a new one is asked for.
KEPT_EXPORTS = 3


class ExportRefusedError(Exception):
    """The requester may no longer export; its message is safe to show them.

    Not ``PermissionError``: that is an ``OSError`` whose message can name files on the server.
    """


def request_export(programme: Programme, *, actor: Any) -> ProgrammeExport:
    """Record an export of ``programme`` asked for by ``actor`` and queue it to be built.

    The task is queued on commit, so it never runs before the row it reads exists; the
    export itself is audited by ``services.export_programme`` when it is built. The
    requester's older finished exports of the programme beyond the newest ``KEPT_EXPORTS``
    are deleted, so files do not pile up in the database.
    """
    with transaction.atomic():
        export = ProgrammeExport.objects.create(programme=programme, requested_by=actor)
        mine = ProgrammeExport.objects.filter(programme=programme, requested_by=actor)
        keep = mine.order_by("-requested_at", "-pk").values("pk")[:KEPT_EXPORTS]
        mine.filter(status__in=[ProgrammeExport.Status.DONE, ProgrammeExport.Status.FAILED]).exclude(
            pk__in=[row["pk"] for row in keep]
        ).delete()
        transaction.on_commit(partial(_queue, export.pk))
    return export


def _queue(export_id: uuid.UUID) -> None:
    build_programme_export.enqueue(str(export_id))


def build_export(export_id: uuid.UUID | str) -> None:
    """Build one requested export (idempotent: a finished export is left as it is).

    A failure is recorded on the export with a safe message; the details go to the log.
    """
    export = ProgrammeExport.objects.without_content().select_related("programme").filter(pk=export_id).first()
    if export is None or export.status == ProgrammeExport.Status.DONE:
        return
    export.status, export.error = ProgrammeExport.Status.RUNNING, ""
    export.save(update_fields=["status", "error"])
    try:
        requester = get_user_model().objects.get(pk=export.requested_by_id)
        if not requester.has_perm("programmes.export_programme"):
            raise ExportRefusedError(NO_LONGER_ALLOWED)
        exported = services.export_programme(export.programme, actor=requester)
    except Exception as error:  # a failed export says so on its page; the error goes to the log
        logger.exception("Programme export %s failed", export.pk)
        export.status = ProgrammeExport.Status.FAILED
        export.error = str(error)[:500] if isinstance(error, ExportRefusedError) else FAILED
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        return
    export.content, export.filename, export.summary = exported.content, exported.filename, exported.summary
    export.status, export.finished_at = ProgrammeExport.Status.DONE, timezone.now()
    export.save(update_fields=["content", "filename", "summary", "status", "finished_at"])


@task()
def build_programme_export(export_id: str) -> None:
    build_export(export_id)
