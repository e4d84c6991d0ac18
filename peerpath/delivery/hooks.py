"""Questions delivery needs answered by apps that depend on it (ARCHITECTURE.md).

Delivery must know whether a peer trainer or facilitator is accredited, but the
accreditation app sits above delivery and may not be imported here. Delivery asks
through :func:`accredited`; the accreditation app registers its answer at start-up
with :func:`register_accreditation_check`. Until it does, every person with a
current peer-tutor membership counts as accredited.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date

from peerpath.people.models import Membership

# (person ids, the role they would take, the day) -> the ids that are accredited for it.
AccreditationCheck = Callable[[frozenset[uuid.UUID], str, date], set[uuid.UUID]]

_check: AccreditationCheck | None = None


def register_accreditation_check(check: AccreditationCheck | None) -> AccreditationCheck | None:
    """Install the accreditation app's answer (``None`` restores the default); returns the one it replaces."""
    global _check
    previous, _check = _check, check
    return previous


def peer_tutors_on(person_ids: frozenset[uuid.UUID], role: str, on: date) -> set[uuid.UUID]:
    """The default answer: people with a peer-tutor membership current on that day (one query)."""
    peers = Membership.objects.current(on).filter(
        person_id__in=person_ids, role=Membership.Role.TUTOR, tutor_kind=Membership.TutorKind.PEER
    )
    return set(peers.values_list("person_id", flat=True))


def accredited(person_ids: Iterable[uuid.UUID], role: str, on: date) -> set[uuid.UUID]:
    """Which of these people are accredited to take ``role`` on ``on``."""
    ids = frozenset(person_ids)
    if not ids:
        return set()
    return (_check or peer_tutors_on)(ids, role, on)
