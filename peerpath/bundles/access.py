"""Who can see which programmes, and where an import waits between its upload and its preview.

- **Administrators** see every programme, export any and import bundles for any organisation.
- **Coordinators** see the programmes their organisations own, read-only.
- Anyone else sees none. A programme out of scope is a 404, like one that does not exist.

An import in progress is the bundle file (kept under ``DATA_DIR/bundle-uploads``, or just the
name of a shipped model) and the chosen owner, remembered in the uploader's session under a
new id. Only that session can reach its preview: any other id is a 404. Starting a new import
replaces the last one and deletes its file; importing deletes it too.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest

from peerpath.accreditation.models import Scheme
from peerpath.bundles import reading, services
from peerpath.bundles.format import Bundle
from peerpath.bundles.models import ProgrammeImport
from peerpath.courses.models import Course
from peerpath.people.access import principal_for
from peerpath.people.models import Membership, Organisation
from peerpath.programmes.models import Programme

User = AbstractBaseUser | AnonymousUser

# Files of imports nobody finished are removed when someone next starts one, after this long.
ABANDONED_SECONDS = 24 * 60 * 60
SESSION_KEY = "peerpath_bundle_import"


def visible_programmes(user: User) -> QuerySet[Programme]:
    """Programmes ``user`` may see, with their owner: all for an administrator, else their coordinated ones'."""
    principal = principal_for(user)
    programmes = Programme.objects.select_related("owner")
    if principal.is_administrator:
        return programmes
    return programmes.filter(owner_id__in=principal.organisations(Membership.Role.COORDINATOR))


def programme_list(user: User) -> QuerySet[Programme]:
    """The list page's rows in one query: each programme with ``course_count`` and ``scheme_count``."""
    return visible_programmes(user).annotate(
        course_count=Count("courses", distinct=True),
        scheme_count=Count("schemes", distinct=True),
    )


def access_programme(user: User, pk: Any) -> Programme:
    """One programme ``user`` may see, or Http404."""
    try:
        return visible_programmes(user).get(pk=pk)
    except (Programme.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such programme") from None


def programme_courses(programme: Programme) -> list[Course]:
    """The programme's courses by title (one query)."""
    return list(Course.objects.filter(programme=programme).order_by("title", "pk"))


def programme_schemes(programme: Programme) -> list[Scheme]:
    """The accreditation schemes the programme owns, by name (one query)."""
    return list(Scheme.objects.filter(programme=programme).order_by("name", "code"))


def programme_origin(programme: Programme) -> ProgrammeImport | None:
    """The import that made the programme, with who made it (one query), or None for a programme made here."""
    return ProgrammeImport.objects.filter(programme=programme).select_related("imported_by").first()


def importing_organisations() -> QuerySet[Organisation]:
    """Organisations an import may make a programme for (the importer is an administrator)."""
    return Organisation.objects.order_by("name")


# -- imports in progress ------------------------------------------------------------------


@dataclass(frozen=True)
class PendingImport:
    """A bundle waiting for its preview: an uploaded file or a shipped model, and its owner."""

    key: uuid.UUID
    owner: Organisation
    shipped: str  # the shipped model's name, or "" for an uploaded file

    @property
    def path(self) -> Path:
        return upload_folder() / f"{self.key}.zip"

    def bundle(self) -> Bundle:
        """The bundle, read again (raises ``BundleError``; Http404 if the uploaded file has gone)."""
        if self.shipped:
            return services.shipped_model(self.shipped)
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            raise Http404("This upload has gone. Start the import again") from None
        return reading.read(content)


def upload_folder() -> Path:
    return Path(settings.DATA_DIR) / "bundle-uploads"


def start_import(
    request: HttpRequest, *, owner: Organisation, upload: Iterable[bytes] | None, shipped: str = ""
) -> uuid.UUID:
    """Remember a new import in the session (replacing and deleting any earlier one); its id.

    ``upload`` is the uploaded file's chunks, written to the upload folder; a shipped model
    is remembered by name only.
    """
    forget_import(request)
    _remove_abandoned()
    key = uuid.uuid4()
    if upload is not None:
        folder = upload_folder()
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / f"{key}.zip").open("wb") as file:
            for chunk in upload:
                file.write(chunk)
    request.session[SESSION_KEY] = {"key": str(key), "owner": str(owner.pk), "shipped": shipped}
    return key


def pending_import(request: HttpRequest, key: uuid.UUID) -> PendingImport:
    """The session's import in progress with this id, or Http404 (another's, finished or unknown)."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict) or stored.get("key") != str(key):
        raise Http404("No such import in progress")
    try:
        owner = importing_organisations().get(pk=str(stored.get("owner")))
    except (Organisation.DoesNotExist, ValueError, ValidationError):
        raise Http404("The organisation for this import has gone") from None
    return PendingImport(key=key, owner=owner, shipped=str(stored.get("shipped") or ""))


def forget_import(request: HttpRequest) -> None:
    """Drop the session's import in progress and delete its file, if any."""
    stored = request.session.pop(SESSION_KEY, None)
    if isinstance(stored, dict) and stored.get("key"):
        try:
            key = uuid.UUID(str(stored["key"]))
        except ValueError:
            return
        (upload_folder() / f"{key}.zip").unlink(missing_ok=True)


def _remove_abandoned() -> None:
    folder = upload_folder()
    if not folder.is_dir():
        return
    cutoff = time.time() - ABANDONED_SECONDS
    for path in folder.glob("*.zip"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
