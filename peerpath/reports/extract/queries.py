"""What the extract reads: the instruments in scope, and the three sorted streams its rows come from."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from peerpath.delivery.models import ATTENDED, PLACE_HOLDING, Attendance, Enrolment
from peerpath.evaluation.models import Answer, InstrumentVersion, Response, Score
from peerpath.evaluation.responses import instrument_for
from peerpath.people.models import CaringRole, Consent
from peerpath.reports.extract.columns import Measure, is_service_use
from peerpath.reports.filters import Scope

# Rows fetched per round trip from each stream.
CHUNK_SIZE = 2000

# The response fields each row is assembled from, in the order ``rows._Assembler`` unpacks them.
RESPONSE_FIELDS = (
    "pk",
    "person_id",
    "run_id",
    "timepoint",
    "completed_at",
    "mode",
    "instrument_version__code",
    "run__version__course__category",
    "run__version__course__title",
    "run__term__name",
    "run__organisation__name",
    "person__area__name",
    "person__equality_monitoring__age_band",
    "person__equality_monitoring__sex",
    "person__equality_monitoring__ethnicity",
    "person__equality_monitoring__disability",
    "relationship",
    "returning",
    "enrolment_status",
    "sessions_attended",
)


def withdrawn_from_evaluation() -> QuerySet[Consent, Any]:
    """People whose decision in force about evaluation is "withdrawn" (their latest one)."""
    evaluation = Consent.Purpose.EVALUATION
    later = Consent.objects.filter(
        person_id=OuterRef("person_id"), purpose=evaluation, recorded_at__gt=OuterRef("recorded_at")
    )
    return (
        Consent.objects.filter(purpose=evaluation, decision=Consent.Decision.WITHDRAWN)
        .exclude(Exists(later))
        .values("person_id")
    )


def _completed_in_scope(scope: Scope, prefix: str = "") -> Q:
    """Completed responses on runs in scope (``prefix`` reaches Response from another model).

    Row-level data leaves PeerPath in an extract, so the answers of anyone who has since
    withdrawn their consent to evaluation are left out (aggregate reports still count them:
    ADR 019).
    """
    return (
        Q(
            **{
                f"{prefix}status": Response.Status.COMPLETE,
                f"{prefix}run__in": scope.runs().values("pk"),
            }
        )
        & scope.people_filter(f"{prefix}person__")
        & ~Q(**{f"{prefix}person__in": withdrawn_from_evaluation()})
    )


def measures(scope: Scope) -> list[Measure]:
    """Every instrument with a completed response in scope, by code (three queries, or one when none)."""
    codes = sorted(
        set(
            Response.objects.filter(_completed_in_scope(scope))
            .values_list("instrument_version__code", flat=True)
            .distinct()
            .order_by()
        )
    )
    if not codes:
        return []
    # The newest rule over every score, as the reports choose it (sections.pairs).
    newest_rule = Score.objects.newest_rules(codes)
    versions: dict[str, InstrumentVersion] = {}
    for version in (
        InstrumentVersion.objects.filter(code__in=codes)
        .exclude(status=InstrumentVersion.Status.DRAFT)
        .order_by("code", "-version")
    ):
        versions.setdefault(version.code, version)
    found = []
    for code in codes:
        if code not in versions:
            continue  # only a draft: nobody can have completed it, but never guess a definition
        instrument = instrument_for(versions[code])
        found.append(
            Measure(
                code=code,
                instrument=instrument,
                scoring_version=newest_rule.get(code, instrument.scoring_version),
                scales=instrument.scales,
                items=tuple(item for item in instrument.items if item.kind == "number")
                if is_service_use(instrument)
                else (),
            )
        )
    return found


def _response_stream(scope: Scope) -> QuerySet[Response, tuple[Any, ...]]:
    """Completed responses in scope with their person's and run's details, sorted by row key."""
    latest_role = (
        CaringRole.objects.filter(carer_id=OuterRef("person_id")).order_by("-started_on", "-pk").values("relationship")
    )
    earlier = Enrolment.objects.filter(
        person_id=OuterRef("person_id"), status__in=PLACE_HOLDING, run__starts_at__lt=scope.start_at
    )
    place = Enrolment.objects.filter(person_id=OuterRef("person_id"), run_id=OuterRef("run_id"))
    attended = (
        Attendance.objects.filter(
            enrolment__person_id=OuterRef("person_id"), enrolment__run_id=OuterRef("run_id"), status__in=ATTENDED
        )
        .order_by()
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Response.objects.filter(_completed_in_scope(scope))
        .annotate(
            relationship=Subquery(latest_role[:1]),
            returning=Exists(earlier),
            enrolment_status=Subquery(place.values("status")[:1]),
            sessions_attended=Subquery(attended[:1]),
        )
        .values_list(*RESPONSE_FIELDS)
        .order_by("person_id", "run_id", "timepoint", "pk")
    )


def _newest_scores(measures: Sequence[Measure]) -> Q:
    wanted = Q()
    for measure in measures:
        wanted |= Q(instrument_code=measure.code, scoring_version=measure.scoring_version)
    return wanted


# Scores and answers are sorted like the responses, so each stream is walked once beside them.
_FOLLOWER_ORDER = ("response__person_id", "response__run_id", "response__timepoint", "response_id")


def _score_stream(scope: Scope, measures: Sequence[Measure]) -> Iterator[tuple[Any, ...]]:
    if not measures:
        return iter(())
    return (
        Score.objects.filter(_completed_in_scope(scope, "response__"), _newest_scores(measures))
        .values_list(*_FOLLOWER_ORDER, "instrument_code", "scale_code", "value")
        .order_by(*_FOLLOWER_ORDER)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _answer_stream(scope: Scope, measures: Sequence[Measure]) -> Iterator[tuple[Any, ...]]:
    codes = [measure.code for measure in measures if measure.items]
    if not codes:
        return iter(())
    return (
        Answer.objects.filter(_completed_in_scope(scope, "response__"), response__instrument_version__code__in=codes)
        .values_list(*_FOLLOWER_ORDER, "response__instrument_version__code", "item_id", "value")
        .order_by(*_FOLLOWER_ORDER)
        .iterator(chunk_size=CHUNK_SIZE)
    )
