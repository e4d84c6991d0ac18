"""The audit log: one append-only table written by services."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """Something a person or a named system job did, written in the same transaction.

    ``actor_label`` keeps a readable name for system jobs and survives the
    deletion of a user; it never holds personal data about the target.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=100)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            # A record's history page: events for one target, newest first.
            models.Index(fields=["target_type", "target_id", "-occurred_at"], name="audit_target_idx"),
            # "What did this user do": the security review.
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_idx"),
            # The newest event: part of the reports' data version (peerpath.reports.versions).
            models.Index(fields=["-occurred_at"], name="audit_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label}"
