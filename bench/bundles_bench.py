"""Time exporting, reading, previewing and importing a programme bundle, against a lower bound.

Run from the repository root on a seeded database (``seed_demo --scale regional`` or
``national``; set ``PEERPATH_DATA_DIR`` and, for PostgreSQL, ``DATABASE_URL``)::

    PEERPATH_DATA_DIR=/tmp/pp-r .venv/bin/python bench/bundles_bench.py
    PEERPATH_DATA_DIR=/tmp/pp-r .venv/bin/python bench/bundles_bench.py --repeat 7 --guide

Figures are medians over ``--repeat`` runs, in milliseconds, and ratios against the lower
bound measured in the same run: the same rows read with ``values_list`` (courses, approved
versions, outlines, contributions grouped by course, stage and capacity, schemes,
frameworks, competencies, schedules and instrument documents), dumped as JSON and zipped,
with none of the exporter's objects. The guide (HTML and PDF) is left out unless
``--guide`` is given, since WeasyPrint's layout would swamp the rest.

Import runs in a transaction that is rolled back, for a new organisation each time.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerpath.config.settings.base")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from peerpath.accreditation.models import Competency, Scheme  # noqa: E402
from peerpath.bundles import exporting, importing, reading, writing  # noqa: E402
from peerpath.courses.models import Contribution, CourseVersion, OutlineSession  # noqa: E402
from peerpath.evaluation.models import InstrumentVersion, Schedule  # noqa: E402
from peerpath.people.models import Organisation  # noqa: E402
from peerpath.programmes.models import Programme  # noqa: E402


def median_ms(action: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def lower_bound(programme: Programme) -> bytes:
    """The same rows, read flat and zipped as JSON: what any export must at least do."""
    versions = list(
        CourseVersion.objects.filter(course__programme=programme, status="approved").values_list(
            "id", "course__title", "course__summary", "course__category", "learning_outcomes", "number"
        )
    )
    ids = [row[0] for row in versions]
    rows = {
        "versions": versions,
        "outline": list(
            OutlineSession.objects.filter(version_id__in=ids).values_list("version_id", "title", "description")
        ),
        "coproduction": list(
            Contribution.objects.filter(activity__course__programme=programme)
            .values_list("activity__course_id", "activity__stage", "capacity")
            .annotate(n=Count("pk"), hours=Sum("hours"))
            .order_by()
        ),
        "schemes": list(Scheme.objects.filter(programme=programme).values()),
        "competencies": list(
            Competency.objects.filter(framework__schemes__programme=programme).values_list("code", "title", "statement")
        ),
        "schedules": list(Schedule.objects.filter(organisation__isnull=True).values_list("category", "timepoint")),
        "instruments": list(InstrumentVersion.objects.filter(status="published").values_list("definition", flat=True)),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("all.json", json.dumps(rows, default=str))
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--guide", action="store_true", help="render the guide (HTML and PDF) as part of the export")
    args = parser.parse_args()
    programme = Programme.objects.select_related("owner").order_by("owner__name").first()
    if programme is None:
        sys.exit("No programme: seed the database first (manage.py seed_demo --scale regional).")
    print(f"{connection.vendor}, programme '{programme}' of {programme.owner}: {programme.courses.count():,} courses")

    with CaptureQueriesContext(connection) as queries:
        exporting.export(programme)
    base_ms, base = median_ms(lambda: lower_bound(programme), args.repeat)

    def export() -> bytes:
        bundle = exporting.export(programme)
        guide = {}
        if args.guide:
            from peerpath.bundles import guide as guides

            guide = guides.files(bundle)
        return writing.write(bundle, exported_at=timezone.now(), guide=guide)

    export_ms, content = median_ms(export, args.repeat)
    assert isinstance(content, bytes)
    read_ms, bundle = median_ms(lambda: reading.read(content), args.repeat)
    counter = iter(range(10_000))

    other = Organisation.objects.exclude(pk=programme.owner_id).order_by("name").first() or programme.owner

    def preview() -> object:
        return importing.preview(bundle, owner=other)  # type: ignore[arg-type]

    preview_ms, _ = median_ms(preview, args.repeat)
    admin = django.contrib.auth.get_user_model().objects.filter(is_superuser=True).first()

    def import_once() -> None:
        with transaction.atomic():
            owner = Organisation.objects.create(name=f"Benchmark organisation {next(counter)}", kind="other")
            plan = importing.preview(bundle, owner=owner)  # type: ignore[arg-type]
            answers = {conflict.key: importing.USE_BUNDLE for conflict in plan.conflicts}
            importing.import_bundle(actor=admin, bundle=bundle, owner=owner, resolutions=answers)  # type: ignore[arg-type]
            transaction.set_rollback(True)

    import_ms, _ = median_ms(import_once, args.repeat)
    print(f"bundle: {len(content):,} bytes; lower bound archive {len(base):,} bytes")  # type: ignore[arg-type]
    print(f"export queries: {len(queries)}")
    print(f"{'step':<28}{'median ms':>12}{'x lower bound':>16}")
    print(f"{'lower bound (read + zip)':<28}{base_ms:>12.1f}{1:>16.2f}")
    for label, value in (
        ("export" + (" with guide" if args.guide else ""), export_ms),
        ("read and check", read_ms),
        ("preview", preview_ms),
        ("import (rolled back)", import_ms),
    ):
        print(f"{label:<28}{value:>12.1f}{value / base_ms:>16.2f}")


if __name__ == "__main__":
    main()
