"""Full-page screenshots of a running PeerPath at phone and desktop widths.

    .venv/bin/python scripts/screenshots.py [--base-url URL] [--out DIR] [--user NAME ...] PATH [PATH ...]

Each ``--user`` logs in through the real login form (password from ``--password`` or the
``PEERPATH_SCREENSHOT_PASSWORD`` variable) and every PATH is taken as that user; without
``--user`` the paths are taken signed out. A PATH ending in ``!submit`` is taken after
pressing the page's main form button, to show its error messages: ``/people/add/!submit``.

Files are named ``<user>_<path>_<width>.png``, for example ``coordinator_people-add_phone.png``
(ids in paths are cut to their first 8 characters).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - needs the repository root on the path

SUBMIT = "!submit"


@dataclass(frozen=True)
class Width:
    name: str
    width: int
    height: int


WIDTHS = (Width("phone", 390, 844), Width("desktop", 1280, 900))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="PATH", help="site paths, like /people/ or /people/add/!submit")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "screenshots", help="folder for the PNG files")
    parser.add_argument("--user", action="append", default=[], help="log in as this user (repeatable)")
    parser.add_argument("--password", default=os.environ.get("PEERPATH_SCREENSHOT_PASSWORD", ""))
    parser.add_argument("--chromium", default=str(CHROMIUM), help="the Chromium executable")
    args = parser.parse_args(argv)
    if args.user and not args.password:
        parser.error("--user needs --password or PEERPATH_SCREENSHOT_PASSWORD")
    return args


def file_name(user: str, path: str, width: Width) -> str:
    path = re.sub(r"([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", r"\1", path.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", path.replace(SUBMIT, "-errors")).strip("-") or "start"
    return f"{user}_{slug}_{width.name}.png"


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in", exact=True).click()
    if "/accounts/login/" in page.url:
        raise SystemExit(f"Could not log in as {username!r}: check the username and password.")


def shoot(page: Page, base_url: str, path: str, target: Path) -> int:
    """Open the path (pressing the form button for ``!submit``), save the page and return its status."""
    response = page.goto(base_url + path.removesuffix(SUBMIT))
    if path.endswith(SUBMIT):
        button = page.locator("main form button").last
        if not button.count():
            raise SystemExit(f"{path}: there is no form button to press on {page.url}")
        with page.expect_navigation() as navigation:
            button.click()
        response = navigation.value
    page.screenshot(path=target, full_page=True, animations="disabled")
    return response.status if response else 0


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    base_url: str = args.base_url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
        for user in args.user or [""]:
            context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
            page = context.new_page()
            if user:
                log_in(page, base_url, user, args.password)
            for path in args.paths:
                for width in WIDTHS:
                    page.set_viewport_size({"width": width.width, "height": width.height})
                    target = args.out / file_name(user or "anonymous", path, width)
                    status = shoot(page, base_url, path, target)
                    print(f"{target} ({status})")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
