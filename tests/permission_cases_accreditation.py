"""Access decisions for the accreditation routes (merged into ``tests.permission_matrix``)."""

from __future__ import annotations

from tests.permission_matrix import COORDINATORS, Case, outcomes

CASES: dict[str, list[Case]] = {
    # Coordinators (and administrators) see their runs' uncovered peer assignments.
    "accreditation:uncovered_staffing": [Case("", COORDINATORS)],
    # Everyone signed in with a person record; the administrator login has none (404 from own_person).
    "accreditation:my_progress": [Case("", outcomes("ok", anonymous="login", administrator="missing"))],
}
