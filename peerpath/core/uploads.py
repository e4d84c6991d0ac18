"""A ceiling on the size of any request that carries files.

Per-file limits (for example ``PEERPATH_MATERIAL_MAX_BYTES``) are checked by
the service that accepts the file, with a message beside the field. This
handler stops a request far beyond any of them before Django spools it to disk:
it raises ``RequestDataTooBig``, which Django answers with the 400 page, and
that page says the file was too large.

A view that takes larger files (a programme bundle) names its own ceiling with
:func:`upload_ceiling`: the setting it reads, at request time, instead of
``PEERPATH_MAX_REQUEST_BYTES``. CSRF checks read the body after the URL is resolved, so
the handler always knows which view the request is for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

CEILING_ATTRIBUTE = "peerpath_upload_ceiling"
View = TypeVar("View", bound=Callable[..., Any])


def upload_ceiling(setting: str) -> Callable[[View], View]:
    """Let this view take requests up to ``settings.<setting>`` bytes instead of the default.

    Apply it outermost (above ``permission_required``), so the view Django resolves carries it.
    """

    def mark(view: View) -> View:
        setattr(view, CEILING_ATTRIBUTE, setting)
        return view

    return mark


def ceiling_for(request: Any) -> int:
    """The largest request this one may be: its view's own ceiling, or the default."""
    match = getattr(request, "resolver_match", None)
    setting = getattr(match.func, CEILING_ATTRIBUTE, None) if match is not None else None
    return int(getattr(settings, setting)) if setting else int(settings.PEERPATH_MAX_REQUEST_BYTES)


class RequestSizeLimitHandler(FileUploadHandler):
    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 - the name Django passes it by
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        if content_length > ceiling_for(self.request):
            raise RequestDataTooBig("The upload is larger than PeerPath accepts")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
