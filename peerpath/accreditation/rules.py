"""Named permission rules for accreditation (django-rules)."""

from __future__ import annotations

import rules

from peerpath.delivery.rules import has_person
from peerpath.people.rules import is_administrator, is_coordinator

# Coordinators re-staff runs whose peer tutors' awards no longer cover them.
rules.add_perm("accreditation.review_staffing", is_administrator | is_coordinator)

# Anyone with a person record sees their own progress towards each scheme and their awards.
rules.add_perm("accreditation.view_own_progress", has_person)
