"""Access decisions for certificates and verification (merged into ``tests.permission_matrix``).

A certificate is printed by the award's holder and by those who follow them (assessors and
coordinators of the holder's organisations, administrators); anyone else gets a 404. The
verification pages are public: everyone, signed in or not, sees the same page. The choice
about being named on them belongs to anyone with a person record.
"""

from __future__ import annotations

from typing import Any

from tests.permission_matrix import PUBLIC, Case, outcomes

ABSENT = "00000000-0000-4000-8000-000000000000"
# A code of the right shape that no award has (every award's code is random).
UNKNOWN_CODE = "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
NOBODY_FINDS = outcomes("missing", anonymous="login")
# home_award is the peer tutor's: the holder, the home assessor and coordinator, administrators.
HOME_AWARD_SEEN = outcomes(
    "missing", anonymous="login", administrator="ok", coordinator="ok", assessor="ok", peer_tutor="ok"
)
OTHER_AWARD_SEEN = outcomes("missing", anonymous="login", administrator="ok", outsider="ok")
# The administrator login has no person record, so no choice of its own (404, as for my_progress).
WITH_PERSON = outcomes("ok", anonymous="login", administrator="missing")


def _award(name: str) -> Any:
    return lambda world: {"award_id": getattr(world, name).pk}


def _code(name: str) -> Any:
    return lambda world: {"code": getattr(world, name).verification_code}


def _lower_code(name: str) -> Any:
    return lambda world: {"code": getattr(world, name).verification_code.lower()}


CASES: dict[str, list[Case]] = {
    "accreditation:certificate": [
        Case("home award", HOME_AWARD_SEEN, _award("home_award")),
        Case("other organisation's award", OTHER_AWARD_SEEN, _award("other_award")),
        Case("absent award", NOBODY_FINDS, lambda world: {"award_id": ABSENT}),
    ],
    # An empty POST is refused with its error.
    "accreditation:verification_consent": [
        Case("", WITH_PERSON, post=outcomes("bad", anonymous="login", administrator="missing"))
    ],
    # A GET form: a POST is not allowed.
    "verify:lookup": [Case("", PUBLIC)],
    "verify:award": [
        Case("home award", PUBLIC, _code("home_award")),
        Case("other organisation's award", PUBLIC, _code("other_award")),
        Case("unknown code", outcomes("missing"), lambda world: {"code": UNKNOWN_CODE}),
        Case("malformed code", outcomes("missing"), lambda world: {"code": "not-a-code"}),
        # A code typed in lower case goes to its canonical address.
        Case(
            "code in lower case",
            outcomes("redirect"),
            lambda world: {"code": world.home_award.verification_code.lower()},
        ),
    ],
}
