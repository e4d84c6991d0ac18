"""Courses, their versions and the record of who shaped them.

A Course is a catalogue entry. Its content lives in numbered CourseVersions:
a run of a course always uses one approved version, and an approved version is
never edited — changing it starts a new draft. CoproductionActivity and
Contribution record who took part in shaping a course, in which capacity, at
which stage and for how long; whether a course counts as co-produced is
computed from them (``peerpath.courses.coproduction``), never ticked.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from peerpath.courses.choices import Audience, Capacity, Category, DeliveryMode, Stage
from peerpath.courses.querysets import CourseQuerySet, TermQuerySet
from peerpath.people.models import Organisation, Person


class Course(models.Model):
    class Status(models.TextChoices):
        IDEA = "idea", "Idea"
        IN_COPRODUCTION = "in_coproduction", "In co-production"
        APPROVED = "approved", "Approved"
        RETIRED = "retired", "Retired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=150)
    summary = models.TextField(max_length=2000, help_text="What the course is about, for the prospectus")
    category = models.CharField(max_length=20, choices=Category.choices)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    session_count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(52)])
    session_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(15), MaxValueValidator(480)])
    in_person = models.BooleanField(default=False)
    online = models.BooleanField(default=False)
    blended = models.BooleanField(default=False)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="owned_courses")
    partners = models.ManyToManyField(Organisation, blank=True, related_name="partner_courses")
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
        help_text="The programme this course belongs to; its words are the ones the course's pages use",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IDEA)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(in_person=True) | Q(online=True) | Q(blended=True), name="course_has_mode"
            ),
        ]
        indexes = [
            # Course list: one organisation's courses by status, ordered by title.
            models.Index(fields=["owner", "status", "title"], name="course_owner_status_idx"),
            # Course list filtered by category across organisations (administrators, reports).
            models.Index(fields=["category", "title"], name="course_category_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def delivery_modes(self) -> list[str]:
        return [mode.label for mode in DeliveryMode if getattr(self, mode.value)]

    @property
    def is_support_group_format(self) -> bool:
        return self.category == Category.SUPPORT_GROUP


class CourseStatusChange(models.Model):
    """One move of a course between statuses: who, when and why."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Course.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Course.Status.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["course", "-changed_at"], name="course_status_history_idx")]

    def __str__(self) -> str:
        return f"{self.course}: {self.from_status or 'new'} → {self.to_status}"


class CourseVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Superseded"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    learning_outcomes = models.TextField(
        max_length=4000,
        blank=True,
        help_text="One learning outcome per line, for example 'Explain what recovery means'",
    )
    # Staffing every run of this version needs (the delivery app enforces it).
    peer_trainers_required = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(6)])
    professional_tutors_required = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(6)])
    peer_facilitators_required = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(6)])
    change_note = models.CharField(max_length=500, blank=True, help_text="What changed from the previous version")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["course", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="courseversion_unique_number"),
            # At most one current approved version and one draft per course, even
            # under concurrent approvals or edits.
            models.UniqueConstraint(
                fields=["course"], condition=Q(status="approved"), name="courseversion_one_approved"
            ),
            models.UniqueConstraint(fields=["course"], condition=Q(status="draft"), name="courseversion_one_draft"),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(approved_by__isnull=False) & Q(approved_at__isnull=False)),
                name="courseversion_approval_recorded",
            ),
            models.CheckConstraint(
                condition=Q(peer_trainers_required__gt=0)
                | Q(professional_tutors_required__gt=0)
                | Q(peer_facilitators_required__gt=0),
                name="courseversion_needs_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} v{self.number}"

    @property
    def outcomes(self) -> list[str]:
        return [line.strip().lstrip("-•* ").strip() for line in self.learning_outcomes.splitlines() if line.strip()]

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def staffing_rows(self) -> list[tuple[str, int]]:
        rows = [
            ("Accredited peer trainer", self.peer_trainers_required),
            ("Professional tutor", self.professional_tutors_required),
            ("Accredited peer facilitator", self.peer_facilitators_required),
        ]
        return [(label, count) for label, count in rows if count]


class OutlineSession(models.Model):
    """One session of a version's session-by-session outline."""

    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="outline")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=150)
    description = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="outlinesession_unique_number")]

    def __str__(self) -> str:
        return f"Session {self.number}: {self.title}"


def material_path(instance: CourseMaterial, filename: str) -> str:
    # The stored name never contains the uploader's file name: that stays in
    # ``original_name`` and is only ever sent back in a quoted header.
    return f"course-materials/{instance.version.course_id}/{uuid.uuid4().hex}{instance.extension}"


class CourseMaterial(models.Model):
    """A file for tutors: slides, handouts, a facilitator guide.

    A new draft version starts with its predecessor's materials: the rows are
    copied and point at the same stored file, which is never overwritten.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(max_length=150)
    file = models.FileField(upload_to=material_path, max_length=255)
    original_name = models.CharField(max_length=255)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "title"]

    def __str__(self) -> str:
        return self.title


class CoproductionActivity(models.Model):
    """Something people did together to shape a course: a workshop, a review, a debrief."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="activities")
    version = models.ForeignKey(
        CourseVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    occurred_on = models.DateField()
    stage = models.CharField(max_length=20, choices=Stage.choices)
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("100"))],
        help_text="How long the activity took; each contributor's hours default to this",
    )
    decisions = models.TextField(max_length=4000, blank=True, help_text="What was decided")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "co-production activities"
        ordering = ["-occurred_on", "-recorded_at"]
        indexes = [
            # Course detail: a course's activities, newest first.
            models.Index(fields=["course", "-occurred_on"], name="activity_course_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} on {self.occurred_on:%d %b %Y}"


class Contribution(models.Model):
    """One person's part in an activity, in one capacity.

    ``person`` is optional: contributors who are not on PeerPath (a visiting
    charity representative) are counted by capacity only. Public pages name a
    contributor only while they consent to be credited.
    """

    activity = models.ForeignKey(CoproductionActivity, on_delete=models.CASCADE, related_name="contributions")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    capacity = models.CharField(max_length=20, choices=Capacity.choices)
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        indexes = [
            # Co-production profile: contributions of one activity grouped by capacity.
            models.Index(fields=["activity", "capacity"], name="contribution_activity_idx"),
            # A person's co-production history (their profile, subject access).
            models.Index(fields=["person"], name="contribution_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_capacity_display()}, {self.hours} h"


class CoproductionRule(models.Model):
    """What "co-produced" means for this installation; one row, edited by administrators.

    A course is co-produced when lived-experience contributors took part in
    every stage listed in ``lived_experience_stages`` and held at least
    ``minimum_lived_design_share`` of the hours spent in ``design_stages``.
    """

    lived_experience_stages = models.JSONField(default=list)
    design_stages = models.JSONField(default=list)
    minimum_lived_design_share = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="A fraction: 0.40 means at least 40% of design hours were lived-experience contributors'",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "co-production rule"

    def __str__(self) -> str:
        return "Co-production rule"


class Term(models.Model):
    """A teaching term of a college, with the prospectus published for it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="terms")
    name = models.CharField(max_length=100, help_text="For example 'Spring 2027'")
    slug = models.SlugField(max_length=120, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    published = models.BooleanField(default=False, help_text="Published terms have a public prospectus")
    # Until runs are scheduled (the delivery app), a term offers approved courses.
    courses = models.ManyToManyField(Course, blank=True, related_name="terms")

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="term_ends_after_start"),
            models.UniqueConstraint(fields=["organisation", "name"], name="term_unique_name"),
        ]
        indexes = [
            # Prospectus index: published terms that have not ended, soonest first.
            models.Index(fields=["published", "ends_on"], name="term_published_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"
