"""A programme: the courses, schemes and measures one organisation runs for one group of people.

The carers' peer trainer programme is one; a college that adopts the same model for
carers of people living with dementia runs another. A programme owns the words the
interface uses for the people it serves (``Terms``), so the same code serves any
long-term condition. Courses and accreditation schemes say which programme they belong
to; the bundles app exports a programme as a file another area can adopt.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from peerpath.people.models import Organisation
from peerpath.programmes.terms import DEFAULT, MAX_LENGTH, Terms


class Programme(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programmes")
    code = models.SlugField(max_length=60, help_text="Short and stable, e.g. carers-mental-health")
    name = models.CharField(max_length=200)
    summary = models.TextField(max_length=4000, blank=True, help_text="What the programme does and for whom")
    person = models.CharField(max_length=MAX_LENGTH, default=DEFAULT.person, help_text="For example 'carer'")
    people = models.CharField(max_length=MAX_LENGTH, default=DEFAULT.people, help_text="For example 'carers'")
    cared_for = models.CharField(
        max_length=MAX_LENGTH, default=DEFAULT.cared_for, help_text="For example 'the person you care for'"
    )
    cared_for_third = models.CharField(
        max_length=MAX_LENGTH, default=DEFAULT.cared_for_third, help_text="For example 'the person they care for'"
    )
    condition = models.CharField(max_length=MAX_LENGTH, default=DEFAULT.condition, help_text="For example 'dementia'")
    cared_for_group = models.CharField(
        max_length=MAX_LENGTH,
        default=DEFAULT.cared_for_group,
        help_text="For example 'people living with dementia'",
    )
    served = models.CharField(
        max_length=MAX_LENGTH,
        default=DEFAULT.served,
        help_text="Whom it serves, e.g. 'carers of people living with dementia' or 'people living with diabetes'",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["owner__name", "name"]
        constraints = [models.UniqueConstraint(fields=["owner", "code"], name="programme_code_once_per_owner")]

    def __str__(self) -> str:
        return self.name

    @property
    def terms(self) -> Terms:
        return Terms(
            person=self.person,
            people=self.people,
            cared_for=self.cared_for,
            cared_for_third=self.cared_for_third,
            condition=self.condition,
            cared_for_group=self.cared_for_group,
            served=self.served,
        )
