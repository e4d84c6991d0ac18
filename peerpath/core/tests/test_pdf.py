"""PDF rendering: real PDFs from the print layout, static files loaded, nothing else fetched.

Test documents extend ``core/print_base.jinja`` from a string through the Jinja2
engine, so no test-only template sits among the production ones.
"""

from __future__ import annotations

import io
import logging
import socket
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.template import engines
from django.test import RequestFactory
from pypdf import PdfReader

from peerpath.core import pdf
from peerpath.core.pdf import (
    INTERNAL_ORIGIN,
    ResourceRefusedError,
    StaticOnlyURLFetcher,
    html_to_pdf,
    pdf_response,
    render_pdf,
    safe_pdf_filename,
    static_base_url,
)

A4_POINTS = (595.28, 841.89)
STATIC_PREFIX = INTERNAL_ORIGIN + "static/"

PROSPECTUS = """{% extends "core/print_base.jinja" %}
{% block title %}Carers course prospectus{% endblock %}
{% block content %}
  <h1>Courses this term</h1>
  <p>Understanding recovery, for {{ audience }}.</p>
  {{ extra|safe }}
  <div class="peerpath-print__page-break"></div>
  <h2>Train the Trainer</h2>
  <p>Co-delivered by peer tutors.</p>
{% endblock %}"""


def render_html(source: str, **context: object) -> str:
    return engines["jinja2"].from_string(source).render(context)


def read_pdf(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Record (and refuse) every attempt to resolve a name or open a socket.

    WeasyPrint catches a fetcher's exceptions, so an exception alone would pass
    unnoticed: the test asserts the record is empty.
    """
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts


def test_a_document_renders_as_a_pdf_with_its_text_and_pages() -> None:
    pdf = html_to_pdf(render_html(PROSPECTUS, audience="carers & families", extra=""))

    reader = read_pdf(pdf)
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert "Courses this term" in first
    assert "Understanding recovery, for carers & families." in first
    assert "Train the Trainer" in second
    # The running header and the "Page X of Y" footer come from print.css.
    assert "Carers course prospectus" in first
    assert "Carers course prospectus" in second
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second


def test_the_print_stylesheet_is_loaded_from_static() -> None:
    html = render_html(PROSPECTUS, audience="carers", extra="")
    assert '<link rel="stylesheet" href="/static/peerpath/print.css">' in html

    reader = read_pdf(html_to_pdf(html))
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=0.01)
    assert "Page 1 of 2" in reader.pages[0].extract_text()

    # The control: without the stylesheet there is no footer (A4 is WeasyPrint's default).
    bare = html.replace('<link rel="stylesheet" href="/static/peerpath/print.css">', "")
    assert "Page 1 of" not in read_pdf(html_to_pdf(bare)).pages[0].extract_text()


def test_render_pdf_renders_a_template_by_name_against_the_requests_origin() -> None:
    request = RequestFactory().get("/courses/prospectus/")
    assert static_base_url(request) == "http://testserver/static/"

    reader = read_pdf(render_pdf("core/print_base.jinja", {}, request=request))

    assert len(reader.pages) == 1
    assert "Page 1 of 1" in reader.pages[0].extract_text()


def test_external_resources_are_skipped_without_touching_the_network(
    connections: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    refused = [
        "http://example.invalid/x.png",
        "https://example.invalid/print.css",
        "file:///etc/passwd",
        "/static/../../../../etc/hostname",
    ]
    extra = (
        f'<img src="{refused[0]}" alt="">'
        f'<link rel="stylesheet" href="{refused[1]}">'
        f'<img src="{refused[2]}" alt="">'
        f'<img src="{refused[3]}" alt="">'
    )

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf(render_html(PROSPECTUS, audience="carers", extra=extra))

    assert "Courses this term" in read_pdf(pdf).pages[0].extract_text()
    assert connections == []
    log = caplog.text
    assert "ResourceRefusedError" in log
    for url in refused[:3]:
        assert url in log
    # WeasyPrint resolves the dots before asking; the result is outside static all the same.
    assert f"not '{INTERNAL_ORIGIN}etc/hostname'" in log


@pytest.mark.parametrize(
    "url",
    [
        "http://example.invalid/x.png",
        "https://example.invalid/static/peerpath/print.css",  # another origin's static path
        "file:///etc/passwd",
        "file:///static/peerpath/print.css",
        "ftp://example.invalid/x.css",
        INTERNAL_ORIGIN + "people/",  # this origin, but not a static file
        STATIC_PREFIX + "../config/settings/base.py",
        STATIC_PREFIX + "peerpath/../../../../etc/passwd",
        STATIC_PREFIX + "%2e%2e/%2e%2e/etc/passwd",
        STATIC_PREFIX + "%2Fetc/passwd",
        STATIC_PREFIX + "peerpath/missing.css",
        STATIC_PREFIX,
        "/etc/passwd",
        "peerpath/print.css",  # not resolved against a base: never a file path
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url: str, connections: list[object]) -> None:
    with pytest.raises(ResourceRefusedError):
        StaticOnlyURLFetcher(STATIC_PREFIX).fetch(url)
    assert connections == []


def test_the_fetcher_serves_static_files_and_data_urls() -> None:
    fetcher = StaticOnlyURLFetcher(STATIC_PREFIX)

    stylesheet = fetcher.fetch(STATIC_PREFIX + "peerpath/print.css?v=1")
    assert b"@page" in stylesheet.read()
    assert stylesheet.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"


def test_the_page_is_usable_as_html() -> None:
    html = render_html(PROSPECTUS, audience="carers", extra="")

    assert '<html lang="en-GB">' in html
    assert '<meta charset="utf-8">' in html
    assert "<title>Carers course prospectus</title>" in html
    assert "<script" not in html


@pytest.mark.parametrize("inline, disposition", [(True, "inline"), (False, "attachment")])
def test_pdf_response_headers(inline: bool, disposition: str) -> None:
    response = pdf_response(b"%PDF-1.7 test", "Prospectus 2026", inline=inline)

    assert response.content == b"%PDF-1.7 test"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'{disposition}; filename="Prospectus-2026.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "given, safe",
    [
        ("register.pdf", "register.pdf"),
        ("Report.PDF", "Report.pdf"),
        ("Si\u00e2n Jones \u2013 certificate", "Sian-Jones-certificate.pdf"),
        ("../../etc/passwd", "etc-passwd.pdf"),
        ('x"; filename=evil.exe', "x-filename-evil.exe.pdf"),
        ("a\r\nSet-Cookie: s=1", "a-Set-Cookie-s-1.pdf"),
        ("...", "document.pdf"),
        ("", "document.pdf"),
        ("x" * 300, "x" * 100 + ".pdf"),
    ],
)
def test_pdf_filenames_are_sanitised(given: str, safe: str) -> None:
    assert safe_pdf_filename(given) == safe


def test_cached_pdfs_are_laid_out_once_per_html_and_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    laid_out: list[str] = []
    real = pdf.html_to_pdf

    def counting(html: str, **kwargs: object) -> bytes:
        laid_out.append(html)
        return real(html, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    cache.clear()
    page = "<!doctype html><html lang='en-GB'><title>t</title><p>Same page</p></html>"
    other_origin = RequestFactory().get("/", secure=True)  # https://testserver, not the default origin

    first = pdf.cached_html_to_pdf(page)
    again = pdf.cached_html_to_pdf(page)
    elsewhere = pdf.cached_html_to_pdf(page, request=other_origin)
    changed = pdf.cached_html_to_pdf(page.replace("Same", "Changed"))

    assert first == again
    assert len(laid_out) == 3  # the repeat came from the cache; another origin or other HTML did not
    assert "Changed page" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(changed)).pages)
    assert elsewhere.startswith(b"%PDF")
