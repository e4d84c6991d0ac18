"""Time ``seed_demo`` at the regional and national scales on a fresh database.

Run from the repository root::

    .venv/bin/python bench/seed_demo_bench.py                      # SQLite, regional and national
    .venv/bin/python bench/seed_demo_bench.py --scale regional
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peerpath_seedbench \\
        .venv/bin/python bench/seed_demo_bench.py --scale regional  # an existing, empty database

Each scale gets a fresh SQLite file in a temporary PEERPATH_DATA_DIR (or, with
DATABASE_URL, the given database emptied with ``flush``). Every step runs in its
own process, as ``make demo`` would run it. The baseline, measured in the same
run on the same kind of database, is a bare ``bulk_create`` of as many Person
rows as the scale has people, with no related rows, in the same transaction
chunks: the ratio says how much the whole seed costs against that floor.

The machine may be shared, so wall-clock seconds come with the CPU seconds the
child used and the load average before and after. Target (PERFORMANCE.md):
national in 5 minutes or less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NATIONAL_TARGET_SECONDS = 300
PEOPLE = {"small": 200, "regional": 5_000, "national": 300_000}

# Runs in a child process with Django set up: the floor the seed is compared with.
BASELINE = """
import sys, time, uuid, random
from datetime import date
import django
django.setup()
from django.db import transaction
from peerpath.core.seeding import DEFAULT_BATCH_SIZE, INSERT_BATCH
from peerpath.people.models import Area, Person
from peerpath.people.seeding import SWL_BOROUGHS
people, chunk = int(sys.argv[1]), int(sys.argv[2]) or DEFAULT_BATCH_SIZE
rng = random.Random(1)
area_ids = [Area.objects.get_or_create(code=code, defaults={"name": name})[0].id for code, name, _ in SWL_BOROUGHS]
started = time.perf_counter()
for start in range(0, people, chunk):
    rows = [
        Person(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            given_name="Alex",
            family_name=f"Baseline {number}",
            email=f"baseline.{number}@example.org",
            phone="07700 900123",
            date_of_birth=date(1970, 1, 1),
            postcode="SW17 0AB",
            area_id=area_ids[number % len(area_ids)],
        )
        for number in range(start, min(people, start + chunk))
    ]
    with transaction.atomic():
        Person.objects.bulk_create(rows, batch_size=INSERT_BATCH)
print(time.perf_counter() - started)
"""

COUNTS = """
import json
import django
django.setup()
from django.apps import apps
counts = {
    model._meta.label: model._default_manager.count()
    for model in apps.get_models()
    if model._meta.app_label in {"auth", "core", "people"} or model.__module__.startswith("peerpath.")
}
print(json.dumps({label: count for label, count in sorted(counts.items()) if count}))
"""


@dataclass
class Timed:
    seconds: float
    cpu_seconds: float
    stdout: str


def run(command: list[str], env: dict[str, str]) -> Timed:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(seconds, cpu, completed.stdout)


def fresh_database(env: dict[str, str], python: str) -> None:
    manage = [python, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v", "0"], env)
    if env.get("DATABASE_URL"):
        run([*manage, "flush", "--noinput", "-v", "0"], env)


def database_size(env: dict[str, str]) -> str:
    if env.get("DATABASE_URL"):
        return "n/a"
    path = Path(env["PEERPATH_DATA_DIR"]) / "peerpath.sqlite3"
    return f"{path.stat().st_size / 1e6:.0f} MB"


def bench_scale(scale: str, args: argparse.Namespace, python: str) -> dict[str, object]:
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"\n== {scale} on {database} (load average {os.getloadavg()[0]:.2f})", flush=True)
    results: dict[str, object] = {"scale": scale, "database": database}
    base_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "peerpath.config.settings.local"}

    with tempfile.TemporaryDirectory(prefix="peerpath-seedbench-") as baseline_dir:
        env = {**base_env, "PEERPATH_DATA_DIR": baseline_dir}
        fresh_database(env, python)
        baseline = run([python, "-c", BASELINE, str(PEOPLE[scale]), str(args.batch_size or 0)], env)
        print(f"baseline: bulk_create of {PEOPLE[scale]:,} bare Person rows: {baseline.seconds:.1f} s", flush=True)

    data_dir = tempfile.mkdtemp(prefix="peerpath-seedbench-")
    try:
        env = {**base_env, "PEERPATH_DATA_DIR": data_dir}
        fresh_database(env, python)
        command = [python, "manage.py", "seed_demo", "--scale", scale]
        if args.batch_size:
            command += ["--batch-size", str(args.batch_size)]
        before = json.loads(run([python, "-c", COUNTS], env).stdout)
        seeded = run(command, env)
        after = json.loads(run([python, "-c", COUNTS], env).stdout)
        # Rows the seed added (migrations already made permissions, content types and the boroughs).
        counts = {label: count - before.get(label, 0) for label, count in after.items() if count > before.get(label, 0)}
        size = database_size(env)
        if args.keep:
            print(f"kept the database in {data_dir}")
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    rows = sum(counts.values())
    ratio = seeded.seconds / baseline.seconds
    per_row_ratio = (seeded.seconds / rows) / (baseline.seconds / PEOPLE[scale])
    print(f"seed_demo --scale {scale}: {seeded.seconds:.1f} s wall, {seeded.cpu_seconds:.1f} s CPU, {size}")
    for label, count in counts.items():
        print(f"  {label:<32} {count:>10,}")
    print(f"  {'all rows':<32} {rows:>10,}  ({rows / seeded.seconds:,.0f} rows/s)")
    times_rows = rows / PEOPLE[scale]
    print(f"ratio to baseline: {ratio:.1f}x the time for {times_rows:.1f}x the rows ({per_row_ratio:.2f}x per row)")
    if scale == "national":
        verdict = "met" if seeded.seconds <= NATIONAL_TARGET_SECONDS else "MISSED"
        print(f"target national <= {NATIONAL_TARGET_SECONDS} s: {verdict}")
    print(f"load average after: {os.getloadavg()[0]:.2f}", flush=True)
    results.update(
        seconds=round(seeded.seconds, 1),
        cpu_seconds=round(seeded.cpu_seconds, 1),
        baseline_seconds=round(baseline.seconds, 2),
        ratio=round(ratio, 1),
        per_row_ratio=round(per_row_ratio, 2),
        rows=rows,
        counts=counts,
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", action="append", choices=list(PEOPLE), help="repeatable; regional and national")
    parser.add_argument("--batch-size", type=int, help="passed to seed_demo and the baseline (seed_demo's default)")
    parser.add_argument("--keep", action="store_true", help="keep the seeded SQLite database and print its folder")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    python = sys.executable
    results = [bench_scale(scale, args, python) for scale in args.scale or ["regional", "national"]]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
