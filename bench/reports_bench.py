"""Time the report pages and the programme report, and the outcomes figures against a lower bound.

Run from the repository root::

    .venv/bin/python bench/reports_bench.py --requests 40                   # regional scale, SQLite
    .venv/bin/python bench/reports_bench.py --data-dir /tmp/pp-reports-regional --requests 40
    createdb -h 127.0.0.1 -U postgres pp_reportsbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_reportsbench \\
        .venv/bin/python bench/reports_bench.py --requests 40               # an existing database
    .venv/bin/python bench/reports_bench.py --scale national --data-dir /tmp/pp-reports-national \\
        --requests 20 --warmup 2 --repeats 2 --rounds 7
    PEERPATH_REPORT_CACHE_SECONDS=0 .venv/bin/python bench/reports_bench.py ...  # pages without the section cache

Three measurements, all at one scale on one database:

1. **Pages**, through ``courses_bench.run_named_pages`` as the other page benches: the
   report dashboard, the reach and outcomes pages and the SWEMWBS outcomes broken down by
   course, as the demo ``evaluator`` (disclosure-controlled figures) and ``coordinator``
   (exact figures for their own college), beside the bare view; p50, p95, their ratios to
   the bare view's, and each page's queries. The sections are cached by data version
   (``presenting.build_section``), so with the settings' cache on these are the pages a
   reader gets while nothing has changed; run again with ``PEERPATH_REPORT_CACHE_SECONDS=0``
   for the pages built from the data, as the first reader after any change gets them.
2. **The programme report** for the evaluator over the default period (the year to today):
   a ``ReportBuild`` row made as ``programme.request_report`` makes it (without queueing
   the task), then ``programme.build_report`` called directly, end to end: every section,
   the outcome breakdowns, the HTML, the PDF and the workbook. The section cache is off
   for these builds: one untimed build first (templates, fonts), then ``--repeats`` timed
   ones; when the settings turn the cache on, one more build is timed after a build that
   filled it. Each step is timed inside those same
   builds by wrapping the functions ``build_report`` calls, so the steps add up to the
   whole; the builds are deleted afterwards, so the dashboard's "your reports" list stays
   as the seed left it.
3. **The outcomes figures against a hand-written lower bound** (PERFORMANCE.md: "<= 2x a
   hand-written lower bound, one SQL aggregate + numpy over the same rows, same run"). The
   lower bound fetches the same scores the section pairs (``pairs.score_pairs``) in ONE
   query, ordered so that each person's run is a block, and pairs and summarises them with
   numpy alone: means and SDs before and after, the mean change and its t interval, t and
   its p (scipy once per measure), d_z, d_av and the reliable-change counts. It does not
   do the Wilcoxon test or the noncentral-t intervals of the effect sizes; a second
   variant ("+ same statistics") calls ``reports.stats`` for them, so the gap can be split
   between fetching and pairing and the statistics. A third ("raw cursor") runs the same
   SQL through a bare cursor, without Django's row handling: the floor under any
   ORM-based pairing. The section and each variant run interleaved, in shuffled order,
   ``--rounds`` times; medians and minimums are compared. Before timing, every variant's pairs, lost
   count and mean change per measure are checked against the section's; a disagreement
   stops the bench, since a comparison of different answers would mean nothing.
   The same is done for the programme report's outcome breakdowns (every measure by
   course category: the section runs once per measure, the lower bound once for all).
   The instruments' headline scales and newest scoring versions are looked up once,
   before timing, for both sides (the section is given ``known`` as the programme report
   gives it). The other sections (reach, service use, co-production, accreditation)
   have no hand-written lower bound here, so the programme report as a whole is not
   compared with one; the table says how much of it the outcomes part is.

Steps 2 and 3 run in the discovery child before gunicorn starts, so they do not compete
with the server. The machine may be shared: every figure comes with the load average.
The header also says whether the section cache is on, how many threads numpy's BLAS
uses (secondary suppression's SVDs slow down by two orders of magnitude when its threads
fight the server's for the cores) and, on SQLite, whether the database has planner
statistics (``ANALYZE``): without them SQLite reads the outcomes' scores through the
instrument index, every score in the installation, instead of through the scope's runs.
Targets (PERFORMANCE.md): page p95 <= 150 ms and <= 5x the bare view's p95 at national
scale; outcomes report and programme report <= 2x the lower bound.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
USERS = ("evaluator", "coordinator")
TARGET_RATIO_TO_LOWER_BOUND = 2.0
# The agreement check's tolerance on a mean change: float sums in another order.
MEAN_TOLERANCE = 1e-9
sys.path.insert(0, str(ROOT))

from bench.courses_bench import run_named_pages  # noqa: E402 - the repository root must be importable first

# Runs in a child process with the bench settings (see ``courses_bench.discover``): resolves the
# pages by URL name, counts their queries, then times the programme report and the lower bounds.
DISCOVER = """
import json
import django
django.setup()
from bench.page_queries import count_queries
from bench.reports_bench import time_reports
from django.urls import reverse

dashboard = reverse("reports:dashboard")
reach = reverse("reports:section", kwargs={"key": "reach"})
outcomes = reverse("reports:section", kwargs={"key": "outcomes"})
pages = []
for user in ("evaluator", "coordinator"):
    pages += [
        ["dashboard", user, dashboard],
        ["reach", user, reach],
        ["outcomes summary", user, outcomes],
        ["outcomes SWEMWBS by course", user, outcomes + "?instrument=swemwbs&by=course"],
    ]
counts = count_queries(pages)
timings = time_reports(repeats=__REPEATS__, rounds=__ROUNDS__)
print(json.dumps({"pages": pages, "queries": counts, "timings": timings}))
"""


# Step 2: the programme report ----------------------------------------------------------------------


@contextmanager
def _patched(target: Any, name: str, wrapper: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Iterator[None]:
    original = getattr(target, name)
    setattr(target, name, wrapper(original))
    try:
        yield
    finally:
        setattr(target, name, original)


def _timer(steps: dict[str, float], label: Callable[..., str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a function so that its time is added to ``steps[label(*args, **kwargs)]``."""

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                key = label(*args, **kwargs)
                steps[key] = steps.get(key, 0.0) + time.perf_counter() - started

        return timed

    return wrap


@contextmanager
def _step_timers(steps: dict[str, float]) -> Iterator[None]:
    """Time each step ``programme.build_report`` takes, inside the real call.

    ``programme`` calls these through module attributes at call time, so swapping the
    attributes is enough; the outcomes summary is built through ``presenting.SECTIONS``,
    which holds the original ``outcomes.build``, so only the breakdowns reach the wrapper.
    """
    from peerpath.core import pdf
    from peerpath.reports import exports, programme
    from peerpath.reports.sections import outcomes

    with (
        _patched(programme, "read_filters", _timer(steps, lambda *a, **k: "filters (organisations, terms, courses)")),
        _patched(programme, "build_section", _timer(steps, lambda key, *a, **k: f"section: {key}")),
        _patched(outcomes, "build", _timer(steps, lambda *a, **k: "section: outcomes by category, each measure")),
        _patched(programme, "show", _timer(steps, lambda *a, **k: "disclosure control and charts")),
        _patched(programme, "render_document", _timer(steps, lambda *a, **k: "HTML document (Jinja)")),
        _patched(pdf, "html_to_pdf", _timer(steps, lambda *a, **k: "PDF (WeasyPrint)")),
        _patched(exports, "xlsx_bytes", _timer(steps, lambda *a, **k: "XLSX (openpyxl)")),
    ):
        yield


def _one_programme_build(user: Any, steps: dict[str, float]) -> tuple[float, dict[str, int]]:
    """Ask for and build one programme report as ``user``; its seconds and document sizes."""
    from peerpath.reports import programme
    from peerpath.reports.models import ReportBuild
    from peerpath.reports.presenting import SECTIONS

    build = ReportBuild.objects.create(
        requested_by=user, filters={}, title="Programme report", steps_total=len(SECTIONS) + programme.EXTRA_STEPS
    )
    try:
        with _step_timers(steps):
            started = time.perf_counter()
            programme.build_report(build.pk)
            seconds = time.perf_counter() - started
        build.refresh_from_db()
        if build.status != ReportBuild.Status.DONE:
            raise SystemExit(f"the programme report failed: {build.error} (see the log)")
        sizes = {"html": len(build.html), "pdf": len(bytes(build.pdf or b"")), "xlsx": len(bytes(build.xlsx or b""))}
    finally:
        build.delete()
    steps["progress saves and the rest"] = seconds - sum(steps.values())
    return seconds, sizes


def time_programme(user: Any, repeats: int) -> dict[str, Any]:
    """Builds with the section cache off (every figure built from the data), then, when the
    settings turn it on, one more after a build that filled it (a report asked for again
    before anything changed)."""
    from django.conf import settings
    from django.test.utils import override_settings

    with override_settings(PEERPATH_REPORT_CACHE_SECONDS=0):
        cold, sizes = _one_programme_build(user, {})  # templates, fonts, imports
        totals: list[float] = []
        steps: list[dict[str, float]] = []
        for _ in range(repeats):
            these: dict[str, float] = {}
            seconds, sizes = _one_programme_build(user, these)
            totals.append(seconds)
            steps.append(these)
    cached: dict[str, Any] | None = None
    if settings.PEERPATH_REPORT_CACHE_SECONDS:
        _one_programme_build(user, {})
        cached_steps: dict[str, float] = {}
        cached_seconds, _ = _one_programme_build(user, cached_steps)
        cached = {"seconds": cached_seconds, "steps_s": cached_steps}
    labels = list(steps[0])
    return {
        "first_s": cold,
        "seconds": totals,
        "median_s": statistics.median(totals),
        "steps_median_s": {label: statistics.median(these.get(label, 0.0) for these in steps) for label in labels},
        "sizes": sizes,
        "cached": cached,
    }


def setup_facts() -> dict[str, Any]:
    """What shapes the figures besides the code: the section cache and SQLite's planner statistics."""
    from django.conf import settings
    from django.db import connection

    facts: dict[str, Any] = {
        "cache_seconds": settings.PEERPATH_REPORT_CACHE_SECONDS,
        "cache_backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "blas_threads": blas_threads(),
        "sqlite_statistics": None,
    }
    if connection.vendor == "sqlite":
        # Without ANALYZE SQLite plans blind (PostgreSQL's autovacuum, or the bench, analyses).
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            facts["sqlite_statistics"] = bool(cursor.fetchone()[0])
    return facts


# Step 3: the hand-written lower bound for the outcomes figures -----------------------------------


@dataclass(frozen=True)
class Measure:
    """A measure's headline scale as the section picks it, looked up once before timing."""

    code: str
    scale: str
    scoring_version: int
    # Reliable change: reference SD and reliability (None without), direction, cut-off.
    sd: float | None
    reliability: float | None
    higher_is_better: bool
    cutoff: float | None


def measures_for_bound() -> dict[str, Measure]:
    from django.db.models import Max

    from peerpath.evaluation.models import Score
    from peerpath.reports.sections import outcomes

    known = outcomes.measures()
    versions = dict(
        Score.objects.filter(instrument_code__in=list(known))
        .values_list("instrument_code")
        .annotate(v=Max("scoring_version"))
        .order_by()
    )
    found = {}
    for code, instrument in known.items():
        scale = outcomes.headline_scale(instrument)
        change, cutoff = scale.reliable_change, scale.clinical_cutoff
        found[code] = Measure(
            code=code,
            scale=scale.code,
            scoring_version=versions.get(code, 0),
            sd=float(change.sd) if change else None,
            reliability=float(change.reliability) if change else None,
            higher_is_better=scale.direction == "higher_is_better",
            cutoff=float(cutoff.value) if cutoff else None,
        )
    return found


def _bound_rows(scope: Any, measures: dict[str, Measure], *, by_category: bool) -> Any:
    """The one query: each wanted score with its person, run, timepoint and the run's status.

    Ordered by measure, person, run and completion, so that a person's run is one block of
    rows and the later of two completions at a timepoint comes last in it. Keys come as text
    and scores as floats, cast by the database, as ``pairs.score_pairs`` reads them: a UUID
    or a Decimal built per row would make the bound slower than the section it bounds.
    """
    from django.db.models import CharField, FloatField, Q
    from django.db.models.functions import Cast

    from peerpath.evaluation.models import Response, Score, Timepoint

    wanted = Q()
    for measure in measures.values():
        wanted |= Q(instrument_code=measure.code, scale_code=measure.scale, scoring_version=measure.scoring_version)
    fields = ["instrument_code", "person", "run", "response__timepoint", "number", "response__run__status"]
    if by_category:
        fields.append("response__run__version__course__category")
    return (
        Score.objects.filter(
            wanted,
            response__status=Response.Status.COMPLETE,
            response__run__in=scope.runs().values("pk"),
            response__timepoint__in=(Timepoint.BASELINE, Timepoint.END),
        )
        .filter(scope.people_filter("response__person__"))
        .annotate(
            person=Cast("response__person_id", output_field=CharField()),
            run=Cast("response__run_id", output_field=CharField()),
            number=Cast("value", output_field=FloatField()),
        )
        .values_list(*fields)
        .order_by("instrument_code", "response__person_id", "response__run_id", "response__completed_at", "pk")
    )


@dataclass
class Blocks:
    """One entry per (measure, person, run): the last score before and after (NaN when none)."""

    code: Any  # numpy object array
    finished: Any  # numpy bool array: the run has finished
    group: Any  # numpy object array (category) or None
    before: Any  # numpy float array
    after: Any


def _last_in_block(block: Any, keep: Any, values: Any, size: int) -> Any:
    """Per block, the value of its last row where ``keep`` is true; NaN for a block without one."""
    import numpy as np

    out = np.full(size, np.nan)
    rows = np.flatnonzero(keep)
    if rows.size:
        ids = block[rows]
        last = np.ones(rows.size, dtype=bool)
        last[:-1] = ids[1:] != ids[:-1]
        out[ids[last]] = values[rows[last]]
    return out


def pair_blocks(rows: Sequence[Sequence[Any]], *, by_category: bool) -> Blocks:
    """Pair the rows of ``_bound_rows`` with numpy: block boundaries by comparing neighbours."""
    import numpy as np

    if not rows:
        empty = np.empty(0)
        return Blocks(np.empty(0, dtype=object), np.empty(0, dtype=bool), None, empty, empty)
    columns = list(zip(*rows, strict=True))
    code, person, run, point = (np.array(column, dtype=object) for column in columns[:4])
    values = np.array(columns[4], dtype=float)
    status = np.array(columns[5], dtype=object)
    starts = np.ones(code.size, dtype=bool)
    starts[1:] = (code[1:] != code[:-1]) | (person[1:] != person[:-1]) | (run[1:] != run[:-1])
    block = np.cumsum(starts) - 1
    size = int(block[-1]) + 1
    return Blocks(
        code=code[starts],
        finished=status[starts] == "completed",
        # A run without a category would be None: "" keeps the array comparable, as group_label reads it.
        group=np.array([value or "" for value in columns[6]], dtype=object)[starts] if by_category else None,
        before=_last_in_block(block, point == "baseline", values, size),
        after=_last_in_block(block, point == "end", values, size),
    )


def summarise(before: Any, after: Any, lost: int, measure: Measure) -> dict[str, Any]:
    """The lower bound's figures for one set of pairs: numpy, and scipy's t once."""
    import numpy as np
    from scipy import stats  # type: ignore[import-untyped]

    n = int(before.size)
    row: dict[str, Any] = {"pairs": n, "lost": lost}
    if n < 2:
        return row
    change = after - before
    mean, sd = float(change.mean()), float(change.std(ddof=1))
    sd_before, sd_after = float(before.std(ddof=1)), float(after.std(ddof=1))
    quantile = float(stats.t.ppf(0.975, n - 1))
    row.update(
        before_mean=float(before.mean()),
        before_sd=sd_before,
        after_mean=float(after.mean()),
        after_sd=sd_after,
        change=mean,
        change_low=mean - quantile * sd / math.sqrt(n),
        change_high=mean + quantile * sd / math.sqrt(n),
    )
    if sd > 0:
        t = mean / (sd / math.sqrt(n))
        row.update(t=t, p_t=float(2 * stats.t.sf(abs(t), n - 1)), d_z=mean / sd)
    if sd_before + sd_after > 0:
        row["d_av"] = mean / ((sd_before + sd_after) / 2)
    if measure.sd is not None and measure.reliability is not None:
        spread = math.sqrt(2) * measure.sd * math.sqrt(1 - measure.reliability)
        better = change if measure.higher_is_better else -change
        improved = better / spread > 1.96
        deteriorated = better / spread < -1.96
        recovered = np.zeros(n, dtype=bool)
        if measure.cutoff is not None:
            if measure.higher_is_better:
                recovered = improved & (before <= measure.cutoff) & (measure.cutoff < after)
            else:
                recovered = improved & (before >= measure.cutoff) & (measure.cutoff > after)
        row.update(
            recovered=int(recovered.sum()),
            improved=int((improved & ~recovered).sum()),
            deteriorated=int(deteriorated.sum()),
        )
    return row


def summarise_with_project_statistics(before: Any, after: Any, lost: int, measure: Measure) -> dict[str, Any]:
    """The same pairs through ``reports.stats`` (Wilcoxon, noncentral-t intervals too)."""
    from peerpath.reports import stats as report_stats

    row: dict[str, Any] = {"pairs": int(before.size), "lost": lost}
    result = report_stats.paired(before, after)
    if result is not None:
        row["change"] = result.mean_change
        row["result"] = result
    if measure.sd is not None and measure.reliability is not None and before.size:
        _, counts = report_stats.reliable_change(
            before,
            after,
            sd=measure.sd,
            reliability=measure.reliability,
            direction="higher_is_better" if measure.higher_is_better else "higher_is_worse",
            cutoff=measure.cutoff,
        )
        row["improved"] = counts.improved
    return row


Summariser = Callable[[Any, Any, int, Measure], dict[str, Any]]


def figures(blocks: Blocks, measures: dict[str, Measure], summariser: Summariser) -> dict[tuple[str, Any], Any]:
    """Per measure (and per category, with groups): the summary of its complete pairs.

    Keys are (code, None) for a measure's whole set and (code, category) per group.
    """
    import numpy as np

    has_before, has_after = ~np.isnan(blocks.before), ~np.isnan(blocks.after)
    complete = has_before & has_after
    lost = has_before & ~has_after & blocks.finished
    out: dict[tuple[str, Any], Any] = {}
    for code, measure in measures.items():
        mine = blocks.code == code
        keys: list[tuple[Any, Any]] = [(None, mine)]
        if blocks.group is not None:
            present = blocks.group[mine & (complete | lost)]
            keys += [(group, mine & (blocks.group == group)) for group in sorted(set(present))]
        for group, where in keys:
            pairs = where & complete
            out[(code, group)] = summariser(
                blocks.before[pairs], blocks.after[pairs], int((where & lost).sum()), measure
            )
    return out


def lower_bound(scope: Any, measures: dict[str, Measure], *, by_category: bool = False) -> dict[tuple[str, Any], Any]:
    """One query through the ORM, numpy pairing, numpy and scipy-t figures."""
    rows = list(_bound_rows(scope, measures, by_category=by_category))
    return figures(pair_blocks(rows, by_category=by_category), measures, summarise)


def lower_bound_with_project_statistics(scope: Any, measures: dict[str, Measure]) -> dict[tuple[str, Any], Any]:
    rows = list(_bound_rows(scope, measures, by_category=False))
    return figures(pair_blocks(rows, by_category=False), measures, summarise_with_project_statistics)


def raw_cursor_floor(scope: Any, measures: dict[str, Measure]) -> dict[tuple[str, Any], Any]:
    """The same SQL through a bare cursor: no Django row handling or converters."""
    from django.db import connection

    sql, params = _bound_rows(scope, measures, by_category=False).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return figures(pair_blocks(rows, by_category=False), measures, summarise)


def _check_summary(section: Any, bound: dict[tuple[str, Any], Any], label: str, measures: dict[str, Measure]) -> None:
    """Stop unless the bound's pairs, lost and mean change agree with the section's summary table."""
    table = section.table("summary")
    for row, code in zip(table.rows, measures, strict=True):
        _agree(row, bound[(code, None)], f"{label}, {code}")


def _check_breakdown(details: dict[str, Any], bound: dict[tuple[str, Any], Any]) -> None:
    from peerpath.reports.sections.pairs import group_label

    for code, section in details.items():
        if section.empty:
            continue
        table = section.table("change")
        by_label = {row["group"]: row for row in table.rows}
        mine = {
            group_label("category", group): row for (c, group), row in bound.items() if c == code and group is not None
        }
        if set(by_label) != set(mine):
            raise SystemExit(f"lower bound by category, {code}: groups {sorted(mine)} != section's {sorted(by_label)}")
        for name, row in by_label.items():
            _agree(row, mine[name], f"lower bound by category, {code}, {name}")
        _agree(table.total, bound[(code, None)], f"lower bound by category, {code}, all")


def _agree(section_row: dict[str, Any], bound_row: dict[str, Any], label: str) -> None:
    same = section_row["pairs"] == bound_row["pairs"] and section_row["lost"] == bound_row["lost"]
    mine, theirs = bound_row.get("change"), section_row.get("change")
    same = same and (mine is None) == (theirs is None)
    if same and mine is not None:
        same = abs(mine - theirs) <= MEAN_TOLERANCE
    if not same:
        raise SystemExit(f"{label}: the lower bound disagrees with the section: {bound_row} vs {section_row}")


def _interleaved(cases: dict[str, Callable[[], Any]], rounds: int, seed: int = 2026) -> dict[str, list[float]]:
    """Each case once per round, in a shuffled order, so that a busy moment lands on all alike."""
    rng = random.Random(seed)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        order = list(cases)
        rng.shuffle(order)
        for name in order:
            started = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - started)
    return times


def time_outcomes(scope: Any, rounds: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peerpath.reports.presenting import show
    from peerpath.reports.sections import outcomes

    known = outcomes.measures()
    measures = measures_for_bound()
    if list(measures) != list(known):
        raise SystemExit("the lower bound's measures are not the section's")

    def breakdowns() -> dict[str, Any]:
        # As programme._sections builds them: one section per measure, by course category.
        return {code: outcomes.build(scope, instrument=code, grouping="category", known=known) for code in known}

    # Warm up each, and check that every variant gives the section's answers before timing any.
    summary = outcomes.build(scope, known=known)
    _check_summary(summary, lower_bound(scope, measures), "lower bound", measures)
    _check_summary(summary, lower_bound_with_project_statistics(scope, measures), "+ statistics", measures)
    _check_summary(summary, raw_cursor_floor(scope, measures), "raw cursor", measures)
    _check_breakdown(breakdowns(), lower_bound(scope, measures, by_category=True))
    with CaptureQueriesContext(connection) as captured:
        rows = len(list(_bound_rows(scope, measures, by_category=False)))
    if len(captured) != 1:
        raise SystemExit(f"the lower bound made {len(captured)} queries, not one")
    pairs = sum(row["pairs"] for row in summary.table("summary").rows)

    times = _interleaved(
        {
            "section": lambda: outcomes.build(scope, known=known),
            "section + disclosure control": lambda: show(outcomes.build(scope, known=known), scope),
            "lower bound": lambda: lower_bound(scope, measures),
            "lower bound + same statistics": lambda: lower_bound_with_project_statistics(scope, measures),
            "raw cursor floor": lambda: raw_cursor_floor(scope, measures),
            "breakdowns: section, each measure": breakdowns,
            "breakdowns: lower bound, one query": lambda: lower_bound(scope, measures, by_category=True),
        },
        rounds,
    )
    return {
        "rows": rows,
        "pairs": pairs,
        "measures": len(measures),
        "rounds": rounds,
        "median_ms": {name: 1000 * statistics.median(values) for name, values in times.items()},
        "min_ms": {name: 1000 * min(values) for name, values in times.items()},
    }


def time_reports(*, repeats: int, rounds: int) -> dict[str, Any]:
    """Steps 2 and 3 for the demo evaluator's default report scope (called in the discovery child)."""
    from django.contrib.auth.models import User
    from django.http import QueryDict

    from peerpath.reports.filters import read_filters

    user = User.objects.get(username="evaluator")
    scope = read_filters(user, QueryDict()).scope.published
    load_before = os.getloadavg()[0]
    outcomes = time_outcomes(scope, rounds)
    programme = time_programme(user, repeats)
    return {
        "scope": f"evaluator, {scope.start:%-d %b %Y} to {scope.end:%-d %b %Y}, {len(scope.organisation_ids)} org",
        "outcomes": outcomes,
        "programme": programme,
        "load": [load_before, os.getloadavg()[0]],
        **setup_facts(),
    }


def blas_threads() -> str:
    """How many threads numpy's BLAS uses: secondary suppression's SVDs are slow when it oversubscribes."""
    try:
        from threadpoolctl import threadpool_info  # type: ignore[import-untyped]
    except ImportError:  # not a dependency of the project; the environment says what it can
        return f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
    return ", ".join(f"{pool['internal_api']} {pool['num_threads']}" for pool in threadpool_info())


# Printing ----------------------------------------------------------------------------------------


def describe(found: dict[str, Any]) -> str:
    timings = found["timings"]
    outcomes, programme = timings["outcomes"], timings["programme"]
    median = outcomes["median_ms"]
    bound = median["lower bound"]
    lines = [
        f"report scope: {timings['scope']}; "
        f"load average {timings['load'][0]:.2f} before, {timings['load'][1]:.2f} after",
        f"section cache: {timings['cache_seconds']} s ({timings['cache_backend']}); BLAS threads: "
        f"{timings['blas_threads']}"
        + (
            ""
            if timings["sqlite_statistics"] is None
            else f"; SQLite planner statistics: {timings['sqlite_statistics']}"
        ),
        f"outcomes: {outcomes['rows']:,} score rows fetched, {outcomes['pairs']:,} complete pairs over "
        f"{outcomes['measures']} measures; the lower bound agrees with the section on every pair count, "
        "lost count and mean change",
        f"\noutcomes figures over {outcomes['rounds']} interleaved rounds, ms, and their ratio to the lower bound's"
        " (the minimum is the steadier figure on a busy machine):",
        f"  {'':<38} {'median':>9} {'min':>9} {'x median':>9} {'x min':>7}",
    ]
    lowest = outcomes["min_ms"]
    for name, millis in median.items():
        reference = "breakdowns: lower bound, one query" if name.startswith("breakdowns") else "lower bound"
        lines.append(
            f"  {name:<38} {millis:>9.1f} {lowest[name]:>9.1f}"
            f" {millis / median[reference]:>9.2f} {lowest[name] / lowest[reference]:>7.2f}"
        )
    ratio, steady = median["section"] / bound, lowest["section"] / lowest["lower bound"]
    verdict = "met" if max(ratio, steady) <= TARGET_RATIO_TO_LOWER_BOUND else "MISSED"
    lines.append(
        f"  target: section <= {TARGET_RATIO_TO_LOWER_BOUND:.0f}x the lower bound: {verdict} "
        f"({ratio:.2f}x by medians, {steady:.2f}x by minimums)"
    )
    outcome_part = median["section"] + median["breakdowns: section, each measure"]
    outcome_bound = bound + median["breakdowns: lower bound, one query"]
    lines.append(
        f"  the programme report's outcomes part (summary + breakdowns): {outcome_part:.0f} ms, "
        f"{outcome_part / outcome_bound:.2f}x its lower bound ({outcome_bound:.0f} ms)"
    )
    seconds = ", ".join(f"{s:.2f}" for s in programme["seconds"])
    lines.append(
        f"\nprogramme report (evaluator, default period), section cache off: median {programme['median_s']:.2f} s "
        f"over {len(programme['seconds'])} builds ({seconds}); first build {programme['first_s']:.2f} s; "
        f"HTML {programme['sizes']['html'] / 1000:.0f} KB, PDF {programme['sizes']['pdf'] / 1000:.0f} KB, "
        f"XLSX {programme['sizes']['xlsx'] / 1000:.0f} KB"
    )
    total = programme["median_s"]
    for label, step in sorted(programme["steps_median_s"].items(), key=lambda item: -item[1]):
        lines.append(f"  {label:<46} {step:>7.2f} s  {100 * step / total:>5.1f}%")
    lines.append(
        "  (no lower bound for the other sections, so the whole report is not compared with one; "
        f"its outcomes part is {100 * outcome_part / 1000 / total:.0f}% of it)"
    )
    cached = programme.get("cached")
    if cached:
        built = {label: step for label, step in cached["steps_s"].items() if step >= 0.01}
        parts = ", ".join(f"{label} {step:.2f} s" for label, step in sorted(built.items(), key=lambda item: -item[1]))
        lines.append(f"  with the section cache filled by a build just before: {cached['seconds']:.2f} s ({parts})")
    return "\n".join(lines)


def main() -> None:
    # Options of this bench; the rest go to run_named_pages, which reads sys.argv itself.
    own = argparse.ArgumentParser(add_help=False)
    own.add_argument("--repeats", type=int, default=3, help="timed programme report builds (default 3)")
    own.add_argument("--rounds", type=int, default=9, help="rounds of the lower-bound comparison (default 9)")
    args, rest = own.parse_known_args()
    if not 1 <= args.repeats <= 50 or not 3 <= args.rounds <= 1_000:
        own.error("--repeats must be 1..50 and --rounds 3..1000")
    sys.argv = [sys.argv[0], *rest]
    script = DISCOVER.replace("__REPEATS__", str(args.repeats)).replace("__ROUNDS__", str(args.rounds))
    run_named_pages(
        doc=__doc__ + "\nAlso: --repeats N (programme report builds, default 3), --rounds N (default 9).",
        title="report pages and the programme report",
        script=script,
        describe=describe,
        summary=lambda found: {"reports": found["timings"]},
        users=USERS,
        default_port=8771,
        prefix="peerpath-reportsbench-",
    )


if __name__ == "__main__":
    main()
