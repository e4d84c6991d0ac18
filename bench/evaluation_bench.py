"""Time the evaluation pages (a coordinator's runs, a run's evaluation, safety alerts, an
invitation link's overview and questionnaire, a carer's own questionnaires and scores, and
the FHIR resources) against a bare view.

Run from the repository root::

    .venv/bin/python bench/evaluation_bench.py                              # regional scale, SQLite
    .venv/bin/python bench/evaluation_bench.py --data-dir /tmp/pp-regional  # keep (or reuse) the seeded folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_evaluationbench \\
        .venv/bin/python bench/evaluation_bench.py                          # an existing database

It works as ``bench/delivery_bench.py`` does (``courses_bench.run_named_pages``): seed,
find the pages by URL name, count each page's queries in a test client, then time them
in shuffled rounds beside a bare view, the baseline of the same run. The run is the
demo coordinator's run with the most responses; the link is an open invitation of that
coordinator's organisation (one is made, as the invitation job would, if the seed's
"today" has none left open); the FHIR response is the complete one with the most answers.
Targets (PERFORMANCE.md): p95 <= 150 ms and <= 5x the bare view's p95; queries constant
as rows grow (the tests check that).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USERS = ("coordinator", "participant", "evaluator")
sys.path.insert(0, str(ROOT))

from bench.courses_bench import run_named_pages  # noqa: E402 - the repository root must be importable first

DISCOVER = """
import json, sys
from datetime import timedelta
import django
django.setup()
from bench.page_queries import count_queries
from django.contrib.auth.models import User
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from peerpath.evaluation import access, fhir, invitations, tokens
from peerpath.evaluation.models import InstrumentVersion, Invitation, Response
from peerpath.evaluation.definitions import parse

coordinator = User.objects.get(username="coordinator")
runs = access.evaluated_runs(coordinator).annotate(n=Count("questionnaire_responses")).order_by("-n", "pk")
run = runs.first()
if run is None or run.n == 0:
    sys.exit("the seed has no evaluated run for the coordinator")
now = timezone.now()
link = Invitation.objects.filter(
    status="open", expires_at__gt=now, run__organisation_id=run.organisation_id
).order_by("pk").first()
if link is None:
    enrolled = run.enrolments.order_by("pk").first()
    versions = [InstrumentVersion.objects.get(code=code, status="published") for code in ("gse", "phq9")]
    link = invitations.create_invitation(
        person=enrolled.person, run=run, timepoint="other", versions=versions, expires_at=now + timedelta(days=28)
    )
token = tokens.token_for(link)
response = (
    Response.objects.filter(status="complete", run__organisation_id=run.organisation_id)
    .annotate(n=Count("answers")).order_by("-n", "pk").first()
)
questionnaire_id = fhir.questionnaire_id(parse(response.instrument_version.definition))
pages = [
    ["evaluation runs", "coordinator", reverse("evaluation:index")],
    ["run evaluation", "coordinator", reverse("evaluation:run", kwargs={"run_id": run.pk})],
    ["safety alerts", "coordinator", reverse("evaluation:alerts")],
    ["link overview", None, reverse("questionnaires:invitation", kwargs={"link_token": token})],
    ["questionnaire", None, reverse("questionnaires:answer", kwargs={"link_token": token, "position": 1})],
    ["your questionnaires", "participant", reverse("questionnaires:mine")],
    ["your scores", "participant", reverse("questionnaires:my_scores")],
    ["FHIR Questionnaire", "evaluator", reverse("fhir:questionnaire", kwargs={"questionnaire_id": questionnaire_id})],
    ["FHIR QuestionnaireResponse", "evaluator",
     reverse("fhir:questionnaire_response", kwargs={"response_id": response.pk})],
]
counts = count_queries(pages)
found = {
    "responses": Response.objects.count(),
    "invitations": Invitation.objects.count(),
    "run_responses": run.n,
    "answers": response.n,
}
print(json.dumps({"pages": pages, "queries": counts, "found": found}))
"""


def main() -> None:
    run_named_pages(
        doc=__doc__,
        title="evaluation pages",
        script=DISCOVER,
        describe=lambda found: (
            f"{found['found']['responses']:,} responses, {found['found']['invitations']:,} invitations; "
            f"the run has {found['found']['run_responses']} responses"
        ),
        summary=lambda found: {"found": found["found"]},
        users=USERS,
        default_port=8769,
        prefix="peerpath-evaluationbench-",
    )


if __name__ == "__main__":
    main()
