"""Access decisions for course runs, registers, venues and participants' own courses
(merged into ``tests.permission_matrix``).

- Runs are listed for coordinators, tutors and administrators. A run's page is
  found by the coordinators of its organisation and by the tutors assigned to it;
  for everyone else it does not exist (404).
- Staffing, status, enrolling someone and withdrawing someone are for the run's
  coordinators; tutors who facilitate it may see it and mark its registers.
- Venues belong to coordinators.
- "My courses", enrolling and leaving are for anyone with a person record, on
  their own enrolments only; the administrator login has no person record.
"""

from __future__ import annotations

from typing import Any

from tests.permission_matrix import Case, outcomes

CASES: dict[str, list[Case]] = {}

ABSENT = "00000000-0000-4000-8000-000000000000"
LISTERS = outcomes(
    "forbidden",
    anonymous="login",
    administrator="ok",
    coordinator="ok",
    peer_tutor="ok",
    professional_tutor="ok",
    outsider="ok",
)
PLANNERS = outcomes("forbidden", anonymous="login", administrator="ok", coordinator="ok", outsider="ok")
# The home run: its coordinator and its two tutors find it; nobody else does.
HOME_RUN = outcomes(
    "missing", anonymous="login", administrator="ok", coordinator="ok", peer_tutor="ok", professional_tutor="ok"
)
HOME_RUN_MANAGE = outcomes(
    "missing",
    anonymous="login",
    administrator="ok",
    coordinator="ok",
    peer_tutor="forbidden",
    professional_tutor="forbidden",
)
OTHER_RUN = outcomes("missing", anonymous="login", administrator="ok", outsider="ok")
ABSENT_RUN = outcomes("missing", anonymous="login")
# Administrators hold every permission but have no person record, so no enrolments of their own.
WITH_PERSON = outcomes("ok", anonymous="login")
OWN_ENROLMENT = outcomes("missing", anonymous="login", participant="ok")


def _bad(allowed: dict[str, str]) -> dict[str, str]:
    return {role: ("bad" if outcome == "ok" else outcome) for role, outcome in allowed.items()}


def _as(allowed: dict[str, str], result: str) -> dict[str, str]:
    return {role: (result if outcome == "ok" else outcome) for role, outcome in allowed.items()}


def _run(attribute: str) -> Any:
    return lambda world: {"pk": getattr(world, attribute).pk}


def _session(run: str, session: str) -> Any:
    return lambda world: {"pk": getattr(world, run).pk, "session_id": getattr(world, session).pk}


CASES["delivery:run_list"] = [Case("", LISTERS)]
CASES["delivery:run_create"] = [Case("", PLANNERS, post=_bad(PLANNERS))]
CASES["delivery:run_detail"] = [
    Case("home run", HOME_RUN, _run("home_run")),
    Case("other organisation's run", OTHER_RUN, _run("other_run")),
    Case("absent run", ABSENT_RUN, lambda world: {"pk": ABSENT}),
]
for name in ("run_assign", "run_status", "run_enrol"):
    CASES[f"delivery:{name}"] = [
        Case("home run", HOME_RUN_MANAGE, _run("home_run"), _bad(HOME_RUN_MANAGE)),
        Case("other organisation's run", OTHER_RUN, _run("other_run"), _bad(OTHER_RUN)),
        Case("absent run", ABSENT_RUN, lambda world: {"pk": ABSENT}, ABSENT_RUN),
    ]
CASES["delivery:run_withdraw"] = [
    Case(
        "home enrolment",
        HOME_RUN_MANAGE,
        lambda world: {"pk": world.home_run.pk, "enrolment_id": world.home_enrolment.pk},
        # The reason is optional: an empty form withdraws them.
        _as(HOME_RUN_MANAGE, "redirect"),
    ),
    Case(
        "another run's enrolment in the URL of the home run",
        _as(HOME_RUN_MANAGE, "missing"),
        lambda world: {"pk": world.home_run.pk, "enrolment_id": world.other_enrolment.pk},
        _as(HOME_RUN_MANAGE, "missing"),
    ),
]
# The home session is weeks away: the register shows, but saving it is refused until the day.
CASES["delivery:register"] = [
    Case("home session", HOME_RUN, _session("home_run", "home_session"), _bad(HOME_RUN)),
    Case("other organisation's session", OTHER_RUN, _session("other_run", "other_session"), _bad(OTHER_RUN)),
    Case(
        "another run's session in the URL of the home run",
        _as(HOME_RUN, "missing"),
        _session("home_run", "other_session"),
        _as(HOME_RUN, "missing"),
    ),
]
CASES["delivery:register_pdf"] = [
    Case("home session", HOME_RUN, _session("home_run", "home_session")),
    Case("other organisation's session", OTHER_RUN, _session("other_run", "other_session")),
]
CASES["delivery:venue_list"] = [Case("", PLANNERS)]
CASES["delivery:venue_create"] = [Case("", PLANNERS, post=_bad(PLANNERS))]
CASES["delivery:venue_edit"] = [
    Case(
        "home venue",
        outcomes("forbidden", anonymous="login", administrator="ok", coordinator="ok", outsider="missing"),
        _run("home_venue"),
        outcomes("forbidden", anonymous="login", administrator="bad", coordinator="bad", outsider="missing"),
    ),
    Case(
        "absent venue",
        outcomes("forbidden", anonymous="login", administrator="missing", coordinator="missing", outsider="missing"),
        lambda world: {"pk": ABSENT},
    ),
]
CASES["delivery:my_courses"] = [Case("", WITH_PERSON)]
CASES["delivery:enrol"] = [
    Case("open home run", WITH_PERSON, _run("home_run"), _bad(WITH_PERSON)),
    Case("open run of another organisation", WITH_PERSON, _run("other_run"), _bad(WITH_PERSON)),
    Case("absent run", outcomes("missing", anonymous="login"), lambda world: {"pk": ABSENT}),
]
CASES["delivery:accept_offer"] = [
    Case(
        "the participant's enrolment (no offer to accept)",
        outcomes("not_allowed", anonymous="login"),
        _run("home_enrolment"),
        _as(OWN_ENROLMENT, "redirect"),
    ),
]
CASES["delivery:leave"] = [
    Case("the participant's enrolment", OWN_ENROLMENT, _run("home_enrolment"), _as(OWN_ENROLMENT, "redirect")),
    Case(
        "someone else's enrolment",
        _as(OWN_ENROLMENT, "missing"),
        _run("carer_enrolment"),
        _as(OWN_ENROLMENT, "missing"),
    ),
]
