"""Signing in and out, lockout, password reset and the session lifecycle (T8, T9, T14).

Logins go through the real view with ``client.post``: django-axes needs the
request, so ``client.login`` would bypass exactly what is under test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from importlib import import_module

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client, RequestFactory
from django.test.utils import override_settings
from django.urls import reverse

from conftest import make_member
from peerpath.core.models import AuditEvent
from peerpath.core.net import client_ip
from peerpath.people import services
from peerpath.people.models import Membership
from peerpath.people.tests.factories import TEST_PASSWORD, MembershipFactory

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
HOME = reverse("core:home")
RESET = reverse("accounts:password_reset")

ATTACKER_IP = "203.0.113.5"
OTHER_IP = "198.51.100.20"
NEW_PASSWORD = "violet-lantern-harbour-91"


@pytest.fixture
def carer(home_org) -> User:
    return make_member(home_org, Membership.Role.PARTICIPANT, username="rosa.carer").user


@pytest.fixture
def frozen():
    """Time stands still at the present moment until the test moves it on."""
    with time_machine.travel(dt.datetime.now(tz=dt.UTC).replace(microsecond=0), tick=False) as traveller:
        yield traveller


def _login(client: Client, username: str, password: str, ip: str = ATTACKER_IP, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def _fail(client: Client, username: str, times: int, ip: str = ATTACKER_IP, **extra) -> list[int]:
    return [_login(client, username, "not-the-password", ip, **extra).status_code for _ in range(times)]


def _signed_in(client: Client) -> bool:
    response = client.get(HOME)
    return response.status_code == 200


def _actions() -> Counter[str]:
    return Counter(AuditEvent.objects.values_list("action", flat=True))


# Logging in -------------------------------------------------------------------


def test_login_with_the_right_password_goes_home_and_is_audited(client, carer):
    AuditEvent.objects.all().delete()

    response = _login(client, "rosa.carer", TEST_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert _signed_in(client)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_id) == ("auth.logged_in", carer, str(carer.pk))
    assert event.ip_address == ATTACKER_IP


def test_login_with_a_wrong_password_reshows_the_form_with_the_error_summary(client, carer):
    response = _login(client, "rosa.carer", "not-the-password")

    # Django's LoginView answers 200 here; PeerPath re-shows every invalid form with 400.
    assert response.status_code == 400
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert "There is a problem" in page
    assert "Enter a correct username and password" in page
    assert "<title>Error: " in page
    assert not _signed_in(client)


def test_login_gives_an_unknown_username_the_same_answer_as_a_wrong_password(client, carer):
    wrong_password = _login(client, "rosa.carer", "not-the-password", ip="192.0.2.1")
    unknown_user = _login(client, "nobody.here", "not-the-password", ip="192.0.2.2")

    assert wrong_password.status_code == unknown_user.status_code
    error = re.compile(r'<ul class="nhsuk-list nhsuk-error-summary__list">.*?</ul>', re.S)
    assert error.search(wrong_password.content.decode()).group() == error.search(unknown_user.content.decode()).group()


def test_login_with_blank_fields_asks_for_each_one(client, db):
    response = client.post(LOGIN, {"username": "", "password": ""})

    page = response.content.decode()
    assert "Enter your username" in page
    assert "Enter your password" in page


def test_login_refuses_an_overlong_username_before_trying_it(client, db):
    # AuthenticationForm sets max_length on the field without adding its validator, so
    # the name reached axes, whose 255-character column raised DataError (a 500) on PostgreSQL.
    response = _login(client, "a" * 256, "not-the-password")

    assert response.status_code == 400
    assert not AccessAttempt.objects.exists()
    assert not AuditEvent.objects.filter(action="auth.login_failed").exists()


def test_login_refuses_an_inactive_account(client, carer):
    carer.is_active = False
    carer.save(update_fields=["is_active"])

    response = _login(client, "rosa.carer", TEST_PASSWORD)

    assert response.status_code == 400
    assert not _signed_in(client)


def test_login_ignores_a_next_url_on_another_site(client, carer):
    response = client.post(
        f"{LOGIN}?next=https://evil.example/steal",
        {"username": "rosa.carer", "password": TEST_PASSWORD, "next": "https://evil.example/steal"},
        REMOTE_ADDR=ATTACKER_IP,
    )

    assert response["Location"] == HOME


def test_login_follows_a_next_url_on_this_site(client, carer):
    response = client.post(
        LOGIN,
        {"username": "rosa.carer", "password": TEST_PASSWORD, "next": reverse("core:privacy")},
        REMOTE_ADDR=ATTACKER_IP,
    )

    assert response["Location"] == reverse("core:privacy")


def test_login_page_sends_a_signed_in_user_home(client, carer):
    _login(client, "rosa.carer", TEST_PASSWORD)

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == HOME


# Lockout (T9) -----------------------------------------------------------------


def test_the_fifth_wrong_password_locks_that_username_at_that_address(client, carer):
    statuses = _fail(client, "rosa.carer", settings.AXES_FAILURE_LIMIT)

    assert settings.AXES_FAILURE_LIMIT == 5
    assert statuses == [400, 400, 400, 400, 429]


def test_during_lockout_even_the_right_password_is_refused(client, carer):
    _fail(client, "rosa.carer", 5)

    response = _login(client, "rosa.carer", TEST_PASSWORD)

    assert response.status_code == 429
    assert "Too many attempts to log in" in response.content.decode()
    assert not _signed_in(client)


def test_lockout_page_states_the_pause_in_plain_english(client, carer):
    _fail(client, "rosa.carer", 5)

    page = _login(client, "rosa.carer", TEST_PASSWORD).content.decode()

    # axes passes ``cooloff_time`` as ISO 8601 ("PT1H"), which is not words a carer can read.
    assert "PT1H" not in page
    assert "1 hour" in page or "an hour" in page


def test_lockout_does_not_stop_the_same_username_from_another_address(client, carer):
    _fail(client, "rosa.carer", 5)

    response = _login(Client(), "rosa.carer", TEST_PASSWORD, ip=OTHER_IP)

    assert response.status_code == 302


def test_lockout_does_not_stop_another_username_from_the_same_address(client, carer, home_org):
    make_member(home_org, Membership.Role.PARTICIPANT, username="sam.carer")
    _fail(client, "rosa.carer", 5)

    response = _login(Client(), "sam.carer", TEST_PASSWORD)

    assert response.status_code == 302


def test_a_successful_login_clears_the_failure_count(client, carer):
    _fail(client, "rosa.carer", 4)
    _login(client, "rosa.carer", TEST_PASSWORD)
    client.post(LOGOUT)

    statuses = _fail(client, "rosa.carer", 4)

    assert statuses == [400] * 4


def test_lockout_still_holds_just_before_the_cooloff_ends(client, carer, frozen):
    _fail(client, "rosa.carer", 5)

    frozen.shift(dt.timedelta(hours=settings.AXES_COOLOFF_TIME) - dt.timedelta(seconds=1))

    assert _login(client, "rosa.carer", TEST_PASSWORD).status_code == 429


def test_login_works_again_once_the_cooloff_has_passed(client, carer, frozen):
    _fail(client, "rosa.carer", 5)

    frozen.shift(dt.timedelta(hours=settings.AXES_COOLOFF_TIME, seconds=1))

    assert settings.AXES_COOLOFF_TIME == 1
    assert _login(client, "rosa.carer", TEST_PASSWORD).status_code == 302


def test_spoofed_forwarded_for_does_not_reset_the_count_without_a_trusted_proxy(client, carer, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    statuses = [
        _login(client, "rosa.carer", "not-the-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(1, 6)
    ]
    response = _login(client, "rosa.carer", TEST_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")

    assert statuses[-1] == 429
    assert response.status_code == 429
    assert set(AuditEvent.objects.filter(action="auth.login_failed").values_list("ip_address", flat=True)) == {
        ATTACKER_IP
    }


def test_behind_one_proxy_the_client_is_the_right_most_forwarded_address(client, carer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"

    # The attacker forges the left part of the header; the proxy appends the real address.
    statuses = [
        _login(
            client, "rosa.carer", "not-the-password", ip=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7"
        ).status_code
        for n in range(1, 6)
    ]
    locked = _login(client, "rosa.carer", TEST_PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.7")
    elsewhere = _login(Client(), "rosa.carer", TEST_PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.8")

    assert statuses[-1] == 429
    assert locked.status_code == 429
    assert elsewhere.status_code == 302
    assert AuditEvent.objects.get(action="auth.logged_in").ip_address == "198.51.100.8"
    assert set(AuditEvent.objects.filter(action="auth.login_failed").values_list("ip_address", flat=True)) == {
        "198.51.100.7"
    }


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "198.51.100.7", ATTACKER_IP),
        (0, "", ATTACKER_IP),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "192.0.2.1, 198.51.100.7", "198.51.100.7"),
        (1, " 192.0.2.1 ,198.51.100.7 ", "198.51.100.7"),
        (2, "198.51.100.7, 192.0.2.1", "198.51.100.7"),
        (2, "192.0.2.66, 198.51.100.7, 192.0.2.1", "198.51.100.7"),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "", ATTACKER_IP),
        (2, "192.0.2.1", ATTACKER_IP),
        (1, "not-an-address", ATTACKER_IP),
        (1, "198.51.100.7:443", ATTACKER_IP),
    ],
)
def test_client_ip_trusts_only_the_configured_number_of_proxies(proxies, forwarded_for, expected, settings):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=ATTACKER_IP, HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_ip(request) == expected


def test_failures_and_lockout_are_audited_without_the_attempted_username(client, carer):
    AuditEvent.objects.all().delete()

    _fail(client, "rosa.carer", 5)

    assert _actions() == {"auth.login_failed": 5, "auth.locked_out": 1}
    for event in AuditEvent.objects.all():
        assert event.actor is None
        assert event.actor_label == "system:authentication"
        assert event.ip_address == ATTACKER_IP
        stored = json.dumps([event.actor_label, event.target_type, event.target_id, event.data])
        assert "rosa" not in stored


def test_an_attempt_during_lockout_is_audited_as_failed_and_locked_out(client, carer):
    _fail(client, "rosa.carer", 5)
    AuditEvent.objects.all().delete()

    _login(client, "rosa.carer", TEST_PASSWORD)

    assert _actions() == {"auth.login_failed": 1, "auth.locked_out": 1}


# Logging out ------------------------------------------------------------------


def test_logout_by_get_is_refused_and_keeps_the_session(client, carer):
    _login(client, "rosa.carer", TEST_PASSWORD)

    response = client.get(LOGOUT)

    assert response.status_code == 405
    assert _signed_in(client)


def test_logout_by_post_ends_the_session_and_is_audited(client, carer):
    _login(client, "rosa.carer", TEST_PASSWORD)
    AuditEvent.objects.all().delete()

    response = client.post(LOGOUT, REMOTE_ADDR=ATTACKER_IP)

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not _signed_in(client)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.ip_address) == ("auth.logged_out", carer, ATTACKER_IP)


def test_the_old_session_cookie_is_rejected_after_logout(client, carer):
    _login(client, "rosa.carer", TEST_PASSWORD)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post(LOGOUT)

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    response = replay.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# Password reset -----------------------------------------------------------------


def _reset_link() -> str:
    (message,) = mail.outbox
    match = re.search(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _set_password(client: Client, link: str, password: str = NEW_PASSWORD):
    form_page = client.get(link, follow=True)
    return client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def test_password_reset_emails_a_link_that_sets_a_new_password(client, carer):
    response = client.post(RESET, {"email": "rosa.carer@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rosa.carer@example.org"]
    form_page = client.get(_reset_link(), follow=True)
    assert "Set a new password" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert _login(Client(), "rosa.carer", NEW_PASSWORD).status_code == 302
    assert _login(Client(), "rosa.carer", TEST_PASSWORD, ip=OTHER_IP).status_code == 400


def test_password_reset_for_an_unknown_email_sends_nothing_and_looks_the_same(client, carer):
    known = client.post(RESET, {"email": "rosa.carer@example.org"}, follow=True)
    mail.outbox.clear()

    unknown = client.post(RESET, {"email": "nobody@example.org"}, follow=True)

    assert mail.outbox == []
    assert unknown.redirect_chain == known.redirect_chain
    assert "Check your email" in unknown.content.decode()


def test_password_reset_link_works_within_the_hour(client, carer, frozen):
    client.post(RESET, {"email": "rosa.carer@example.org"})

    frozen.shift(dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60))

    assert _set_password(client, _reset_link()).status_code == 302


def test_password_reset_link_expires_after_an_hour(client, carer, frozen):
    client.post(RESET, {"email": "rosa.carer@example.org"})

    frozen.shift(dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1))

    page = client.get(_reset_link(), follow=True).content.decode()
    assert "This link has expired" in page
    assert _login(Client(), "rosa.carer", TEST_PASSWORD).status_code == 302


def test_password_reset_link_works_only_once(client, carer):
    client.post(RESET, {"email": "rosa.carer@example.org"})
    link = _reset_link()
    _set_password(client, link)

    page = Client().get(link, follow=True).content.decode()

    assert "This link has expired" in page


def test_password_reset_ends_the_users_other_sessions(client, carer):
    elsewhere = Client()
    _login(elsewhere, "rosa.carer", TEST_PASSWORD)

    client.post(RESET, {"email": "rosa.carer@example.org"})
    _set_password(client, _reset_link())

    assert not _signed_in(elsewhere)


@pytest.fixture
def new_login(actors, home_org, django_capture_on_commit_callbacks) -> User:
    """A person just given a login by their coordinator: no password yet, a welcome email sent."""
    person = MembershipFactory(organisation=home_org, person__email="new.carer@example.org").person
    with django_capture_on_commit_callbacks(execute=True):
        user = services.grant_login(actor=actors["coordinator"].user, person=person, site_url="http://testserver/")
    return user


def test_the_welcome_link_of_a_new_login_sets_a_first_password(client, new_login):
    assert not new_login.has_usable_password()

    response = _set_password(client, _reset_link())

    assert response.status_code == 302
    assert _login(Client(), "new.carer@example.org", NEW_PASSWORD).status_code == 302


def test_a_new_login_whose_welcome_link_expired_can_ask_for_another(client, new_login, frozen):
    mail.outbox.clear()
    frozen.shift(dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1))

    client.post(RESET, {"email": "new.carer@example.org"})

    # The welcome email promises this; Django's reset form skips users without a usable password.
    assert len(mail.outbox) == 1
    assert _set_password(client, _reset_link()).status_code == 302


def test_password_reset_is_audited(client, carer):
    client.post(RESET, {"email": "rosa.carer@example.org"})
    _set_password(client, _reset_link())

    # T8: a password change or reset is a security event like a login.
    assert AuditEvent.objects.filter(action__startswith="auth.password", target_id=str(carer.pk)).count() == 1


# Sessions (T14) -----------------------------------------------------------------


def test_the_session_key_changes_when_logging_in(client, carer):
    anonymous_session = client.session
    anonymous_session["seen_start_page"] = True
    anonymous_session.save()
    before = anonymous_session.session_key

    _login(client, "rosa.carer", TEST_PASSWORD)

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not import_module(settings.SESSION_ENGINE).SessionStore().exists(before)


def test_an_idle_session_is_logged_out(client, carer, frozen):
    _login(client, "rosa.carer", TEST_PASSWORD)
    assert _signed_in(client)

    frozen.shift(dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_SECONDS + 1))

    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    frozen.shift(dt.timedelta(seconds=5))
    assert not _signed_in(client)


def test_activity_within_the_idle_window_keeps_the_user_signed_in(client, carer, frozen):
    _login(client, "rosa.carer", TEST_PASSWORD)
    step = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_SECONDS - 60)

    still_in = []
    for _ in range(6):
        frozen.shift(step)
        still_in.append(_signed_in(client))

    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    assert still_in == [True] * 6


def test_a_session_ends_at_its_absolute_lifetime_however_active(client, carer, frozen):
    _login(client, "rosa.carer", TEST_PASSWORD)
    step = dt.timedelta(minutes=20)
    lifetime = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)

    elapsed = dt.timedelta(0)
    while elapsed < lifetime - step:
        frozen.shift(step)
        elapsed += step
        assert _signed_in(client), f"signed out early, after {elapsed}"
    frozen.shift(lifetime - elapsed + dt.timedelta(seconds=1))

    assert not _signed_in(client)


def test_a_deactivated_user_is_signed_out_on_their_next_request(client, carer):
    _login(client, "rosa.carer", TEST_PASSWORD)

    User.objects.filter(pk=carer.pk).update(is_active=False)

    assert not _signed_in(client)


# Settings -----------------------------------------------------------------------


def test_base_settings_hash_passwords_with_argon2_first():
    from peerpath.config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert make_password("a long passphrase").startswith("argon2$")


def test_base_settings_keep_reset_links_and_lockout_short():
    from peerpath.config.settings import base

    assert base.PASSWORD_RESET_TIMEOUT == 60 * 60
    assert base.AXES_FAILURE_LIMIT == 5
    assert base.AXES_COOLOFF_TIME == 1
    assert base.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert base.SESSION_COOKIE_AGE == 8 * 60 * 60
