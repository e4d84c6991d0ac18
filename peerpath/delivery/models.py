"""Where and when courses are delivered, and by whom.

A CourseRun is one cohort of an approved course version in a term. Its Sessions
come from the version's outline. FacilitatorAssignments say who delivers it; a
run opens for enrolment only when it is staffed as its version requires
(``peerpath.delivery.staffing``). Every move of a run's status is a
RunStatusChange row.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
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


class CourseRunQuerySet(models.QuerySet["CourseRun"]):
    def soonest_last(self) -> CourseRunQuerySet:
        """Latest start first, the order of the run list (runs without sessions at the end)."""
        return self.order_by(F("starts_at").desc(nulls_last=True), "pk")


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
    # Recounted from the run's enrolments, under the run's lock, whenever they change.
    places_taken = models.PositiveSmallIntegerField(default=0, help_text="Enrolled, offered or finished")
    waiting = models.PositiveSmallIntegerField(default=0, help_text="People on the waiting list")
    # The first session's start, kept with the run (set when sessions are made or moved) so that
    # lists sort and filter runs by date without adding up their sessions.
    starts_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CourseRunQuerySet.as_manager()

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
            # The database itself refuses an overbooked run, whatever code path writes it.
            models.CheckConstraint(condition=Q(places_taken__lte=F("capacity")), name="run_never_overbooked"),
        ]
        indexes = [
            # Prospectus and run lists: a term's runs by status.
            models.Index(fields=["term", "status"], name="run_term_status_idx"),
            # A course's runs (through its versions), and "runs of this version" before superseding.
            models.Index(fields=["version", "status"], name="run_version_status_idx"),
            # An organisation's run list.
            models.Index(fields=["organisation", "status"], name="run_organisation_status_idx"),
            # Every run list is in date order.
            models.Index(fields=["-starts_at"], name="run_starts_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.version.course} ({self.term.name})"

    def refresh_starts_at(self) -> None:
        """Store the first session's start again (after sessions are made or moved)."""
        first = self.sessions.order_by("starts_at").values_list("starts_at", flat=True).first()
        CourseRun.objects.filter(pk=self.pk).update(starts_at=first)
        self.starts_at = first


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
    # iCalendar SEQUENCE: goes up each time the time or place changes, so calendars update.
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

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


class Enrolment(models.Model):
    """A person's place on a run, or their place in its queue; one row per person and run.

    ``position`` orders the waiting list: it is handed out under the run's lock,
    so it is the order in which people asked. A run's stored counters
    (``CourseRun.places_taken`` / ``waiting``) are recounted from these rows
    whenever they change.
    """

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WAITLISTED = "waitlisted", "On the waiting list"
        OFFERED = "offered", "Offered a place"
        WITHDRAWN = "withdrawn", "Withdrawn"
        COMPLETED = "completed", "Completed"
        DID_NOT_COMPLETE = "did_not_complete", "Did not complete"

    class Channel(models.TextChoices):
        SELF = "self", "Online, by the participant"
        STAFF = "staff", "By staff on the participant's behalf"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=20, choices=Status.choices)
    position = models.PositiveIntegerField(null=True, blank=True, help_text="Place in the waiting list")
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    agreement_accepted_at = models.DateTimeField(help_text="When the student agreement was accepted")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # Belt and braces for the service's lock: one row per person and run, so a double
            # submit cannot enrol twice.
            models.UniqueConstraint(fields=["run", "person"], name="enrolment_once_per_run"),
            models.UniqueConstraint(
                fields=["run", "position"], condition=Q(position__isnull=False), name="enrolment_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(status="waitlisted", position__isnull=False)
                | (~Q(status="waitlisted") & Q(position__isnull=True)),
                name="enrolment_position_only_when_waiting",
            ),
            models.CheckConstraint(
                condition=Q(status="offered", offer_expires_at__isnull=False)
                | (~Q(status="offered") & Q(offer_expires_at__isnull=True)),
                name="enrolment_expiry_only_when_offered",
            ),
        ]
        indexes = [
            # A run's list by status; the waiting list in order.
            models.Index(fields=["run", "status", "position"], name="enrolment_run_status_idx"),
            # "My courses" for a participant.
            models.Index(fields=["person", "status"], name="enrolment_person_idx"),
            # The expiry job: offers past their time.
            models.Index(fields=["offer_expires_at"], name="enrolment_offer_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.run_id}"

    def place_in_queue(self) -> int | None:
        """1 at the front of the waiting list (one query); None when not waiting."""
        if self.status != self.Status.WAITLISTED:
            return None
        return queue_places([self.pk]).get(self.pk)


def queue_places(enrolment_ids: list[Any]) -> dict[Any, int]:
    """Each waiting enrolment's place in its run's queue (1 at the front), for many at once in one query.

    The place is the rank among those still waiting, not the stored ``position``,
    which keeps its gaps when people ahead leave or are offered a place.
    """
    if not enrolment_ids:
        return {}
    waiting = Enrolment.Status.WAITLISTED
    ahead = (
        Enrolment.objects.filter(run_id=OuterRef("run_id"), status=waiting, position__lte=OuterRef("position"))
        .values("run_id")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    rows = Enrolment.objects.filter(pk__in=enrolment_ids, status=waiting).annotate(place=Subquery(ahead))
    return dict(rows.values_list("pk", "place"))


# Statuses that hold one of the run's places.
PLACE_HOLDING = (
    Enrolment.Status.ENROLLED,
    Enrolment.Status.OFFERED,
    Enrolment.Status.COMPLETED,
    Enrolment.Status.DID_NOT_COMPLETE,
)


class EnrolmentStatusChange(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Enrolment.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Enrolment.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by_label = models.CharField(max_length=150)
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["enrolment", "changed_at"], name="enrolment_history_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class Attendance(models.Model):
    """One participant at one session, as the register recorded it."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        APOLOGIES = "apologies", "Sent apologies"
        ABSENT = "absent", "Absent"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=10, choices=Status.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    late_entry = models.BooleanField(default=False, help_text="Recorded after the day of the session")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once_per_session")]
        indexes = [models.Index(fields=["enrolment", "status"], name="attendance_enrolment_idx")]

    def __str__(self) -> str:
        return self.get_status_display()


# Marks that count as having attended a session.
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)


class SentMessage(models.Model):
    """A message a coordinator or tutor sent to some of a run's participants, or a session reminder."""

    class Audience(models.TextChoices):
        ALL = "all", "Everyone with a place"
        ATTENDED = "attended", "Those who attended"
        ATTENDED_ALL = "attended_all", "Those who attended every session so far"
        MISSED = "missed", "Those who missed a session"
        WAITLISTED = "waitlisted", "The waiting list"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="messages")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="messages", help_text="For filters"
    )
    audience = models.CharField(max_length=20, choices=Audience.choices)
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=5000)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class SessionReminder(models.Model):
    """Marks a reminder as sent, so the reminder job never sends the same one twice."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reminders")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="reminder_once")]

    def __str__(self) -> str:
        return f"Reminder sent {self.sent_at:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """A private iCalendar address: a person's sessions, or one run's.

    Only a hash of the token is stored; the address is shown once, when made,
    and a new one replaces it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds")
    run = models.ForeignKey(CourseRun, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, run__isnull=True) | Q(person__isnull=True, run__isnull=False),
                name="calendar_feed_person_or_run",
            ),
            # One personal feed per person; one run feed per run and member of staff.
            models.UniqueConstraint(
                fields=["person"], condition=Q(run__isnull=True), name="calendar_feed_one_per_person"
            ),
            models.UniqueConstraint(fields=["run", "created_by"], name="calendar_feed_one_per_run_user"),
        ]

    def __str__(self) -> str:
        return "Calendar feed"


class SupportGroup(models.Model):
    """A carers' support group, often run with a national charity and local carers' organisations."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="support_groups")
    partners = models.ManyToManyField(Organisation, blank=True, related_name="partner_support_groups")
    name = models.CharField(max_length=150)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="support_groups")
    meeting_pattern = models.CharField(max_length=200, help_text="For example: second Tuesday of the month, 6pm to 8pm")
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="support_groups")
    anonymous = models.BooleanField(default=False, help_text="Attendance is kept as a head count, without names")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="support_group_unique_name")]
        indexes = [models.Index(fields=["organisation", "active"], name="support_group_org_idx")]

    def __str__(self) -> str:
        return self.name


class GroupMeeting(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="meetings")
    met_on = models.DateField()
    facilitators = models.ManyToManyField(Person, related_name="facilitated_meetings")
    attendees = models.ManyToManyField(Person, blank=True, related_name="group_meetings")
    head_count = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(500)], help_text="For groups that keep no names"
    )
    topics = models.TextField(max_length=2000, blank=True)
    safeguarding_concern = models.BooleanField(
        default=False, help_text="A concern was raised; the detail is recorded in the safeguarding system, not here"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-met_on"]
        constraints = [models.UniqueConstraint(fields=["group", "met_on"], name="group_meeting_once_a_day")]
        indexes = [models.Index(fields=["group", "-met_on"], name="group_meeting_idx")]

    def __str__(self) -> str:
        return f"{self.group} on {self.met_on}"
