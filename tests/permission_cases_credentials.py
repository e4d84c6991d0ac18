"""Access decisions for the credentials routes (merged into ``tests.permission_matrix``).

Badge downloads are for the award's holder only: ``home_award`` is the peer tutor's. Others who
can see the award (its organisation's coordinator and assessor, administrators; the outsider for
``other_award``) are refused with 403; everyone else finds nothing (404). The issuer's DID
document and status lists are public. The signing key is made before each download case, since
a download signs the credential when it is first asked for (nothing else makes a key in tests).
"""

from __future__ import annotations

from typing import Any

from peerpath.accreditation.credentials import keys
from tests.permission_matrix import PUBLIC, Case, outcomes


def _award(name: str) -> Any:
    def kwargs(world: Any) -> dict[str, Any]:
        keys.ensure_signing_key()
        return {"award_id": getattr(world, name).pk}

    return kwargs


def _absent_award(world: Any) -> dict[str, Any]:
    return {"award_id": "00000000-0000-4000-8000-000000000000"}


HOLDER_ONLY = outcomes(
    "missing",
    anonymous="login",
    peer_tutor="ok",
    administrator="forbidden",
    coordinator="forbidden",
    assessor="forbidden",
)
OTHER_ORGANISATIONS = outcomes("missing", anonymous="login", administrator="forbidden", outsider="forbidden")
NOBODY = outcomes("missing", anonymous="login")


def _download_cases() -> list[Case]:
    return [
        Case("holder's award", HOLDER_ONLY, _award("home_award")),
        Case("other organisation's award", OTHER_ORGANISATIONS, _award("other_award")),
        Case("absent award", NOBODY, _absent_award),
    ]


def _status_list(purpose: str) -> Any:
    def kwargs(world: Any) -> dict[str, Any]:
        keys.ensure_signing_key()
        return {"purpose": purpose}

    return kwargs


CASES: dict[str, list[Case]] = {
    "accreditation:credential_json": _download_cases(),
    "accreditation:badge_png": _download_cases(),
    "issuer:did_document": [Case("", PUBLIC)],
    "issuer:status_list": [
        Case("revocation", PUBLIC, _status_list("revocation")),
        Case("suspension", PUBLIC, _status_list("suspension")),
        Case("unknown purpose", outcomes("missing"), _status_list("expiry")),
    ],
}
