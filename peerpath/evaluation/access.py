"""Who may see and act on which questionnaires: the only way views fetch evaluation rows.

The decisions (ADR 018):

- **Coordinators** follow the evaluation of the runs their organisations organise: who was
  invited, who answered and their scores, by name. They type in paper, phone and in-person
  forms for people of their organisations, and follow up the safety alerts raised there.
- **Evaluators** see no names or contact details (ARCHITECTURE.md): here they read the
  FHIR resources of their organisations' responses, without the subject's identity; their
  reports come with the reports app.
- **Administrators** see everything.
- **Participants** see their own invitations and, where an instrument's guidance allows it,
  their own scores.

Out of scope is a 404, so an id from another organisation looks like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from peerpath.delivery.models import CourseRun
from peerpath.evaluation.models import Response, SafetyAlert
from peerpath.people.access import principal_for
from peerpath.people.models import Membership, Person

Role = Membership.Role
# Staff in these roles may type in the answers of people in their organisations.
ENTRY_ROLES = (Role.COORDINATOR,)
# Staff in these roles may read questionnaire responses as FHIR resources.
FHIR_ROLES = (Role.COORDINATOR, Role.EVALUATOR)

User = AbstractBaseUser | AnonymousUser


def may_enter_for(user: User, person: Person) -> bool:
    """Whether ``user`` may type in answers for ``person``: an administrator, or a coordinator
    of an organisation where the person holds a current membership."""
    principal = principal_for(user)
    if principal.is_administrator:
        return True
    organisations = principal.organisations(*ENTRY_ROLES)
    return bool(organisations) and (
        Membership.objects.current().filter(person=person, organisation_id__in=organisations).exists()
    )


def _not_found(what: str) -> Http404:
    return Http404(f"No such {what}")


# Runs ------------------------------------------------------------------------------------


def evaluated_runs(user: User) -> QuerySet[CourseRun]:
    """Runs whose evaluation the user follows: their coordinated organisations' (all for administrators)."""
    principal = principal_for(user)
    runs = CourseRun.objects.all()
    if principal.is_administrator:
        return runs
    return runs.filter(organisation_id__in=list(principal.organisations(Role.COORDINATOR)))


def access_evaluated_run(user: User, pk: Any) -> CourseRun:
    """One run whose evaluation the user follows, with its course, term and organisation, or 404."""
    try:
        return evaluated_runs(user).select_related("version__course", "term", "organisation").get(pk=pk)
    except (CourseRun.DoesNotExist, ValueError, ValidationError):
        raise _not_found("course run") from None


# Responses -------------------------------------------------------------------------------


def _response_organisations(principal_orgs: list[Any]) -> Q:
    """Responses of a run organised by, or (without a run) by a person currently in, these organisations."""
    member = Membership.objects.current().filter(person=OuterRef("person_id"), organisation_id__in=principal_orgs)
    return Q(run__organisation_id__in=principal_orgs) | (Q(run__isnull=True) & Q(Exists(member)))


def fhir_responses(user: User) -> QuerySet[Response]:
    """Complete responses the user may read as FHIR: administrators all, coordinators and
    evaluators those of their organisations."""
    principal = principal_for(user)
    responses = Response.objects.filter(status=Response.Status.COMPLETE)
    if principal.is_administrator:
        return responses
    organisations = list(principal.organisations(*FHIR_ROLES))
    if not organisations:
        return responses.none()
    return responses.filter(_response_organisations(organisations))


def access_fhir_response(user: User, pk: Any) -> Response:
    """One complete response the user may read as FHIR, with its instrument version, or 404.

    The result carries ``viewer_identifies``: whether the user may see whose it is (an
    administrator, or a coordinator of its organisation; never an evaluator alone).
    """
    principal = principal_for(user)
    coordinated = list(principal.organisations(Role.COORDINATOR))
    try:
        response = fhir_responses(user).select_related("instrument_version", "run").get(pk=pk)
    except (Response.DoesNotExist, ValueError, ValidationError):
        raise _not_found("questionnaire response") from None
    identifies = principal.is_administrator or (
        bool(coordinated) and Response.objects.filter(_response_organisations(coordinated), pk=response.pk).exists()
    )
    response.viewer_identifies = identifies  # type: ignore[attr-defined]
    return response


def access_entered_response(user: User, pk: Any) -> Response:
    """A response this user is typing in (they started it, as its ``entered_by``), or 404."""
    try:
        return Response.objects.select_related("instrument_version", "person", "run__version__course").get(
            pk=pk, entered_by_id=getattr(user, "pk", None)
        )
    except (Response.DoesNotExist, ValueError, ValidationError):
        raise _not_found("questionnaire response") from None


# Safety alerts ---------------------------------------------------------------------------


def followed_alerts(user: User) -> QuerySet[SafetyAlert]:
    """Safety alerts the user follows up: their coordinated organisations' (all for administrators)."""
    principal = principal_for(user)
    alerts = SafetyAlert.objects.all()
    if principal.is_administrator:
        return alerts
    return alerts.filter(organisation_id__in=list(principal.organisations(Role.COORDINATOR)))


def access_alert(user: User, pk: Any) -> SafetyAlert:
    """One safety alert the user follows up, with its response, person and run, or 404."""
    try:
        return (
            followed_alerts(user)
            .select_related(
                "response__person", "response__instrument_version", "response__run__version__course", "organisation"
            )
            .get(pk=pk)
        )
    except (SafetyAlert.DoesNotExist, ValueError, ValidationError, OverflowError):
        raise _not_found("safety alert") from None


# The participant's own -------------------------------------------------------------------


def own_responses(user: User) -> QuerySet[Response]:
    """The signed-in person's own responses (none for a login without a person record)."""
    person_id = principal_for(user).person_id
    if person_id is None:
        return Response.objects.none()
    return Response.objects.filter(person_id=person_id)
