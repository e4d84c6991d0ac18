"""Course vocabularies, in the words coordinators and carers use."""

from __future__ import annotations

from django.db import models


class Category(models.TextChoices):
    RECOVERY_COLLEGE = "recovery_college", "Recovery College course"
    SELF_MANAGEMENT = "self_management", "Carers' self-management course"
    SUPPORT_GROUP = "support_group", "Support-group session format"
    TRAIN_THE_TRAINER = "train_the_trainer", "Train the Trainer"


class Audience(models.TextChoices):
    CARERS = "carers", "Carers"
    LIVED_EXPERIENCE = "lived_experience", "People with lived experience"
    STAFF = "staff", "Staff"
    EVERYONE = "everyone", "Everyone"


class DeliveryMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    BLENDED = "blended", "Blended (some sessions online)"


class Stage(models.TextChoices):
    """Stages of co-producing a course, in the order they usually happen."""

    IDEA = "idea", "Idea"
    DESIGN_WORKSHOP = "design_workshop", "Design workshop"
    MATERIALS_WRITING = "materials_writing", "Materials writing"
    REVIEW = "review", "Review"
    PILOT = "pilot", "Pilot"
    DELIVERY_DEBRIEF = "delivery_debrief", "Delivery debrief"
    REVISION = "revision", "Revision"


class Capacity(models.TextChoices):
    """The capacity in which someone took part in co-production."""

    CARER = "carer", "Lived experience as a carer"
    SERVICE_USER = "service_user", "Lived experience as a service user"
    PROFESSIONAL = "professional", "Professional"
    PARTNER = "partner", "Partner organisation representative"


LIVED_EXPERIENCE = frozenset({Capacity.CARER, Capacity.SERVICE_USER})
