"""Each organisation's yearly RECOLLECT fidelity self-assessment, answered by one of its coordinators.

The assessment is about the college (or the partner), not a course run: the run is empty and
the timepoint "other". A coordinator answers for the organisation in a team meeting and types
it in as themselves, so, as ``responses.start_response`` does when people answer for
themselves, nobody else is its ``entered_by``. Organisations start part of the way to full
fidelity and move towards it year by year, with the odd step back.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from peerpath.evaluation.definitions import Instrument
from peerpath.evaluation.models import InstrumentVersion, Response, Timepoint
from peerpath.evaluation.seeding.rows import Batch, Entry

LONDON = ZoneInfo("Europe/London")
CODE = "recollect"


@dataclass(frozen=True)
class Assessor:
    """An organisation and its coordinators (person id, the day they started), earliest first."""

    organisation_id: uuid.UUID
    coordinators: list[tuple[uuid.UUID, date]]

    def on(self, day: date, rng: random.Random) -> uuid.UUID:
        """One of the coordinators in post on ``day`` (the longest-serving if none had started)."""
        in_post = [person_id for person_id, started_on in self.coordinators if started_on <= day]
        return rng.choice(in_post) if in_post else self.coordinators[0][0]


def assessment_days(today: date, count: int, rng: random.Random) -> list[date]:
    """``count`` days a year apart, oldest first, the last a few weeks before ``today``."""
    latest = today - timedelta(days=rng.randint(20, 75))
    return [latest - timedelta(days=365 * years) for years in range(count - 1, -1, -1)]


def add_assessments(
    batch: Batch,
    *,
    assessors: list[Assessor],
    version: InstrumentVersion,
    instrument: Instrument,
    today: date,
    count: int,
    rng: random.Random,
    new_id: Callable[[], uuid.UUID],
) -> int:
    """Add ``count`` yearly self-assessments per organisation to ``batch``; how many were added."""
    added = 0
    for assessor in assessors:
        if not assessor.coordinators:
            continue
        start = rng.uniform(0.3, 0.6)  # share of the components already met in full
        values = {item.id: 2 if rng.random() < start else 1 if rng.random() < 0.7 else 0 for item in instrument.items}
        for day in assessment_days(today, count, rng):
            person_id = assessor.on(day, rng)
            minutes = rng.randrange(10 * 60, 16 * 60)
            started = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=LONDON)
            batch.entries.append(
                Entry(
                    id=new_id(),
                    version_id=version.pk,
                    instrument=instrument,
                    person_id=person_id,
                    run_id=None,
                    timepoint=Timepoint.OTHER,
                    mode=Response.Mode.IN_PERSON,
                    started_at=started,
                    completed_at=started + timedelta(minutes=rng.randint(25, 50)),
                    answers=dict(values),
                    organisation_id=assessor.organisation_id,
                )
            )
            added += 1
            for item_id, value in values.items():
                roll = rng.random()
                if roll < 0.3:
                    values[item_id] = min(2, value + 1)
                elif roll < 0.34:
                    values[item_id] = max(0, value - 1)
    return added
