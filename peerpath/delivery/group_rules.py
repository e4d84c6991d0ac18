"""Named permission rules for support groups (django-rules); registered by ``delivery.rules``.

Role rules take no object and come first in every view, so participants, assessors
and evaluators are refused (403) before any group is looked up. Object rules expect
a group fetched through ``peerpath.delivery.group_access.access_group``, which has
already limited the user to groups in scope (404 otherwise) and set the viewer flags.

- Coordinators add groups and change their own organisations' groups.
- Coordinators of the running organisation or a partner, and tutors (peer
  facilitators) of the running organisation, record and change its meetings.
"""

from __future__ import annotations

from typing import Any

import rules

from peerpath.delivery.rules import is_tutor
from peerpath.people.rules import is_administrator, is_coordinator


@rules.predicate
def coordinates_group(user: Any, group: Any) -> bool:
    return bool(getattr(group, "viewer_coordinates", False))


@rules.predicate
def partners_group(user: Any, group: Any) -> bool:
    return bool(getattr(group, "viewer_partners", False))


@rules.predicate
def facilitates_group(user: Any, group: Any) -> bool:
    return bool(getattr(group, "viewer_facilitates", False))


# Listing and viewing groups: the access layer then narrows each user to their organisations' groups.
rules.add_perm("delivery.list_groups", is_administrator | is_coordinator | is_tutor)
rules.add_perm("delivery.add_group", is_administrator | is_coordinator)
rules.add_perm("delivery.edit_group", is_administrator | coordinates_group)
rules.add_perm("delivery.record_meeting", is_administrator | coordinates_group | partners_group | facilitates_group)
