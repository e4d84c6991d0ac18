"""Registers: who attended each session, as a tutor marked it or a coordinator entered it later.

A register lists the people who hold a place on the run. Marks can be made from
the day of the session. Facilitators may mark it until ``TUTOR_GRACE_DAYS``
after; after that only a coordinator can, and their marks are flagged as late
entries. A late change to a completed run decides completion again.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.audit import Actor
from peerpath.delivery import enrolment as places
from peerpath.delivery.models import Attendance, CourseRun, Enrolment, Session
from peerpath.delivery.services import DeliveryError

TUTOR_GRACE_DAYS = 2
# Who appears on a register: everyone who holds a place (an offer is not yet a place).
ON_REGISTER = (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED, Enrolment.Status.DID_NOT_COMPLETE)


@dataclass(frozen=True)
class Window:
    """When a register may be marked, for facilitators and for coordinators."""

    opens_on: datetime.date
    tutors_close_on: datetime.date

    def open_to(self, today: datetime.date, *, coordinator: bool) -> bool:
        if today < self.opens_on:
            return False
        return coordinator or today <= self.tutors_close_on

    def is_late(self, today: datetime.date) -> bool:
        return today > self.opens_on


def window(session: Session) -> Window:
    day = timezone.localdate(session.starts_at)
    return Window(opens_on=day, tutors_close_on=day + datetime.timedelta(days=TUTOR_GRACE_DAYS))


def register_rows(session: Session) -> list[Enrolment]:
    """The people on the session's register, by name, each with ``mark`` (their Attendance or None).

    Two queries, whatever the size of the run.
    """
    enrolments = list(
        session.run.enrolments.filter(status__in=ON_REGISTER)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "pk")
    )
    marks = {a.enrolment_id: a for a in Attendance.objects.filter(session=session, enrolment__in=enrolments)}
    for row in enrolments:
        row.mark = marks.get(row.pk)  # type: ignore[attr-defined]
    return enrolments


@dataclass(frozen=True)
class Saved:
    created: int
    changed: int
    late: bool


def record_attendance(
    *, actor: Actor, session: Session, marks: Mapping[Any, str], coordinator: bool, today: datetime.date | None = None
) -> Saved:
    """Save marks for ``session`` (enrolment id -> status), all or none.

    Refused, with a message fit to show, for a session of a cancelled or planned
    run, outside the window, an unknown status, or a person not on the register.
    """
    user = audit.person_actor(actor)
    today = today or timezone.localdate()
    run: CourseRun = session.run
    if run.status in (CourseRun.Status.CANCELLED, CourseRun.Status.PLANNED):
        raise DeliveryError(f"This run is {run.get_status_display().lower()}, so it has no register")
    limits = window(session)
    if not limits.open_to(today, coordinator=coordinator):
        if today < limits.opens_on:
            raise DeliveryError("The register opens on the day of the session")
        raise DeliveryError(
            f"Registers can be marked up to {TUTOR_GRACE_DAYS} days after the session. "
            "Ask a coordinator to enter it late"
        )
    if any(status not in Attendance.Status.values for status in marks.values()):
        raise DeliveryError("Choose present, late, sent apologies or absent for each person")
    wanted = {str(key): status for key, status in marks.items()}
    late = limits.is_late(today)
    with transaction.atomic():
        on_register = {
            str(pk): pk
            for pk in run.enrolments.filter(status__in=ON_REGISTER, pk__in=list(wanted)).values_list("pk", flat=True)
        }
        strangers = set(wanted) - set(on_register)
        if strangers:
            raise DeliveryError(
                "Some of the people marked are not enrolled on this run. Reload the register and try again"
            )
        existing = {
            str(a.enrolment_id): a
            for a in Attendance.objects.filter(session=session, enrolment_id__in=list(on_register.values()))
        }
        now = timezone.now()
        created = [
            Attendance(
                session=session,
                enrolment_id=on_register[key],
                status=status,
                recorded_by=user,
                recorded_at=now,
                late_entry=late,
            )
            for key, status in wanted.items()
            if key not in existing
        ]
        changed = []
        for key, status in wanted.items():
            mark = existing.get(key)
            if mark is not None and mark.status != status:
                mark.status, mark.recorded_by, mark.recorded_at, mark.late_entry = status, user, now, late
                changed.append(mark)
        Attendance.objects.bulk_create(created)
        Attendance.objects.bulk_update(changed, ["status", "recorded_by", "recorded_at", "late_entry"])
        if created or changed:
            audit.record(
                actor=actor,
                action="register.marked",
                target=session,
                data={"run": str(run.pk), "created": len(created), "changed": len(changed), "late": late},
            )
            touched = [on_register[key] for key in wanted]
            places.resettle_after_late_entry(actor, run, touched)
    return Saved(created=len(created), changed=len(changed), late=late)
