"""Access decisions for the FHIR endpoints (merged into ``tests.permission_matrix``).

Readers are those with ``evaluation.read_fhir``: administrators, coordinators and evaluators
(the outsider is a coordinator of the other organisation). Everyone else signed in is
refused with 403 before anything is looked up, and anonymous callers get 401
(``unauthenticated``) rather than the site's redirect to its login page: these are
endpoints for programs (ADR 017, "Endpoints").

A Questionnaire is any published or retired instrument version, for every reader. A
QuestionnaireResponse is found only by readers of its organisation, and only once complete;
out of scope, unfinished, unknown and malformed are all 404. Every method but GET and HEAD is
405 for everyone signed in.
"""

from __future__ import annotations

from typing import Any

from peerpath.evaluation.models import InstrumentVersion
from tests.permission_matrix import Case, outcomes

SIGNED_IN_REFUSED = dict.fromkeys(("peer_tutor", "professional_tutor", "assessor", "participant"), "forbidden")
# Anonymous callers are asked to sign in; signed-in non-readers are refused; readers find nothing.
NOBODY_FINDS = outcomes("missing", anonymous="unauthenticated", **SIGNED_IN_REFUSED)
EVERY_READER = outcomes("ok", anonymous="unauthenticated", **SIGNED_IN_REFUSED)
HOME_READERS = outcomes(
    "missing", anonymous="unauthenticated", administrator="ok", coordinator="ok", evaluator="ok", **SIGNED_IN_REFUSED
)
OTHER_READERS = outcomes("missing", anonymous="unauthenticated", administrator="ok", outsider="ok", **SIGNED_IN_REFUSED)
READ_ONLY = outcomes("not_allowed", anonymous="unauthenticated")


def _questionnaire(value: str) -> Any:
    return lambda world: {"questionnaire_id": value}


def _draft(world: Any) -> dict[str, Any]:
    # Made inside the case's own savepoint, so it is gone before the next case.
    published = InstrumentVersion.objects.get(code="phq9", version=1)
    InstrumentVersion.objects.create(
        code="phq9",
        version=99,
        scoring_version=published.scoring_version,
        name=published.name,
        short_name=published.short_name,
        respondent=published.respondent,
        licence_class=published.licence_class,
        ships_text=published.ships_text,
        definition={**published.definition, "version": 99},
        checksum="draft",
        status=InstrumentVersion.Status.DRAFT,
    )
    return {"questionnaire_id": "phq9-v99"}


def _response(name: str) -> Any:
    return lambda world: {"response_id": getattr(world, name).pk}


def _response_id(value: str) -> Any:
    return lambda world: {"response_id": value}


CASES: dict[str, list[Case]] = {
    "fhir:questionnaire": [
        Case("published version", EVERY_READER, _questionnaire("phq9-v1"), post=READ_ONLY),
        Case("draft version", NOBODY_FINDS, _draft),
        Case("absent version", NOBODY_FINDS, _questionnaire("phq9-v7")),
        Case("malformed id", NOBODY_FINDS, _questionnaire("PHQ_9")),
    ],
    "fhir:questionnaire_response": [
        Case("home paper form", HOME_READERS, _response("paper_form"), post=READ_ONLY),
        Case("home online response", HOME_READERS, _response("home_online")),
        Case("other organisation's response", OTHER_READERS, _response("other_response")),
        Case("unfinished paper entry", NOBODY_FINDS, _response("home_entry_form")),
        Case("absent response", NOBODY_FINDS, _response_id("00000000-0000-4000-8000-000000000000")),
        Case("malformed id", NOBODY_FINDS, _response_id("not-a-uuid")),
    ],
}
