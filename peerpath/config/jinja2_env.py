"""The Jinja2 environment: NHS.UK frontend macros plus a few Django helpers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import BaseLoader, ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from peerpath.core.forms import error_list
from peerpath.core.navigation import navigation_for
from peerpath.programmes.context import TermsContext, fill, possessive


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> Environment:
    loader: BaseLoader = options.pop("loader")
    # The NHS.UK macros rely on ChainableUndefined for optional nested params.
    options["undefined"] = ChainableUndefined
    options["extensions"] = [*options.get("extensions", []), "jinja2.ext.do"]
    options.pop("autoescape", None)
    env = Environment(
        loader=ChoiceLoader([loader, PackageLoader("nhsuk_frontend_jinja")]),
        autoescape=True,
        **options,
    )
    # ``terms``: the programme's words, from the view or else from the request (see programmes.context).
    env.context_class = TermsContext
    env.filters.update({"fill_terms": fill, "possessive": possessive})
    env.globals.update(
        {
            "url": url,
            "static": static,
            "get_messages": get_messages,
            "navigation_for": navigation_for,
            "error_list": error_list,
            "service_name": settings.PEERPATH_SERVICE_NAME,
        }
    )
    return env
