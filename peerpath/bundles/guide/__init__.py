"""The guide to the model a bundle carries: ``guide/guide.html`` and ``guide/guide.pdf``.

The guide explains a programme to people who have never used PeerPath: what its courses
are, how they were co-produced (hours and counts, never names), how its peer trainers and
facilitators are trained and accredited, what it measures and when, and how published
figures are protected. Everything comes from the :class:`~peerpath.bundles.format.Bundle`
alone, so a bundle read from an archive gives the same guide as the one exported.

The HTML is one self-contained document (its CSS inline, no scripts, no links out of it)
so it reads offline in any browser and prints; the PDF is the same document laid out by
WeasyPrint (``peerpath.core.pdf``). Sentences that name the people served use the
programme's own words (``bundle.programme.terms``), never "carer" or "mental health".

Both are deterministic: the only date in them is the bundle's ``exported_at`` (when set),
and the PDF's creation and modification dates are that date too, so the same bundle gives
the same bytes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from django.template.loader import render_to_string

from peerpath.bundles import format as fmt
from peerpath.bundles.format import Bundle
from peerpath.bundles.guide.content import context
from peerpath.core.pdf import html_to_pdf

TEMPLATE = "bundles/guide.jinja"
# Fonts subset by fontTools carry the time they were made unless SOURCE_DATE_EPOCH says
# otherwise (HarfBuzz subsetting, when installed, carries none). A guide without an export
# date uses the date the format gives zip entries (1 January 1980).
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
FALLBACK_EPOCH = 315_532_800
_EPOCH_LOCK = threading.Lock()
_JINJA2_ENGINE = "jinja2"


def render_html(bundle: Bundle) -> bytes:
    """The guide as one self-contained HTML document, UTF-8."""
    html = render_to_string(TEMPLATE, context(bundle), using=_JINJA2_ENGINE)
    return html.encode("utf-8")


def _epoch(bundle: Bundle) -> int:
    """The export date in seconds since 1970 (a date without a time zone read as UTC)."""
    try:
        when = datetime.fromisoformat(bundle.exported_at)
    except ValueError:
        return FALLBACK_EPOCH
    return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())


@contextmanager
def _fixed_font_dates(epoch: int) -> Iterator[None]:
    """Font subsets dated ``epoch`` while the PDF is laid out, so its bytes repeat.

    SOURCE_DATE_EPOCH is process-wide: the lock keeps two guides from changing it under
    each other, and a value the environment already set is left alone. Another PDF laid
    out meanwhile gets fonts with this date too, which changes nothing a reader sees.
    """
    with _EPOCH_LOCK:
        if SOURCE_DATE_EPOCH in os.environ:
            yield
            return
        os.environ[SOURCE_DATE_EPOCH] = str(epoch)
        try:
            yield
        finally:
            os.environ.pop(SOURCE_DATE_EPOCH, None)


def render_pdf(bundle: Bundle, *, html: bytes | None = None) -> bytes:
    """The guide laid out as a PDF (``html``: the document :func:`render_html` gave, to save rendering it twice).

    Its creation and modification dates are the bundle's export date (from the HTML's
    ``dcterms`` meta tags), and its fonts are dated the same, so a bundle gives the same bytes
    every time.
    """
    document = render_html(bundle) if html is None else html
    with _fixed_font_dates(_epoch(bundle)):
        return html_to_pdf(document.decode("utf-8"))


def files(bundle: Bundle) -> dict[str, bytes]:
    """The guide's files by their path in the bundle."""
    html = render_html(bundle)
    return {fmt.GUIDE_HTML: html, fmt.GUIDE_PDF: render_pdf(bundle, html=html)}
