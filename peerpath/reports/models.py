"""What reports are configured with, and the programme reports built in the background.

The reports app reads every other app and writes only these tables:

- ``DisclosurePolicy``: the one rule set every published figure goes through (ADR 019).
- ``PopulationBenchmark``: an area's population shares (census), for representation ratios.
- ``UnitCost``: what one unit of a service costs, with its source and year, to cost service use.
- ``ReportBuild``: a programme report asked for, its progress, and the finished document.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from peerpath.people.models import Area


class DisclosurePolicy(models.Model):
    """The statistical disclosure control rules; the newest row is the one in force.

    Defaults follow NHS England's method for HES (domain reference §8): counts of 1 to 7
    hidden below national level, other counts rounded to the nearest 5, no mean or
    percentage from fewer than 8 values, and secondary suppression so a hidden count cannot
    be worked out from totals.
    """

    name = models.CharField(max_length=150, default="NHS method (HES, from September 2018)")
    suppress_from = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    suppress_to = models.PositiveSmallIntegerField(
        default=7, help_text="Counts from 'suppress from' to this are shown as *"
    )
    rounding_base = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Other counts are rounded to the nearest multiple of this; 1 means no rounding",
    )
    minimum_values = models.PositiveSmallIntegerField(
        default=8,
        validators=[MinValueValidator(1)],
        help_text="No mean, percentage or statistic is shown from fewer values than this",
    )
    secondary_suppression = models.BooleanField(
        default=True, help_text="Hide further counts so that no hidden count can be worked out from totals"
    )
    network_is_national = models.BooleanField(
        default=False,
        help_text=(
            "Tick when this installation serves the whole country: counts over every "
            "organisation are then national and not controlled"
        ),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "disclosure policy"
        verbose_name_plural = "disclosure policies"
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(suppress_to__gte=models.F("suppress_from")), name="policy_range_order"),
        ]

    def __str__(self) -> str:
        return self.name


class PopulationBenchmark(models.Model):
    """One category's share of an area's population (for example, Black African residents
    of a borough as a share of its adults), from a named source and year."""

    class Dimension(models.TextChoices):
        AGE_BAND = "age_band", "Age band"
        SEX = "sex", "Sex"
        ETHNIC_GROUP = "ethnic_group", "Ethnic group (5 groups)"
        ETHNICITY = "ethnicity", "Ethnicity (19 categories)"
        DISABILITY = "disability", "Disability"

    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="population_benchmarks",
        help_text="Empty: the benchmark for every area together (the network)",
    )
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    category = models.CharField(max_length=40, help_text="The code as stored in equality monitoring")
    share = models.DecimalField(
        max_digits=6,
        decimal_places=5,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="A fraction of the population: 0.123 is 12.3%",
    )
    source = models.CharField(max_length=300, help_text="For example 'ONS Census 2021, table TS021'")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1900), MaxValueValidator(2100)])

    class Meta:
        ordering = ["area", "dimension", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "dimension", "category"],
                condition=Q(area__isnull=False),
                name="benchmark_once_per_area_category",
            ),
            # The network's own benchmark (no area): SQLite cannot treat nulls as equal in a
            # unique constraint, so it is a constraint of its own.
            models.UniqueConstraint(
                fields=["dimension", "category"],
                condition=Q(area__isnull=True),
                name="benchmark_once_per_network_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()}: {self.category}"


class UnitCost(models.Model):
    """What one unit of a service-use item costs (one bed day, one A&E attendance)."""

    instrument_code = models.SlugField(max_length=60, help_text="The service-use questionnaire, e.g. service-use-carer")
    item_id = models.SlugField(max_length=60, help_text="The question whose answer is counted, e.g. bed_days")
    label = models.CharField(max_length=150)
    unit = models.CharField(max_length=60, help_text="For example 'bed day' or 'contact'")
    cost = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    source = models.CharField(max_length=300, help_text="For example 'PSSRU Unit Costs of Health and Social Care 2024'")
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1900), MaxValueValidator(2100)], help_text="The price year"
    )

    class Meta:
        ordering = ["instrument_code", "item_id"]
        constraints = [models.UniqueConstraint(fields=["instrument_code", "item_id"], name="unit_cost_once_per_item")]

    def __str__(self) -> str:
        return f"{self.label}: £{self.cost} per {self.unit}"


class ReportBuild(models.Model):
    """A programme report someone asked for: built by a background task, kept for its requester."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        FAILED = "failed", "Could not be built"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The filters it was asked with (the report page's query string, as a dict of lists).
    filters = models.JSONField(default=dict)
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=1)
    step_label = models.CharField(max_length=150, blank=True)
    html = models.TextField(blank=True, help_text="The finished report, as one HTML document")
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    xlsx = models.BinaryField(null=True, blank=True, editable=False, help_text="Every table of the report")
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # "Your reports": a user's builds, newest first.
            models.Index(fields=["requested_by", "-created_at"], name="report_build_user_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def percent_done(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, round(100 * self.steps_done / max(1, self.steps_total)))
