"""Access decisions for the terms and prospectus routes (merged into ``tests.permission_matrix``).

Terms are managed by coordinators (of the term's organisation, for a given
term) and administrators. The prospectus is public: a published term's pages
are open to everyone, signed in or not; an unpublished term is a preview for
those who may edit it and does not exist for anyone else.
"""

from __future__ import annotations

from typing import Any

from tests.permission_matrix import COORDINATORS, Case, outcomes

CASES: dict[str, list[Case]] = {}

ABSENT = "00000000-0000-4000-8000-000000000000"
EVERYONE = outcomes("ok")
NOBODY = outcomes("missing")
# Tutors, assessors, evaluators and participants are refused before any term is looked up;
# coordinators find only their own organisation's terms.
HOME_TERM = outcomes("forbidden", anonymous="login", administrator="ok", coordinator="ok", outsider="missing")
OTHER_TERM = outcomes("forbidden", anonymous="login", administrator="ok", coordinator="missing", outsider="ok")
ABSENT_TERM = outcomes(
    "forbidden", anonymous="login", administrator="missing", coordinator="missing", outsider="missing"
)
# An unpublished term of the home organisation: a preview for who may edit it.
PREVIEW = outcomes("missing", administrator="ok", coordinator="ok")


def _bad(allowed: dict[str, str]) -> dict[str, str]:
    """An empty form posted: those allowed see it again with its errors."""
    return {role: ("bad" if outcome == "ok" else outcome) for role, outcome in allowed.items()}


def _term(attribute: str) -> Any:
    return lambda world: {"pk": getattr(world, attribute).pk}


def _slug(attribute: str) -> Any:
    return lambda world: {"slug": getattr(world, attribute).slug}


CASES["terms:term_list"] = [Case("", COORDINATORS)]
CASES["terms:term_create"] = [Case("", COORDINATORS, post=_bad(COORDINATORS))]
CASES["terms:term_edit"] = [
    Case("home term", HOME_TERM, _term("home_term"), _bad(HOME_TERM)),
    Case("other organisation's term", OTHER_TERM, _term("other_term"), _bad(OTHER_TERM)),
    Case("absent term", ABSENT_TERM, lambda world: {"pk": ABSENT}, ABSENT_TERM),
]

CASES["prospectus:index"] = [Case("", EVERYONE)]


def _term_page_cases() -> list[Case]:
    return [
        Case("published home term", EVERYONE, _slug("home_term")),
        Case("published other term", EVERYONE, _slug("other_term")),
        Case("unpublished term", PREVIEW, _slug("unpublished_term")),
        Case("unknown slug", NOBODY, lambda world: {"slug": "no-such-term"}),
    ]


CASES["prospectus:term"] = _term_page_cases()
CASES["prospectus:pdf"] = _term_page_cases()
CASES["prospectus:course"] = [
    Case(
        "offered course",
        EVERYONE,
        lambda world: {"slug": world.home_term.slug, "course_id": world.home_course.pk},
    ),
    Case(
        "course offered by another term only",
        NOBODY,
        lambda world: {"slug": world.home_term.slug, "course_id": world.other_course.pk},
    ),
    # The unpublished term offers no courses: nobody finds one there, previewing or not.
    Case(
        "unpublished term",
        NOBODY,
        lambda world: {"slug": world.unpublished_term.slug, "course_id": world.home_course.pk},
    ),
    Case("absent course", NOBODY, lambda world: {"slug": world.home_term.slug, "course_id": ABSENT}),
    Case("unknown slug", NOBODY, lambda world: {"slug": "no-such-term", "course_id": ABSENT}),
]
