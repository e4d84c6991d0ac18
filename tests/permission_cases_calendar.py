"""Access decisions for the calendar and message routes (merged into ``tests.permission_matrix``).

A personal calendar address belongs to whoever has a person record (the
administrator fixture has none). A feed itself is public: its secret token is
the only key, and an unknown token is a 404 for everyone. Run calendars are for
staff who can see the run (its coordinators, the course owner's coordinators,
its tutors); moving a session is for the run's coordinators only (its tutors
see the run, so are refused; everyone else does not find it). Messages are for
the run's coordinators and tutors.
"""

from __future__ import annotations

from typing import Any

from peerpath.delivery import calendar
from tests.permission_matrix import Case, outcomes

CASES: dict[str, list[Case]] = {}

ABSENT = "00000000-0000-4000-8000-000000000000"
HAS_PERSON = outcomes("ok", anonymous="login", administrator="missing")
POST_ONLY = outcomes("not_allowed", anonymous="login")
NOBODY = outcomes("missing")
EVERYONE = outcomes("ok")
NOBODY_FINDS = outcomes("missing", anonymous="login")
# The home run: its coordinator and both of its tutors see it.
HOME_RUN_STAFF = outcomes(
    "missing", anonymous="login", administrator="ok", coordinator="ok", peer_tutor="ok", professional_tutor="ok"
)
OTHER_RUN_STAFF = outcomes("missing", anonymous="login", administrator="ok", outsider="ok")
# Moving the home run's sessions: its tutors see the run but may not manage it.
HOME_MANAGERS = outcomes(
    "missing",
    anonymous="login",
    administrator="ok",
    coordinator="ok",
    peer_tutor="forbidden",
    professional_tutor="forbidden",
)


def _with(allowed: dict[str, str], value: str) -> dict[str, str]:
    """The same decisions, with ``value`` where the route lets the role in."""
    return {role: (value if outcome == "ok" else outcome) for role, outcome in allowed.items()}


def _run(attribute: str) -> Any:
    return lambda world: {"pk": getattr(world, attribute).pk}


def _session(run: str, session: str) -> Any:
    return lambda world: {"pk": getattr(world, run).pk, "session_id": getattr(world, session).pk}


def _run_feed_token(world: Any) -> dict[str, str]:
    """A live run feed, made inside the case's savepoint by the run's coordinator."""
    return {"token": calendar.create_run_feed(actor=world.home_run.created_by, run=world.home_run).token}


def _run_cases(post: str | None = None) -> list[Case]:
    """A route about one run: the home run, the other organisation's, and one that does not exist.

    ``post``: what those let in get for an empty POST (None when the route takes no POST).
    """

    def posted(allowed: dict[str, str]) -> dict[str, str] | None:
        return _with(allowed, post) if post else None

    return [
        Case("home run", HOME_RUN_STAFF, _run("home_run"), posted(HOME_RUN_STAFF)),
        Case("other organisation's run", OTHER_RUN_STAFF, _run("other_run"), posted(OTHER_RUN_STAFF)),
        Case("absent run", NOBODY_FINDS, lambda world: {"pk": ABSENT}, NOBODY_FINDS if post else None),
    ]


CASES["calendar:my_calendar"] = [Case("", HAS_PERSON, post=HAS_PERSON)]
CASES["calendar:revoke"] = [Case("", POST_ONLY, post=_with(HAS_PERSON, "redirect"))]
CASES["calendar:feed"] = [
    Case("unknown token", NOBODY, lambda world: {"token": "no-such-calendar"}),
    Case("run feed", EVERYONE, _run_feed_token),
]
CASES["calendar:run_feed"] = _run_cases(post="ok")
CASES["calendar:run_feed_revoke"] = [
    Case(case.variant, POST_ONLY, case.kwargs, case.post) for case in _run_cases(post="redirect")
]
CASES["calendar:session_move"] = [
    Case("home session", HOME_MANAGERS, _session("home_run", "home_session"), _with(HOME_MANAGERS, "bad")),
    # Another run's session under the home run: not found by those who get as far as looking.
    Case(
        "other run's session under the home run",
        _with(HOME_MANAGERS, "missing"),
        _session("home_run", "other_session"),
        _with(HOME_MANAGERS, "missing"),
    ),
    Case(
        "other organisation's session",
        OTHER_RUN_STAFF,
        _session("other_run", "other_session"),
        _with(OTHER_RUN_STAFF, "bad"),
    ),
    Case(
        "absent session",
        _with(HOME_MANAGERS, "missing"),
        lambda world: {"pk": world.home_run.pk, "session_id": ABSENT},
        _with(HOME_MANAGERS, "missing"),
    ),
]

CASES["messages:message_list"] = _run_cases()
CASES["messages:message_create"] = _run_cases(post="bad")
