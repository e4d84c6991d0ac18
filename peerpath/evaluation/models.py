"""Instrument definitions as versioned rows (the shipped files, and administrators' new versions),
and what people answer: responses, their answers, stored scores and safety alerts.

Schedules and invitations come next; see ADR 016. Responses are written only through
``peerpath.evaluation.responses``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
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


class Response(models.Model):
    """One completion of one instrument version by one person (the carer, also when they
    answer about the person they care for), perhaps for one course run and timepoint."""

    class Timepoint(models.TextChoices):
        BASELINE = "baseline", "Baseline"
        END = "end", "End of course"
        FOLLOW_UP = "follow_up", "Follow-up"
        OTHER = "other", "Other"

    class Mode(models.TextChoices):
        ONLINE = "online", "Online"
        PAPER = "paper", "Paper form"
        PHONE = "phone", "By phone"
        IN_PERSON = "in_person", "In person"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    instrument_version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="responses")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="questionnaire_responses", help_text="Who answers"
    )
    run = models.ForeignKey(
        "delivery.CourseRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questionnaire_responses",
        help_text="The course run this response evaluates",
    )
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices, blank=True)
    mode = models.CharField(max_length=10, choices=Mode.choices, help_text="How the answers were collected")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The member of staff who typed in the answers (paper, phone or in-person entry)",
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # A person's responses to one instrument over time (their scores page, pre/post pairs).
            models.Index(fields=["person", "instrument_version", "started_at"], name="response_person_instrument"),
            # A run's responses at each timepoint (the run's evaluation summary).
            models.Index(fields=["run", "timepoint"], name="response_run_timepoint"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="in_progress", completed_at__isnull=True)
                | models.Q(status="complete", completed_at__isnull=False),
                name="response_completed_at_with_status",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_version} response {self.pk}"


class Answer(models.Model):
    """One item's answer, as the value the instrument scores (an unanswered item has no row)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item_id = models.SlugField(max_length=60)
    value = models.DecimalField(max_digits=8, decimal_places=2)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["response", "item_id"]
        constraints = [models.UniqueConstraint(fields=["response", "item_id"], name="answer_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value}"


class Score(models.Model):
    """One scale's score for one response, stamped with the rule that made it.

    A rescoring adds rows for the new scoring version and keeps the old ones, so every
    change of score can be traced to a change of rule (ADR 016).
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="scores")
    scale_code = models.CharField(max_length=60)
    # Four decimals: a rule may keep more than the default two (``decimals`` in the file).
    value = models.DecimalField(max_digits=12, decimal_places=4)
    raw = models.DecimalField(max_digits=12, decimal_places=4, help_text="The score before any conversion")
    answered = models.PositiveSmallIntegerField()
    missing = models.PositiveSmallIntegerField()
    prorated = models.BooleanField()
    band = models.CharField(max_length=100, blank=True)
    instrument_code = models.SlugField(max_length=60)
    instrument_version = models.PositiveSmallIntegerField()
    scoring_version = models.PositiveSmallIntegerField()
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["response", "scale_code", "-scoring_version"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "scale_code", "scoring_version"], name="score_once_per_scale_and_rule"
            )
        ]
        indexes = [
            # The rescoring job: every score made by an older scoring version of an instrument.
            models.Index(fields=["instrument_code", "scoring_version"], name="score_instrument_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.scale_code}: {self.value}"


class SafetyAlert(models.Model):
    """An answer that met an instrument's safety rule: the person was shown where to get help
    now, and someone must follow up. Closed by staff with a note of what was done."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="safety_alerts")
    item_id = models.SlugField(max_length=60)
    value = models.DecimalField(max_digits=8, decimal_places=2)
    message = models.TextField(help_text="What the person was shown")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="How it was followed up")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Open alerts, oldest first: the follow-up list.
            models.Index(fields=["status", "created_at"], name="safety_alert_status"),
        ]

    def __str__(self) -> str:
        return f"Safety alert on {self.item_id} ({self.get_status_display()})"
