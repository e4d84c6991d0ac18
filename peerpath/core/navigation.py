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
    visible: Callable[[HttpRequest], bool]
    # Whether the request's page belongs to this item; by default, pages under its URL.
    is_current: Callable[[HttpRequest], bool] | None = None
    order: int = 100

    def current(self, request: HttpRequest, href: str) -> bool:
        if self.is_current is not None:
            return self.is_current(request)
        return request.path.startswith(href)


_REGISTRY: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _REGISTRY[item.url_name] = item


def navigation_for(request: HttpRequest) -> list[dict[str, object]]:
    """Items for the NHS.UK header navigation macro, for this request's user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = sorted(_REGISTRY.values(), key=lambda item: (item.order, item.text))
    shown = []
    for item in items:
        if item.visible(request):
            href = reverse(item.url_name)
            shown.append({"text": item.text, "href": href, "current": item.current(request, href)})
    return shown


register(NavItem("Home", "core:home", visible=lambda request: True, order=0))
register(NavItem("Administration", "admin:index", visible=lambda request: request.user.is_superuser, order=900))
