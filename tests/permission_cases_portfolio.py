"""Access decisions for the portfolio and observation routes (merged into ``tests.permission_matrix``).

Portfolio pages are for anyone with a person record (the administrator login has none).
An entry is seen by its author and by those who follow the candidate (assessors and
coordinators of the candidate's organisations, administrators); only the author changes
an open one and only an assessor (or administrator) reviews. Anyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

from tests.permission_matrix import Case, outcomes

ABSENT = "00000000-0000-4000-8000-000000000000"
NOBODY_FINDS = outcomes("missing", anonymous="login")
# The administrator login has no person record, so no portfolio of its own (404, as for my_progress).
WITH_PERSON = outcomes("ok", anonymous="login", administrator="missing")
# Empty forms are refused with their errors.
WITH_PERSON_POST = outcomes("bad", anonymous="login", administrator="missing")


def _entry(name: str) -> Any:
    return lambda world: {"entry_id": getattr(world, name).pk}


def _candidate(name: str) -> Any:
    return lambda world: {"candidate_id": getattr(world, name).pk}


def _observation(name: str) -> Any:
    return lambda world: {"observation_id": getattr(world, name).pk}


# home_entry: the participant's submitted reflection. Followers of the home organisation
# (assessor, coordinator) and administrators see it; other home staff and the outsider do not.
HOME_ENTRY_SEEN = outcomes(
    "missing", anonymous="login", administrator="ok", coordinator="ok", assessor="ok", participant="ok"
)
OTHER_ENTRY_SEEN = outcomes("missing", anonymous="login", administrator="ok", outsider="ok")


def _seen_as(seen: dict[str, str], outcome: str) -> dict[str, str]:
    """The same roles find the row; each of them gets ``outcome`` instead of ``ok``."""
    return {role: (outcome if result == "ok" else result) for role, result in seen.items()}


CASES: dict[str, list[Case]] = {
    "accreditation:portfolio": [Case("", WITH_PERSON)],
    "accreditation:entry_add": [Case("", WITH_PERSON, post=WITH_PERSON_POST)],
    "accreditation:entry_detail": [
        Case("home participant's submitted entry", HOME_ENTRY_SEEN, _entry("home_entry")),
        # home_carer has no login: only followers of the home organisation find the draft.
        Case(
            "home carer's draft",
            outcomes("missing", anonymous="login", administrator="ok", coordinator="ok", assessor="ok"),
            _entry("carer_entry"),
        ),
        Case("other organisation's entry", OTHER_ENTRY_SEEN, _entry("other_entry")),
        Case("absent entry", NOBODY_FINDS, lambda world: {"entry_id": ABSENT}),
    ],
    # Only the author changes an entry, and only while it is a draft or returned: the
    # participant's entry is submitted, and home_carer (the draft's author) has no login.
    "accreditation:entry_edit": [
        Case(
            "submitted entry",
            _seen_as(HOME_ENTRY_SEEN, "forbidden"),
            _entry("home_entry"),
            _seen_as(HOME_ENTRY_SEEN, "forbidden"),
        ),
        Case(
            "someone else's draft",
            outcomes(
                "missing", anonymous="login", administrator="forbidden", coordinator="forbidden", assessor="forbidden"
            ),
            _entry("carer_entry"),
            outcomes(
                "missing", anonymous="login", administrator="forbidden", coordinator="forbidden", assessor="forbidden"
            ),
        ),
        Case(
            "other organisation's entry",
            _seen_as(OTHER_ENTRY_SEEN, "forbidden"),
            _entry("other_entry"),
            _seen_as(OTHER_ENTRY_SEEN, "forbidden"),
        ),
        Case("absent entry", NOBODY_FINDS, lambda world: {"entry_id": ABSENT}, NOBODY_FINDS),
    ],
    # The world's entries have no file: whoever may see the entry gets a 404 for its file.
    "accreditation:entry_file": [
        Case("entry without a file", NOBODY_FINDS, _entry("home_entry")),
        Case("absent entry", NOBODY_FINDS, lambda world: {"entry_id": ABSENT}),
    ],
    # POST only. Assessors of the candidate's organisation and administrators review (an empty
    # form is refused); the author and coordinators may not; the rest do not find it.
    "accreditation:entry_review": [
        Case(
            "home participant's submitted entry",
            outcomes("not_allowed", anonymous="login"),
            _entry("home_entry"),
            outcomes(
                "missing",
                anonymous="login",
                administrator="bad",
                assessor="bad",
                coordinator="forbidden",
                participant="forbidden",
            ),
        ),
        Case(
            "other organisation's entry",
            outcomes("not_allowed", anonymous="login"),
            _entry("other_entry"),
            outcomes("missing", anonymous="login", administrator="bad", outsider="forbidden"),
        ),
    ],
    # Assessors of the candidate's organisation and administrators record observations.
    "accreditation:observation_add": [
        Case(
            "home carer",
            outcomes("missing", anonymous="login", administrator="ok", assessor="ok", coordinator="forbidden"),
            _candidate("home_carer"),
            outcomes("missing", anonymous="login", administrator="bad", assessor="bad", coordinator="forbidden"),
        ),
        Case(
            "other organisation's carer",
            outcomes("missing", anonymous="login", administrator="ok", outsider="forbidden"),
            _candidate("other_carer"),
            outcomes("missing", anonymous="login", administrator="bad", outsider="forbidden"),
        ),
        Case(
            "absent candidate",
            NOBODY_FINDS,
            lambda world: {"candidate_id": ABSENT},
            NOBODY_FINDS,
        ),
    ],
    # home_observation: the assessor observed the peer tutor; the peer tutor reads it.
    "accreditation:observation_detail": [
        Case(
            "home observation",
            outcomes(
                "missing", anonymous="login", administrator="ok", coordinator="ok", assessor="ok", peer_tutor="ok"
            ),
            _observation("home_observation"),
        ),
        Case("other organisation's observation", OTHER_ENTRY_SEEN, _observation("other_observation")),
        Case("absent observation", NOBODY_FINDS, lambda world: {"observation_id": ABSENT}),
    ],
}
