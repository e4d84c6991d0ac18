"""Named permission rules for accreditation (django-rules).

Object rules expect rows fetched through ``peerpath.accreditation.access``, which has
already limited the user to rows in scope and set ``viewer_is_self``,
``viewer_assesses`` and ``viewer_coordinates``.
"""

from __future__ import annotations

from typing import Any

import rules

from peerpath.delivery.rules import has_person
from peerpath.people.access import principal_for
from peerpath.people.models import Membership
from peerpath.people.rules import is_administrator, is_coordinator


@rules.predicate
def is_assessor(user: Any) -> bool:
    return principal_for(user).has_role(Membership.Role.ASSESSOR)


@rules.predicate
def is_own(user: Any, row: Any) -> bool:
    return bool(getattr(row, "viewer_is_self", False))


@rules.predicate
def assesses(user: Any, row: Any) -> bool:
    """The user assesses the row's candidate (or is an administrator), and it is not their own."""
    return bool(getattr(row, "viewer_assesses", False)) and not getattr(row, "viewer_is_self", False)


@rules.predicate
def coordinates(user: Any, row: Any) -> bool:
    return bool(getattr(row, "viewer_coordinates", False))


@rules.predicate
def entry_is_open(user: Any, entry: Any) -> bool:
    """Draft and returned entries can still be changed by their author."""
    return getattr(entry, "status", None) in ("draft", "returned")


# Coordinators re-staff runs whose peer tutors' awards no longer cover them.
rules.add_perm("accreditation.review_staffing", is_administrator | is_coordinator)

# Anyone with a person record sees their own progress towards each scheme and their awards,
# and keeps a portfolio.
rules.add_perm("accreditation.view_own_progress", has_person)
rules.add_perm("accreditation.keep_portfolio", has_person)

# Following candidates: assessors decide, coordinators watch their organisations' progress.
rules.add_perm("accreditation.list_candidates", is_administrator | is_assessor | is_coordinator)
rules.add_perm("accreditation.view_candidate", is_own | assesses | coordinates | is_administrator)
rules.add_perm("accreditation.assess_candidate", assesses)

# Portfolio entries: the author edits open ones; an assessor of the candidate reviews.
rules.add_perm("accreditation.view_entry", is_own | assesses | coordinates | is_administrator)
rules.add_perm("accreditation.change_entry", is_own & entry_is_open)
rules.add_perm("accreditation.review_entry", assesses)

# Observations: the candidate and those who follow them read; an assessor records.
rules.add_perm("accreditation.view_observation", is_own | assesses | coordinates | is_administrator)

# Awards: the holder and those who follow them see an award and its certificate;
# an assessor (never the holder) suspends, reinstates, revokes and renews.
# Award pages: anyone signed in may ask; access.access_award and the object rules decide.
rules.add_perm("accreditation.open_awards", rules.is_authenticated)
rules.add_perm("accreditation.view_award", is_own | assesses | coordinates | is_administrator)
rules.add_perm("accreditation.decide_award", assesses)
rules.add_perm("accreditation.download_credential", is_own)
