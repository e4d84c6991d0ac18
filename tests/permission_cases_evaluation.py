"""Access decisions for the coordinators' evaluation pages and the schedule admin (merged into
``tests.permission_matrix``).

The run pages need ``evaluation.follow_runs`` and the safety-alert pages
``evaluation.follow_safety``: administrators and coordinators. Everyone else signed in is refused
with 403 before anything is looked up (evaluators never see names; tutors and participants have
no business here). A coordinator finds only their organisations' runs and alerts: the home
coordinator gets 404 for ``other_run`` and ``other_alert``, the outsider (the other
organisation's coordinator) for ``home_run`` and ``home_alert``. An empty POST is a 400 with
messages to those who may post. Schedules are administrators' in the admin site; the one each
admin case needs is made inside that case's own savepoint.
"""

from __future__ import annotations

from typing import Any

from peerpath.courses.choices import Category
from peerpath.evaluation.models import Schedule
from tests.permission_matrix import Case, admin_outcomes, outcomes

NOT_STAFF = ("peer_tutor", "professional_tutor", "assessor", "evaluator", "participant")
REFUSED = dict.fromkeys(NOT_STAFF, "forbidden")
COORDINATORS = outcomes("ok", anonymous="login", **REFUSED)
HOME = outcomes("missing", anonymous="login", administrator="ok", coordinator="ok", **REFUSED)
OTHER = outcomes("missing", anonymous="login", administrator="ok", outsider="ok", **REFUSED)
NOBODY_FINDS = outcomes("missing", anonymous="login", **REFUSED)
HOME_BAD = outcomes("missing", anonymous="login", administrator="bad", coordinator="bad", **REFUSED)
OTHER_BAD = outcomes("missing", anonymous="login", administrator="bad", outsider="bad", **REFUSED)
ABSENT_RUN = "00000000-0000-4000-8000-000000000000"
ABSENT_ALERT = 2_000_000_000


def _run(name: str) -> Any:
    return lambda world: {"run_id": getattr(world, name).pk}


def _schedule(name: str, timepoint: str) -> Any:
    return lambda world: {"run_id": getattr(world, name).pk, "timepoint": timepoint}


def _alert(name: str) -> Any:
    return lambda world: {"alert_id": getattr(world, name).pk}


def _network_schedule(world: Any) -> dict[str, Any]:
    schedule, _ = Schedule.objects.get_or_create(
        organisation=None, run=None, category=Category.SUPPORT_GROUP, timepoint="follow_up"
    )
    return {"object_id": str(schedule.pk)}


CASES: dict[str, list[Case]] = {
    "evaluation:index": [Case("", COORDINATORS)],
    "evaluation:run": [
        Case("home run", HOME, _run("home_run")),
        Case("other organisation's run", OTHER, _run("other_run")),
        Case("absent run", NOBODY_FINDS, lambda world: {"run_id": ABSENT_RUN}),
    ],
    "evaluation:run_schedule": [
        Case("home run at baseline", HOME, _schedule("home_run", "baseline"), post=HOME_BAD),
        Case("other organisation's run at end", OTHER, _schedule("other_run", "end"), post=OTHER_BAD),
        Case("unknown timepoint", NOBODY_FINDS, _schedule("home_run", "other"), post=NOBODY_FINDS),
        Case("absent run", NOBODY_FINDS, lambda world: {"run_id": ABSENT_RUN, "timepoint": "end"}),
    ],
    "evaluation:alerts": [Case("", COORDINATORS)],
    "evaluation:alert": [
        Case("home alert", HOME, _alert("home_alert"), post=HOME_BAD),
        Case("other organisation's alert", OTHER, _alert("other_alert"), post=OTHER_BAD),
        Case("absent alert", NOBODY_FINDS, lambda world: {"alert_id": ABSENT_ALERT}, post=NOBODY_FINDS),
    ],
    "admin:evaluation_schedule_changelist": [Case("", admin_outcomes("ok"))],
    "admin:evaluation_schedule_add": [Case("", admin_outcomes("ok"))],
    "admin:evaluation_schedule_change": [Case("", admin_outcomes("ok"), _network_schedule)],
    "admin:evaluation_schedule_history": [Case("", admin_outcomes("ok"), _network_schedule)],
    "admin:evaluation_schedule_delete": [Case("", admin_outcomes("ok"), _network_schedule)],
}

# The admin's redirect from an object's bare address to its change page.
UNNAMED_CASES: dict[str, list[Case]] = {
    "admin/evaluation/schedule/<path:object_id>/": [Case("", admin_outcomes("redirect"), _network_schedule)],
}
