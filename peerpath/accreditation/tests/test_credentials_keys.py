"""``manage.py credential_keys``: generate, --if-missing, rotate, retire and list, and file permissions."""

from __future__ import annotations

import datetime
import io
import stat

import pytest
import time_machine
from django.core.management import CommandError, call_command

from peerpath.accreditation.credentials import did, keys
from peerpath.core.models import AuditEvent

pytestmark = pytest.mark.django_db
DAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    settings.PEERPATH_CREDENTIAL_KEY_DIR = tmp_path / "keys"
    return tmp_path / "keys"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("credential_keys", *args, stdout=out, stderr=out)
    return out.getvalue()


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@time_machine.travel(DAY, tick=False)
def test_generate_makes_a_dated_key_with_a_private_half_only_its_owner_can_read(key_dir):
    output = run("generate")

    assert "key-2026-11-26-1" in output
    private = key_dir / "key-2026-11-26-1.private.pem"
    public = key_dir / "key-2026-11-26-1.public.pem"
    assert mode(private) == 0o600
    assert mode(public) == 0o644
    assert mode(key_dir) == 0o700
    assert b"PRIVATE KEY" in private.read_bytes()
    assert b"PRIVATE" not in public.read_bytes()
    assert keys.signing_key().key_id == "key-2026-11-26-1"
    assert AuditEvent.objects.filter(action="credential_key.created").count() == 1


def test_generate_refuses_when_a_key_exists_and_if_missing_leaves_it_alone():
    run("generate")
    first = keys.signing_key().key_id

    with pytest.raises(CommandError, match="rotate"):
        run("generate")
    assert "already in place" in run("generate", "--if-missing")

    assert [key.key_id for key in keys.published_keys()] == [first]


def test_generate_if_missing_makes_a_key_when_there_is_none():
    run("generate", "--if-missing")

    assert keys.signing_key() is not None


@time_machine.travel(DAY, tick=False)
def test_rotate_makes_the_next_key_current_and_keeps_the_old_one_published(key_dir):
    run("generate")
    run("rotate")

    assert [key.key_id for key in keys.published_keys()] == ["key-2026-11-26-1", "key-2026-11-26-2"]
    assert keys.signing_key().key_id == "key-2026-11-26-2"
    assert mode(key_dir / "key-2026-11-26-2.private.pem") == 0o600
    assert len(did.did_document()["assertionMethod"]) == 2


@time_machine.travel(DAY, tick=False)
def test_retire_deletes_the_private_half_and_keeps_the_public_half(key_dir):
    run("generate")
    run("rotate")

    run("retire", "key-2026-11-26-1")

    assert not (key_dir / "key-2026-11-26-1.private.pem").exists()
    assert (key_dir / "key-2026-11-26-1.public.pem").exists()
    assert keys.signing_key().key_id == "key-2026-11-26-2"
    listing = run("list")
    assert "key-2026-11-26-1  retired" in listing
    assert "key-2026-11-26-2  current" in listing
    with pytest.raises(CommandError, match="already retired"):
        run("retire", "key-2026-11-26-1")


@time_machine.travel(DAY, tick=False)
def test_retiring_the_current_key_warns_that_nothing_can_be_issued():
    run("generate")

    assert "no badge can be issued" in run("retire", "key-2026-11-26-1")
    assert keys.signing_key() is None


@pytest.mark.parametrize("key_id", ["key-2026-11-26-9", "../../etc/passwd", "key-2026-11-26-1.private"])
def test_retire_refuses_keys_that_do_not_exist_or_are_not_key_ids(key_id):
    run("generate")

    with pytest.raises(CommandError):
        run("retire", key_id)
    assert keys.signing_key() is not None


def test_list_says_when_there_are_no_keys():
    assert "run 'generate'" in run("list")


@pytest.mark.parametrize(
    ("site_url", "expected", "route"),
    [
        ("https://peerpath.example.org", "did:web:peerpath.example.org", ".well-known/did.json"),
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000", ".well-known/did.json"),
        ("https://example.org:8443/recovery/college", "did:web:example.org%3A8443:recovery:college", "did.json"),
    ],
)
def test_the_issuer_did_follows_the_site_address(site_url, expected, route):
    assert did.issuer_did(site_url) == expected
    assert did.document_route(site_url) == route
