"""Named permission rules for reports (django-rules); ADR 019 explains who and why.

Which organisations' figures a user sees, and whether exactly, is ``peerpath.reports.access``.
"""

from __future__ import annotations

import rules

from peerpath.evaluation.rules import is_evaluator
from peerpath.people.rules import is_administrator, is_coordinator

# Reports, their exports and the programme report: coordinators for their organisations (exact
# on screen), evaluators for theirs (always disclosure-controlled), administrators for all.
rules.add_perm("reports.view", is_administrator | is_coordinator | is_evaluator)
# The pseudonymised extract: one row per person per timepoint, for analysts.
rules.add_perm("reports.extract", is_administrator | is_evaluator)
