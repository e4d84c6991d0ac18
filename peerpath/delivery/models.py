"""Where and when courses are delivered, and by whom.

A CourseRun is one cohort of an approved course version in a term. Its Sessions
come from the version's outline. FacilitatorAssignments say who delivers it; a
run opens for enrolment only when it is staffed as its version requires
(``peerpath.delivery.staffing``). Every move of a run's status is a
RunStatusChange row.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from peerpath.courses.models import CourseVersion, Term
from peerpath.people.models import Area, Organisation, Person


class Venue(models.Model):
    """A place a run meets, or an online meeting room (its link is shown only to enrolled people)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="venues")
    name = models.CharField(max_length=150)
    online = models.BooleanField(default=False)
    address = models.TextField(max_length=500, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="venues")
    joining_link = models.URLField(max_length=500, blank=True, help_text="Online rooms only; shown to enrolled people")
    step_free = models.BooleanField(default=False, help_text="Step-free access from the street to the room")
    accessibility_notes = models.TextField(max_length=2000, blank=True)
    capacity = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="venue_unique_name"),
            models.CheckConstraint(condition=Q(online=True) | Q(joining_link=""), name="venue_link_only_online"),
        ]

    def __str__(self) -> str:
        return self.name


class CourseRun(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        OPEN = "open", "Open for enrolment"
        FULL = "full", "Full"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(CourseVersion, on_delete=models.PROTECT, related_name="runs")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="runs")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="runs", help_text="The organisation running this cohort"
    )
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(500)])
    enrolment_opens_on = models.DateField(null=True, blank=True)
    enrolment_closes_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    cancellation_reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolment_closes_on__isnull=True)
                | Q(enrolment_opens_on__isnull=True)
                | Q(enrolment_closes_on__gte=F("enrolment_opens_on")),
                name="run_enrolment_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled") | Q(cancellation_reason=""), name="run_reason_only_when_cancelled"
            ),
        ]
        indexes = [
            # Prospectus and run lists: a term's runs by status.
            models.Index(fields=["term", "status"], name="run_term_status_idx"),
            # A course's runs (through its versions), and "runs of this version" before superseding.
            models.Index(fields=["version", "status"], name="run_version_status_idx"),
            # An organisation's run list.
            models.Index(fields=["organisation", "status"], name="run_organisation_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.version.course} ({self.term.name})"


class RunStatusChange(models.Model):
    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=CourseRun.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CourseRun.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by_label = models.CharField(max_length=150, help_text="The person, or the system job, that made the change")
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["run", "-changed_at"], name="run_status_history_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class Session(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    topic = models.CharField(max_length=150)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="session_unique_number"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
        ]
        indexes = [
            # Calendars and reminders: sessions in a time window.
            models.Index(fields=["starts_at"], name="session_starts_idx"),
            # A venue's timetable.
            models.Index(fields=["venue", "starts_at"], name="session_venue_idx"),
        ]

    def __str__(self) -> str:
        return f"Session {self.number}: {self.topic}"


class FacilitatorAssignment(models.Model):
    """Who delivers a run (``session`` empty) or stands in for one session."""

    class Role(models.TextChoices):
        PEER_TRAINER = "peer_trainer", "Peer trainer"
        PROFESSIONAL_TUTOR = "professional_tutor", "Professional tutor"
        PEER_FACILITATOR = "peer_facilitator", "Peer facilitator"
        TRAINEE = "trainee", "Trainee co-facilitator (shadowing)"

    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="assignments")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="facilitator_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "person"], condition=Q(session__isnull=True), name="assignment_once_per_run"
            ),
            models.UniqueConstraint(
                fields=["session", "person"], condition=Q(session__isnull=False), name="assignment_once_per_session"
            ),
        ]
        indexes = [
            # "My runs" for a tutor, and the register's access check.
            models.Index(fields=["person", "run"], name="assignment_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on {self.run_id}"
