"""The course pages' question "where was this course adopted from?", answered from the import record."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.utils import timezone

from peerpath.bundles.models import CourseOrigin
from peerpath.courses.hooks import Origin


def origin_of(course_id: uuid.UUID) -> Origin | None:
    """The bundle a course came from and its co-production there (one query)."""
    found = CourseOrigin.objects.filter(course_id=course_id).select_related("programme_import").first()
    if found is None:
        return None
    profile = found.coproduction
    share = profile.get("lived_experience_design_share")
    return Origin(
        source=found.programme_import.source_name,
        adopted_on=timezone.localdate(found.programme_import.imported_at),
        co_produced=bool(profile.get("co_produced")),
        contributions=int(profile.get("contributions", 0)),
        hours=Decimal(profile.get("hours", "0")),
        lived_design_share=None if share is None else Decimal(share),
    )
