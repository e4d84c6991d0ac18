"""The shipped instrument files, kept in the database: one row per instrument version.

``sync_shipped`` loads every file in ``data/instruments/`` that the database does not hold
yet. A file whose version is already loaded with different content is refused, not
applied: a published version never changes, so scores keep pointing at the rule that made
them (ADR 016). It runs after every ``migrate`` (and every ``flush``) and from
``manage.py load_instruments``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from peerpath.evaluation import definitions
from peerpath.evaluation.models import InstrumentVersion

logger = logging.getLogger(__name__)
SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "instruments"


def checksum(document: dict[str, Any]) -> str:
    """SHA-256 of the document as canonical JSON (sorted keys, no spaces), so formatting does not count."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def row_fields(document: dict[str, Any]) -> dict[str, Any]:
    """What lists and filters need, copied out of a (valid) document."""
    licence = document["licence"]
    return {
        "code": document["code"],
        "version": document["version"],
        "scoring_version": document["scoring_version"],
        "name": document["name"],
        "short_name": document["short_name"],
        "respondent": document["respondent"],
        "licence_class": licence["class"],
        "ships_text": bool(licence["ships_text"]),
        "own_measure": bool(document.get("own_measure", False)),
        "definition": document,
        "checksum": checksum(document),
    }


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def shipped_documents(folder: Path = SHIPPED_DIR) -> list[tuple[Path, dict[str, Any]]]:
    """Every shipped file, parsed and validated (a broken file raises ``DefinitionError``)."""
    found = []
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        definitions.parse(document)
        found.append((path, document))
    return found


def sync_shipped(*, using: str = DEFAULT_DB_ALIAS, folder: Path = SHIPPED_DIR) -> SyncResult:
    result = SyncResult()
    with transaction.atomic(using=using):
        for path, document in shipped_documents(folder):
            fields = row_fields(document)
            label = f"{fields['code']} version {fields['version']}"
            row = InstrumentVersion.objects.using(using).filter(code=fields["code"], version=fields["version"]).first()
            if row is None:
                InstrumentVersion.objects.using(using).create(
                    **fields, status=InstrumentVersion.Status.PUBLISHED, origin=InstrumentVersion.Origin.SHIPPED
                )
                result.created.append(label)
            elif row.checksum == fields["checksum"]:
                result.unchanged.append(label)
            else:
                result.refused.append(
                    f"{path.name}: {label} is already loaded with other content. A published version never "
                    "changes: give the file a new version number"
                )
    return result


def sync_after_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate: load new shipped files; a refused one is logged, never a failed migrate."""
    if InstrumentVersion._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated back before the table existed
    result = sync_shipped(using=using)
    for problem in result.refused:
        logger.warning("Instrument file not loaded: %s", problem)
