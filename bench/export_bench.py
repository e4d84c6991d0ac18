"""Time CSV and XLSX exports of 10,000 and 100,000 rows and measure their peak memory.

Run from the repository root (no database is needed)::

    .venv/bin/python bench/export_bench.py
    .venv/bin/python bench/export_bench.py --rows 10000 100000 300000

Each case runs in its own process, so one case's memory does not colour the next:

- **extract CSV / XLSX**: ``stream_csv_rows`` and ``xlsx_rows_response`` over generated
  rows (eleven columns like the pseudonymised extract's: text, numbers, dates, aware
  date-times, Decimals, empty cells), read lazily as a queryset's ``.iterator()`` would be;
- **report CSV / XLSX**: ``csv_response`` and ``xlsx_response`` over one protected table of
  that many rows (built before measuring: the table itself is the caller's memory).

The response body is read to the end and thrown away, as a client would. Figures: seconds
(a run without tracemalloc), the peak of memory traced by tracemalloc during the export
(Python allocations only), and the growth of the process's maximum resident set. "Flat"
means the 100,000-row peak is close to the 10,000-row one: the ratio column says how close.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = ("extract CSV", "extract XLSX", "report CSV", "report XLSX")


def extract_rows(count: int) -> Iterator[list[object]]:
    start = datetime.datetime(2026, 4, 1, 9, 0, tzinfo=datetime.UTC)
    for index in range(count):
        yield [
            f"P{index:08d}",
            f"RUN-{index % 400:04d}",
            ("baseline", "end", "follow-up")[index % 3],
            (start + datetime.timedelta(minutes=index)).date(),
            start + datetime.timedelta(minutes=index),
            "online" if index % 2 else "paper",
            index % 70,
            Decimal(index % 700) / 10,
            (index % 50) / 7,
            None if index % 5 == 0 else "A carer's note, with a comma",
            -(index % 9),
        ]


def export(case: str, rows: int) -> Callable[[], int]:
    """A function that makes the response and reads its body, returning the bytes sent."""
    from peerpath.reports import exports
    from peerpath.reports.tables import Cell, Column, Kind, ProtectedTable, Table

    header = ["pseudonym", "run", "timepoint", "date", "completed", "mode", "score", "mean", "ratio", "note", "change"]

    def table() -> ProtectedTable:
        columns = [
            Column(key="borough", label="Borough", kind=Kind.TEXT),
            Column(key="people", label="People", kind=Kind.COUNT),
            Column(key="mean", label="Mean change", kind=Kind.MEAN, n="people"),
            Column(key="share", label="Completed", kind=Kind.PERCENT, numerator="done", denominator="people"),
        ]
        cells = [
            [
                Cell(f"Area {i}", f"Area {i}"),
                Cell(i * 5, f"{i * 5:,}"),
                Cell(i / 7, f"{i / 7:.1f}"),
                Cell(None, "*", suppressed=True, reason="small") if i % 11 == 0 else Cell(50.0, "50.0%"),
            ]
            for i in range(rows)
        ]
        return ProtectedTable(
            table=Table(key="t", title="Areas", columns=columns, rows=[]),
            rows=cells,
            total=None,
            rule="Bench rule",
            exact=False,
        )

    about = [("Period", "1 April 2026 to 31 March 2027")]
    if case == "extract CSV":
        make = lambda: exports.stream_csv_rows(header, extract_rows(rows), filename="extract")  # noqa: E731
    elif case == "extract XLSX":
        make = lambda: exports.xlsx_rows_response([("Data", header, extract_rows(rows))], filename="x")  # noqa: E731
    else:
        protected = table()
        kind = exports.csv_response if case == "report CSV" else exports.xlsx_response
        make = lambda: kind([protected], filename="report", about=about)  # noqa: E731

    def run() -> int:
        response = make()
        sent = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return sent

    return run


def max_rss_mib() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(case: str, rows: int) -> dict[str, float]:
    """Measure one case in this process (called in a child)."""
    import django

    django.setup()
    run = export(case, rows)
    rss_before = max_rss_mib()
    started = time.perf_counter()
    sent = run()
    seconds = time.perf_counter() - started
    rss_growth = max_rss_mib() - rss_before
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": seconds, "peak_mib": peak / 2**20, "rss_growth_mib": rss_growth, "mib_sent": sent / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    parser.add_argument("--one", nargs=2, metavar=("CASE", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ.setdefault("PEERPATH_DATA_DIR", str(Path(tempfile.gettempdir()) / "peerpath-exportbench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerpath.config.settings.test")
    if args.one:
        print(json.dumps(one(args.one[0], int(args.one[1]))))
        return

    results: dict[tuple[str, int], dict[str, float]] = {}
    print(f"{'case':<14}{'rows':>9}{'seconds':>9}{'MiB sent':>10}{'peak MiB':>10}{'RSS +MiB':>10}")
    for case in args.cases:
        for rows in args.rows:
            child = subprocess.run(
                [sys.executable, __file__, "--one", case, str(rows)], check=True, capture_output=True, text=True
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            results[case, rows] = result
            print(
                f"{case:<14}{rows:>9,}{result['seconds']:>9.2f}{result['mib_sent']:>10.1f}"
                f"{result['peak_mib']:>10.1f}{result['rss_growth_mib']:>10.1f}"
            )
    smallest, largest = min(args.rows), max(args.rows)
    if smallest != largest:
        print(f"\nRatios, {largest:,} rows to {smallest:,} (rows x{largest / smallest:.0f}):")
        print(f"{'case':<14}{'time':>8}{'peak memory':>13}")
        for case in args.cases:
            low, high = results[case, smallest], results[case, largest]
            print(f"{case:<14}{high['seconds'] / low['seconds']:>8.1f}{high['peak_mib'] / low['peak_mib']:>13.2f}")


if __name__ == "__main__":
    main()
