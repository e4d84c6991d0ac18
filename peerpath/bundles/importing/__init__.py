"""A bundle adopted as a new programme of one organisation: first a preview, then one transaction.

``preview`` matches what the bundle holds against what this installation has and says what
an import would create, what it would reuse as it is, and which conflicts an administrator
must resolve first (docs/programme-bundles.md, "Importing"). ``import_bundle`` does it, in
one transaction, after the same checks: nothing is written while a conflict is unresolved,
and importing the same bundle again for the same organisation finds the earlier import and
writes nothing.
"""

from __future__ import annotations

from peerpath.bundles.importing.applying import Imported, import_bundle
from peerpath.bundles.importing.matching import (
    KEEP,
    USE_BUNDLE,
    Conflict,
    ImportRefusedError,
    Preview,
    check_materials,
    preview,
)

__all__ = [
    "KEEP",
    "USE_BUNDLE",
    "Conflict",
    "ImportRefusedError",
    "Imported",
    "Preview",
    "check_materials",
    "import_bundle",
    "preview",
]
