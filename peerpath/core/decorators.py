"""View decorators that state who may use a view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest
from django.http.response import HttpResponseBase


def permission_required(
    permission: str,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Refuse with 403 unless the user holds a named rule (no object).

    Object-level checks happen after the access helper has fetched the object,
    because the helper's 404 for out-of-scope rows must come first.
    """

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def require_object_permission(request: HttpRequest, permission: str, obj: Model) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied
