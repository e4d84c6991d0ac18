"""The guide a bundle carries is read outside PeerPath, in any browser: it must pass axe too.

The shipped dementia carers' model's guide is written to a file and opened from disk, as an
adopting area would open it, at desktop and phone widths; axe (WCAG 2.2 A and AA) must find
nothing, and it must load nothing from anywhere else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Request

from peerpath.bundles import guide, services
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_shipped_models_guide_passes_axe_opened_from_disk(browser: Browser, tmp_path: Path, viewport) -> None:
    bundle = services.shipped_model("dementia-carers")
    document = tmp_path / "guide.html"
    document.write_bytes(guide.render_html(bundle))
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    elsewhere: list[str] = []

    def note(request: Request) -> None:
        if not request.url.startswith("file://"):
            elsewhere.append(request.url)

    page.on("request", note)
    try:
        page.goto(document.as_uri())
        assert page.get_by_role("heading", level=1).inner_text().startswith(bundle.programme.name)
        check_accessibility(page)
    finally:
        context.close()
    assert elsewhere == []
