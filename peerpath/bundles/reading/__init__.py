"""An archive (or a folder) read into a :class:`~peerpath.bundles.format.Bundle`, or refused.

Nothing is written anywhere while reading: the archive is unpacked into memory, within
the limits in ``format``, and every file is checked against the manifest before any is
parsed. Each refusal is a :class:`BundleError` whose message says what is wrong and
where, fit to show to the administrator who uploaded the file.
"""

from __future__ import annotations

from peerpath.bundles.format import Bundle
from peerpath.bundles.reading.archive import check_manifest, open_archive, read_folder
from peerpath.bundles.reading.documents import parse
from peerpath.bundles.reading.errors import SLUG, BundleError

__all__ = ["SLUG", "BundleError", "check_manifest", "open_archive", "parse", "read", "read_folder"]


def read(data: bytes) -> Bundle:
    """An uploaded archive, checked and parsed."""
    return parse(open_archive(data))
