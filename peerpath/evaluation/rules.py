"""Named permission rules for evaluation (django-rules); ADR 018 explains who and why.

Role rules take no object; the rows a view shows come from ``peerpath.evaluation.access``,
which has already limited them to the user's organisations.
"""

from __future__ import annotations

from typing import Any

import rules

from peerpath.delivery.rules import has_person
from peerpath.people.access import principal_for
from peerpath.people.models import Membership
from peerpath.people.rules import is_administrator, is_coordinator


@rules.predicate
def is_evaluator(user: Any) -> bool:
    return principal_for(user).has_role(Membership.Role.EVALUATOR)


# Coordinators follow their runs' evaluation, type in paper forms and follow up safety alerts.
rules.add_perm("evaluation.follow_runs", is_administrator | is_coordinator)
rules.add_perm("evaluation.enter_answers", is_administrator | is_coordinator)
rules.add_perm("evaluation.follow_safety", is_administrator | is_coordinator)

# FHIR read access: staff with evaluation access (ADR 017); subjects are shown only to
# those who may know them (access.access_fhir_response sets viewer_identifies).
rules.add_perm("evaluation.read_fhir", is_administrator | is_coordinator | is_evaluator)

# Participants: their own questionnaires and, where the instrument allows, their own scores.
rules.add_perm("evaluation.answer_own", has_person)
