"""Named permission rules for courses (django-rules).

Object rules expect a Course fetched through ``peerpath.courses.access``,
which has already limited the user to courses in scope and set the viewer flags.
"""

from __future__ import annotations

from typing import Any

import rules

from peerpath.courses.access import COURSE_STAFF_ROLES
from peerpath.people.access import principal_for
from peerpath.people.models import Membership
from peerpath.people.rules import is_administrator, is_coordinator


@rules.predicate
def is_course_staff(user: Any) -> bool:
    principal = principal_for(user)
    return any(principal.has_role(role) for role in COURSE_STAFF_ROLES)


@rules.predicate
def owns_course(user: Any, course: Any) -> bool:
    return bool(getattr(course, "viewer_owns", False))


@rules.predicate
def coordinates_course(user: Any, course: Any) -> bool:
    return bool(getattr(course, "viewer_coordinates", False))


@rules.predicate
def coordinates_term(user: Any, term: Any) -> bool:
    return term is not None and term.organisation_id in principal_for(user).organisations(Membership.Role.COORDINATOR)


rules.add_perm("courses.list_courses", is_administrator | is_course_staff)
rules.add_perm("courses.add_course", is_administrator | is_coordinator)
rules.add_perm("courses.view_course", is_administrator | is_course_staff)
rules.add_perm("courses.edit_course", is_administrator | owns_course)
rules.add_perm("courses.log_activity", is_administrator | coordinates_course)
# Approval is a decision of the owning college's coordinators, not its partners'.
# (Administrators are superusers, who hold every permission.)
rules.add_perm("courses.approve_version", owns_course)
rules.add_perm("courses.manage_terms", is_administrator | is_coordinator)
rules.add_perm("courses.edit_term", is_administrator | coordinates_term)
