"""Time the delivery pages (runs, a run, a register, my courses, the prospectus with runs) against a bare view.

Run from the repository root::

    .venv/bin/python bench/delivery_bench.py                              # regional scale, SQLite
    .venv/bin/python bench/delivery_bench.py --data-dir /tmp/pp-regional  # keep (or reuse) the seeded folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_deliverybench \\
        .venv/bin/python bench/delivery_bench.py                          # an existing database

It works as ``bench/courses_bench.py`` does and borrows ``bench/pages_bench.py``'s
machinery: the database is migrated and seeded with ``seed_demo`` (reused when
already seeded), gunicorn serves it with ``bench.bench_settings`` (2 workers x 4
threads), the demo users sign in through the real login form, and every page is
requested in shuffled rounds over one keep-alive connection next to a bare view,
the baseline of the same run.

Pages are found by URL name. The run is the South West London Recovery College's
run with the most people on it; the register is its first session's. Before
timing, each page is requested once more in a Django test client with the same
user, to count its database queries (session and user lookups included); the
issue asks for the run list, run page and register query counts at ``regional``.
Targets (PERFORMANCE.md): p95 <= 150 ms and <= 5x the bare view's p95; queries
constant as rows grow (the tests check that).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USERS = ("coordinator", "administrator", "participant")
sys.path.insert(0, str(ROOT))

from bench.pages_bench import (  # noqa: E402 - the repository root must be importable first
    BARE_PATH,
    HOST,
    Client,
    Page,
    free_port,
    gunicorn,
    measure,
    prepare_database,
    report,
    run,
    sign_in,
)

# Runs in a child process with the bench settings: resolves the pages by URL name and
# counts each page's queries through the whole middleware stack. Prints one JSON object.
DISCOVER = """
import json, sys
import django
django.setup()
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from peerpath.delivery.models import CourseRun
from peerpath.people.seeding import SWL_COLLEGE

runs = CourseRun.objects.filter(organisation__name=SWL_COLLEGE).annotate(people=Count("enrolments"))
run = runs.order_by("-people", "pk").first()
if run is None:
    sys.exit("no runs for " + SWL_COLLEGE)
session = run.sessions.order_by("number").first()
listed = CourseRun.objects.filter(status__in=("open", "full"), term__published=True).order_by("pk").first()
run_list = reverse("delivery:run_list")
pages = [
    ["run list", "coordinator", run_list],
    ["run list, full runs", "coordinator", run_list + "?status=full"],
    ["run list", "administrator", run_list],
    ["run list page 5", "administrator", run_list + "?page=5"],
    ["run page", "coordinator", reverse("delivery:run_detail", kwargs={"pk": run.pk})],
    ["register", "coordinator", reverse("delivery:register", kwargs={"pk": run.pk, "session_id": session.pk})],
    ["my courses", "participant", reverse("delivery:my_courses")],
]
if listed is not None:
    pages.append(["prospectus term with runs", None, reverse("prospectus:term", kwargs={"slug": listed.term.slug})])
counts = {}
for name, username, path in pages:
    client = Client(HTTP_HOST="127.0.0.1")
    if username:
        client.force_login(User.objects.get(username=username))
    client.get(path)  # warm caches that later requests would find warm too
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        sys.exit(f"{name}: HTTP {response.status_code} for {path}")
    counts[f"{name} · {username or 'anonymous'}"] = len(queries)
found = {
    "run": str(run), "people": run.people, "sessions": run.sessions.count(),
    "runs": CourseRun.objects.count(),
}
print(json.dumps({"pages": pages, "queries": counts, "found": found}))
"""


def discover(env: dict[str, str], python: str) -> tuple[list[Page], dict[str, int], dict[str, object]]:
    found = json.loads(run([python, "-c", DISCOVER], env).strip().splitlines()[-1])
    pages = [Page("bare view (baseline)", None, BARE_PATH)]
    for name, user, path in found["pages"]:
        pages.append(Page(f"{name} · {user or 'anonymous'}", user, path))
    facts = found["found"]
    print(
        f"run page and register: {facts['run']} ({facts['people']} people, {facts['sessions']} sessions); "
        f"{facts['runs']:,} runs in all",
        flush=True,
    )
    return pages, found["queries"], found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="regional", choices=["small", "regional", "national"])
    parser.add_argument("--data-dir", type=Path, help="SQLite: use and keep this PEERPATH_DATA_DIR (seeded if empty)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed rounds over every page first (default 10)")
    parser.add_argument("--port", type=int, default=8767, help="preferred port on 127.0.0.1 (a free one otherwise)")
    parser.add_argument("--seed", type=int, default=2026, help="seed for the order of pages in each round")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if args.requests < 20 or args.requests > 10_000 or args.warmup < 0 or args.warmup > 1_000:
        parser.error("--requests must be 20..10000 and --warmup 0..1000")

    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="peerpath-deliverybench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.bench_settings", "PEERPATH_DATA_DIR": str(data_dir)}
    print(
        f"== delivery pages at {args.scale} scale on {database} ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f})"
    )
    try:
        people = prepare_database(env, args.scale, sys.executable)
        pages, queries, found = discover(env, sys.executable)
        port = free_port(args.port)
        base = f"http://{HOST}:{port}"
        log_path = data_dir / "gunicorn.log"
        with gunicorn(env, port, log_path):
            print(f"gunicorn on {base} (log {log_path})", flush=True)
            sessions = {user: sign_in(base, user) for user in USERS}
            client = Client(port, sessions)
            results = measure(client, pages, args.warmup, args.requests, args.seed)
        rows = report(results, database, people)
        print("\nqueries per page (Django test client, same user, second request):")
        for name, count in queries.items():
            print(f"  {name:<52} {count:>3}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        if args.json:
            for row in rows:
                row["queries"] = queries.get(str(row["page"]))
            summary = {
                "scale": args.scale,
                "database": database,
                "people": people,
                "found": found["found"],
                "pages": rows,
            }
            args.json.write_text(json.dumps(summary, indent=2))
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
