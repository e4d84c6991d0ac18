"""Access decisions for the accreditation routes (merged into ``tests.permission_matrix``)."""

from __future__ import annotations

from tests.permission_matrix import COORDINATORS, Case

CASES: dict[str, list[Case]] = {
    # Coordinators (and administrators) see their runs' uncovered peer assignments.
    "accreditation:uncovered_staffing": [Case("", COORDINATORS)],
}
