"""Pages render with the production static storage (hashed names from a manifest).

The test settings serve static files straight from the finders, which would hide
a template asking for a file (or a folder) that collectstatic never hashed.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

HASHED_STYLESHEET = re.compile(r'href="/static/vendor/nhsuk-frontend/nhsuk-frontend\.min\.[0-9a-f]{12}\.css"')
MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "participant"])
def test_pages_render_with_hashed_static_files(collected, actors, role):
    client: Client = actors[role].client
    with override_settings(STATIC_ROOT=collected, STORAGES=MANIFEST_STORAGES, WHITENOISE_AUTOREFRESH=True):
        paths = [reverse("core:start"), reverse("accounts:login"), reverse("core:accessibility")]
        if role != "anonymous":
            paths += [reverse("core:home"), reverse("people:me")]
        for path in paths:
            response = client.get(path, follow=True)
            assert response.status_code == 200, path
            body = response.content.decode()
            assert HASHED_STYLESHEET.search(body), f"{path} does not link the hashed NHS.UK stylesheet"


def test_collected_stylesheet_loads_no_fonts_from_elsewhere(collected):
    css = next(collected.glob("vendor/nhsuk-frontend/nhsuk-frontend.min.*.css")).read_text()
    assert "@font-face" not in css
    assert "https://" not in css
