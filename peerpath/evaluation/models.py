"""Instrument definitions as versioned rows (the shipped files, and administrators' new versions).

Responses, scores, schedules and invitations come next; see ADR 016.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class InstrumentVersion(models.Model):
    """One version of one instrument: the whole ``peerpath-instrument`` document, and what lists need of it.

    Published versions never change (a change is a new version), so a stored score's
    instrument version and scoring version always point at the rule that made it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    class Origin(models.TextChoices):
        SHIPPED = "shipped", "Shipped with PeerPath"
        LOCAL = "local", "Written by an administrator here"

    code = models.SlugField(max_length=60, help_text="Stable across versions, e.g. phq9")
    version = models.PositiveSmallIntegerField()
    scoring_version = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60)
    respondent = models.CharField(max_length=30)
    licence_class = models.CharField(max_length=20)
    ships_text = models.BooleanField(help_text="Whether the item wording may be shown from this definition")
    own_measure = models.BooleanField(default=False, help_text="The programme's own measure, pending validation")
    definition = models.JSONField(help_text="The peerpath-instrument document (ADR 016)")
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the canonical definition")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.LOCAL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="instrument_version_once")]

    def __str__(self) -> str:
        return f"{self.short_name} (version {self.version})"
