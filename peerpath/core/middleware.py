"""Request-wide policies: idle session expiry and no caching of private pages."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

_LAST_SEEN_KEY = "peerpath_last_seen"
_SIGNED_IN_KEY = "peerpath_signed_in_at"
# Write the session at most this often; every request would serialise on SQLite.
_REFRESH_EVERY_SECONDS = 60


def mark_signed_in(request: HttpRequest) -> None:
    """Start the session's clocks at sign-in (called from the user_logged_in signal)."""
    now = int(time.time())
    request.session[_SIGNED_IN_KEY] = now
    request.session[_LAST_SEEN_KEY] = now


class IdleSessionTimeoutMiddleware:
    """Log a user out after ``SESSION_IDLE_TIMEOUT_SECONDS`` without a request,
    and ``SESSION_COOKIE_AGE`` after they signed in however active they were.

    Saving a session pushes its cookie expiry forward, so the absolute limit is
    kept here from the first request after sign-in. The idle limit is what a
    shared family computer needs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(_LAST_SEEN_KEY)
            signed_in_at = request.session.get(_SIGNED_IN_KEY)
            idle = isinstance(last_seen, int) and now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS
            too_old = isinstance(signed_in_at, int) and now - signed_in_at > settings.SESSION_COOKIE_AGE
            if idle or too_old:
                logout(request)
            else:
                if not isinstance(signed_in_at, int):
                    request.session[_SIGNED_IN_KEY] = now
                if not isinstance(last_seen, int) or now - last_seen >= _REFRESH_EVERY_SECONDS:
                    request.session[_LAST_SEEN_KEY] = now
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Pages seen by a signed-in user must not be kept by browsers or proxies (ASVS 14.3.2)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
