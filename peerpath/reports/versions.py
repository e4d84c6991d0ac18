"""A report's data version: what a cached section's figures were built from (PERFORMANCE.md:
"cached keyed by a data version, never by time alone").

Every change of state in PeerPath goes through a service that writes an ``AuditEvent`` in the
same transaction (STYLE.md), the admin writes a ``LogEntry`` for each change made there, and
the seed writes an audit event when it finishes. The rows reports count most (scores,
answers, attendance marks, enrolment and award status changes) only ever get new rows.
So the newest audit event's time and the largest id of each of these tables change
whenever anything a report reads changes, and reading them is one query of index
look-ups whatever the data's size. A change made outside the services (a shell, a raw
SQL fix) is not seen until the cache entry's time runs out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.db.models import Field, Model

from peerpath.accreditation.models import AwardStatusChange
from peerpath.core.models import AuditEvent
from peerpath.delivery.models import Attendance, EnrolmentStatusChange
from peerpath.evaluation.models import Answer, Score

# Columns that only grow, each read by its index: the time of the newest audit event (its
# key is a random UUID), and the largest whole-number key of tables that only gain rows.
TRACKED: tuple[tuple[type[Model], str], ...] = (
    (AuditEvent, "occurred_at"),
    (LogEntry, "id"),
    (Score, "id"),
    (Answer, "id"),
    (Attendance, "id"),
    (EnrolmentStatusChange, "id"),
    (AwardStatusChange, "id"),
)
CACHE_PREFIX = "reports:section"


def data_version() -> str:
    """The largest key of each tracked table, in one query."""
    quote = connection.ops.quote_name
    selects = []
    for model, name in TRACKED:
        column = model._meta.get_field(name)
        if not isinstance(column, Field):
            raise TypeError(f"{model.__name__}.{name} is not a column")
        # Table and column names from the models, quoted: no input reaches this SQL.
        selects.append(f"(SELECT MAX({quote(column.column)}) FROM {quote(model._meta.db_table)})")  # noqa: S608
    parts = ", ".join(selects)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        row = cursor.fetchone()
    return ".".join(str(value or 0) for value in row)


def cache_key(section: str, scope_key: str, options: Mapping[str, Any], version: str) -> str:
    described = repr((section, scope_key, sorted((key, repr(value)) for key, value in options.items()), version))
    return f"{CACHE_PREFIX}:{hashlib.sha256(described.encode()).hexdigest()}"


def cached(key: str) -> Any:
    return cache.get(key)


def keep(key: str, value: Any, seconds: int) -> None:
    cache.set(key, value, seconds)
