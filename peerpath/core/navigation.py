"""The header navigation: apps register items, the layout shows those a user may use.

Core cannot import the domain apps, so each app registers its items in its
``AppConfig.ready``; the order number places them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    text: str
    url_name: str
    # A request path starting with this prefix marks the item as current.
    prefix: str
    visible: Callable[[HttpRequest], bool]
    order: int = 100


_REGISTRY: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _REGISTRY[item.url_name] = item


def navigation_for(request: HttpRequest) -> list[dict[str, object]]:
    """Items for the NHS.UK header navigation macro, for this request's user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = sorted(_REGISTRY.values(), key=lambda item: (item.order, item.text))
    return [
        {"text": item.text, "href": reverse(item.url_name), "current": request.path.startswith(item.prefix)}
        for item in items
        if item.visible(request)
    ]


register(NavItem("Home", "core:home", "/home/", visible=lambda request: True, order=0))
register(
    NavItem("Administration", "admin:index", "/admin/", visible=lambda request: request.user.is_superuser, order=900)
)
