"""Answering a questionnaire: start a response, save answers, submit, rescore, follow up safety alerts.

Every write goes through these functions, in one transaction with its audit event. A
response belongs to one person: only they (signed in as themselves, or holding the open
invitation link the response was started through) or the member of staff who started it
to type in a paper, phone or in-person form may change it; anyone else is refused with an
``AnswerError`` and nothing changes.

Saving is forgiving and submitting is strict. ``save_answers`` keeps every valid answer
even when others in the same post are not, so a carer never loses what they have already
given; required answers are checked only on ``submit``, which then scores the response
with ``scoring.score_all`` and raises a ``SafetyAlert`` for each safety rule met.

Audit events carry identifiers and counts, never answers or notes: the log outlives the
erasure of the people it mentions.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.audit import Actor, SystemActor
from peerpath.delivery.models import CourseRun
from peerpath.evaluation import definitions, scoring
from peerpath.evaluation.access import may_enter_for
from peerpath.evaluation.answers import AnswerValue, InvalidAnswerError, answer_hint, clean_answer, is_blank
from peerpath.evaluation.definitions import Instrument
from peerpath.evaluation.models import Answer, InstrumentVersion, Invitation, Response, SafetyAlert, Score
from peerpath.people.models import Membership, Person

RESCORE_JOB = SystemActor("evaluation.rescore")
# Whoever holds an invitation's link: the person it was sent to, without a login.
INVITATION_LINK = SystemActor("evaluation.invitation-link")


class AnswerError(Exception):
    """A questionnaire refused a change; the message is fit to show and nothing changed."""


@dataclass(frozen=True)
class SaveResult:
    """What ``save_answers`` did: item ids saved (or unchanged), cleared, and refused with why."""

    saved: tuple[str, ...] = ()
    cleared: tuple[str, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class SubmitResult:
    """Either errors by item id (nothing changed) or the stored scores and the safety messages to show."""

    errors: dict[str, str] = field(default_factory=dict)
    scores: list[Score] = field(default_factory=list)
    safety_messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------------------
# Reading the instrument


# Parsed published and retired versions, which never change, by row and checksum: pages that
# show many responses parse each version once per process, not once per row.
_PARSED: dict[tuple[int, str], Instrument] = {}
_PARSED_LIMIT = 256


def instrument_for(version: InstrumentVersion) -> Instrument:
    """The parsed definition of a stored instrument version (a draft is parsed afresh each time)."""
    if version.status == InstrumentVersion.Status.DRAFT or not version.checksum:
        return definitions.parse(version.definition)
    key = (version.pk, version.checksum)
    parsed = _PARSED.get(key)
    if parsed is None:
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        parsed = _PARSED[key] = definitions.parse(version.definition)
    return parsed


# ---------------------------------------------------------------------------------------
# Who may answer


_CLOSED = {
    "complete": "These questionnaires have already been completed: thank you. The link cannot be used again",
    "withdrawn": "This invitation has been withdrawn: nothing more needs to be answered",
    "expired": "This link has expired: your answers were not saved",
}


def check_invitation_open(invitation: Invitation) -> None:
    """Refuse an invitation whose link no longer works: completed, withdrawn or expired."""
    closed = invitation.closed_because()
    if closed is not None:
        raise AnswerError(_CLOSED[closed])


def _check_may_answer(actor: Actor, response: Response, invitation: Invitation | None = None) -> None:
    if invitation is not None:
        if response.invitation_id != invitation.pk:
            raise AnswerError("This questionnaire is someone else's: your answers were not saved")
        check_invitation_open(Invitation.objects.select_for_update().get(pk=invitation.pk))
        return
    allowed = isinstance(actor, User) and actor.pk in (response.person.user_id, response.entered_by_id)
    if not allowed:
        raise AnswerError("This questionnaire is someone else's: your answers were not saved")


def _locked(response: Response) -> Response:
    """The response row, locked for this transaction and read afresh (status, definition)."""
    return Response.objects.select_for_update().select_related("instrument_version", "person").get(pk=response.pk)


def _stored_answers(response: Response) -> dict[str, Decimal]:
    return dict(response.answers.values_list("item_id", "value"))


# ---------------------------------------------------------------------------------------
# Services


@transaction.atomic
def start_response(
    *,
    actor: Actor,
    person: Person,
    instrument_version: InstrumentVersion,
    run: CourseRun | None = None,
    timepoint: str = "",
    mode: str,
    invitation: Invitation | None = None,
) -> Response:
    """Start a response by ``person`` to a published instrument version.

    Online, the person answers for themselves (signed in, or through an invitation started
    by a system job). On paper, by phone or in person, a member of staff who may enter
    answers for them (``access.may_enter_for``) can start it and becomes its ``entered_by``.
    Through an invitation's link (``invitation`` given), the response takes the invitation's
    person, run and timepoint; the instrument version must be one the invitation asks, and a
    questionnaire already started through the link is returned rather than started twice.
    """
    actor = audit.check_actor(actor)
    if instrument_version.status != InstrumentVersion.Status.PUBLISHED:
        raise AnswerError(f"{instrument_version} is not published: choose a published version")
    if mode not in Response.Mode.values:
        raise AnswerError("Choose how the answers are collected: online, paper, phone or in person")
    if timepoint and timepoint not in Response.Timepoint.values:
        raise AnswerError("Choose a timepoint: baseline, end, follow-up or other")
    entered_by: User | None = None
    if invitation is not None:
        check_invitation_open(invitation)
        if mode != Response.Mode.ONLINE or person.pk != invitation.person_id:
            raise AnswerError("An invitation's questionnaires are answered online by the person invited")
        if not invitation.questionnaires.filter(instrument_version=instrument_version).exists():
            raise AnswerError(f"This invitation does not ask {instrument_version.short_name}")
        run, timepoint = invitation.run, invitation.timepoint
        started = Response.objects.filter(invitation=invitation, instrument_version=instrument_version).first()
        if started is not None:
            return started  # one response per questionnaire of a link: a second start goes on with it
    elif isinstance(actor, SystemActor):
        if mode != Response.Mode.ONLINE:
            raise AnswerError("Only a member of staff can enter answers given on paper, by phone or in person")
    elif actor.pk != person.user_id:
        if mode == Response.Mode.ONLINE:
            raise AnswerError("Only they can answer online: choose paper, phone or in person to enter their answers")
        if not may_enter_for(actor, person):
            raise AnswerError("You cannot enter answers for this person")
        entered_by = actor
    try:
        with transaction.atomic():
            response = Response.objects.create(
                instrument_version=instrument_version,
                person=person,
                run=run,
                timepoint=timepoint,
                mode=mode,
                entered_by=entered_by,
                invitation=invitation,
            )
    except IntegrityError:
        if invitation is None:
            raise
        # Two first posts at once (a double tap): the other started it; go on with that one.
        return Response.objects.get(invitation=invitation, instrument_version=instrument_version)
    audit.record(
        actor=actor,
        action="evaluation.response_started",
        target=response,
        data={
            "instrument": instrument_version.code,
            "version": instrument_version.version,
            "mode": mode,
            "timepoint": timepoint,
            "run": str(run.pk) if run is not None else None,
            "invitation": str(invitation.pk) if invitation is not None else None,
        },
    )
    return response


@transaction.atomic
def save_answers(
    *, actor: Actor, response: Response, answers: Mapping[str, AnswerValue], invitation: Invitation | None = None
) -> SaveResult:
    """Save the valid answers in ``answers`` and report the others by item id.

    A blank value (None or an empty string) clears that item's answer. A bad answer leaves
    the item's saved answer as it was. An item id the questionnaire does not have refuses
    the whole post (``AnswerError``): a form of ours never sends one. Required items are not
    checked here, so progress can be saved at any point; ``submit`` checks them. Through an
    invitation's link, pass the invitation: it must be the response's, and still open.
    """
    actor = audit.check_actor(actor)
    current = _locked(response)
    _check_may_answer(actor, current, invitation)
    if current.status == Response.Status.COMPLETE:
        raise AnswerError("This questionnaire has been submitted: its answers can no longer change")
    instrument = instrument_for(current.instrument_version)
    items = {item.id: item for item in instrument.items}
    unknown = sorted(str(item_id) for item_id in answers if item_id not in items)
    if unknown:
        raise AnswerError(f"This questionnaire has no question {unknown[0]!r}: nothing was saved")

    errors: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    to_clear: list[str] = []
    for item_id, value in answers.items():
        if is_blank(value):
            to_clear.append(item_id)
            continue
        try:
            values[item_id] = clean_answer(items[item_id], value)
        except InvalidAnswerError as error:
            errors[item_id] = str(error)

    now = timezone.now()
    existing = {answer.item_id: answer for answer in current.answers.all()}
    new = [
        Answer(response=current, item_id=item_id, value=value, answered_at=now)
        for item_id, value in values.items()
        if item_id not in existing
    ]
    Answer.objects.bulk_create(new)
    changed = [row for item_id, value in values.items() if (row := existing.get(item_id)) and row.value != value]
    for row in changed:
        row.value, row.answered_at = values[row.item_id], now
    Answer.objects.bulk_update(changed, ["value", "answered_at"])
    cleared = tuple(item_id for item_id in to_clear if item_id in existing)
    current.answers.filter(item_id__in=cleared).delete()

    result = SaveResult(saved=tuple(values), cleared=cleared, errors=errors)
    audit.record(
        actor=actor,
        action="evaluation.answers_saved",
        target=current,
        data={"saved": len(result.saved), "cleared": len(cleared), "refused": sorted(errors)},
    )
    return result


def _store_scores(
    response: Response, instrument: Instrument, scores: Mapping[str, scoring.ScaleScore | None]
) -> tuple[list[Score], list[str]]:
    """Score rows for the instrument's scoring version, in scale order; the scale codes newly stored.

    A scale that already has a row for this scoring version keeps it, so storing twice adds
    nothing; a scale its missing-item rule cannot score has no row.
    """
    version = instrument.scoring_version
    existing = {score.scale_code: score for score in response.scores.filter(scoring_version=version)}
    now = timezone.now()
    rows: list[Score] = []
    new: list[Score] = []
    for scale in instrument.scales:
        result = scores.get(scale.code)
        if scale.code in existing:
            rows.append(existing[scale.code])
        elif result is not None:
            row = Score(
                response=response,
                scale_code=scale.code,
                value=result.value,
                raw=result.raw,
                answered=result.answered,
                missing=result.missing,
                prorated=result.prorated,
                band=result.band or "",
                instrument_code=instrument.code,
                instrument_version=instrument.version,
                scoring_version=version,
                scored_at=now,
            )
            rows.append(row)
            new.append(row)
    Score.objects.bulk_create(new)  # one insert; the primary keys come back on SQLite and PostgreSQL
    return rows, [row.scale_code for row in new]


def _score(instrument: Instrument, values: Mapping[str, Decimal]) -> dict[str, scoring.ScaleScore | None]:
    try:
        return scoring.score_all(instrument, values)
    except scoring.ScoringError as error:
        # Saved answers were checked against this very definition, so this means the
        # stored version changed under them: a fault to report, not to paper over.
        raise AnswerError(f"The saved answers cannot be scored ({error}): ask an administrator to check") from error


@transaction.atomic
def submit(
    *, actor: Actor, response: Response, invitation: Invitation | None = None, left_blank_on_form: bool = False
) -> SubmitResult:
    """Complete a response: check required answers, then store its scores and safety alerts.

    With a required item unanswered, the errors come back by item id and nothing changes.
    Otherwise the response becomes complete, each scale the rules can score gets a Score
    row (stamped with the instrument's scoring version), and each safety rule met gets an
    open SafetyAlert and an ``evaluation.safety_alert`` audit event. The result carries the
    safety messages the person must be shown now. Submitting again is refused.

    Each alert names the organisation whose coordinators follow it up (the run's, else the
    person's), and they are emailed once the transaction commits. When the response was the
    last one the person's invitation for its run and timepoint asked (answered through the
    link or typed in), the invitation is complete and its link stops working.

    ``left_blank_on_form``: the member of staff typing in a paper, phone or in-person form
    confirms that the required questions still unanswered were left blank by the person, so
    the response is complete without them (the scoring rules decide what can be scored, as
    the instrument's manual does for a paper form). Online, every required question must be
    answered; nobody else may confirm blanks.
    """
    actor = audit.check_actor(actor)
    current = _locked(response)
    _check_may_answer(actor, current, invitation)
    if current.status == Response.Status.COMPLETE:
        raise AnswerError("This questionnaire has already been submitted")
    instrument = instrument_for(current.instrument_version)
    values = _stored_answers(current)
    blank = [item.id for item in instrument.items if item.required and item.id not in values]
    if left_blank_on_form and blank:
        if current.mode == Response.Mode.ONLINE or not isinstance(actor, User) or actor.pk != current.entered_by_id:
            raise AnswerError(
                "Only the member of staff typing in a paper, phone or in-person form can leave questions blank"
            )
        blank = []
    errors = {item_id: answer_hint(instrument.item(item_id)) for item_id in blank}
    if errors:
        return SubmitResult(errors=errors)
    left_blank = [item.id for item in instrument.items if item.id not in values]
    scores = _score(instrument, values)
    triggered = scoring.triggered_safety_rules(instrument, values)

    now = timezone.now()
    current.status, current.completed_at = Response.Status.COMPLETE, now
    current.save(update_fields=["status", "completed_at"])
    rows, _created = _store_scores(current, instrument, scores)
    organisation_id = _follow_up_organisation(current) if triggered else None
    for rule in triggered:
        alert = SafetyAlert.objects.create(
            response=current,
            organisation_id=organisation_id,
            item_id=rule.item,
            value=values[rule.item],
            message=rule.message,
            created_at=now,
        )
        audit.record(
            actor=actor,
            action="evaluation.safety_alert",
            target=alert,
            data={
                "response": str(current.pk),
                "instrument": instrument.code,
                "item": rule.item,
                "organisation": str(organisation_id) if organisation_id else None,
            },
        )
        transaction.on_commit(partial(_queue_safety_notice, alert.pk))
    if current.run_id is not None and current.timepoint:
        _complete_invitation_if_done(current, now)
    audit.record(
        actor=actor,
        action="evaluation.response_submitted",
        target=current,
        data={
            "instrument": instrument.code,
            "version": instrument.version,
            "scoring_version": instrument.scoring_version,
            "scales": [row.scale_code for row in rows],
            "safety_alerts": len(triggered),
            "left_blank": left_blank,
        },
    )
    response.status, response.completed_at = current.status, current.completed_at
    return SubmitResult(scores=rows, safety_messages=[rule.message for rule in triggered])


def _follow_up_organisation(response: Response) -> uuid.UUID | None:
    """Whose coordinators follow up a safety alert: the run's organisation, else the person's
    current one (the oldest membership, so the choice is stable), else nobody yet."""
    if response.run_id is not None:
        return CourseRun.objects.filter(pk=response.run_id).values_list("organisation_id", flat=True).first()
    return (
        Membership.objects.current()
        .filter(person_id=response.person_id)
        .order_by("started_on", "pk")
        .values_list("organisation_id", flat=True)
        .first()
    )


def _queue_safety_notice(alert_id: int) -> None:
    from peerpath.evaluation.tasks import notify_safety_alert

    notify_safety_alert.enqueue(alert_id)


def _complete_invitation_if_done(response: Response, now: datetime) -> None:
    """Mark the person's open invitation for this run and timepoint complete once every
    questionnaire it asks has a complete response, however it was given: through the link, or
    typed in from paper by staff (then nobody is reminded of what they have already answered)."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(
            person_id=response.person_id,
            run_id=response.run_id,
            timepoint=response.timepoint,
            status=Invitation.Status.OPEN,
        )
        .first()
    )
    if invitation is None:
        return
    asked = set(invitation.questionnaires.values_list("instrument_version__code", flat=True))
    done = set(
        Response.objects.filter(
            person_id=response.person_id,
            run_id=response.run_id,
            timepoint=response.timepoint,
            status=Response.Status.COMPLETE,
        ).values_list("instrument_version__code", flat=True)
    )
    if asked <= done:
        invitation.status, invitation.completed_at = Invitation.Status.COMPLETE, now
        invitation.save(update_fields=["status", "completed_at"])


def same_answers(answered: Instrument, rule: Instrument) -> str | None:
    """Why ``rule`` cannot score answers given to ``answered``, or None when it can: it must be
    the same instrument with the same items, each taking exactly the same values."""
    if rule.code != answered.code:
        return f"{rule.short_name} is another instrument"
    if [item.id for item in rule.items] != [item.id for item in answered.items]:
        return f"version {rule.version} asks other questions than version {answered.version}"
    for before, after in zip(answered.items, rule.items, strict=True):
        same_values = [option.value for option in before.options] == [option.value for option in after.options]
        same_bounds = (before.kind, before.min, before.max, before.step, before.reverse) == (
            after.kind,
            after.min,
            after.max,
            after.step,
            after.reverse,
        )
        if not (same_values and same_bounds):
            return f"question {after.number} takes other answers in version {rule.version}"
    return None


@transaction.atomic
def rescore(response: Response, *, rule: InstrumentVersion | None = None, actor: Actor = RESCORE_JOB) -> list[Score]:
    """Score a complete response with ``rule``: a published version of the same instrument
    with the same items (``same_answers``), by default the version it was answered on.

    Published versions never change, so a new scoring rule arrives as a new version with a
    higher ``scoring_version``; rescoring with it adds rows stamped with that version and
    scoring version, and keeps every earlier row, so each change of score can be traced to
    a change of rule. Calling again adds nothing. Returns the rule's rows.
    """
    actor = audit.check_actor(actor)
    current = _locked(response)
    if current.status != Response.Status.COMPLETE:
        raise AnswerError("Only a submitted questionnaire can be scored")
    answered = instrument_for(current.instrument_version)
    if rule is None:
        instrument = answered
    else:
        if rule.status != InstrumentVersion.Status.PUBLISHED:
            raise AnswerError(f"{rule} is not published: only a published version can rescore")
        instrument = instrument_for(rule)
        why = same_answers(answered, instrument)
        if why is not None:
            raise AnswerError(f"{rule} cannot score answers given to {current.instrument_version}: {why}")
    rows, created = _store_scores(current, instrument, _score(instrument, _stored_answers(current)))
    if created:
        audit.record(
            actor=actor,
            action="evaluation.rescored",
            target=current,
            data={
                "instrument": instrument.code,
                "answered_version": answered.version,
                "rule_version": instrument.version,
                "scoring_version": instrument.scoring_version,
                "scales": created,
            },
        )
    return rows


@transaction.atomic
def close_safety_alert(*, actor: Actor, alert: SafetyAlert, note: str) -> SafetyAlert:
    """Close an open safety alert with a note of how it was followed up (the note is not audited)."""
    user = audit.person_actor(actor)
    if not note.strip():
        raise AnswerError("Enter a note of how the alert was followed up")
    current = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
    if current.status == SafetyAlert.Status.CLOSED:
        raise AnswerError("This alert is already closed")
    current.status = SafetyAlert.Status.CLOSED
    current.closed_by, current.closed_at, current.note = user, timezone.now(), note.strip()
    current.save(update_fields=["status", "closed_by", "closed_at", "note"])
    audit.record(actor=user, action="evaluation.safety_alert_closed", target=current)
    alert.status, alert.closed_by, alert.closed_at, alert.note = (
        current.status,
        current.closed_by,
        current.closed_at,
        current.note,
    )
    return current
