"""Access decisions for the programme pages, exporting and importing bundles (merged into
``tests.permission_matrix``).

Programmes need ``programmes.view_programme``: administrators see every one, coordinators
their own organisations' (read-only), so the outsider, a coordinator of the other
organisation, gets 404 for the home programme and the home coordinator for the other's.
Tutors, assessors, evaluators and participants are refused with 403. Exporting is a POST and
importing is for administrators only; the export's status page and its download are
administrators' too, and each export is its requester's alone, so another administrator's
export (or an absent one) is a 404 even to an administrator. An import in progress lives in the session of the
administrator who started it, so any other id is a 404, even to an administrator; an empty
start form is a 400 with its messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from peerpath.bundles.models import ProgrammeExport
from peerpath.people.models import Organisation
from peerpath.programmes.models import Programme
from tests.permission_matrix import Case, outcomes

ABSENT = "00000000-0000-4000-8000-000000000000"
VIEWERS = outcomes("forbidden", anonymous="login", administrator="ok", coordinator="ok", outsider="ok")
HOME = outcomes("forbidden", anonymous="login", administrator="ok", coordinator="ok", outsider="missing")
OTHER = outcomes("forbidden", anonymous="login", administrator="ok", coordinator="missing", outsider="ok")
NOBODY = outcomes("forbidden", anonymous="login", administrator="missing", coordinator="missing", outsider="missing")
POST_ONLY = outcomes("not_allowed", anonymous="login")
ADMINISTRATORS = outcomes("forbidden", anonymous="login", administrator="ok")
ADMINISTRATORS_REDIRECT = outcomes("forbidden", anonymous="login", administrator="redirect")
ADMINISTRATORS_BAD = outcomes("forbidden", anonymous="login", administrator="bad")
ADMINISTRATORS_MISSING = outcomes("forbidden", anonymous="login", administrator="missing")


def _programme(owner: Organisation, code: str) -> dict[str, Any]:
    programme, _ = Programme.objects.get_or_create(owner=owner, code=code, defaults={"name": f"Programme {code}"})
    return {"pk": programme.pk}


def _home(world: Any) -> dict[str, Any]:
    return _programme(world.home_org, "home-programme")


def _other(world: Any) -> dict[str, Any]:
    return _programme(world.other_course.owner, "other-programme")


def _absent(world: Any) -> dict[str, Any]:
    return {"pk": ABSENT}


def _export(username: str) -> Any:
    """A finished export of the home programme, asked for by ``username`` (an administrator)."""

    def kwargs(world: Any) -> dict[str, Any]:
        user_model = get_user_model()
        requester = user_model.objects.filter(username=username).first() or user_model.objects.create_user(
            username=username, is_superuser=True, is_staff=True
        )
        export = ProgrammeExport.objects.create(
            programme=Programme.objects.get(pk=_home(world)["pk"]),
            requested_by=requester,
            status=ProgrammeExport.Status.DONE,
            content=b"PK",
            filename="home-programme.zip",
            summary="0 courses",
        )
        return {"pk": export.pk}

    return kwargs


CASES: dict[str, list[Case]] = {
    "programmes:programme_list": [Case("", VIEWERS)],
    "programmes:programme_detail": [
        Case("home programme", HOME, _home),
        Case("other organisation's programme", OTHER, _other),
        Case("absent programme", NOBODY, _absent),
    ],
    "programmes:programme_export": [
        Case("home programme", POST_ONLY, _home, post=ADMINISTRATORS_REDIRECT),
        Case("absent programme", POST_ONLY, _absent, post=ADMINISTRATORS_MISSING),
    ],
    "programmes:export_status": [
        Case("the administrator's export", ADMINISTRATORS, _export("administrator")),
        Case("another administrator's export", ADMINISTRATORS_MISSING, _export("second-administrator")),
        Case("absent export", ADMINISTRATORS_MISSING, _absent),
    ],
    "programmes:export_download": [
        Case("the administrator's export", ADMINISTRATORS, _export("administrator")),
        Case("another administrator's export", ADMINISTRATORS_MISSING, _export("second-administrator")),
        Case("absent export", ADMINISTRATORS_MISSING, _absent),
    ],
    "programmes:import_start": [Case("", ADMINISTRATORS, post=ADMINISTRATORS_BAD)],
    "programmes:import_preview": [
        Case(
            "no such import in this session",
            ADMINISTRATORS_MISSING,
            lambda world: {"pk": ABSENT},
            post=ADMINISTRATORS_MISSING,
        ),
    ],
}
