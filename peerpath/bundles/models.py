"""What an import made, so that importing the same bundle again changes nothing, where each
adopted course came from, and the exports built in the background."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from peerpath.courses.models import Course
from peerpath.people.models import Organisation
from peerpath.programmes.models import Programme


class ProgrammeImport(models.Model):
    """One bundle imported for one organisation, as the programme it made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programme_imports")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="imports")
    content_digest = models.CharField(max_length=64, help_text="The bundle's content digest (its manifest)")
    bundle_id = models.CharField(max_length=64)
    format_version = models.PositiveSmallIntegerField()
    source_code = models.SlugField(max_length=60, help_text="The programme's code where it was exported")
    source_name = models.CharField(max_length=200)
    summary = models.JSONField(default=dict, help_text="What the import created and reused")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imported_at"]
        constraints = [
            # Importing the same bundle again for the same organisation finds this row and stops.
            models.UniqueConstraint(fields=["owner", "content_digest"], name="bundle_imported_once_per_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.source_name} for {self.owner}"


class CourseOrigin(models.Model):
    """An adopted course: the bundle it came from, its key there and the co-production
    profile it came with (exported again until the course has a record of its own)."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, primary_key=True, related_name="origin")
    programme_import = models.ForeignKey(ProgrammeImport, on_delete=models.CASCADE, related_name="courses")
    key = models.SlugField(max_length=60)
    coproduction = models.JSONField(help_text="The co-production profile in the bundle (hours and counts only)")

    def __str__(self) -> str:
        return f"{self.course} from {self.programme_import}"


class ProgrammeExportQuerySet(QuerySet["ProgrammeExport"]):
    def requested_by_user(self, user: Any) -> ProgrammeExportQuerySet:
        """Exports ``user`` asked for: each export is its requester's alone, administrators included."""
        return self.filter(requested_by_id=getattr(user, "pk", None))

    def without_content(self) -> ProgrammeExportQuerySet:
        """Without the bundle file, for pages that only say how an export is going."""
        return self.defer("content")


class ProgrammeExport(models.Model):
    """A programme export someone asked for: built by a background task, kept for its requester."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        FAILED = "failed", "Could not be built"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    content = models.BinaryField(default=b"", blank=True, editable=False, help_text="The bundle file, once built")
    filename = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=300, blank=True, help_text="What the bundle holds, in counts")
    error = models.CharField(max_length=500, blank=True, help_text="A safe message; the details go to the log")
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ProgrammeExportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        indexes = [
            # "Your recent exports" on a programme's page: the requester's, newest first.
            models.Index(fields=["requested_by", "-requested_at"], name="programme_export_user_idx"),
        ]

    def __str__(self) -> str:
        return f"Export of {self.programme_id} asked for at {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
