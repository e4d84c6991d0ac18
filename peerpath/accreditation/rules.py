"""Named permission rules for accreditation (django-rules)."""

from __future__ import annotations

import rules

from peerpath.people.rules import is_administrator, is_coordinator

# Coordinators re-staff runs whose peer tutors' awards no longer cover them.
rules.add_perm("accreditation.review_staffing", is_administrator | is_coordinator)
