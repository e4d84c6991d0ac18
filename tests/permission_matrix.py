"""Who may use which URL: the access decisions of PeerPath, as data.

Every URL pattern in the project must appear here, with an expected outcome for
every role (``tests/test_permission_matrix.py`` fails otherwise), so a view
cannot be added without its access being stated and tested. This file doubles
as the authorisation documentation (ASVS 8.1.1).

Outcomes: ``ok`` 200 · ``bad`` 400 (an empty form re-shown with errors) ·
``login`` 302 to the login page · ``admin_login`` 302 to the admin login ·
``redirect`` 302 elsewhere · ``forbidden`` 403 · ``missing`` 404 ·
``not_allowed`` 405 · ``unauthenticated`` 401 (API routes such as FHIR).

Roles (see the root conftest): anonymous, administrator, coordinator,
peer_tutor, professional_tutor, assessor, evaluator, participant and
outsider (a coordinator of another organisation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = (
    "anonymous",
    "administrator",
    "coordinator",
    "peer_tutor",
    "professional_tutor",
    "assessor",
    "evaluator",
    "participant",
    "outsider",
)
SIGNED_IN = tuple(role for role in ROLES if role != "anonymous")
# Staff and participants of the home organisation who are not its coordinator.
HOME_NON_COORDINATORS = ("peer_tutor", "professional_tutor", "assessor", "evaluator", "participant")


def outcomes(default: str, **overrides: str) -> dict[str, str]:
    unknown = set(overrides) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    return {role: overrides.get(role, default) for role in ROLES}


@dataclass(frozen=True)
class Case:
    """One way to call a route: URL arguments from the world, and what each role gets."""

    variant: str
    get: dict[str, str]
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda world: {})
    # Outcomes for a POST of an empty form, where the route accepts POST.
    post: dict[str, str] | None = None


def _home_carer(world: Any) -> dict[str, Any]:
    return {"pk": world.home_carer.pk}


def _other_carer(world: Any) -> dict[str, Any]:
    return {"pk": world.other_carer.pk}


def _absent(world: Any) -> dict[str, Any]:
    return {"pk": "00000000-0000-4000-8000-000000000000"}


PUBLIC = outcomes("ok")
SIGNED_IN_ONLY = outcomes("ok", anonymous="login")
COORDINATORS = outcomes("forbidden", anonymous="login", administrator="ok", coordinator="ok", outsider="ok")
HOME_PERSON = outcomes("missing", anonymous="login", administrator="ok", coordinator="ok")
OTHER_PERSON = outcomes("missing", anonymous="login", administrator="ok", outsider="ok")
NOBODY_FINDS = outcomes("missing", anonymous="login")


def _person_route(get_ok: str = "ok", post_ok: str | None = None) -> list[Case]:
    """A route about one person: in scope for home coordinators, other org's, and absent."""

    def with_ok(base: dict[str, str], value: str) -> dict[str, str]:
        return {role: (value if outcome == "ok" else outcome) for role, outcome in base.items()}

    return [
        Case(
            "home carer",
            with_ok(HOME_PERSON, get_ok),
            _home_carer,
            with_ok(HOME_PERSON, post_ok) if post_ok else None,
        ),
        Case(
            "other organisation's carer",
            with_ok(OTHER_PERSON, get_ok),
            _other_carer,
            with_ok(OTHER_PERSON, post_ok) if post_ok else None,
        ),
        Case("absent person", NOBODY_FINDS, _absent, NOBODY_FINDS if post_ok else None),
    ]


MATRIX: dict[str, list[Case]] = {
    # Service-wide pages.
    "core:start": [Case("", outcomes("redirect", anonymous="ok"))],
    "core:home": [Case("", SIGNED_IN_ONLY)],
    "core:accessibility": [Case("", PUBLIC)],
    "core:privacy": [Case("", PUBLIC)],
    # Accounts: open to everyone; a signed-in user visiting login goes home.
    "accounts:login": [
        Case("", outcomes("redirect", anonymous="ok"), post=outcomes("redirect", anonymous="bad")),
    ],
    # Logging out is a POST; anonymous visitors are simply sent to the login page.
    "accounts:logout": [Case("", outcomes("not_allowed", anonymous="login"), post=outcomes("login"))],
    "accounts:password_reset": [Case("", PUBLIC, post=outcomes("bad"))],
    "accounts:password_reset_done": [Case("", PUBLIC)],
    "accounts:password_reset_confirm": [
        Case("bad token", PUBLIC, lambda world: {"uidb64": "MQ", "token": "not-a-token"}),
    ],
    "accounts:password_reset_complete": [Case("", PUBLIC)],
    # People.
    "people:person_list": [Case("", COORDINATORS)],
    "people:person_create": [
        Case(
            "",
            COORDINATORS,
            post=outcomes("forbidden", anonymous="login", administrator="bad", coordinator="bad", outsider="bad"),
        )
    ],
    "people:me": [Case("", outcomes("redirect", anonymous="login", administrator="missing"))],
    "people:person_detail": _person_route(),
    "people:person_edit": _person_route(post_ok="bad"),
    "people:caring_role_add": _person_route(post_ok="bad"),
    "people:membership_add": _person_route(post_ok="bad"),
    "people:consent_list": _person_route(post_ok="bad"),
    # POST only: creates a login and emails a link to set a password.
    "people:person_grant_login": [
        Case(case.variant, outcomes("not_allowed", anonymous="login"), case.kwargs, case.post)
        for case in _person_route(post_ok="redirect")
    ],
    "people:equality_monitoring": _person_route(post_ok="redirect"),
}

# The admin site is for administrators only. Anonymous visitors meet the service's
# login first (LoginRequiredMiddleware); signed-in non-staff are sent to the admin login.


def admin_outcomes(administrator: str, *, site_view: bool = False) -> dict[str, str]:
    # The admin's own site views (index, app list, ...) skip the service login and
    # send anonymous visitors straight to the admin login.
    return outcomes("admin_login", anonymous="admin_login" if site_view else "login", administrator=administrator)


ADMIN_ONLY = admin_outcomes("ok")
ADMIN_SITE = admin_outcomes("ok", site_view=True)
ADMIN_MODELS = {
    "auth_group": "auth.Group",
    "auth_user": "auth.User",
    "axes_accessattempt": "axes.AccessAttempt",
    "axes_accesslog": "axes.AccessLog",
    "axes_accessfailurelog": "axes.AccessFailureLog",
    "core_auditevent": "core.AuditEvent",
    "people_area": "people.Area",
    "people_organisation": "people.Organisation",
    "programmes_programme": "programmes.Programme",
    "courses_coproductionrule": "courses.CoproductionRule",
    "django_tasks_database_dbtaskresult": "django_tasks_database.DBTaskResult",
    "accreditation_competencyframework": "accreditation.CompetencyFramework",
    "accreditation_scheme": "accreditation.Scheme",
    "evaluation_instrumentversion": "evaluation.InstrumentVersion",
    "evaluation_response": "evaluation.Response",
    "evaluation_safetyalert": "evaluation.SafetyAlert",
    "reports_disclosurepolicy": "reports.DisclosurePolicy",
    "reports_populationbenchmark": "reports.PopulationBenchmark",
    "reports_unitcost": "reports.UnitCost",
}
# Read-only models in the admin: the audit log, django-axes' records and queued tasks.
ADMIN_NO_ADD = {
    "core_auditevent",
    "django_tasks_database_dbtaskresult",
    "courses_coproductionrule",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "evaluation_instrumentversion",
    "evaluation_response",
    "evaluation_safetyalert",
}
ADMIN_NO_DELETE = {
    "core_auditevent",
    "courses_coproductionrule",
    "django_tasks_database_dbtaskresult",
    "accreditation_competencyframework",
    "accreditation_scheme",
    "evaluation_instrumentversion",
    "evaluation_response",
    "evaluation_safetyalert",
}


def _admin_object(label: str) -> Callable[[Any], dict[str, Any]]:
    return lambda world: {"object_id": str(world.admin_objects[label].pk)}


def _admin_cases() -> dict[str, list[Case]]:
    cases: dict[str, list[Case]] = {
        "admin:index": [Case("", ADMIN_SITE)],
        # The admin login page answers everyone; signed-in staff are sent on to the index.
        "admin:login": [Case("", outcomes("ok", administrator="redirect"))],
        # Logging out of the admin is a POST; non-staff are bounced to the admin index.
        "admin:logout": [
            Case("", outcomes("redirect", anonymous="admin_login", administrator="not_allowed")),
        ],
        "admin:password_change": [Case("", ADMIN_SITE)],
        "admin:password_change_done": [Case("", ADMIN_SITE)],
        "admin:autocomplete": [Case("no term", admin_outcomes("forbidden", site_view=True))],
        "admin:jsi18n": [Case("", ADMIN_SITE)],
        "admin:view_on_site": [
            Case(
                "organisation without a public page",
                admin_outcomes("missing", site_view=True),
                lambda world: {"content_type_id": world.organisation_type_id, "object_id": str(world.home_org.pk)},
            )
        ],
        "admin:app_list": [Case("people", ADMIN_SITE, lambda world: {"app_label": "people"})],
        "admin:auth_user_password_change": [
            Case("", ADMIN_ONLY, lambda world: {"id": str(world.admin_objects["auth_user"].pk)})
        ],
    }
    for prefix in ADMIN_MODELS:
        add = ADMIN_ONLY if prefix not in ADMIN_NO_ADD else admin_outcomes("forbidden")
        delete = ADMIN_ONLY if prefix not in ADMIN_NO_DELETE else admin_outcomes("forbidden")
        cases[f"admin:{prefix}_changelist"] = [Case("", ADMIN_ONLY)]
        cases[f"admin:{prefix}_add"] = [Case("", add)]
        cases[f"admin:{prefix}_history"] = [Case("", ADMIN_ONLY, _admin_object(prefix))]
        cases[f"admin:{prefix}_delete"] = [Case("", delete, _admin_object(prefix))]
        cases[f"admin:{prefix}_change"] = [Case("", ADMIN_ONLY, _admin_object(prefix))]
    return cases


MATRIX.update(_admin_cases())

# Each app states its own routes' decisions in a module of its own.
from tests.permission_cases_accreditation import CASES as _ACCREDITATION_CASES  # noqa: E402
from tests.permission_cases_assessment import CASES as _ASSESSMENT_CASES  # noqa: E402
from tests.permission_cases_calendar import CASES as _CALENDAR_CASES  # noqa: E402
from tests.permission_cases_certificates import CASES as _CERTIFICATE_CASES  # noqa: E402
from tests.permission_cases_courses import CASES as _COURSE_CASES  # noqa: E402
from tests.permission_cases_credentials import CASES as _CREDENTIAL_CASES  # noqa: E402
from tests.permission_cases_delivery import CASES as _DELIVERY_CASES  # noqa: E402
from tests.permission_cases_evaluation import CASES as _EVALUATION_CASES  # noqa: E402
from tests.permission_cases_evaluation import UNNAMED_CASES as _EVALUATION_UNNAMED  # noqa: E402
from tests.permission_cases_fhir import CASES as _FHIR_CASES  # noqa: E402
from tests.permission_cases_groups import CASES as _GROUP_CASES  # noqa: E402
from tests.permission_cases_portfolio import CASES as _PORTFOLIO_CASES  # noqa: E402
from tests.permission_cases_programmes import CASES as _PROGRAMME_CASES  # noqa: E402
from tests.permission_cases_prospectus import CASES as _PROSPECTUS_CASES  # noqa: E402
from tests.permission_cases_questionnaires import CASES as _QUESTIONNAIRE_CASES  # noqa: E402
from tests.permission_cases_reports import CASES as _REPORT_CASES  # noqa: E402

MATRIX.update(_COURSE_CASES)
MATRIX.update(_PROSPECTUS_CASES)
MATRIX.update(_DELIVERY_CASES)
MATRIX.update(_GROUP_CASES)
MATRIX.update(_CALENDAR_CASES)
MATRIX.update(_ACCREDITATION_CASES)
MATRIX.update(_PORTFOLIO_CASES)
MATRIX.update(_ASSESSMENT_CASES)
MATRIX.update(_CERTIFICATE_CASES)
MATRIX.update(_CREDENTIAL_CASES)
MATRIX.update(_FHIR_CASES)
MATRIX.update(_QUESTIONNAIRE_CASES)
MATRIX.update(_EVALUATION_CASES)
MATRIX.update(_REPORT_CASES)
MATRIX.update(_PROGRAMME_CASES)

# Unnamed patterns, keyed by their full pattern text: the admin's own redirects.
UNNAMED: dict[str, list[Case]] = {
    **{
        f"admin/{label.replace('.', '/').lower()}/<path:object_id>/": [
            Case("", admin_outcomes("redirect"), _admin_object(prefix))
        ]
        for prefix, label in ADMIN_MODELS.items()
    },
    # The admin's catch-all sends unknown admin paths to the admin login, or 404s for staff.
    "admin/(?P<url>.*)$": [
        Case("unknown admin page", admin_outcomes("missing", site_view=True), lambda world: {"url": "nowhere/"})
    ],
}
UNNAMED.update(_EVALUATION_UNNAMED)
