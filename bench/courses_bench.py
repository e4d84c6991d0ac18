"""Time the course list and the public prospectus, served by gunicorn, against a bare Django view.

Run from the repository root::

    .venv/bin/python bench/courses_bench.py                              # regional scale, SQLite
    .venv/bin/python bench/courses_bench.py --scale national --data-dir /tmp/pp-national
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_coursebench \\
        .venv/bin/python bench/courses_bench.py                          # an existing database

It works as ``bench/pages_bench.py`` does, and borrows its machinery: the database
is migrated and seeded with ``seed_demo`` (a seeded folder or database is reused),
gunicorn serves it with ``bench.bench_settings`` (2 workers x 4 threads), the demo
``coordinator`` (South West London Recovery College) and ``administrator`` sign in
through the real login form, and every page is requested in shuffled rounds over
one keep-alive connection, next to a bare view that is the baseline of the same run.

Pages are found by URL name (``courses:course_list``, ``prospectus:term``), never
by hard-coded paths. The prospectus is the South West London Recovery College's
term that contains the seed's anchor date (the latest published one otherwise).
Before timing, each page is requested once more in a Django test client with the
same user, to count its database queries (session and user lookups included).
Targets (PERFORMANCE.md): p95 <= 150 ms and <= 5x the bare view's p95; queries
constant as rows grow.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pages_bench import (  # noqa: E402 - the repository root must be importable first
    BARE_PATH,
    HOST,
    USERS,
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
from bench.page_queries import count_queries
from django.urls import reverse
from peerpath.core.seeding import previous_run
from peerpath.courses.models import Course, Term
from peerpath.people.seeding import SWL_COLLEGE
from datetime import date

event = previous_run()
anchor = date.fromisoformat((event.data or {}).get("anchor_date")) if event else date.today()
terms = Term.objects.filter(organisation__name=SWL_COLLEGE, published=True)
term = terms.filter(starts_on__lte=anchor, ends_on__gte=anchor).first() or terms.order_by("-starts_on").first()
if term is None:
    sys.exit("no published term for " + SWL_COLLEGE)
course_list = reverse("courses:course_list")
prospectus = reverse("prospectus:term", kwargs={"slug": term.slug})
pages = [
    ["course list", "coordinator", course_list],
    ["course list approved RC courses", "coordinator", course_list + "?status=approved&category=recovery_college"],
    ["course list", "administrator", course_list],
    ["course list page 5", "administrator", course_list + "?page=5"],
    ["course list search 'carers'", "administrator", course_list + "?q=carers"],
    ["prospectus term", None, prospectus],
    ["prospectus for carers, online", None, prospectus + "?audience=carers&mode=online"],
]
counts = count_queries(pages)
visible = {
    "coordinator": Course.objects.filter(owner__name=SWL_COLLEGE).count(),
    "administrator": Course.objects.count(),
    "term": term.courses.count(),
}
print(json.dumps({"pages": pages, "queries": counts, "term": term.name, "visible": visible}))
"""


def discover(
    env: dict[str, str], python: str, script: str, describe: Callable[[dict[str, Any]], str]
) -> tuple[list[Page], dict[str, int], dict[str, Any]]:
    """Run a discovery script (prints {"pages": [[name, user, path]], "queries": {...}, ...}) and list its pages."""
    found = json.loads(run([python, "-c", script], env).strip().splitlines()[-1])
    pages = [Page("bare view (baseline)", None, BARE_PATH)]
    for name, user, path in found["pages"]:
        pages.append(Page(f"{name} · {user or 'anonymous'}", user, path))
    print(describe(found), flush=True)
    return pages, found["queries"], found


def run_named_pages(
    *,
    doc: str | None,
    title: str,
    script: str,
    describe: Callable[[dict[str, Any]], str],
    summary: Callable[[dict[str, Any]], dict[str, Any]],
    users: tuple[str, ...] = USERS,
    default_port: int = 8766,
    prefix: str = "peerpath-bench-",
) -> None:
    """The command line shared by the page benches: seed, discover, serve, time, report."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="regional", choices=["small", "regional", "national"])
    parser.add_argument("--data-dir", type=Path, help="SQLite: use and keep this PEERPATH_DATA_DIR (seeded if empty)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed rounds over every page first (default 10)")
    parser.add_argument(
        "--port", type=int, default=default_port, help="preferred port on 127.0.0.1 (a free one otherwise)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed for the order of pages in each round")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if args.requests < 20 or args.requests > 10_000 or args.warmup < 0 or args.warmup > 1_000:
        parser.error("--requests must be 20..10000 and --warmup 0..1000")

    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix=prefix))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.bench_settings", "PEERPATH_DATA_DIR": str(data_dir)}
    load = os.getloadavg()[0]
    print(f"== {title} at {args.scale} scale on {database} ({os.cpu_count()} CPUs, load {load:.2f})")
    try:
        people = prepare_database(env, args.scale, sys.executable)
        pages, queries, found = discover(env, sys.executable, script, describe)
        port = free_port(args.port)
        base = f"http://{HOST}:{port}"
        log_path = data_dir / "gunicorn.log"
        with gunicorn(env, port, log_path):
            print(f"gunicorn on {base} (log {log_path})", flush=True)
            sessions = {user: sign_in(base, user) for user in users}
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
            result = {"scale": args.scale, "database": database, "people": people, **summary(found), "pages": rows}
            args.json.write_text(json.dumps(result, indent=2))
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    run_named_pages(
        doc=__doc__,
        title="course pages",
        script=DISCOVER,
        describe=lambda found: (
            f"prospectus: {found['term']} ({found['visible']['term']} courses); course list: "
            f"{found['visible']['coordinator']} courses owned by the coordinator's college, "
            f"{found['visible']['administrator']:,} in all"
        ),
        summary=lambda found: {"term": found["term"], "visible": found["visible"]},
        prefix="peerpath-coursebench-",
    )


if __name__ == "__main__":
    main()
