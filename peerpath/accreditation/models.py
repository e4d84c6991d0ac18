"""Competencies, schemes (what an award requires), portfolios, observations and awards.

A Scheme states its requirements as data (see ``requirements.py`` for how they
are checked, in one place). Train the Trainer cohorts are course runs of a
Train the Trainer course: their attendance is the delivery app's.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from peerpath.courses.models import Course
from peerpath.delivery.models import Session
from peerpath.people.models import Person


class CompetencyFramework(models.Model):
    """A versioned list of competencies; a scheme points at one version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(max_length=60, help_text="Stable across versions, e.g. carer-peer-trainer")
    version = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)
    source = models.CharField(
        max_length=500, blank=True, help_text="The framework its domains are referenced to, and how to cite it"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="framework_unique_version")]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class Competency(models.Model):
    """One competence statement, referenced to a domain and sub-area of the source framework by number."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    framework = models.ForeignKey(CompetencyFramework, on_delete=models.CASCADE, related_name="competencies")
    code = models.CharField(max_length=20, help_text="The programme's own code, e.g. CPT-3")
    domain_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Domain of the source framework; empty for the programme's own competences"
    )
    domain_name = models.CharField(max_length=150)
    reference = models.CharField(max_length=20, blank=True, help_text="Sub-area of the source framework, e.g. 3.4")
    title = models.CharField(max_length=150)
    statement = models.TextField(max_length=2000, help_text="The programme's own words, for carer peer trainers")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order", "code"]
        verbose_name_plural = "competencies"
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="competency_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Scheme(models.Model):
    """What an award requires, and what it lets the holder do.

    Every requirement is a number here; zero (or empty) means the scheme does not ask for it.
    """

    class Grants(models.TextChoices):
        PEER_TRAINER = "peer_trainer", "Co-deliver courses as a peer trainer"
        PEER_FACILITATOR = "peer_facilitator", "Facilitate support groups as a peer facilitator"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)
    grants = models.CharField(max_length=20, choices=Grants.choices)
    framework = models.ForeignKey(CompetencyFramework, on_delete=models.PROTECT, related_name="schemes")
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schemes",
        help_text="The programme whose peer trainers or facilitators this scheme accredits",
    )
    active = models.BooleanField(default=True)
    # Train the Trainer: a completed run of one of these courses, at or above the attendance share.
    training_courses = models.ManyToManyField(
        Course, blank=True, related_name="schemes", help_text="Train the Trainer courses that count"
    )
    attendance_percent = models.PositiveSmallIntegerField(
        default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    # Observed practice and the portfolio.
    observations_required = models.PositiveSmallIntegerField(default=2)
    every_competency_evidenced = models.BooleanField(default=True)
    reflections_required = models.PositiveSmallIntegerField(default=4)
    supervisions_required = models.PositiveSmallIntegerField(default=2)
    # Validity and renewal.
    validity_months = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Empty: the award does not expire"
    )
    grace_days = models.PositiveSmallIntegerField(default=0, help_text="Days after expiry in which it can be renewed")
    expiring_soon_days = models.PositiveSmallIntegerField(default=60, help_text="Reminders start this long before")
    renewal_sessions_delivered = models.PositiveSmallIntegerField(default=0)
    renewal_supervisions = models.PositiveSmallIntegerField(default=0)
    renewal_cpd_hours = models.DecimalField(max_digits=5, decimal_places=1, default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PortfolioEntry(models.Model):
    """Evidence a candidate or holder records: reflections, supervision, prior learning, training, CPD."""

    class Kind(models.TextChoices):
        REFLECTION = "reflection", "Reflection"
        SUPERVISION = "supervision", "Supervision"
        OBSERVATION = "observation", "Observation"
        PRIOR_LEARNING = "prior_learning", "Prior learning"
        TRAINING = "training", "Training completed"
        CPD = "cpd", "Continuing development"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Returned for more work"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="portfolio_entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_on = models.DateField()
    title = models.CharField(max_length=150)
    text = models.TextField(max_length=10_000, blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1, default=0, validators=[MinValueValidator(0)])
    competencies = models.ManyToManyField(Competency, blank=True, related_name="portfolio_entries")
    file = models.FileField(upload_to="portfolio/%Y/", blank=True, max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        verbose_name_plural = "portfolio entries"
        indexes = [models.Index(fields=["candidate", "kind", "status"], name="portfolio_candidate_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class Observation(models.Model):
    """An assessor watched a session the candidate co-delivered and rated each competency seen."""

    class Outcome(models.TextChoices):
        COMPETENT = "competent", "Competent"
        NOT_YET = "not_yet", "Not yet competent"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="observations")
    assessor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="observations_made")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="observations")
    observed_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    feedback = models.TextField(max_length=5000)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-observed_on"]
        constraints = [
            models.CheckConstraint(condition=~Q(candidate=F("assessor")), name="observation_not_of_oneself"),
            models.UniqueConstraint(fields=["candidate", "session"], name="observation_once_per_session"),
        ]
        indexes = [models.Index(fields=["candidate", "outcome"], name="observation_candidate_idx")]

    def __str__(self) -> str:
        return f"Observation on {self.observed_on}"


class ObservationRating(models.Model):
    class Rating(models.TextChoices):
        COMPETENT = "competent", "Competent"
        DEVELOPING = "developing", "Developing"
        NOT_SEEN = "not_seen", "Not seen in this session"

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="ratings")
    rating = models.CharField(max_length=10, choices=Rating.choices)
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["observation", "competency"], name="rating_once_per_competency")]

    def __str__(self) -> str:
        return self.get_rating_display()


# Crockford's base32 without I, L, O and U: easy to read off a printed certificate and type in.
VERIFICATION_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_verification_code() -> str:
    """80 random bits as four groups of four characters, e.g. ``K7QF-2M9X-TR4P-8WZD``."""
    characters = "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(16))
    return "-".join(characters[i : i + 4] for i in range(0, 16, 4))


class Award(models.Model):
    """One period of an award; a renewal is a new row pointing at the one it renews."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        SUSPENDED = "suspended", "Suspended"
        REVOKED = "revoked", "Revoked"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="awards")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="awards")
    period = models.PositiveSmallIntegerField(default=1)
    renews = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewed_by")
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="Empty: does not expire")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    granted_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="awards_granted")
    exception_reason = models.TextField(
        max_length=2000, blank=True, help_text="Set when an administrator granted it with a requirement unmet"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    verification_code = models.CharField(
        max_length=19,
        unique=True,
        default=new_verification_code,
        editable=False,
        help_text="Public and unguessable: the certificate's verification address ends with it",
    )

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["holder", "scheme", "period"], name="award_once_per_period"),
            models.CheckConstraint(condition=~Q(holder=F("granted_by")), name="award_not_to_oneself"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="award_ends_after_it_starts",
            ),
        ]
        indexes = [
            # The right to facilitate: a person's awards of a scheme that grants a role, by date.
            models.Index(fields=["holder", "status", "valid_until"], name="award_holder_idx"),
            # Expiry reminders and the expiry job.
            models.Index(fields=["status", "valid_until"], name="award_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} (period {self.period})"


class AwardStatusChange(models.Model):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Award.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Award.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by_label = models.CharField(max_length=150)
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class AwardReminder(models.Model):
    """Marks an expiry reminder as sent, so the reminder job sends each one once per award period."""

    class Kind(models.TextChoices):
        EXPIRING = "expiring", "Expiring soon"
        EXPIRED = "expired", "Expired"

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["award", "kind"], name="award_reminder_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder"


class Credential(models.Model):
    """The Open Badges 3.0 credential issued for one award period, exactly as it was signed.

    The credential never changes once signed; a later suspension or revocation shows in the
    issuer's status lists at ``status_index``.
    """

    award = models.OneToOneField(Award, on_delete=models.CASCADE, related_name="credential")
    status_index = models.PositiveIntegerField(unique=True, help_text="This credential's bit in the status lists")
    key_id = models.CharField(max_length=300, help_text="The verification method (DID URL) of the signing key")
    token = models.TextField(help_text="The signed credential (VC-JWT, compact serialisation)")
    issued_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Credential for {self.award}"
