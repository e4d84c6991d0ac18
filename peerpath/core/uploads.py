"""A ceiling on the size of any request that carries files.

Per-file limits (for example ``PEERPATH_MATERIAL_MAX_BYTES``) are checked by
the service that accepts the file, with a message beside the field. This
handler stops a request far beyond any of them before Django spools it to disk:
it raises ``RequestDataTooBig``, which Django answers with the 400 page, and
that page says the file was too large.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class RequestSizeLimitHandler(FileUploadHandler):
    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 - the name Django passes it by
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        if content_length > settings.PEERPATH_MAX_REQUEST_BYTES:
            raise RequestDataTooBig("The upload is larger than PeerPath accepts")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
