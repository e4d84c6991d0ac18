"""People, the organisations they belong to, and what they agreed to.

A Person is one human. A login (Django User) is optional: many carers never
sign in and are enrolled by a coordinator. What a person may do comes from
their Memberships (person x organisation x role), never from flags on the user.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from peerpath.people import choices
from peerpath.people.querysets import MembershipQuerySet, PersonQuerySet


class Area(models.Model):
    """A local authority area (borough) used for reach and equity reporting."""

    code = models.CharField(max_length=9, unique=True, help_text="ONS local authority district code")
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        RECOVERY_COLLEGE = "recovery_college", "NHS trust Recovery College"
        CHARITY_GROUP = "charity_group", "National charity group"
        CARERS_CENTRE = "carers_centre", "Local carers' centre"
        OTHER = "other", "Other organisation"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="residents")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "people"
        ordering = ["family_name", "given_name"]
        constraints = [
            # One record per human: an email address belongs to one person.
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name="person_email_unique_ci"),
        ]
        indexes = [
            # People list: ordered by name, searched by name prefix.
            models.Index(fields=["family_name", "given_name"], name="person_name_idx"),
            # Area filter on the people list and reach reports.
            models.Index(fields=["area", "family_name"], name="person_area_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def display_name(self) -> str:
        if self.preferred_name:
            return f"{self.preferred_name} {self.family_name}"
        return self.full_name

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class Membership(models.Model):
    """A person's role in an organisation; it scopes what staff can see."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "Coordinator"
        TUTOR = "tutor", "Tutor"
        ASSESSOR = "assessor", "Assessor"
        EVALUATOR = "evaluator", "Evaluator"
        PARTICIPANT = "participant", "Participant"

    class TutorKind(models.TextChoices):
        PEER = "peer", "Peer tutor (lived experience)"
        PROFESSIONAL = "professional", "Professional tutor"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    tutor_kind = models.CharField(max_length=20, choices=TutorKind.choices, blank=True)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "organisation", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=(Q(role="tutor") & ~Q(tutor_kind="")) | (~Q(role="tutor") & Q(tutor_kind="")),
                name="membership_tutor_kind_only_for_tutors",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
        ]
        indexes = [
            # Access layer: "organisations where this person holds role R" on every request.
            models.Index(fields=["person", "role", "organisation"], name="membership_scope_idx"),
            # People list filtered by organisation and role.
            models.Index(fields=["organisation", "role", "person"], name="membership_org_role_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.organisation}"

    @property
    def role_label(self) -> str:
        if self.role == self.Role.TUTOR and self.tutor_kind:
            return self.get_tutor_kind_display()
        return self.get_role_display()


class CaringRole(models.Model):
    """Who a carer cares for, described only as far as evaluation needs."""

    carer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="caring_roles")
    relationship = models.CharField(
        max_length=2,
        choices=choices.PersonRelationshipType.choices,
        help_text="NHS Data Dictionary PersonRelationshipType: what the carer is to the person cared for",
    )
    cared_for_label = models.CharField(
        max_length=60, blank=True, help_text="How the carer refers to them, for example 'my son'. No names."
    )
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="caringrole_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.plain_label

    @property
    def plain_label(self) -> str:
        return choices.RELATIONSHIP_PLAIN_ENGLISH.get(self.relationship, self.get_relationship_display())

    @property
    def group(self) -> choices.RelationshipGroup:
        return choices.relationship_group(self.relationship)


class Consent(models.Model):
    """One decision about one purpose. Rows are never edited: the latest per purpose stands."""

    class Purpose(models.TextChoices):
        CONTACT = "contact", "Contact about courses and groups"
        EVALUATION = "evaluation", "Take part in evaluation"
        SHARING = "sharing", "Share details with partner organisations"
        CREDIT = "credit", "Be named in the prospectus as a co-producer of courses"
        VERIFICATION = "verification", "Be named on the public page that verifies an award"

    class Decision(models.TextChoices):
        GIVEN = "given", "Given"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Method(models.TextChoices):
        ONLINE = "online", "Online, by the person"
        PAPER = "paper", "Signed paper form"
        PHONE = "phone", "Verbally, by phone"
        IN_PERSON = "in_person", "Verbally, in person"
        EMAIL = "email", "By email"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    method = models.CharField(max_length=10, choices=Method.choices)
    decided_on = models.DateField(help_text="When the person made the decision")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            # Consent history and "current consent per purpose" for one person.
            models.Index(fields=["person", "purpose", "-recorded_at"], name="consent_person_purpose_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.get_decision_display()}"


class EqualityMonitoring(models.Model):
    """Optional equality answers, kept apart from identity data.

    Blank means the question was not answered; "prefer not to say" is an answer.
    Staff screens show only whether and when it was completed, never the answers.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="equality_monitoring")
    age_band = models.CharField(max_length=20, choices=choices.AgeBand.choices, blank=True)
    ethnicity = models.CharField(max_length=40, choices=choices.Ethnicity.choices, blank=True)
    sex = models.CharField(max_length=20, choices=choices.Sex.choices, blank=True)
    gender_same_as_sex_at_birth = models.CharField(max_length=20, choices=choices.YesNo.choices, blank=True)
    sexual_orientation = models.CharField(max_length=20, choices=choices.SexualOrientation.choices, blank=True)
    religion = models.CharField(max_length=20, choices=choices.Religion.choices, blank=True)
    disability = models.CharField(max_length=20, choices=choices.Disability.choices, blank=True)
    marital_status = models.CharField(max_length=20, choices=choices.MaritalStatus.choices, blank=True)
    pregnant_or_recent_birth = models.CharField(max_length=20, choices=choices.YesNo.choices, blank=True)
    completed_at = models.DateTimeField(default=timezone.now)
    completed_by_self = models.BooleanField(default=True)

    class Meta:
        verbose_name = "equality monitoring"
        verbose_name_plural = "equality monitoring"

    def __str__(self) -> str:
        return f"Equality monitoring ({self.completed_at:%d %b %Y})"
