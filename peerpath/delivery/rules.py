"""Named permission rules for delivery (django-rules).

Object rules expect a run fetched through ``peerpath.delivery.access``, which has
already limited the user to runs in scope and set the viewer flags.
"""

from __future__ import annotations

from typing import Any

import rules

from peerpath.people.access import principal_for
from peerpath.people.models import Membership
from peerpath.people.rules import is_administrator, is_coordinator


@rules.predicate
def is_tutor(user: Any) -> bool:
    return principal_for(user).has_role(Membership.Role.TUTOR)


@rules.predicate
def has_person(user: Any) -> bool:
    return principal_for(user).person_id is not None


@rules.predicate
def coordinates_run(user: Any, run: Any) -> bool:
    return bool(getattr(run, "viewer_coordinates", False))


@rules.predicate
def facilitates_run(user: Any, run: Any) -> bool:
    return bool(getattr(run, "viewer_facilitates", False))


rules.add_perm("delivery.list_runs", is_administrator | is_coordinator | is_tutor)
rules.add_perm("delivery.add_run", is_administrator | is_coordinator)
rules.add_perm("delivery.view_run", is_administrator | is_coordinator | is_tutor)
# Staffing, status, enrolling on someone's behalf and late register entries.
rules.add_perm("delivery.manage_run", is_administrator | coordinates_run)
rules.add_perm("delivery.mark_register", is_administrator | coordinates_run | facilitates_run)
rules.add_perm("delivery.message_run", is_administrator | coordinates_run | facilitates_run)
rules.add_perm("delivery.enrol_self", has_person)
rules.add_perm("delivery.manage_venues", is_administrator | is_coordinator)

# Support groups' rules live beside their views; importing them here registers them.
from peerpath.delivery import group_rules  # noqa: E402, F401
