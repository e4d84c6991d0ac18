"""Delivery's own tests ask "is this person accredited?" of the stand-in answer in ``delivery.hooks``
(a current peer-tutor membership), so they test delivery's rules on their own. The accreditation
app's real answer (awards) is tested against delivery in ``peerpath/accreditation/tests``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from peerpath.delivery import hooks


@pytest.fixture(autouse=True)
def accreditation_by_membership() -> Iterator[None]:
    previous = hooks.register_accreditation_check(hooks.peer_tutors_on)
    yield
    hooks.register_accreditation_check(previous)
