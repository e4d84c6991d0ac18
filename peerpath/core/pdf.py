"""PDF documents: a Jinja2 template rendered by Django, laid out by WeasyPrint.

Printable pages (the course prospectus, registers, certificates) are ordinary
templates that extend ``core/print_base.jinja``; the same template serves the
HTML page a browser prints and the PDF made here.

What WeasyPrint may load
------------------------
WeasyPrint asks a URL fetcher for every stylesheet, image and font a document
references. :class:`StaticOnlyURLFetcher` never opens a network connection and
never reads a path it was given. It serves exactly two kinds of URL:

* ``data:`` URLs, decoded in memory;
* static files: a URL under ``STATIC_URL`` resolved against the document's base
  URL, which is what ``static('peerpath/print.css')`` (``/static/...``, hashed
  names included) and a relative path such as ``peerpath/print.css`` both
  become. The rest of the path must be a plain relative name (no ``..``, no
  NUL); it is read through the staticfiles finders, then the staticfiles
  storage (``collectstatic``'s hashed copies), and nowhere else.

Everything else is refused: ``http:``/``https:`` to any other origin or to a
non-static path, ``file:``, ``ftp:`` and any other scheme. A refusal raises
:class:`ResourceRefusedError`, which WeasyPrint logs (logger ``weasyprint``) before
going on without that resource, so a stray external image costs a warning, not
the document.

Fonts come from the system through fontconfig (``fonts-dejavu-core`` in CI),
not through the fetcher; the print stylesheet names no web fonts.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import re
import unicodedata
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

# Relative URLs in a document rendered without a request resolve against this
# origin. ``.invalid`` can never resolve (RFC 2606), and the fetcher maps the
# origin's static paths to local files without connecting anywhere.
INTERNAL_ORIGIN = "https://peerpath.invalid/"

# The Jinja2 engine's alias: Django names it after the backend module.
_JINJA2_ENGINE = "jinja2"
_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_FILENAME_STEM = 100


class ResourceRefusedError(ValueError):
    """The URL fetcher refused a URL; WeasyPrint logs it and renders without it."""


def static_base_url(request: HttpRequest | None = None) -> str:
    """The base URL documents are rendered against: the static files' own URL.

    Against it ``/static/x.css`` and a bare ``x.css`` both name the static file
    ``x.css``. With a request it is on the request's origin, so links written
    into the PDF point back at the site.
    """
    origin = request.build_absolute_uri("/") if request is not None else INTERNAL_ORIGIN
    return urljoin(origin, settings.STATIC_URL)


class StaticOnlyURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and static files only.

    ``static_prefix`` is the absolute URL static files live under (see
    :func:`static_base_url`); a URL is served only if it starts with it.
    """

    def __init__(self, static_prefix: str, **kwargs: Any) -> None:
        # The inherited opener is only ever asked for data: URLs, and is told so.
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, **kwargs)
        if not static_prefix.endswith("/"):
            static_prefix += "/"
        self.static_prefix = static_prefix

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme in {"http", "https"} and url.startswith(self.static_prefix):
            name = static_name(url[len(self.static_prefix) :])
            return URLFetcherResponse(url, body=read_static(name), headers={"Content-Type": _content_type(name)})
        raise ResourceRefusedError(f"Only static files and data: URLs are loaded into PDFs, not {url[:200]!r}")


def static_name(path: str) -> str:
    """The static file name a URL path below ``STATIC_URL`` stands for, or refuse it."""
    name = unquote(urlsplit(path).path)
    normalised = posixpath.normpath(name) if name else ""
    if (
        not name
        or "\x00" in name
        or "\\" in name
        or name.startswith("/")
        or ".." in name.split("/")
        or normalised in {".", ".."}
        or normalised.startswith("../")
    ):
        raise ResourceRefusedError(f"Not a static file name: {path[:200]!r}")
    return normalised


def read_static(name: str) -> bytes:
    """A static file's content by its name, from the finders or the collected files."""
    found = finders.find(name)
    if isinstance(found, str):
        with open(found, "rb") as handle:
            return handle.read()
    # Hashed names (ManifestStaticFilesStorage) exist only in STATIC_ROOT.
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name, "rb") as handle:
            content: bytes = handle.read()
            return content
    raise ResourceRefusedError(f"No such static file: {name[:200]!r}")


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def html_to_pdf(html: str, *, request: HttpRequest | None = None, base_url: str | None = None) -> bytes:
    """Lay out an HTML document as PDF, loading only what the fetcher allows.

    ``base_url`` resolves relative URLs (and links written into the PDF); it
    defaults to :func:`static_base_url`. Static files are served only below the
    static URL on that base's origin.
    """
    static_prefix = static_base_url(request)
    if base_url is None:
        base_url = static_prefix
    else:
        static_prefix = urljoin(base_url, settings.STATIC_URL)
    fetcher = StaticOnlyURLFetcher(static_prefix)
    pdf: bytes = HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print").write_pdf()
    return pdf


def cached_html_to_pdf(
    html: str, *, request: HttpRequest | None = None, timeout: int = 60 * 60, prefix: str = "pdf"
) -> bytes:
    """:func:`html_to_pdf`, kept in the cache for ``timeout`` seconds.

    Layout takes seconds for a long document, and public documents can be asked
    for by anyone, so the result is keyed by the HTML it was made from (and the
    origin its links point at): any change to what is printed changes the key,
    so nothing stale is served and nothing needs invalidating.
    """
    digest = hashlib.sha256(f"{static_base_url(request)}\n{html}".encode()).hexdigest()
    key = f"{prefix}:{digest}"
    document: bytes | None = cache.get(key)
    if document is None:
        document = html_to_pdf(html, request=request)
        cache.set(key, document, timeout)
    return document


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    request: HttpRequest | None = None,
    base_url: str | None = None,
) -> bytes:
    """Render a Jinja2 template (usually one extending ``core/print_base.jinja``) to PDF bytes."""
    html = render_to_string(template_name, context, request=request, using=_JINJA2_ENGINE)
    return html_to_pdf(html, request=request, base_url=base_url)


def safe_pdf_filename(filename: str) -> str:
    """An ASCII ``name.pdf`` safe in a header and on any file system."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = ascii_name.replace("/", "-").replace("\\", "-")
    stem = re.sub(r"\.pdf$", "", ascii_name.strip(), flags=re.IGNORECASE)
    stem = _UNSAFE_FILENAME_CHARS.sub("-", stem).strip(".-_")[:_MAX_FILENAME_STEM].strip(".-_")
    return f"{stem or 'document'}.pdf"


def pdf_response(pdf_bytes: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """A PDF response: shown in the browser (``inline``) or downloaded, never sniffed."""
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    # The safe name is plain ASCII without quotes or backslashes: it needs no escaping.
    response["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="{safe_pdf_filename(filename)}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
