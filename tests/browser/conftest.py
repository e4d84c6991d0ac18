"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Every page a test reaches goes through ``visit``, ``follow`` or ``submit``, which then call
``check_page``: axe (WCAG 2.0, 2.1 and 2.2, levels A and AA) must find nothing, and the page
must have logged no console error, uncaught exception or failed sub-resource.

The live server answers from another thread, so tests need
``@pytest.mark.django_db(transaction=True)``. Each such test ends by emptying every table,
rows seeded by data migrations (the boroughs) included, so a test creates the reference rows
it uses (``get_or_create`` factories). ``serialized_rollback`` is no help: after another
transactional test's flush it clashes with the recreated content types.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from weakref import WeakKeyDictionary

import pytest
from django.conf import settings
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    Request,
    Response,
    ViewportSize,
    expect,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

BROWSER_TIMEOUT_MS = 20_000
expect.set_options(timeout=BROWSER_TIMEOUT_MS)

AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Known problems the checks let through, each with the fix that lets it be deleted.
KNOWN_PROBLEMS = (
    # nhsuk-frontend's compiled CSS declares the Frutiger @font-face on https://assets.nhs.uk,
    # which the CSP's font-src forbids (and tests have no network). Delete this entry once
    # scripts/build_assets.py strips those @font-face rules (Arial is the designed fallback).
    "https://assets.nhs.uk/fonts/",
)

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}

# Runs in the page: the violations, reduced to what a failure message needs.
_RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
}
"""


@dataclass
class _Watch:
    """What a page has logged since it was last checked, and whether axe can run on it."""

    axe: bool
    problems: list[str] = field(default_factory=list)


_WATCHES: WeakKeyDictionary[Page, _Watch] = WeakKeyDictionary()


class OpenPage(Protocol):
    def __call__(self, *, viewport: ViewportSize = ..., javascript: bool = ..., enforce_csp: bool = ...) -> Page: ...


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Browser tests need Debian's chromium at {CHROMIUM}. Run `make test`, which installs it.",
            pytrace=False,
        )
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}. Run `make test`, which installs it.", pytrace=False)
    # Playwright's sync API keeps an asyncio loop running in this thread, so Django's ORM
    # would raise SynchronousOnlyOperation in test code from here on. The ORM calls are
    # still synchronous; this is Django's documented escape hatch for exactly this case.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer) -> Iterator[OpenPage]:
    """Open a page in a fresh browser context (its own cookies) on the live server.

    The site's Content-Security-Policy would block the injected axe script, so contexts
    bypass CSP unless ``enforce_csp`` asks for the policy to apply (then axe is not run).
    """
    contexts = []

    def _open(*, viewport: ViewportSize = DESKTOP, javascript: bool = True, enforce_csp: bool = False) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            java_script_enabled=javascript,
            bypass_csp=not enforce_csp,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        # Generous: CI runs the suite on 2 cores beside PostgreSQL and a second test worker.
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        contexts.append(context)
        # Tests stay off the network: anything not from the live server is refused.
        context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort("blockedbyclient"))
        page = context.new_page()
        _watch(page, axe=javascript and not enforce_csp)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    """A desktop-width page with JavaScript on."""
    return open_page()


def _watch(page: Page, *, axe: bool) -> None:
    watch = _WATCHES[page] = _Watch(axe=axe)

    def note(problem: str) -> None:
        if not any(known in problem for known in KNOWN_PROBLEMS):
            watch.problems.append(problem)

    def on_console(message: ConsoleMessage) -> None:
        # A failed load is reported by on_response, which can tell a page answering
        # 400 or 404 on purpose from a missing stylesheet or script.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            source = message.location.get("url")
            note(f"console error: {message.text}" + (f" ({source})" if source else ""))

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            note(f"{response.status} for {response.request.resource_type} {response.url}")

    def on_request_failed(request: Request) -> None:
        # ERR_ABORTED is the browser cancelling a request because the page moved on
        # (a form submitted while the favicon was still loading): not a fault of the page.
        if request.failure and "ERR_ABORTED" in request.failure:
            return
        note(f"request failed: {request.url} ({request.failure})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: note(f"uncaught exception: {error}"))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)


def check_accessibility(page: Page) -> None:
    """Fail with a readable list if axe finds WCAG 2.2 A or AA violations on the page as it is now."""
    page.add_script_tag(path=AXE_SCRIPT)
    violations: list[dict[str, Any]] = page.evaluate(_RUN_AXE, WCAG_TAGS)
    if violations:
        lines = [f"axe found {len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {target}" for target in violation["targets"])
        pytest.fail("\n".join(lines), pytrace=False)


def check_page(page: Page) -> None:
    """Fail on anything the page logged since the last check, then run axe on it.

    axe needs JavaScript and a context that bypasses CSP; pages opened without either
    skip it (they show the same pages that other tests check with axe).
    """
    watch = _WATCHES[page]
    if watch.problems:
        found = "\n".join(f"- {problem}" for problem in watch.problems)
        watch.problems.clear()
        pytest.fail(f"Browser problems on {page.url}:\n{found}", pytrace=False)
    check_error_summary_links(page)
    if watch.axe:
        check_accessibility(page)


def check_error_summary_links(page: Page) -> None:
    """Each link in an NHS.UK error summary must lead to an element on the page (axe does not check this)."""
    for link in page.locator(".nhsuk-error-summary a").all():
        href = link.get_attribute("href") or ""
        target = href.removeprefix("#")
        assert href.startswith("#") and page.locator(f"[id='{target}']").count() == 1, (
            f"The error summary link {link.inner_text()!r} on {page.url} points to {href!r}, which is not on the page"
        )


def _checked(page: Page, response: Response | None, status: int) -> Response:
    assert response is not None, f"no response for {page.url}"
    assert response.status == status, f"{response.url} answered {response.status}, expected {status}"
    check_page(page)
    return response


def visit(page: Page, path: str, *, status: int = 200) -> Response:
    """Go to ``path`` (relative to the live server), expect ``status``, then check the page."""
    return _checked(page, page.goto(path), status)


def _navigate(page: Page, action: Callable[[], None], status: int) -> Response:
    with page.expect_navigation() as navigation:
        action()
    return _checked(page, navigation.value, status)


def follow(page: Page, link: str | Locator, *, status: int = 200) -> Response:
    """Click a link (by its exact accessible name, or a locator) and check the page it leads to."""
    target = page.get_by_role("link", name=link, exact=True) if isinstance(link, str) else link
    return _navigate(page, target.click, status)


def submit(page: Page, button: str = "Save", *, status: int = 200) -> Response:
    """Press a form's button and check the page that comes back (after any redirect)."""
    return _navigate(page, page.get_by_role("button", name=button, exact=True).click, status)


def log_in(page: Page, username: str, password: str) -> None:
    """Log in through the real form, as a person would."""
    visit(page, "/accounts/login/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    submit(page, "Log in")
