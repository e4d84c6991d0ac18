"""The rows of one played run, in the order they are saved: parents first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from peerpath.delivery.models import (
    PLACE_HOLDING,
    Attendance,
    CourseRun,
    Enrolment,
    EnrolmentStatusChange,
    FacilitatorAssignment,
    RunStatusChange,
    Session,
)
from peerpath.delivery.seeding.lives import E, RunLife


@dataclass
class Rows:
    """New rows waiting to be saved, parents first."""

    runs: list[CourseRun] = field(default_factory=list)
    run_changes: list[RunStatusChange] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    assignments: list[FacilitatorAssignment] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    enrolment_changes: list[EnrolmentStatusChange] = field(default_factory=list)
    attendance: list[Attendance] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.enrolment_changes) + len(self.attendance) + len(self.enrolments)


def write_run(life: RunLife, rows: Rows) -> CourseRun:
    """Add the run's rows to ``rows``: the run, its history, sessions, staff, enrolments and registers."""
    plan = life.plan
    taken = sum(1 for place in life.places if place.status in PLACE_HOLDING)
    waiting = sum(1 for place in life.places if place.status == E.WAITLISTED)
    run = CourseRun(
        id=plan.id,
        version_id=plan.version.id,
        term_id=plan.term.id,
        organisation_id=plan.organiser.id,
        capacity=plan.capacity,
        enrolment_opens_on=plan.opens_on,
        enrolment_closes_on=plan.closes_on,
        status=life.status,
        cancellation_reason=life.reason,
        places_taken=taken,
        waiting=waiting,
        starts_at=plan.starts[0] if plan.starts else None,
        created_by_id=plan.created_by,
        created_at=plan.created_at,
    )
    rows.runs.append(run)
    for from_status, to_status, moment, actor, reason in life.changes:
        rows.run_changes.append(
            RunStatusChange(
                run_id=plan.id,
                from_status=from_status,
                to_status=to_status,
                changed_by_id=actor.user_id,
                changed_by_label=actor.label,
                changed_at=moment,
                reason=reason,
            )
        )
    length = timedelta(minutes=plan.minutes)
    venue_id = plan.venue.id if plan.venue else None
    for index, (start, topic) in enumerate(zip(plan.starts, plan.version.outline, strict=True)):
        rows.sessions.append(
            Session(
                id=life.session_id(index),
                run_id=plan.id,
                number=index + 1,
                topic=topic,
                starts_at=start,
                ends_at=start + length,
                venue_id=venue_id,
                updated_at=plan.created_at,
            )
        )
    for assignment in plan.assignments:
        rows.assignments.append(
            FacilitatorAssignment(
                run_id=plan.id,
                person_id=assignment.person_id,
                role=assignment.role,
                assigned_by_id=assignment.assigned_by,
                assigned_at=assignment.assigned_at,
            )
        )
    for place in life.places:
        rows.enrolments.append(
            Enrolment(
                id=place.id,
                run_id=plan.id,
                person_id=place.member.person_id,
                status=place.status,
                position=place.position,
                offer_expires_at=place.offer_expires_at,
                channel=place.channel,
                agreement_accepted_at=place.asked_at,
                created_at=place.asked_at,
                updated_at=place.updated_at or place.asked_at,
            )
        )
        for from_status, to_status, moment, actor, reason in place.changes:
            rows.enrolment_changes.append(
                EnrolmentStatusChange(
                    enrolment_id=place.id,
                    from_status=from_status,
                    to_status=to_status,
                    changed_by_id=actor.user_id,
                    changed_by_label=actor.label,
                    changed_at=moment,
                    reason=reason,
                )
            )
    rows.attendance += life.marks
    return run
