"""Access decisions for the courses routes (merged into ``tests.permission_matrix``).

Staff of an organisation (coordinators, tutors, assessors) see the courses it
owns or is a partner in; administrators see every course. Evaluators and
participants reach no course administration: the list and the "add" page are
403 for them, and any one course is a 404 (the access layer scopes them to
nothing), as is another organisation's course for staff.

Once a course is in view: its owner's coordinators and administrators change it
(tutors and assessors get 403); only the owner's coordinators approve a version
(administrators get 403 too). The world's ``home_course`` has an approved
version 1 and a draft version 2 whose outline is short of the course's two
sessions, so approving it is refused with the reasons (400).

POST-only routes (approve, remove a material) answer 405 to a GET. An empty
POST to a form is re-shown with errors (400). Changing an approved version or
adding a material to it is redirected: to the existing draft, or back to the
version with a message. Removing a material from an approved version is
refused with a message and a redirect.
"""

from __future__ import annotations

from typing import Any

from tests.permission_matrix import Case, outcomes

HOME_STAFF = ("peer_tutor", "professional_tutor", "assessor")
ABSENT = "00000000-0000-4000-8000-000000000000"
NOBODY_FINDS = outcomes("missing", anonymous="login")


def _home(world: Any, **more: Any) -> dict[str, Any]:
    return {"pk": world.home_course.pk, **more}


def _other(world: Any, **more: Any) -> dict[str, Any]:
    return {"pk": world.other_course.pk, **more}


def _absent(world: Any, **more: Any) -> dict[str, Any]:
    return {"pk": ABSENT, **more}


def home_view(value: str = "ok") -> dict[str, str]:
    """A home-course page anyone on the home organisation's staff may see."""
    return outcomes(
        "missing", anonymous="login", administrator=value, coordinator=value, **dict.fromkeys(HOME_STAFF, value)
    )


def home_manage(value: str = "ok", administrator: str | None = None) -> dict[str, str]:
    """A home-course page for its owner's coordinators and administrators; other home staff get 403."""
    return outcomes(
        "missing",
        anonymous="login",
        administrator=administrator or value,
        coordinator=value,
        **dict.fromkeys(HOME_STAFF, "forbidden"),
    )


def other_course(value: str = "ok", administrator: str | None = None) -> dict[str, str]:
    """A page of the other organisation's course: only its coordinator (the outsider) and administrators."""
    return outcomes("missing", anonymous="login", administrator=administrator or value, outsider=value)


def _course_routes(get: str, post: str | None, *, manage: bool) -> list[Case]:
    home = home_manage if manage else home_view
    return [
        Case("home course", home(get), _home, home(post) if post else None),
        Case("other organisation's course", other_course(get), _other, other_course(post) if post else None),
        Case("absent course", NOBODY_FINDS, _absent, NOBODY_FINDS if post else None),
    ]


POST_ONLY = outcomes("not_allowed", anonymous="login")
COURSE_STAFF = outcomes(
    "forbidden",
    anonymous="login",
    administrator="ok",
    coordinator="ok",
    outsider="ok",
    **dict.fromkeys(HOME_STAFF, "ok"),
)
COORDINATORS = outcomes("forbidden", anonymous="login", administrator="ok", coordinator="ok", outsider="ok")


def _draft_material(world: Any) -> dict[str, Any]:
    draft = world.home_course.versions.get(number=2)
    return _home(world, number=2, material_id=draft.materials.get().pk)


CASES: dict[str, list[Case]] = {
    "courses:course_list": [Case("", COURSE_STAFF)],
    "courses:course_create": [
        Case(
            "",
            COORDINATORS,
            post=outcomes("forbidden", anonymous="login", administrator="bad", coordinator="bad", outsider="bad"),
        )
    ],
    "courses:course_detail": _course_routes("ok", None, manage=False),
    "courses:course_edit": _course_routes("ok", "bad", manage=True),
    # GET confirms a status change (radios and a reason); POST makes it.
    "courses:course_status": _course_routes("ok", "bad", manage=True),
    # Coordinators of the owner or a partner, and administrators, log activities.
    "courses:activity_add": _course_routes("ok", "bad", manage=True),
    "courses:version_detail": [
        Case("home approved version", home_view(), lambda world: _home(world, number=1)),
        Case("home draft version", home_view(), lambda world: _home(world, number=2)),
        Case("other organisation's version", other_course(), lambda world: _other(world, number=1)),
        Case("absent version", NOBODY_FINDS, lambda world: _home(world, number=99)),
        Case("absent course", NOBODY_FINDS, lambda world: _absent(world, number=1)),
    ],
    "courses:version_edit": [
        Case("home draft", home_manage(), lambda world: _home(world, number=2), home_manage("bad")),
        # Version 2 is already a draft: changing version 1 goes to it.
        Case(
            "home approved version with a draft",
            home_manage("redirect"),
            lambda world: _home(world, number=1),
            home_manage("redirect"),
        ),
        # No draft yet: the form starts a new one.
        Case(
            "other organisation's approved version",
            other_course(),
            lambda world: _other(world, number=1),
            other_course("bad"),
        ),
        Case("absent version", home_manage("missing"), lambda world: _home(world, number=99), home_manage("missing")),
    ],
    # Only the owner's coordinators approve: administrators are refused too.
    "courses:version_approve": [
        Case(
            "home draft short of sessions",
            POST_ONLY,
            lambda world: _home(world, number=2),
            home_manage("bad", administrator="forbidden"),
        ),
        Case(
            "other organisation's approved version",
            POST_ONLY,
            lambda world: _other(world, number=1),
            other_course("bad", administrator="forbidden"),
        ),
        Case("absent course", POST_ONLY, lambda world: _absent(world, number=1), NOBODY_FINDS),
    ],
    "courses:material_add": [
        Case("home draft", home_manage(), lambda world: _home(world, number=2), home_manage("bad")),
        Case(
            "home approved version",
            home_manage("redirect"),
            lambda world: _home(world, number=1),
            home_manage("redirect"),
        ),
        Case(
            "other organisation's approved version",
            other_course("redirect"),
            lambda world: _other(world, number=1),
            other_course("redirect"),
        ),
    ],
    "courses:material_remove": [
        Case("home draft's material", POST_ONLY, _draft_material, home_manage("redirect")),
        # Refused with a message: an approved version's materials stay.
        Case(
            "home approved version's material",
            POST_ONLY,
            lambda world: _home(world, number=1, material_id=world.home_material.pk),
            home_manage("redirect"),
        ),
        Case(
            "another course's material",
            POST_ONLY,
            lambda world: _home(world, number=1, material_id=world.other_material.pk),
            home_manage("missing"),
        ),
    ],
    "courses:material_download": [
        Case("home material", home_view(), lambda world: _home(world, material_id=world.home_material.pk)),
        Case(
            "other organisation's material",
            other_course(),
            lambda world: _other(world, material_id=world.other_material.pk),
        ),
        # The material must belong to the course in the URL.
        Case(
            "material of another course",
            home_view("missing"),
            lambda world: _home(world, material_id=world.other_material.pk),
        ),
    ],
}
