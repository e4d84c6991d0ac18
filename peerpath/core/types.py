"""Request types for typed views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """A request that LoginRequiredMiddleware has let through: ``user`` is a real User."""

    user: User
    htmx: HtmxDetails
