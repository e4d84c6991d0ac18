"""Instrument definitions as versioned rows (the shipped files, and administrators' new versions),
and what people answer: responses, their answers, stored scores and safety alerts.

Schedules say which instruments a course category (or one run) asks at each timepoint;
invitations carry them to each participant as a tokenised link (ADR 018). Responses are
written only through ``peerpath.evaluation.responses``, invitations only through
``peerpath.evaluation.invitations``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from peerpath.courses.choices import Category


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


class Timepoint(models.TextChoices):
    """When in a course run a questionnaire is asked."""

    BASELINE = "baseline", "Baseline"
    END = "end", "End of course"
    FOLLOW_UP = "follow_up", "Follow-up"
    OTHER = "other", "Other"


# The timepoints a schedule can plan ("other" is for one-off paper entries).
SCHEDULED_TIMEPOINTS = (Timepoint.BASELINE, Timepoint.END, Timepoint.FOLLOW_UP)


class Schedule(models.Model):
    """Which instruments are asked at one timepoint, for a course category or for one run.

    A run uses, for each timepoint, the first schedule found of: its own; its organisation's
    for the course's category; the network's for the category (no organisation). A run's
    own schedule that is not active switches that timepoint off for the run.

    ``days`` places the invitation: baseline goes that many days before the first session,
    end that many days after the last session starts (0: on the day), follow-up that many
    days after the last session ends. The link then works for ``open_days``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "people.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluation_schedules",
        help_text="Leave empty for a schedule every organisation uses unless it has its own",
    )
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    run = models.ForeignKey(
        "delivery.CourseRun",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluation_schedules",
        help_text="Only for this run, instead of its category's schedule",
    )
    timepoint = models.CharField(max_length=10, choices=[(t.value, t.label) for t in SCHEDULED_TIMEPOINTS])
    days = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(730)],
        help_text="Baseline: days before the first session. End: days after the last session starts. "
        "Follow-up: days after the last session ends.",
    )
    open_days = models.PositiveSmallIntegerField(
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How many days the invitation link works",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category", "timepoint"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(run__isnull=True) & ~models.Q(category=""))
                | (models.Q(run__isnull=False) & models.Q(category="")),
                name="schedule_for_category_or_run",
            ),
            models.UniqueConstraint(
                fields=["run", "timepoint"], condition=models.Q(run__isnull=False), name="schedule_once_per_run"
            ),
            models.UniqueConstraint(
                fields=["organisation", "category", "timepoint"],
                condition=models.Q(run__isnull=True, organisation__isnull=False),
                name="schedule_once_per_organisation_category",
            ),
            models.UniqueConstraint(
                fields=["category", "timepoint"],
                condition=models.Q(run__isnull=True, organisation__isnull=True),
                name="schedule_once_per_network_category",
            ),
        ]

    def __str__(self) -> str:
        scope = str(self.run) if self.run_id else self.get_category_display()
        return f"{scope}: {self.get_timepoint_display()}"


class ScheduleInstrument(models.Model):
    """One instrument a schedule asks, by code: invitations take its newest published version."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="instruments")
    instrument_code = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["schedule", "position", "instrument_code"]
        constraints = [models.UniqueConstraint(fields=["schedule", "instrument_code"], name="schedule_instrument_once")]

    def __str__(self) -> str:
        return self.instrument_code


class Invitation(models.Model):
    """One person's invitation to answer a timepoint's questionnaires for one run.

    The link's token is never stored: it is an HMAC of the invitation's id and ``nonce``
    under the site's secret key (``invitations.token_for``), so neither a copy of the
    database nor the key alone can make one, and a new nonce kills every earlier link.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETE = "complete", "Complete"
        WITHDRAWN = "withdrawn", "Withdrawn"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="evaluation_invitations")
    run = models.ForeignKey("delivery.CourseRun", on_delete=models.PROTECT, related_name="evaluation_invitations")
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    schedule = models.ForeignKey(Schedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    nonce = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the first email went")
    reminded_at = models.DateTimeField(null=True, blank=True, help_text="When the last reminder went")
    reminders = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "run", "timepoint"], name="invitation_once_per_timepoint")
        ]
        indexes = [
            # The reminder job: open invitations by when they were last emailed.
            models.Index(fields=["status", "expires_at"], name="invitation_open_expiry"),
            # A run's evaluation page: its invitations by timepoint.
            models.Index(fields=["run", "timepoint"], name="invitation_run_timepoint"),
        ]

    def __str__(self) -> str:
        return f"{self.get_timepoint_display()} invitation {self.pk}"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def closed_because(self, now: datetime | None = None) -> str | None:
        """Why the link no longer works ("complete", "withdrawn" or "expired"), or None while it does."""
        if self.status == self.Status.COMPLETE:
            return "complete"
        if self.status == self.Status.WITHDRAWN:
            return "withdrawn"
        return "expired" if self.is_expired(now) else None


class InvitationQuestionnaire(models.Model):
    """One instrument version an invitation asks, in order; fixed when the invitation is made."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="questionnaires")
    instrument_version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["invitation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invitation", "position"], name="invitation_questionnaire_position"),
            models.UniqueConstraint(fields=["invitation", "instrument_version"], name="invitation_questionnaire_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.instrument_version}"


class Response(models.Model):
    """One completion of one instrument version by one person (the carer, also when they
    answer about the person they care for), perhaps for one course run and timepoint."""

    Timepoint = Timepoint

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
    invitation = models.ForeignKey(
        Invitation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
        help_text="The invitation whose link the person answered through",
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
            ),
            models.UniqueConstraint(
                fields=["invitation", "instrument_version"],
                condition=models.Q(invitation__isnull=False),
                name="response_once_per_invitation_questionnaire",
            ),
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


class ScoreQuerySet(models.QuerySet["Score"]):
    def newest_rules(self, codes: Iterable[str]) -> dict[str, int]:
        """The newest scoring version stored for each of these instruments (codes never scored are
        left out), in one query.

        Reports read the scores of one rule per instrument: a rescore (ADR 016) adds the new
        rule's scores to every submitted response, so the newest stored rule covers them all
        once the rescoring has run. Each code is one look-up of the ``score_instrument_rule``
        index, never a scan of every score.
        """
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        newest = (
            self.filter(instrument_code=OuterRef("code")).order_by("-scoring_version").values("scoring_version")[:1]
        )
        rows = (
            InstrumentVersion.objects.filter(code__in=wanted)
            .order_by()
            .values("code")
            .distinct()
            .annotate(newest=Subquery(newest))
            .values_list("code", "newest")
        )
        return {code: version for code, version in rows if version is not None}


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

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["response", "scale_code", "-scoring_version"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "scale_code", "scoring_version"], name="score_once_per_scale_and_rule"
            )
        ]
        indexes = [
            # The rescoring job: every score made by an older scoring version of an instrument; and
            # reports' newest rule per instrument (ScoreQuerySet.newest_rules), one look-up each.
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
    organisation = models.ForeignKey(
        "people.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safety_alerts",
        help_text="Whose coordinators follow it up: the run's organisation, else the person's",
    )
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
            # A coordinator's follow-up list: their organisations' alerts.
            models.Index(fields=["organisation", "status", "created_at"], name="safety_alert_organisation"),
        ]

    def __str__(self) -> str:
        return f"Safety alert on {self.item_id} ({self.get_status_display()})"
