"""Time the printable prospectus: HTML rendering and WeasyPrint layout, against baselines of the same run.

Run from the repository root, on a seeded data folder (``seed_demo`` is run if it is empty)::

    .venv/bin/python bench/prospectus_pdf_bench.py                       # regional scale, SQLite
    .venv/bin/python bench/prospectus_pdf_bench.py --scale small --rounds 3

It renders, in one process and in shuffled rounds:
- **one-page PDF**: a one-paragraph document through the same ``html_to_pdf`` (the fixed
  cost of WeasyPrint and the print stylesheet: the baseline);
- **term page HTML**: the prospectus web page's HTML for the largest published term;
- **term PDF**: that term's full printable prospectus (HTML, then layout), bypassing the
  view's cache, as the first visitor after a change pays it.

Figures are medians in milliseconds and ratios to the one-page PDF of the same run.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="regional", choices=["small", "regional", "national"])
    parser.add_argument("--data-dir", default=None, help="seeded folder (default: a kept temp folder)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    data_dir = args.data_dir or str(Path(tempfile.gettempdir()) / f"peerpath-pdfbench-{args.scale}")
    os.environ.setdefault("PEERPATH_DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerpath.config.settings.local")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True)
    subprocess.run([*manage, "seed_demo", "--scale", args.scale], check=True, stdout=subprocess.DEVNULL)

    import django
    from pypdf import PdfReader

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Count
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from peerpath.core.pdf import html_to_pdf
    from peerpath.courses import prospectus
    from peerpath.courses.models import Term
    from peerpath.courses.public_views import _term_context

    term = Term.objects.filter(published=True).annotate(offered=Count("courses")).order_by("-offered", "name").first()
    if term is None:
        sys.exit("no published term: seed the data first")
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1")
    request.user = AnonymousUser()

    def term_context() -> dict[str, object]:
        # The same context the PDF view builds (unfiltered).
        context, _form = _term_context(request, term)
        entries = context["entries"]
        context["outcomes"] = prospectus.approved_outcomes([entry.course_id for entry in entries])  # type: ignore[attr-defined]
        return context

    def one_page_pdf() -> bytes:
        return html_to_pdf("<!doctype html><html lang='en-GB'><title>x</title><p>One paragraph.</p></html>")

    def term_page_html() -> str:
        return render_to_string("prospectus/term_print.jinja", term_context(), request=request, using="jinja2")

    def term_pdf() -> bytes:
        return html_to_pdf(term_page_html(), request=request)

    tasks = {"one-page PDF": one_page_pdf, "term page HTML": term_page_html, "term PDF": term_pdf}
    for task in tasks.values():  # warm fonts, templates and imports
        task()
    timings: dict[str, list[float]] = {name: [] for name in tasks}
    for _ in range(args.rounds):
        order = list(tasks)
        random.shuffle(order)
        for name in order:
            started = time.perf_counter()
            tasks[name]()
            timings[name].append((time.perf_counter() - started) * 1000)

    pages = len(PdfReader(io.BytesIO(term_pdf())).pages)
    baseline = statistics.median(timings["one-page PDF"])
    print(f"Term: {term} — {len(prospectus.entries_for(term))} courses, {pages} pages; {args.rounds} rounds")
    print(f"{'task':<18}{'median ms':>12}{'max ms':>10}{'x one-page PDF':>17}")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"{name:<18}{median:>12.0f}{max(values):>10.0f}{median / baseline:>17.1f}")


if __name__ == "__main__":
    main()
