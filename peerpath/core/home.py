"""The signed-in home page: what each user can do next, as registered by the apps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class HomeLink:
    heading: str
    # May name the people a programme serves as {people} or {People_possessive}: the home page
    # fills them in the user's programme's words (peerpath.programmes.context.fill).
    description: str
    url_name: str
    visible: Callable[[HttpRequest], bool]
    order: int = 100


_LINKS: dict[str, HomeLink] = {}


def register(link: HomeLink) -> None:
    _LINKS[link.url_name] = link


def home_sections(request: HttpRequest) -> list[dict[str, str]]:
    links = sorted(_LINKS.values(), key=lambda link: (link.order, link.heading))
    return [
        {"heading": link.heading, "description": link.description, "href": reverse(link.url_name)}
        for link in links
        if link.visible(request)
    ]
