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

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USERS = ("coordinator", "administrator", "participant")
sys.path.insert(0, str(ROOT))

from bench.courses_bench import run_named_pages  # noqa: E402 - the repository root must be importable first

# Runs in a child process with the bench settings: resolves the pages by URL name and
# counts each page's queries through the whole middleware stack. Prints one JSON object.
DISCOVER = """
import json, sys
import django
django.setup()
from bench.page_queries import count_queries
from django.db.models import Count
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
counts = count_queries(pages)
found = {
    "run": str(run), "people": run.people, "sessions": run.sessions.count(),
    "runs": CourseRun.objects.count(),
}
print(json.dumps({"pages": pages, "queries": counts, "found": found}))
"""


def main() -> None:
    run_named_pages(
        doc=__doc__,
        title="delivery pages",
        script=DISCOVER,
        describe=lambda found: (
            f"run page and register: {found['found']['run']} ({found['found']['people']} people, "
            f"{found['found']['sessions']} sessions); {found['found']['runs']:,} runs in all"
        ),
        summary=lambda found: {"found": found["found"]},
        users=USERS,
        default_port=8767,
        prefix="peerpath-deliverybench-",
    )


if __name__ == "__main__":
    main()
