"""Which files may be uploaded as course materials, checked by content as well as by name.

Only document and image formats tutors use are accepted. The type is decided
from the file's first bytes (and, for Office and OpenDocument files, from the
zip's own manifest), never from the browser's Content-Type header. Anything
that could run script when opened by a browser (HTML, SVG, XML) or run as a
program is refused; files are always served back as attachments with the
content type chosen here and ``nosniff``.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat


class MaterialRejectedError(ValueError):
    """The file cannot be accepted; the message is fit to show."""


@dataclass(frozen=True)
class Kind:
    extension: str
    content_type: str
    label: str


PDF = Kind(".pdf", "application/pdf", "PDF")
DOCX = Kind(".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word")
PPTX = Kind(".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint")
XLSX = Kind(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel")
ODT = Kind(".odt", "application/vnd.oasis.opendocument.text", "OpenDocument text")
ODP = Kind(".odp", "application/vnd.oasis.opendocument.presentation", "OpenDocument presentation")
ODS = Kind(".ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet")
PNG = Kind(".png", "image/png", "PNG image")
JPEG = Kind(".jpg", "image/jpeg", "JPEG image")

BY_EXTENSION = {kind.extension: kind for kind in (PDF, DOCX, PPTX, XLSX, ODT, ODP, ODS, PNG, JPEG)} | {".jpeg": JPEG}
OOXML_PARTS = {".docx": "word/", ".pptx": "ppt/", ".xlsx": "xl/"}
ALLOWED_DESCRIPTION = "a PDF, Word, PowerPoint, Excel, OpenDocument, PNG or JPEG file"
# Signatures of programs and scripts, refused with a message that says so.
EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa")


def max_bytes() -> int:
    return int(settings.PEERPATH_MATERIAL_MAX_BYTES)


def check_upload(upload: UploadedFile) -> Kind:
    """Return the file's kind, or raise MaterialRejectedError with a message for the form."""
    name = upload.name or ""
    extension = PurePath(name).suffix.lower()
    size = upload.size or 0
    if size == 0:
        raise MaterialRejectedError("The selected file is empty")
    if size > max_bytes():
        raise MaterialRejectedError(f"The selected file must be smaller than {filesizeformat(max_bytes())}")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(EXECUTABLE_SIGNATURES):
        raise MaterialRejectedError("The selected file is a program or script. Upload " + ALLOWED_DESCRIPTION)
    kind = BY_EXTENSION.get(extension)
    if kind is None:
        raise MaterialRejectedError("The selected file must be " + ALLOWED_DESCRIPTION)
    if not content_matches(kind, extension, head, upload):
        raise MaterialRejectedError(f"The selected file is not a real {kind.label} file. Upload " + ALLOWED_DESCRIPTION)
    return kind


def content_matches(kind: Kind, extension: str, head: bytes, upload: UploadedFile) -> bool:
    if kind is PDF:
        return head.startswith(b"%PDF-")
    if kind is PNG:
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind is JPEG:
        return head.startswith(b"\xff\xd8\xff")
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(upload.file) as archive:  # type: ignore[arg-type]
            names = archive.namelist()
            if extension in OOXML_PARTS:
                return "[Content_Types].xml" in names and any(n.startswith(OOXML_PARTS[extension]) for n in names)
            # OpenDocument: an uncompressed "mimetype" entry naming the type.
            if "mimetype" not in names or archive.getinfo("mimetype").file_size > 100:
                return False
            return archive.read("mimetype").decode("ascii", "replace").strip() == kind.content_type
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return False
    finally:
        upload.seek(0)
