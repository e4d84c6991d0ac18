"""Demo data in steps that each app registers for itself.

``seed_demo`` imports ``peerpath.<app>.seeding`` for every installed PeerPath app
(:func:`autodiscover`); importing that module calls :func:`register`. Core
imports no other app, and no ``apps.py`` needs to change when an app adds a step.

Determinism: each step gets its own ``random.Random`` seeded from the run's seed
and the step's name, so adding a step never changes what earlier steps make.
Steps draw every value (names, dates, UUIDs) from that generator and from
``SeedContext.today``, never from the clock.

Re-running: a finished run writes one ``seed.completed`` audit event; :func:`run`
finds it and does nothing the second time.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from peerpath.core import audit
from peerpath.core.models import AuditEvent

# Printed by seed_demo: demo data only, never a real installation's password.
DEMO_PASSWORD = "peerpath-demo-2026"  # noqa: S105
DEFAULT_SEED = 2026
# "Today" inside the data. Fixed so that one seed gives one data set whatever the
# day it runs; ``seed_demo --anchor-date today`` trades that for fresh dates.
DEFAULT_ANCHOR_DATE = date(2026, 11, 2)
# People per transaction. Each commit rewrites every index page the chunk touched (to the
# SQLite WAL, then the database), so fewer, larger chunks write less; 20,000 stays under 200 MB.
DEFAULT_BATCH_SIZE = 20_000
# Rows per INSERT statement (SQLite lowers it further to stay under 999 parameters).
INSERT_BATCH = 1_000
SEED_ACTOR = audit.SystemActor("seed_demo")
COMPLETED_ACTION = "seed.completed"

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class ScaleSizes:
    """How much each step makes; figures from PERFORMANCE.md's data scales."""

    people: int
    colleges: int
    partners_per_college: int
    years: int
    runs_per_year: int
    sessions: int
    attendance_marks: int
    questionnaire_responses: int


SCALES: dict[str, ScaleSizes] = {
    "small": ScaleSizes(
        people=200,
        colleges=1,
        partners_per_college=3,
        years=1,
        runs_per_year=20,
        sessions=100,
        attendance_marks=1_000,
        questionnaire_responses=500,
    ),
    "regional": ScaleSizes(
        people=5_000,
        colleges=1,
        partners_per_college=8,
        years=3,
        runs_per_year=300,
        sessions=5_000,
        attendance_marks=50_000,
        questionnaire_responses=15_000,
    ),
    "national": ScaleSizes(
        people=300_000,
        colleges=80,
        partners_per_college=4,
        years=1,
        runs_per_year=11_000,
        sessions=60_000,
        attendance_marks=1_500_000,
        questionnaire_responses=900_000,
    ),
}


class SeedError(Exception):
    """The demo data cannot be seeded into this database; the message says why and what to do."""


@dataclass(frozen=True)
class DemoLogin:
    """A login printed at the end of a run. Holds no personal data: it is kept in the audit event."""

    role: str
    username: str
    where: str


@dataclass
class SeedContext:
    """What a step receives. ``shared`` passes ids from earlier steps to later ones.

    ``batch_size`` is how many people (or other top-level records) a step builds
    before saving them with their related rows in one transaction.
    """

    scale: str
    seed: int
    rng: random.Random
    sizes: ScaleSizes
    write: Callable[[str], None]
    shared: dict[str, Any] = field(default_factory=dict)
    batch_size: int = DEFAULT_BATCH_SIZE
    today: date = DEFAULT_ANCHOR_DATE
    verbosity: int = 1
    counts: Counter[str] = field(default_factory=Counter)
    logins: list[DemoLogin] = field(default_factory=list)
    _password_hash: str | None = None

    def uuid(self) -> uuid.UUID:
        """A version 4 UUID drawn from the step's generator, so ids repeat with the seed."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def password_hash(self) -> str:
        """The hash of DEMO_PASSWORD, computed once per run and shared by every seeded login.

        Hashing is deliberately slow (Argon2); one hash reused keeps thousands of staff logins cheap.
        """
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def progress(self, message: str) -> None:
        """Detail shown only with ``--verbosity 2``."""
        if self.verbosity >= 2:
            self.write(message)

    def save_chunk(self, *groups: Sequence[models.Model]) -> None:
        """Insert several lists of new rows, in the order given, in one transaction.

        Put parents before children. Rows with database-generated keys get them
        back (SQLite 3.35+ and PostgreSQL), so later groups may refer to them.
        Inside an outer transaction it joins that one rather than open a savepoint:
        SQLite journals every page a savepoint touches, which tripled the seed's writes.
        """
        with transaction.atomic(savepoint=False):
            for rows in groups:
                self.insert(rows)

    def insert(self, rows: Sequence[M]) -> list[M]:
        """``bulk_create`` in INSERTs of up to INSERT_BATCH rows; call it inside a transaction."""
        if not rows:
            return []
        model = type(rows[0])
        created = model._default_manager.bulk_create(rows, batch_size=INSERT_BATCH)
        self.counts[model._meta.label_lower] += len(created)
        return created


StepFunction = Callable[[SeedContext], None]


@dataclass(frozen=True)
class Step:
    name: str
    order: int
    fn: StepFunction


_STEPS: dict[str, Step] = {}


def register(name: str, order: int, fn: StepFunction) -> None:
    """Add a seed step; steps run by ``order``. Registering a name again replaces the step."""
    _STEPS[name] = Step(name=name, order=order, fn=fn)


def registered_steps() -> list[Step]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


def autodiscover() -> list[str]:
    """Import ``<app>.seeding`` for every installed ``peerpath.*`` app that has one."""
    found = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("peerpath."):
            continue
        module_name = f"{app_config.name}.seeding"
        if importlib.util.find_spec(module_name) is not None:
            importlib.import_module(module_name)
            found.append(module_name)
    return found


@dataclass(frozen=True)
class SeedResult:
    already_seeded: bool
    scale: str
    seed: int
    counts: dict[str, int]
    logins: list[DemoLogin]
    seconds: float = 0.0


def previous_run() -> AuditEvent | None:
    """The audit event of the last finished seed run, if there was one."""
    return AuditEvent.objects.filter(action=COMPLETED_ACTION).order_by("-occurred_at").first()


def _result_from_event(event: AuditEvent) -> SeedResult:
    data = event.data or {}
    logins = [DemoLogin(*login) for login in data.get("logins", [])]
    return SeedResult(
        already_seeded=True,
        scale=str(data.get("scale", "")),
        seed=int(data.get("seed", 0)),
        counts=dict(data.get("counts", {})),
        logins=logins,
    )


def run(
    *,
    scale: str,
    seed: int = DEFAULT_SEED,
    sizes: ScaleSizes | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    today: date = DEFAULT_ANCHOR_DATE,
    write: Callable[[str], None] = print,
    verbosity: int = 1,
) -> SeedResult:
    """Run every registered step once, then record one ``seed.completed`` audit event.

    Does nothing (and says so in the result) if a seed run has finished before,
    and raises :class:`SeedError` on a database that already has logins. Steps
    commit in chunks, so a run that fails part-way leaves rows behind; the next
    run refuses with advice to flush.
    """
    previous = previous_run()
    if previous is not None:
        return _result_from_event(previous)
    if batch_size < 1:
        raise SeedError("The batch size must be at least 1.")
    if get_user_model()._default_manager.exists():
        # The seed makes a superuser whose password it prints: never beside real accounts.
        raise SeedError(
            "This database already has logins but no finished seed run. seed_demo creates logins whose "
            "password it prints, so it only fills a new, empty database. If an earlier seed run stopped "
            "part-way, empty the database with 'manage.py flush' and run seed_demo again."
        )
    context = SeedContext(
        scale=scale,
        seed=seed,
        rng=random.Random(),
        sizes=sizes or SCALES[scale],
        write=write,
        batch_size=batch_size,
        today=today,
        verbosity=verbosity,
    )
    started = time.perf_counter()
    for step in registered_steps():
        # String seeds hash with SHA-512, so this is stable across processes and Python runs.
        context.rng = random.Random(f"{seed}:{step.name}")
        step_started = time.perf_counter()
        step.fn(context)
        context.write(f"{step.name}: done in {time.perf_counter() - step_started:.1f} s")
    counts = dict(sorted(context.counts.items()))
    gather_planner_statistics()
    with transaction.atomic(savepoint=False):
        audit.record(
            actor=SEED_ACTOR,
            action=COMPLETED_ACTION,
            data={
                "scale": scale,
                "seed": seed,
                "anchor_date": today.isoformat(),
                "counts": counts,
                "logins": [[login.role, login.username, login.where] for login in context.logins],
            },
        )
    return SeedResult(
        already_seeded=False,
        scale=scale,
        seed=seed,
        counts=counts,
        logins=list(context.logins),
        seconds=time.perf_counter() - started,
    )


def gather_planner_statistics() -> None:
    """Tell the query planner how the freshly seeded tables look.

    SQLite keeps no statistics until ``ANALYZE`` runs, and without them it picks poor join
    orders on report queries (the national outcomes page took 4x as long). PostgreSQL's
    autovacuum would get there in time; after a bulk load it is better done at once. On SQLite
    ``analysis_limit`` samples each index, so this takes seconds even at national scale.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute("ANALYZE")
