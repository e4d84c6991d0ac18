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

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peerpath.delivery.models import CourseRun, Enrolment
from peerpath.evaluation.models import (
    InstrumentVersion,
    Invitation,
    InvitationQuestionnaire,
    Response,
    SafetyAlert,
    Score,
)
from peerpath.people.access import principal_for, visible_people
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


def enterable_people(user: User, person_ids: Iterable[Any]) -> set[Any]:
    """Which of these people ``user`` may type in answers for (``may_enter_for`` for many, one query)."""
    wanted = set(person_ids)
    principal = principal_for(user)
    if principal.is_administrator:
        return wanted
    organisations = principal.organisations(*ENTRY_ROLES)
    if not organisations or not wanted:
        return set()
    members = Membership.objects.current().filter(person_id__in=wanted, organisation_id__in=organisations)
    return set(members.values_list("person_id", flat=True))


def _not_found(what: str) -> Http404:
    return Http404(f"No such {what}")


# Runs ------------------------------------------------------------------------------------

_Row = TypeVar("_Row", bound=Model)


def _coordinated(user: User, rows: QuerySet[_Row]) -> QuerySet[_Row]:
    """``rows`` of the user's coordinated organisations (by their ``organisation``), all for administrators."""
    principal = principal_for(user)
    if principal.is_administrator:
        return rows
    return rows.filter(organisation_id__in=list(principal.organisations(Role.COORDINATOR)))


def evaluated_runs(user: User) -> QuerySet[CourseRun]:
    """Runs whose evaluation the user follows: their coordinated organisations' (all for administrators)."""
    return _coordinated(user, CourseRun.objects.all())


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


# The largest version number an instrument version can have (a PositiveSmallIntegerField).
_MAX_VERSION = 32767


def access_fhir_questionnaire(user: User, code: str, version: int) -> InstrumentVersion:
    """One published or retired instrument version, by code and version, for a FHIR reader, or 404.

    A questionnaire holds nobody's answers, so anyone who may read FHIR (an administrator, or a
    coordinator or evaluator of any organisation) may read every published or retired version;
    drafts are not there yet, and everyone else finds nothing.
    """
    principal = principal_for(user)
    if not (principal.is_administrator or principal.organisations(*FHIR_ROLES)) or not 0 < version <= _MAX_VERSION:
        raise _not_found("questionnaire")
    try:
        return InstrumentVersion.objects.exclude(status=InstrumentVersion.Status.DRAFT).get(code=code, version=version)
    except InstrumentVersion.DoesNotExist:
        raise _not_found("questionnaire") from None


# Safety alerts ---------------------------------------------------------------------------


def followed_alerts(user: User) -> QuerySet[SafetyAlert]:
    """Safety alerts the user follows up: their coordinated organisations' (all for administrators)."""
    return _coordinated(user, SafetyAlert.objects.all())


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


def own_invitations(user: User) -> QuerySet[Invitation]:
    """The signed-in person's invitations whose link still works (open, not expired), soonest to close first."""
    person_id = principal_for(user).person_id
    if person_id is None:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(person_id=person_id, status=Invitation.Status.OPEN, expires_at__gt=timezone.now())
        .select_related("run__version__course", "run__organisation")
        .order_by("expires_at", "pk")
    )


def own_completed_responses(user: User) -> QuerySet[Response]:
    """The signed-in person's submitted questionnaires, newest first, with their instrument and course."""
    return (
        own_responses(user)
        .filter(status=Response.Status.COMPLETE)
        .select_related("instrument_version", "run__version__course")
        .order_by("-completed_at", "pk")
    )


def own_scores(user: User) -> QuerySet[Score]:
    """Every stored score of the signed-in person's submitted questionnaires, oldest response first.

    All scoring versions come back: the caller keeps the newest per scale. Whether the person
    may see an instrument's scores is the instrument's ``respondent_feedback``, not this query's.
    """
    return (
        Score.objects.filter(response__in=own_responses(user).filter(status=Response.Status.COMPLETE))
        .select_related("response__instrument_version")
        .order_by("response__completed_at", "response_id", "scale_code", "-scoring_version")
    )


# Invitation links ------------------------------------------------------------------------
# Whoever holds a link (``tokens.find``) may answer its questionnaires: these take the
# invitation the token opened, never an id from the request.


def saved_answers(response: Response) -> dict[str, Decimal]:
    """A response's saved answers by item id (the caller has already fetched the response through
    an access helper or an invitation's link)."""
    return dict(response.answers.values_list("item_id", "value"))


def invitation_questionnaires(invitation: Invitation) -> list[InvitationQuestionnaire]:
    """The questionnaires an invitation asks, in order, each carrying ``response``: the one
    started through this invitation, or None. Two queries, however many there are."""
    asked = list(invitation.questionnaires.select_related("instrument_version").order_by("position"))
    started = {response.instrument_version_id: response for response in Response.objects.filter(invitation=invitation)}
    for questionnaire in asked:
        questionnaire.response = started.get(questionnaire.instrument_version_id)  # type: ignore[attr-defined]
    return asked


# Typing in paper, phone and in-person forms ----------------------------------------------

# Enrolments whose people may have answered a run's questionnaires (not those only queueing).
_ENTRY_ENROLMENTS = (
    Enrolment.Status.ENROLLED,
    Enrolment.Status.COMPLETED,
    Enrolment.Status.DID_NOT_COMPLETE,
    Enrolment.Status.WITHDRAWN,
)


def entry_runs(user: User) -> QuerySet[CourseRun]:
    """Runs the user may type in forms for (those whose evaluation they follow), latest first."""
    return (
        evaluated_runs(user)
        .select_related("version__course", "term", "organisation")
        .order_by(F("starts_at").desc(nulls_last=True), "pk")
    )


def entry_people(user: User, run: CourseRun | None) -> QuerySet[Person]:
    """Whom the user may pick to type in a form for: a run's participants, or (without a run)
    the people of the organisations they coordinate (everyone for an administrator).

    ``responses.start_response`` still checks ``may_enter_for`` on the one chosen.
    """
    if run is not None:
        people = Person.objects.filter(enrolments__run=run, enrolments__status__in=_ENTRY_ENROLMENTS)
    else:
        people = visible_people(user)
    return people.order_by("family_name", "given_name", "pk").distinct()


def entry_versions() -> QuerySet[InstrumentVersion]:
    """Instrument versions staff may type a form in for: every published one, by name."""
    return InstrumentVersion.objects.filter(status=InstrumentVersion.Status.PUBLISHED).order_by(
        "short_name", "code", "-version"
    )


def unfinished_entries(user: User) -> QuerySet[Response]:
    """Forms this user started typing in and has not submitted, most recent first."""
    return (
        Response.objects.filter(entered_by_id=getattr(user, "pk", None), status=Response.Status.IN_PROGRESS)
        .select_related("instrument_version", "person", "run__version__course")
        .order_by("-started_at", "pk")
    )


def entry_outcome(response: Response) -> tuple[list[Score], list[SafetyAlert]]:
    """A submitted response's scores (of its newest scoring version) and its safety alerts."""
    scores = list(response.scores.order_by("-scoring_version", "scale_code"))
    newest = scores[0].scoring_version if scores else None
    alerts = list(response.safety_alerts.order_by("created_at", "pk"))
    return [score for score in scores if score.scoring_version == newest], alerts
