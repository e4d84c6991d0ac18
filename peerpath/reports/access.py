"""Whose figures a user may see in reports, and whether exactly (ADR 019).

- **Administrators** report on every organisation and see exact figures on screen.
- **Coordinators** report on their own organisations and see exact figures there.
- **Evaluators** report on their organisations through the disclosure policy only: small
  counts hidden, others rounded, no mean from too few values, and never a name.
- A user who is a coordinator in one organisation and an evaluator in another sees exact
  figures only while every organisation chosen is one they coordinate.

Exports, the programme report and the pseudonymised extract leave PeerPath, so they always
go through the disclosure policy, whoever asks (``Scope.published``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from peerpath.people.access import principal_for
from peerpath.people.models import Membership, Organisation

User = AbstractBaseUser | AnonymousUser
REPORT_ROLES = (Membership.Role.COORDINATOR, Membership.Role.EVALUATOR)


def report_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations ``user`` may report on, by name (all of them for an administrator)."""
    principal = principal_for(user)
    organisations = Organisation.objects.order_by("name")
    if principal.is_administrator:
        return organisations
    return organisations.filter(pk__in=principal.organisations(*REPORT_ROLES))


def sees_exact(user: User, organisation_ids: Iterable[uuid.UUID] | None) -> bool:
    """Whether ``user`` may see exact figures on screen for these organisations (None: all)."""
    principal = principal_for(user)
    if principal.is_administrator:
        return True
    if organisation_ids is None:
        return False
    chosen = frozenset(organisation_ids)
    return bool(chosen) and chosen <= principal.organisations(Membership.Role.COORDINATOR)


def may_extract(user: Any) -> bool:
    return bool(user.has_perm("reports.extract"))
