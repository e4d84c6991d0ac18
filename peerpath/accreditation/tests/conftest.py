"""The default framework and schemes come from a data migration; a transactional test elsewhere
empties every table when it ends, so each test here makes sure they are there (idempotent)."""

from __future__ import annotations

import pytest

from peerpath.accreditation.frameworks import ensure_default


@pytest.fixture(autouse=True)
def default_framework(db: None) -> None:
    ensure_default()
