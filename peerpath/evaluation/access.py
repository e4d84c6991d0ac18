"""Who may act on whose questionnaires.

Responses are written only through ``peerpath.evaluation.responses``, which calls these
checks; views that list or show responses will scope them here too.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from peerpath.people.access import principal_for
from peerpath.people.models import Membership, Person

# Staff in these roles may type in the answers of people in their organisations.
ENTRY_ROLES = (Membership.Role.COORDINATOR, Membership.Role.EVALUATOR)


def may_enter_for(user: AbstractBaseUser | AnonymousUser, person: Person) -> bool:
    """Whether ``user`` may type in answers for ``person``: an administrator, or a coordinator
    or evaluator of an organisation where the person holds a current membership."""
    principal = principal_for(user)
    if principal.is_administrator:
        return True
    organisations = principal.organisations(*ENTRY_ROLES)
    return bool(organisations) and (
        Membership.objects.current().filter(person=person, organisation_id__in=organisations).exists()
    )
