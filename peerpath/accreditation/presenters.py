"""How accreditation pages show an award in a list: its standing today and its dates, in words."""

from __future__ import annotations

from datetime import date
from typing import Any

from peerpath.accreditation import lifecycle
from peerpath.accreditation.models import Award
from peerpath.courses.presenters import format_day


def award_row(award: Award, today: date) -> dict[str, Any]:
    return {
        "award": award,
        "standing": lifecycle.standing(award, today),
        "from": format_day(award.valid_from),
        "until": format_day(award.valid_until) if award.valid_until else "",
    }
