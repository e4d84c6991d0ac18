"""Security headers on every page, and the production configuration (T13).

Pages are found by walking the URL resolver, so a new route is checked without
anyone remembering to add it here.
"""

from __future__ import annotations

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

REPO_ROOT = Path(__file__).resolve().parents[3]
HOST = "peerpath.example.org"
ABSENT_PK = "00000000-0000-4000-8000-000000000000"
# Routes left to the admin site's own tests; its index is checked below.
SKIPPED_NAMESPACES = ("admin",)
PUBLIC_PAGES = (
    "core:start",
    "core:accessibility",
    "core:privacy",
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_complete",
)


def _routes() -> list[tuple[str, str]]:
    """(namespaced name, pattern) for every named route outside the skipped namespaces."""

    def walk(patterns, prefix: str, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                yield name, prefix + str(pattern.pattern)

    return [
        (name, route)
        for name, route in walk(get_resolver().url_patterns, "", "")
        if not name.startswith(SKIPPED_NAMESPACES)
    ]


def _url(name: str, route: str, person_pk: object) -> str:
    arguments = {
        "pk": person_pk,
        "uidb64": "MQ",
        "token": "set-password",
        "number": 1,
        "material_id": ABSENT_PK,
        "slug": "no-such-term",
        "course_id": ABSENT_PK,
        "session_id": ABSENT_PK,
        "enrolment_id": ABSENT_PK,
        "meeting_id": ABSENT_PK,
        "candidate_id": ABSENT_PK,
        "entry_id": ABSENT_PK,
        "observation_id": ABSENT_PK,
        "award_id": ABSENT_PK,
        "code": "0000-0000-0000-0000",
        "purpose": "revocation",
        "questionnaire_id": "phq9-v1",
        "response_id": ABSENT_PK,
        "link_token": "0" * 64,
        "position": 1,
        "run_id": ABSENT_PK,
        "timepoint": "baseline",
        "alert_id": 0,
        "key": "reach",
        "fmt": "csv",
        "build_id": ABSENT_PK,
    }
    wanted = re.findall(r"<(?:\w+:)?(\w+)>", route)
    unknown = set(wanted) - set(arguments)
    assert not unknown, f"{name}: teach test_headers how to fill {sorted(unknown)}"
    return reverse(name, kwargs={key: arguments[key] for key in wanted})


def _csp(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {parts[0]: parts[1:] for parts in directives}


def _assert_baseline_headers(response, referrer: str = "same-origin") -> None:
    policy = _csp(response)
    assert policy.get("default-src") == ["'self'"]
    assert policy.get("object-src") == ["'none'"]
    assert policy.get("frame-ancestors") == ["'none'"]
    assert policy.get("base-uri") == ["'none'"]
    assert "'unsafe-inline'" not in policy.get("script-src", [])
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == referrer
    assert response.headers.get("X-Frame-Options") == "DENY"


def _assert_script_nonce_matches(response) -> None:
    page = response.content.decode()
    inline_nonces = set(re.findall(r'<script[^>]*\snonce="([^"]+)"', page))
    header_nonces = {
        source.removeprefix("'nonce-").removesuffix("'")
        for source in _csp(response).get("script-src", [])
        if source.startswith("'nonce-")
    }
    assert inline_nonces, "expected the layout's inline module script"
    assert header_nonces == inline_nonces
    # Every inline script carries the nonce; a bare one would be blocked by the browser.
    bare_inline = re.findall(r"<script(?![^>]*\ssrc=)(?![^>]*\snonce=)[^>]*>", page)
    assert bare_inline == []


@pytest.fixture
def person_pk(actors):
    return actors["participant"].person.pk


SIGNED_IN_ROUTES = [name for name, _ in _routes() if name != "accounts:logout"]


@pytest.mark.parametrize("name", SIGNED_IN_ROUTES)
def test_every_page_for_a_signed_in_user_is_no_store_with_security_headers(name, coordinator_client, person_pk):
    route = dict(_routes())[name]

    response = coordinator_client.get(_url(name, route, person_pk))

    assert response.status_code < 500
    assert "no-store" in response.headers.get("Cache-Control", "")
    _assert_baseline_headers(response, "same-origin")
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        _assert_script_nonce_matches(response)


def test_the_route_list_covers_the_people_and_account_pages():
    names = {name for name, _ in _routes()}

    assert {"core:home", "people:person_list", "people:person_detail", "accounts:login"} <= names


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("coordinator", f"/people/{ABSENT_PK}/"),
        ("participant", "/people/"),
        ("coordinator", "/no-such-page/"),
    ],
    ids=["404-person", "403-list", "404-page"],
)
def test_error_pages_for_a_signed_in_user_are_no_store_with_security_headers(role, path, actors):
    response = actors[role].client.get(path)

    assert response.status_code in {403, 404}
    assert "no-store" in response.headers.get("Cache-Control", "")
    _assert_baseline_headers(response)


def test_logout_response_is_no_store(coordinator_client):
    response = coordinator_client.post(reverse("accounts:logout"))

    assert "no-store" in response.headers.get("Cache-Control", "")
    _assert_baseline_headers(response)


def test_admin_index_for_an_administrator_is_no_store_with_security_headers(admin_client_):
    response = admin_client_.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "no-store" in response.headers.get("Cache-Control", "")
    _assert_baseline_headers(response)


def test_a_post_without_a_csrf_token_is_refused_with_security_headers(db):
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    _assert_baseline_headers(response)


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_carry_the_content_security_policy(name, client, db):
    response = client.get(reverse(name))

    assert response.status_code == 200
    _assert_baseline_headers(response)
    _assert_script_nonce_matches(response)


def test_each_response_gets_a_fresh_nonce(client, db):
    first = _csp(client.get(reverse("accounts:login")))["script-src"]
    second = _csp(client.get(reverse("accounts:login")))["script-src"]

    assert first != second


# Production settings in this process ----------------------------------------------

PRODUCTION_KEYS = (
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
)


@pytest.fixture
def production(monkeypatch, settings, db):
    """Apply the security settings of ``settings.production`` on top of the test settings."""
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(45))
    monkeypatch.setenv("ALLOWED_HOSTS", HOST)
    monkeypatch.delenv("SECURE_HSTS_SECONDS", raising=False)
    values = runpy.run_module("peerpath.config.settings.production")
    for key in PRODUCTION_KEYS:
        setattr(settings, key, values[key])
    return values


def test_production_redirects_plain_http_to_https(production, client):
    response = client.get("/accessibility/?x=1", HTTP_HOST=HOST)

    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/accessibility/?x=1"
    assert "Strict-Transport-Security" not in response.headers


def test_production_sends_hsts_on_https(production, client):
    response = client.get("/accessibility/", HTTP_HOST=HOST, secure=True)

    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    _assert_baseline_headers(response)
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin"


def test_production_trusts_the_proxys_https_header(production, client):
    response = client.get("/accessibility/", HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200


def test_production_refuses_an_unknown_host(production, client):
    response = client.get("/accessibility/", HTTP_HOST="evil.example", secure=True)

    assert response.status_code == 400


def test_production_cookies_are_host_only_secure_and_http_only(production, client, actors):
    login_page = client.get(reverse("accounts:login"), HTTP_HOST=HOST, secure=True)
    response = client.post(
        reverse("accounts:login"),
        {"username": "coordinator", "password": "correct-horse-battery-staple"},
        HTTP_HOST=HOST,
        secure=True,
    )

    assert login_page.status_code == 200
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    csrf = login_page.cookies["__Host-csrftoken"]
    for cookie in (session, csrf):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
        assert cookie["samesite"] in {"Lax", "Strict"}


# Production settings in a fresh interpreter ------------------------------------------------


def _run(args: list[str], tmp_path: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests set it for sync Playwright in this
        # process; a deployment never has it (check --deploy says so), nor may this child.
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DEBUG",
            "SECURE_HSTS_SECONDS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    # Keep the shared data folder out of it: base settings may write a key file there.
    env.update({"PEERPATH_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "peerpath.config.settings.production"})
    env.update(environ)
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(45),
        ALLOWED_HOSTS=HOST,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_check_fails_on_a_weak_secret_key(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        SECRET_KEY="django-insecure-short",
        ALLOWED_HOSTS=HOST,
    )

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


@pytest.mark.parametrize("secret_key", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_production_settings_refuse_to_start_without_a_secret_key(secret_key, tmp_path):
    environ = {"ALLOWED_HOSTS": HOST} | ({} if secret_key is None else {"SECRET_KEY": secret_key})

    result = _run(["manage.py", "check"], tmp_path, **environ)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_without_a_secret_key_leave_no_generated_key_behind(tmp_path):
    result = _run(["manage.py", "check"], tmp_path, ALLOWED_HOSTS=HOST)

    assert result.returncode != 0
    # The laptop fallback in base settings must not run for production: on a read-only
    # data folder it would crash before the clear message, and it leaves a key on disk.
    assert not (tmp_path / "secret_key").exists()


def test_production_settings_refuse_to_start_without_allowed_hosts(tmp_path):
    result = _run(["manage.py", "check"], tmp_path, SECRET_KEY=secrets.token_urlsafe(45))

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr
