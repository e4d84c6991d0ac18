"""Time the accreditation pages (candidates, a candidate's file, a portfolio, an award, the public
verification page, the issuer's DID document and status list) against a bare view.

Run from the repository root::

    .venv/bin/python bench/accreditation_bench.py                              # regional scale, SQLite
    .venv/bin/python bench/accreditation_bench.py --data-dir /tmp/pp-regional  # keep (or reuse) the seeded folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_accreditationbench \\
        .venv/bin/python bench/accreditation_bench.py                          # an existing database

It works as ``bench/delivery_bench.py`` does (``courses_bench.run_named_pages``): seed,
find the pages by URL name, count each page's queries in a test client, then time them
in shuffled rounds beside a bare view, the baseline of the same run. The candidate is
the assessor's candidate with the most evidence; the award is the demo peer tutor's.
A signing key is made first if the data folder has none, so the status list is served.
Targets (PERFORMANCE.md): p95 <= 150 ms and <= 5x the bare view's p95; queries constant
as rows grow (the tests check that).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USERS = ("assessor", "peer.tutor")
sys.path.insert(0, str(ROOT))

from bench.courses_bench import run_named_pages  # noqa: E402 - the repository root must be importable first

DISCOVER = """
import json, sys
import django
django.setup()
from bench.page_queries import count_queries
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from peerpath.accreditation import access
from peerpath.accreditation.models import Award, PortfolioEntry

call_command("credential_keys", "generate", "--if-missing")
assessor = User.objects.get(username="assessor")
candidate = (
    access.visible_candidates(assessor).annotate(n=Count("portfolio_entries")).order_by("-n", "pk").first()
)
award = Award.objects.filter(holder__user__username="peer.tutor").order_by("-valid_from").first()
if candidate is None or award is None:
    sys.exit("the seed has no candidate for the assessor or no award for the peer tutor")
pages = [
    ["candidates", "assessor", reverse("accreditation:candidate_list")],
    ["candidates to review", "assessor", reverse("accreditation:candidate_list") + "?show=review"],
    ["candidate file", "assessor", reverse("accreditation:candidate_detail", kwargs={"candidate_id": candidate.pk})],
    ["award page", "peer.tutor", reverse("accreditation:award_detail", kwargs={"award_id": award.pk})],
    ["your accreditation", "peer.tutor", reverse("accreditation:my_progress")],
    ["portfolio", "peer.tutor", reverse("accreditation:portfolio")],
    ["verification page", None, reverse("verify:award", kwargs={"code": award.verification_code})],
    ["DID document", None, reverse("issuer:did_document")],
    ["revocation list", None, reverse("issuer:status_list", kwargs={"purpose": "revocation"})],
]
counts = count_queries(pages)
found = {
    "candidate_entries": candidate.n,
    "awards": Award.objects.count(),
    "entries": PortfolioEntry.objects.count(),
    "people_in_scope": access.visible_candidates(assessor).count(),
}
print(json.dumps({"pages": pages, "queries": counts, "found": found}))
"""


def main() -> None:
    run_named_pages(
        doc=__doc__,
        title="accreditation pages",
        script=DISCOVER,
        describe=lambda found: (
            f"{found['found']['awards']:,} award periods, {found['found']['entries']:,} portfolio entries; "
            f"the candidate file has {found['found']['candidate_entries']} entries"
        ),
        summary=lambda found: {"found": found["found"]},
        users=USERS,
        default_port=8768,
        prefix="peerpath-accreditationbench-",
    )


if __name__ == "__main__":
    main()
