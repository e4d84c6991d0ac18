"""Access decisions for the questionnaire pages (merged into ``tests.permission_matrix``).

Invitation links are public: whoever holds the token may answer, signed in or not, so every
role gets the same answer. ``home_invitation`` asks GSE (position 1, already submitted through
the link as ``home_online``) then PHQ-9 (position 2, not started). A forged token (the right
id with a wrong tag) is 404; an expired or withdrawn link is 410 (made so inside the case's
own savepoint). An empty POST to a questionnaire saves nothing and goes back to the overview.

A participant's own pages need a person record (``evaluation.answer_own``); the administrator
actor has none but, as a superuser, passes every rule and finds empty lists. Typing in forms
is for ``evaluation.enter_answers`` (administrators and coordinators, the outsider being one
elsewhere); a form is reached again only by whoever started it (``home_entry_form`` and
``paper_form`` are the coordinator's).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from peerpath.evaluation import tokens
from peerpath.evaluation.models import Invitation
from tests.permission_matrix import Case, outcomes

EVERYONE = outcomes("ok")
EVERYONE_REDIRECTED = outcomes("redirect")
NOBODY_FINDS = outcomes("missing")
GONE = outcomes("410")
# Superusers pass every rule; with no person record, their own lists are empty.
OWN = outcomes("ok", anonymous="login")
ENTRY_STAFF = outcomes("forbidden", anonymous="login", administrator="ok", coordinator="ok", outsider="ok")
ENTRY_STAFF_BAD = outcomes("forbidden", anonymous="login", administrator="bad", coordinator="bad", outsider="bad")
STARTED_BY_COORDINATOR = outcomes(
    "forbidden", anonymous="login", administrator="missing", coordinator="ok", outsider="missing"
)
SAVED_BY_COORDINATOR = outcomes(
    "forbidden", anonymous="login", administrator="missing", coordinator="redirect", outsider="missing"
)
NO_ENTRY_FOUND = outcomes(
    "forbidden", anonymous="login", administrator="missing", coordinator="missing", outsider="missing"
)


def _link(world: Any) -> str:
    return tokens.token_for(world.home_invitation)


def _forged(world: Any) -> str:
    token = _link(world)
    return token[:32] + ("0" if token[32] != "0" else "1") + token[33:]


def _closed(**changes: Any) -> Any:
    def token(world: Any) -> str:
        Invitation.objects.filter(pk=world.home_invitation.pk).update(**changes)
        return _link(world)

    return token


def _overview(token: Any) -> Any:
    return lambda world: {"link_token": token(world)}


def _questionnaire(token: Any, position: int) -> Any:
    return lambda world: {"link_token": token(world), "position": position}


def _entered(name: str) -> Any:
    return lambda world: {"response_id": getattr(world, name).pk}


def _absent(world: Any) -> dict[str, Any]:
    return {"response_id": "00000000-0000-4000-8000-000000000000"}


EXPIRED = _closed(expires_at=timezone.now() - timedelta(days=1))

CASES: dict[str, list[Case]] = {
    "questionnaires:mine": [Case("", OWN)],
    "questionnaires:my_scores": [Case("", OWN)],
    "questionnaires:invitation": [
        Case("open link", EVERYONE, _overview(_link)),
        Case("forged link", NOBODY_FINDS, _overview(_forged)),
        Case("expired link", GONE, _overview(EXPIRED)),
        Case("withdrawn link", GONE, _overview(_closed(status=Invitation.Status.WITHDRAWN))),
        Case("completed link", GONE, _overview(_closed(status=Invitation.Status.COMPLETE))),
    ],
    "questionnaires:answer": [
        Case("not started", EVERYONE, _questionnaire(_link, 2), EVERYONE_REDIRECTED),
        Case("already submitted", EVERYONE_REDIRECTED, _questionnaire(_link, 1), EVERYONE_REDIRECTED),
        Case("no such position", NOBODY_FINDS, _questionnaire(_link, 9), NOBODY_FINDS),
        Case("forged link", NOBODY_FINDS, _questionnaire(_forged, 2), NOBODY_FINDS),
        Case("expired link", GONE, _questionnaire(EXPIRED, 2), GONE),
    ],
    "evaluation_entry:start": [Case("", ENTRY_STAFF, post=ENTRY_STAFF_BAD)],
    "evaluation_entry:form": [
        Case(
            "coordinator's unfinished form", STARTED_BY_COORDINATOR, _entered("home_entry_form"), SAVED_BY_COORDINATOR
        ),
        Case("coordinator's submitted form", STARTED_BY_COORDINATOR, _entered("paper_form"), SAVED_BY_COORDINATOR),
        Case("absent form", NO_ENTRY_FOUND, _absent, NO_ENTRY_FOUND),
    ],
}
