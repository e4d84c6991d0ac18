"""The rows one batch of demo evaluation makes, scored by the engine and saved together.

Responses are built with their answers first; scores and safety alerts are worked out when
the batch is saved, from the answers as they then stand, so what is stored is exactly what
``scoring`` gives for the stored answers.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, ForeignKey, Model

from peerpath.core.seeding import INSERT_BATCH, SeedContext
from peerpath.evaluation import scoring
from peerpath.evaluation.definitions import Instrument
from peerpath.evaluation.models import Answer, Invitation, InvitationQuestionnaire, Response, SafetyAlert, Score
from peerpath.evaluation.seeding.carers import Value

# How the follow-up of a safety alert was recorded when it was closed.
FOLLOW_UP_NOTES = (
    "Phoned the same day. They are safe, have support at home and agreed to see their GP this week.",
    "Spoke to them after the session. They have the Samaritans and NHS 111 numbers and a plan with their family.",
    "Called twice and reached them the next morning. No plans to act on the thoughts; GP told, with their agreement.",
    "Met them before the next session. Thoughts were passing and they feel supported; agreed to check in next week.",
    "Phoned: they already see their GP and talking therapies, and now have the college's crisis card.",
)
# Alerts older than this are mostly closed; newer ones mostly still open.
RECENT = timedelta(days=14)


class Scorer:
    """``scoring.score_all``, one scale at a time, remembering scales it has scored.

    ``score_all`` is ``score_scale`` for every scale, and a scale's score depends only on the
    answers to its own items, so the same answers to a scale's items always give the same
    result: at scale, most carers' service-use counts repeat, and scoring each once keeps the
    step fast. The answers are the engine's to check, as ever.
    """

    def __init__(self) -> None:
        self._scales: dict[tuple[object, ...], scoring.ScaleScore | None] = {}

    def score_all(self, instrument: Instrument, answers: Mapping[str, Value]) -> dict[str, scoring.ScaleScore | None]:
        scores = {}
        for scale in instrument.scales:
            values = tuple(answers.get(item_id) for item_id in scale.items)
            key = (instrument.code, instrument.version, instrument.scoring_version, scale.code, values)
            if key not in self._scales:
                own = {item_id: value for item_id, value in zip(scale.items, values, strict=True) if value is not None}
                self._scales[key] = scoring.score_scale(scale, instrument, own)
            scores[scale.code] = self._scales[key]
        return scores


@dataclass(slots=True)
class Entry:
    """One response with its answers (whole ones as ``int``), and what the batch needs to score and save it."""

    id: uuid.UUID
    version_id: int
    instrument: Instrument
    person_id: uuid.UUID
    run_id: uuid.UUID | None
    timepoint: str
    mode: str
    started_at: datetime
    completed_at: datetime | None  # None: begun and not finished
    answers: dict[str, Value]
    organisation_id: uuid.UUID | None  # who follows up its safety alerts
    entered_by_id: int | None = None
    invitation_id: uuid.UUID | None = None

    @property
    def complete(self) -> bool:
        return self.completed_at is not None


@dataclass
class Batch:
    """The rows of one group of organisations, saved in one transaction."""

    invitations: list[Invitation] = field(default_factory=list)
    questionnaires: list[tuple[uuid.UUID, int, int]] = field(default_factory=list)  # invitation, version, position
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Followers:
    """Who closes alerts: an organisation's coordinators' user ids (any administrator as a last resort)."""

    by_organisation: dict[uuid.UUID, list[int]]
    fallback: int

    def pick(self, rng: random.Random, organisation_id: uuid.UUID | None) -> int:
        users = self.by_organisation.get(organisation_id) if organisation_id else None
        return rng.choice(users) if users else self.fallback


def ensure_alerts(batch: Batch, minimum: int) -> None:
    """Make sure the batch has at least ``minimum`` safety answers, so the demo's follow-up list is never empty.

    Where carers gave fewer, the complete responses with the most symptoms (first made, on a
    tie) get the lowest answer that meets their instrument's safety rule instead of theirs.
    """
    asked = [entry for entry in batch.entries if entry.instrument.safety and entry.complete]
    met = [entry for entry in asked if scoring.triggered_safety_rules(entry.instrument, entry.answers)]
    wanted = minimum - len(met)
    if wanted <= 0:
        return
    chosen = {id(entry) for entry in met}
    others = [entry for entry in asked if id(entry) not in chosen]
    others.sort(key=lambda entry: -sum(entry.answers.values()))
    for entry in others[:wanted]:
        rule = entry.instrument.safety[0]
        item = entry.instrument.item(rule.item)
        lowest = min(option.value for option in item.options if option.value > rule.above)
        entry.answers[rule.item] = int(lowest) if lowest == lowest.to_integral_value() else lowest


class Prepared:
    """Database forms of Python values, each worked out once per kind of column (field class and size).

    ``bulk_create`` builds a model instance for every row and asks each field to prepare each
    value of each row for the database; at regional scale that was three quarters of the
    step's time. A response's id and time recur in its answers and scores, and answers are one
    of a handful of values, so here each distinct value is prepared once, by the field's own
    ``get_db_prep_save`` (what ``bulk_create`` calls), and reused.
    """

    def __init__(self) -> None:
        self._caches: dict[tuple[object, ...], dict[Any, Any]] = {}

    def cache_for(self, column: Field[Any, Any]) -> dict[Any, Any]:
        target = column.target_field if isinstance(column, ForeignKey) else column
        kind = (type(target), getattr(target, "max_digits", None), getattr(target, "decimal_places", None))
        return self._caches.setdefault(kind, {})


class PreparedInsert:
    """Many-row INSERTs of one model's rows, as ``bulk_create`` makes them: how the step saves its largest tables.

    The rows are the ones ``bulk_create`` would write (see ``Prepared``), and the database
    checks every constraint as ever. Call ``run`` inside a transaction.
    """

    def __init__(self, model: type[Model], field_names: Sequence[str]) -> None:
        self.model, self.field_names = model, tuple(field_names)

    def run(self, context: SeedContext, rows: Sequence[Sequence[Any]], prepared: Prepared) -> None:
        concrete = {column.name: column for column in self.model._meta.concrete_fields}
        fields = [concrete[name] for name in self.field_names]
        width = len(fields)
        params: list[Any] = []
        plan = [(column, prepared.cache_for(column)) for column in fields]
        for row in rows:
            for (column, cache), value in zip(plan, row, strict=True):
                try:
                    params.append(cache[value])
                except KeyError:
                    cache[value] = column.get_db_prep_save(value, connection)
                    params.append(cache[value])
        # Table and column names come from the model's own metadata and every value is a
        # parameter, so nothing from outside reaches the SQL.
        quote = connection.ops.quote_name
        into = f"INSERT INTO {quote(self.model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        unnest = connection.vendor == "postgresql"
        if unnest:
            # As Django's PostgreSQL backend does for bulk_create: one array per column, unnested,
            # so the planner sees a parameter per column rather than thousands.
            casts = ", ".join(f"(%s)::{str(column.db_type(connection)).split('(')[0]}[]" for column in fields)
            into += f"SELECT * FROM UNNEST({casts})"  # noqa: S608
        row_marks = "(" + ", ".join(["%s"] * width) + ")"
        # As many rows per INSERT as bulk_create would put in one (SQLite allows 999 parameters).
        per = max(1, min(INSERT_BATCH, connection.ops.bulk_batch_size(fields, rows)))
        with connection.cursor() as cursor:
            for start in range(0, len(rows), per):
                count = min(per, len(rows) - start)
                values = params[start * width : (start + count) * width]
                if unnest:
                    cursor.execute(into, [values[index::width] for index in range(width)])
                else:
                    cursor.execute(into + "VALUES " + ", ".join([row_marks] * count), values)
        context.counts[self.model._meta.label_lower] += len(rows)

    @classmethod
    def of_every_field(cls, model: type[Model]) -> PreparedInsert:
        """Every column of ``model`` (for ``run_objects``), so a field added later is saved too."""
        return cls(model, [column.name for column in model._meta.concrete_fields])

    def run_objects(self, context: SeedContext, objects: Sequence[Model], prepared: Prepared) -> None:
        """Insert model instances (built with their defaults), reading each field's value from them."""
        concrete = {column.name: column.attname for column in self.model._meta.concrete_fields}
        names = [concrete[name] for name in self.field_names]
        self.run(context, [[getattr(row, name) for name in names] for row in objects], prepared)


INVITATIONS = PreparedInsert.of_every_field(Invitation)
RESPONSES = PreparedInsert(
    Response,
    (
        "id",
        "instrument_version",
        "person",
        "run",
        "timepoint",
        "mode",
        "status",
        "entered_by",
        "invitation",
        "started_at",
        "completed_at",
    ),
)
QUESTIONNAIRES = PreparedInsert(InvitationQuestionnaire, ("invitation", "instrument_version", "position"))
ANSWERS = PreparedInsert(Answer, ("response", "item_id", "value", "answered_at"))
SCORES = PreparedInsert(
    Score,
    (
        "response",
        "scale_code",
        "value",
        "raw",
        "answered",
        "missing",
        "prorated",
        "band",
        "instrument_code",
        "instrument_version",
        "scoring_version",
        "scored_at",
    ),
)


def save_batch(
    context: SeedContext,
    batch: Batch,
    *,
    scorer: Scorer,
    followers: Followers,
    now: datetime,
    demo: bool,
) -> dict[str, int]:
    """Score the batch's complete responses, raise their safety alerts, and save every row in one transaction.

    In the demo's group, at least one alert is left open and one closed, so both lists show.
    Returns counts of what was made.
    """
    rng = context.rng
    answers: list[tuple[Any, ...]] = []
    scores: list[tuple[Any, ...]] = []
    alerts: list[SafetyAlert] = []
    responses: list[tuple[Any, ...]] = []
    for entry in batch.entries:
        moment = entry.completed_at or entry.started_at
        status = Response.Status.COMPLETE if entry.complete else Response.Status.IN_PROGRESS
        responses.append(
            (
                entry.id,
                entry.version_id,
                entry.person_id,
                entry.run_id,
                entry.timepoint,
                entry.mode,
                status,
                entry.entered_by_id,
                entry.invitation_id,
                entry.started_at,
                entry.completed_at,
            )
        )
        answers += [(entry.id, item_id, value, moment) for item_id, value in entry.answers.items()]
        if not entry.complete:
            continue
        instrument = entry.instrument
        for scale_code, result in scorer.score_all(instrument, entry.answers).items():
            if result is not None:
                scores.append(
                    (
                        entry.id,
                        scale_code,
                        result.value,
                        result.raw,
                        result.answered,
                        result.missing,
                        result.prorated,
                        result.band or "",
                        instrument.code,
                        instrument.version,
                        result.scoring_version,
                        moment,
                    )
                )
        if instrument.safety:
            for rule in scoring.triggered_safety_rules(instrument, entry.answers):
                alerts.append(
                    SafetyAlert(
                        response_id=entry.id,
                        organisation_id=entry.organisation_id,
                        item_id=rule.item,
                        value=entry.answers[rule.item],
                        message=rule.message,
                        created_at=moment,
                    )
                )
    for alert in alerts:
        age = now - alert.created_at
        if rng.random() < (0.92 if age > RECENT else 0.25):
            _close(alert, rng, followers, now)
    if demo and alerts:
        if all(alert.status == SafetyAlert.Status.CLOSED for alert in alerts):
            newest = max(alerts, key=lambda alert: alert.created_at)
            newest.status, newest.closed_by_id, newest.closed_at, newest.note = SafetyAlert.Status.OPEN, None, None, ""
        if len(alerts) > 1 and all(alert.status == SafetyAlert.Status.OPEN for alert in alerts):
            _close(min(alerts, key=lambda alert: alert.created_at), rng, followers, now)
    prepared = Prepared()
    with transaction.atomic(savepoint=False):
        INVITATIONS.run_objects(context, batch.invitations, prepared)
        QUESTIONNAIRES.run(context, batch.questionnaires, prepared)
        RESPONSES.run(context, responses, prepared)
        ANSWERS.run(context, answers, prepared)
        SCORES.run(context, scores, prepared)
        context.insert(alerts)
    return {"alerts": len(alerts), "open_alerts": sum(1 for alert in alerts if alert.status == SafetyAlert.Status.OPEN)}


def _close(alert: SafetyAlert, rng: random.Random, followers: Followers, now: datetime) -> None:
    """Close an alert as a coordinator would: within a few days, never after "now", with a note."""
    closed_at = min(now, alert.created_at + timedelta(hours=rng.uniform(2, 72)))
    alert.status = SafetyAlert.Status.CLOSED
    alert.closed_by_id = followers.pick(rng, alert.organisation_id)
    alert.closed_at = closed_at
    alert.note = rng.choice(FOLLOW_UP_NOTES)
