"""Access decisions for assessors' screens and award records (merged into ``tests.permission_matrix``).

Candidates and awards are found through ``accreditation.access``: out of scope is 404. Among
those in scope, coordinators watch and assessors (and administrators) decide; nobody decides
about their own award.
"""

from __future__ import annotations

from tests.permission_matrix import Case, outcomes

# Roles that may open the candidate pages at all; the others get 403 before any lookup.
FOLLOWERS = outcomes("forbidden", anonymous="login", administrator="ok", coordinator="ok", assessor="ok", outsider="ok")


def _home_carer(world):
    return {"candidate_id": world.home_carer.pk}


def _other_carer(world):
    return {"candidate_id": world.other_carer.pk}


def _home_award(world):
    return {"award_id": world.home_award.pk}


def _other_award(world):
    return {"award_id": world.other_award.pk}


# Deciding pages: the assessor and the administrator; the coordinator watches (403); the holder
# (peer tutor) may not decide about their own award (403); anyone else cannot find it (404).
HOME_DECISION = outcomes(
    "missing", anonymous="login", administrator="ok", assessor="ok", coordinator="forbidden", peer_tutor="forbidden"
)
HOME_DECISION_POST = {**HOME_DECISION, "administrator": "bad", "assessor": "bad"}
OTHER_DECISION = outcomes("missing", anonymous="login", administrator="ok", outsider="forbidden")
OTHER_DECISION_POST = {**OTHER_DECISION, "administrator": "bad"}

CASES: dict[str, list[Case]] = {
    "accreditation:candidate_list": [Case("", FOLLOWERS)],
    "accreditation:candidate_detail": [
        Case("home", {**FOLLOWERS, "outsider": "missing"}, _home_carer),
        Case("other", {**FOLLOWERS, "coordinator": "missing", "assessor": "missing"}, _other_carer),
    ],
    # Granting: assessors and administrators; a coordinator follows the candidate but may not grant.
    "accreditation:grant": [
        Case(
            "home",
            {**FOLLOWERS, "coordinator": "forbidden", "outsider": "missing"},
            _home_carer,
            post={
                **FOLLOWERS,
                "administrator": "bad",
                "assessor": "bad",
                "coordinator": "forbidden",
                "outsider": "missing",
            },
        ),
        Case(
            "other",
            {**FOLLOWERS, "coordinator": "missing", "assessor": "missing", "outsider": "forbidden"},
            _other_carer,
            post={
                **FOLLOWERS,
                "administrator": "bad",
                "coordinator": "missing",
                "assessor": "missing",
                "outsider": "forbidden",
            },
        ),
    ],
    # An award's page: its holder (the peer tutor), and those who follow the holder.
    "accreditation:award_detail": [
        Case(
            "home",
            outcomes(
                "missing", anonymous="login", administrator="ok", coordinator="ok", assessor="ok", peer_tutor="ok"
            ),
            _home_award,
        ),
        Case("other", outcomes("missing", anonymous="login", administrator="ok", outsider="ok"), _other_award),
    ],
    "accreditation:award_change": [
        Case("home", HOME_DECISION, _home_award, post=HOME_DECISION_POST),
        Case("other", OTHER_DECISION, _other_award, post=OTHER_DECISION_POST),
    ],
    "accreditation:award_renew": [
        Case("home", HOME_DECISION, _home_award, post=HOME_DECISION_POST),
        Case("other", OTHER_DECISION, _other_award, post=OTHER_DECISION_POST),
    ],
}
