"""Access decisions for the portfolio routes (merged into ``tests.permission_matrix``)."""

from __future__ import annotations

from tests.permission_matrix import Case

CASES: dict[str, list[Case]] = {}
