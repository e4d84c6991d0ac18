"""Access decisions for the support group routes (merged into ``tests.permission_matrix``).

Coordinators and tutors (peer facilitators) work with support groups; participants,
assessors and evaluators are refused (403) before any group is looked up. The access
layer then narrows each user to their organisations' groups: another organisation's
group, or one that does not exist, is a 404.

Once a group is in view: its organisation's coordinators and administrators change
its details (tutors get 403); they and its tutors record and correct its meetings.
A meeting is found only through its own group. An empty POST to a form is re-shown
with its errors (400).

The world's ``home_group`` keeps names and has ``home_meeting``; ``anonymous_group``
keeps head counts; both belong to the home organisation. ``other_group`` belongs to
the other organisation, whose coordinator is the outsider.
"""

from __future__ import annotations

from typing import Any

from tests.permission_matrix import COORDINATORS, Case, outcomes

CASES: dict[str, list[Case]] = {}

ABSENT = "00000000-0000-4000-8000-000000000000"
REFUSED = {"assessor": "forbidden", "evaluator": "forbidden", "participant": "forbidden"}
HOME_TUTORS = ("peer_tutor", "professional_tutor")

GROUP_STAFF = outcomes("ok", anonymous="login", assessor="forbidden", evaluator="forbidden", participant="forbidden")
# A home group: its coordinator and tutors find it; the outsider does not.
HOME_GROUP = outcomes("ok", anonymous="login", outsider="missing", **REFUSED)
# A home group's details: its coordinator changes them; its tutors may only look.
HOME_MANAGE = outcomes(
    "ok", anonymous="login", outsider="missing", **dict.fromkeys(HOME_TUTORS, "forbidden"), **REFUSED
)
# The other organisation's group: only its coordinator (the outsider) and administrators.
OTHER_GROUP = outcomes("missing", anonymous="login", administrator="ok", outsider="ok", **REFUSED)
# Nothing to find, for anyone who gets as far as looking.
NOBODY_FINDS = outcomes("missing", anonymous="login", **REFUSED)


def _bad(allowed: dict[str, str]) -> dict[str, str]:
    """An empty form posted: those allowed see it again with its errors."""
    return {role: ("bad" if outcome == "ok" else outcome) for role, outcome in allowed.items()}


def _group(attribute: str, **more: Any) -> Any:
    return lambda world: {"pk": getattr(world, attribute).pk, **more}


def _meeting(group: str) -> Any:
    return lambda world: {"pk": getattr(world, group).pk, "meeting_id": world.home_meeting.pk}


def _group_routes(home: dict[str, str], *, post: bool) -> list[Case]:
    return [
        Case("home group", home, _group("home_group"), _bad(home) if post else None),
        Case("anonymous home group", home, _group("anonymous_group"), _bad(home) if post else None),
        Case("other organisation's group", OTHER_GROUP, _group("other_group"), _bad(OTHER_GROUP) if post else None),
        Case("absent group", NOBODY_FINDS, lambda world: {"pk": ABSENT}, NOBODY_FINDS if post else None),
    ]


CASES["groups:group_list"] = [Case("", GROUP_STAFF)]
CASES["groups:group_create"] = [Case("", COORDINATORS, post=_bad(COORDINATORS))]
CASES["groups:group_detail"] = _group_routes(HOME_GROUP, post=False)
CASES["groups:group_edit"] = _group_routes(HOME_MANAGE, post=True)
CASES["groups:meeting_create"] = _group_routes(HOME_GROUP, post=True)
CASES["groups:meeting_edit"] = [
    Case("home meeting", HOME_GROUP, _meeting("home_group"), _bad(HOME_GROUP)),
    # The meeting exists, but not in the group named in the address.
    Case("meeting of another group", NOBODY_FINDS, _meeting("anonymous_group"), NOBODY_FINDS),
    Case("through the other organisation's group", NOBODY_FINDS, _meeting("other_group"), NOBODY_FINDS),
    Case(
        "absent meeting",
        NOBODY_FINDS,
        lambda world: {"pk": world.home_group.pk, "meeting_id": ABSENT},
        NOBODY_FINDS,
    ),
]
