"""Unpacking an archive (or reading a folder) into memory, and checking it against its manifest.

Nothing is written anywhere: the archive is unpacked into memory within the limits in
``format``, and checked while unpacking too, since an entry's header can lie about its size.
"""

from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from peerpath.bundles import format as fmt
from peerpath.bundles.reading.errors import BundleError, Reader
from peerpath.bundles.writing import content_digest, sha256


def safe_path(name: str) -> str:
    """The entry's path if it stays inside the bundle, else a refusal naming it."""
    shown = name[:120]
    if not name or "\\" in name or "\x00" in name:
        raise BundleError(f"The bundle has a file named '{shown}', which is not a plain relative path")
    path = PurePosixPath(name)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", name):
        raise BundleError(f"The bundle has a file with an absolute path ('{shown}'). Bundles only hold relative paths")
    if any(part in ("..", ".", "") for part in name.split("/")):
        raise BundleError(f"The bundle has a path that climbs out of its folder ('{shown}')")
    return name


def open_archive(data: bytes) -> dict[str, bytes]:
    """Every file in the archive by path, unpacked into memory within the format's limits."""
    if not data.startswith(b"PK"):
        raise BundleError("The file is not a programme bundle: it is not a zip archive")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise BundleError(f"The bundle cannot be opened as a zip archive ({error})") from None
    files = [entry for entry in entries if not entry.is_dir()]
    if len(files) > fmt.MAX_FILES:
        raise BundleError(f"The bundle has {len(files):,} files; a bundle may hold at most {fmt.MAX_FILES:,}")
    declared = sum(entry.file_size for entry in files)
    if declared > fmt.MAX_TOTAL_BYTES:
        raise BundleError(
            f"The bundle would unpack to {declared / 1024 / 1024:,.0f} MB; a bundle may unpack to at most "
            f"{fmt.MAX_TOTAL_BYTES // 1024 // 1024} MB"
        )
    found: dict[str, bytes] = {}
    total = 0
    for entry in files:
        name = safe_path(entry.filename)
        if name in found:
            raise BundleError(f"The bundle holds '{name}' twice")
        if stat.S_ISLNK(entry.external_attr >> 16):
            raise BundleError(f"The bundle has a link ('{name}'), not a file")
        if entry.flag_bits & 0x1:
            raise BundleError(f"'{name}' in the bundle is encrypted")
        # The sizes in an entry's header can lie, so the limits are kept while unpacking too.
        limit = min(fmt.MAX_TOTAL_BYTES - total, max(entry.compress_size, 1) * fmt.MAX_RATIO)
        if entry.file_size > limit:
            raise BundleError(_bomb(name))
        try:
            with archive.open(entry) as stream:
                content = stream.read(limit + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
            raise BundleError(f"'{name}' in the bundle cannot be unpacked ({error})") from None
        if len(content) > limit:
            raise BundleError(_bomb(name))
        total += len(content)
        found[name] = content
    return found


def _bomb(name: str) -> str:
    return (
        f"'{name}' in the bundle unpacks to far more than it holds packed, or past the bundle's limit. "
        "It is refused as a possible zip bomb"
    )


def read_folder(folder: Path) -> dict[str, bytes]:
    """A bundle kept unpacked (the shipped models): every regular file under ``folder`` by path."""
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise BundleError(f"The bundle folder has a link ('{path.relative_to(folder)}'), not a file")
        if path.is_file():
            found[safe_path(path.relative_to(folder).as_posix())] = path.read_bytes()
    return found


# -- checking every file against the manifest -------------------------------------------------


def load_json(name: str, content: bytes, *, decimals: bool = True) -> Any:
    """The file's JSON; the format's own files read numbers with fractions as Decimals (it writes
    decimals as text, so a float there is refused), instrument documents as stored."""
    if len(content) > fmt.MAX_JSON_BYTES:
        raise BundleError(f"{name} is larger than {fmt.MAX_JSON_BYTES // 1024 // 1024} MB")
    try:
        return json.loads(content.decode("utf-8"), parse_float=Decimal if decimals else float)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleError(f"{name} is not valid JSON ({error})") from None


def check_manifest(files: Mapping[str, bytes]) -> dict[str, Any]:
    """The manifest, once every file is shown to be the one it lists, unchanged."""
    if fmt.MANIFEST not in files:
        raise BundleError(f"The bundle has no {fmt.MANIFEST}. Export the programme again from PeerPath")
    reader = Reader(fmt.MANIFEST)
    manifest = reader.mapping(load_json(fmt.MANIFEST, files[fmt.MANIFEST]), "")
    if manifest.get("format") != fmt.FORMAT:
        raise BundleError(f'The file is not a programme bundle: {fmt.MANIFEST} does not say format "{fmt.FORMAT}"')
    version = manifest.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise BundleError(f"{fmt.MANIFEST}: format_version must be a whole number")
    if version not in fmt.READABLE_VERSIONS:
        readable = ", ".join(str(v) for v in sorted(fmt.READABLE_VERSIONS))
        raise BundleError(
            f"The bundle is format version {version}; this PeerPath reads version {readable}. "
            + ("Update PeerPath to import it" if version > max(fmt.READABLE_VERSIONS) else "Export it again")
        )
    reader.keys(
        manifest,
        "",
        ("format", "format_version", "bundle_id", "exported_at", "programme", "content_digest", "files"),
    )
    reader.text(manifest["bundle_id"], "bundle_id")
    reader.text(manifest["exported_at"], "exported_at")
    listed: dict[str, tuple[int, str]] = {}
    for index, entry in enumerate(reader.listing(manifest["files"], "files")):
        where = f"files[{index}]"
        reader.keys(reader.mapping(entry, where), where, ("path", "bytes", "sha256"))
        path = safe_path(reader.text(entry["path"], f"{where}.path"))
        if path == fmt.MANIFEST or path in listed:
            reader.fail(f"{where}.path", f"lists '{path}' again")
        listed[path] = (reader.whole(entry["bytes"], f"{where}.bytes", minimum=0), reader.text(entry["sha256"], where))
    for path in fmt.DATA_FILES:
        if path not in listed:
            raise BundleError(f"{fmt.MANIFEST} does not list {path}, which every bundle has")
    for path in files:
        if path != fmt.MANIFEST and path not in listed:
            raise BundleError(f"The bundle holds '{path}', which its manifest does not list")
    for path, (size, digest) in listed.items():
        if path not in files:
            raise BundleError(f"The bundle is missing '{path}', which its manifest lists")
        if len(files[path]) != size or sha256(files[path]) != digest:
            raise BundleError(f"'{path}' is not the file the manifest lists: the bundle was changed after export")
    if reader.text(manifest["content_digest"], "content_digest") != content_digest(
        {path: digest for path, (_, digest) in listed.items()}
    ):
        raise BundleError(f"{fmt.MANIFEST}: content_digest does not match the files: the bundle was changed")
    return dict(manifest)


# -- parsing ------------------------------------------------------------------------------
