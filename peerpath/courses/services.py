"""Every change to courses goes through these functions.

Each is one transaction that writes its audit event alongside the change.
Course status moves are checked in one place (``TRANSITIONS``); a version is
approved with a conditional UPDATE, so two coordinators pressing "Approve" at
the same moment approve it once (and the database allows one approved
version per course in any case).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.audit import Actor
from peerpath.courses import materials
from peerpath.courses.choices import Capacity, Category, Stage
from peerpath.courses.models import (
    Contribution,
    CoproductionActivity,
    Course,
    CourseMaterial,
    CourseStatusChange,
    CourseVersion,
    OutlineSession,
    Term,
)
from peerpath.people.models import Organisation, Person

Status = Course.Status

# Where a course may go from each status. "Approved" is reached only by
# approving a version (``approve_version``), never chosen directly.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.IDEA: frozenset({Status.IN_COPRODUCTION, Status.RETIRED}),
    Status.IN_COPRODUCTION: frozenset({Status.APPROVED, Status.RETIRED}),
    Status.APPROVED: frozenset({Status.RETIRED}),
    Status.RETIRED: frozenset({Status.IN_COPRODUCTION}),
}
CHOSEN_TRANSITIONS = {status: targets - {Status.APPROVED} for status, targets in TRANSITIONS.items()}

COURSE_FIELDS = (
    "title",
    "summary",
    "category",
    "audience",
    "session_count",
    "session_minutes",
    "in_person",
    "online",
    "blended",
)
VERSION_FIELDS = (
    "learning_outcomes",
    "peer_trainers_required",
    "professional_tutors_required",
    "peer_facilitators_required",
    "change_note",
)


class CourseError(Exception):
    """A rule about courses was broken; the message is fit to show."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def default_staffing(category: str) -> dict[str, int]:
    """Support-group formats need one accredited peer facilitator; courses a peer trainer and a professional."""
    if category == Category.SUPPORT_GROUP:
        return {"peer_trainers_required": 0, "professional_tutors_required": 0, "peer_facilitators_required": 1}
    return {"peer_trainers_required": 1, "professional_tutors_required": 1, "peer_facilitators_required": 0}


def allowed_transitions(course: Course) -> frozenset[str]:
    """Statuses a coordinator may move this course to by hand."""
    return CHOSEN_TRANSITIONS.get(course.status, frozenset())


def _transition(actor: Actor, course: Course, to_status: str, reason: str = "") -> None:
    if to_status not in TRANSITIONS.get(course.status, frozenset()):
        target = Status(to_status).label.lower() if to_status in Status.values else to_status
        raise CourseError(
            f"A course that is {course.get_status_display().lower()} cannot become {target}", field="status"
        )
    # Conditional: a concurrent change to the same course makes this one fail cleanly.
    moved = Course.objects.filter(pk=course.pk, status=course.status).update(
        status=to_status, updated_at=timezone.now()
    )
    if not moved:
        raise CourseError("Someone else changed this course's status just now. Check it and try again", field="status")
    CourseStatusChange.objects.create(
        course=course,
        from_status=course.status,
        to_status=to_status,
        changed_by=audit.person_actor(actor),
        reason=reason,
    )
    audit.record(
        actor=actor, action="course.status_changed", target=course, data={"from": course.status, "to": to_status}
    )
    course.status = to_status


def _check_modes(details: dict[str, Any]) -> None:
    if not (details.get("in_person") or details.get("online") or details.get("blended")):
        raise CourseError("Select at least one way the course is delivered", field="in_person")


@transaction.atomic
def create_course(
    *, actor: Actor, owner: Organisation, details: dict[str, Any], partners: Iterable[Organisation] = ()
) -> Course:
    """A new course at the idea stage, with an empty first draft version."""
    user = audit.person_actor(actor)
    _check_modes(details)
    partner_list = [org for org in partners if org.pk != owner.pk]
    course = Course.objects.create(owner=owner, **{name: details[name] for name in COURSE_FIELDS if name in details})
    course.partners.set(partner_list)
    CourseStatusChange.objects.create(course=course, from_status="", to_status=Status.IDEA, changed_by=user)
    CourseVersion.objects.create(course=course, number=1, created_by=user, **default_staffing(course.category))
    audit.record(
        actor=actor,
        action="course.created",
        target=course,
        data={"owner": str(owner.pk), "partners": [str(org.pk) for org in partner_list]},
    )
    return course


@transaction.atomic
def update_course(
    *, actor: Actor, course: Course, details: dict[str, Any], partners: Iterable[Organisation] | None = None
) -> Course:
    audit.person_actor(actor)
    if course.status == Status.RETIRED:
        raise CourseError("A retired course cannot be changed. Bring it back into co-production first")
    _check_modes(details)
    changed = []
    for name in COURSE_FIELDS:
        if name in details and getattr(course, name) != details[name]:
            setattr(course, name, details[name])
            changed.append(name)
    course.updated_at = timezone.now()
    course.save()
    if partners is not None:
        course.partners.set([org for org in partners if org.pk != course.owner_id])
        changed.append("partners")
    audit.record(actor=actor, action="course.updated", target=course, data={"fields": changed})
    return course


@transaction.atomic
def change_status(*, actor: Actor, course: Course, to_status: str, reason: str = "") -> Course:
    """Move a course by hand (start co-production, retire, bring back)."""
    if to_status == Status.APPROVED:
        raise CourseError("A course is approved by approving one of its versions", field="status")
    if to_status == Status.RETIRED and not reason.strip():
        raise CourseError("Enter why the course is being retired", field="reason")
    _transition(actor, course, to_status, reason.strip())
    return course


@dataclass(frozen=True)
class OutlineEntry:
    title: str
    description: str = ""


@transaction.atomic
def save_version(
    *, actor: Actor, version: CourseVersion, details: dict[str, Any], outline: Sequence[OutlineEntry]
) -> CourseVersion:
    """Save a draft in place; "editing" an approved version saves a new draft based on it.

    Returns the draft that was saved. The new draft starts with the approved
    version's materials.
    """
    user = audit.person_actor(actor)
    course = version.course
    if course.status == Status.RETIRED:
        raise CourseError("A retired course cannot be changed. Bring it back into co-production first")
    staffing = {name: int(details.get(name) or 0) for name in VERSION_FIELDS if name.endswith("_required")}
    if not any(staffing.values()):
        raise CourseError("A run needs at least one trainer, tutor or facilitator", field="peer_trainers_required")
    values = {name: details[name] for name in VERSION_FIELDS if name in details}
    if version.status == CourseVersion.Status.DRAFT:
        draft = CourseVersion.objects.select_for_update().get(pk=version.pk)
        if draft.status != CourseVersion.Status.DRAFT:
            raise CourseError("This version was approved while you were editing it. Edit it again to start a new draft")
        for name, value in values.items():
            setattr(draft, name, value)
        draft.save()
        draft.outline.all().delete()
        action = "course_version.saved"
    else:
        if course.versions.filter(status=CourseVersion.Status.DRAFT).exists():
            raise CourseError("A draft of this course is already being edited. Edit the draft instead")
        number = (course.versions.aggregate(highest=Max("number"))["highest"] or 0) + 1
        try:
            with transaction.atomic():
                draft = CourseVersion.objects.create(
                    course=course, number=number, based_on=version, created_by=user, **values
                )
        except IntegrityError:
            raise CourseError("Someone else started a new draft of this course just now. Edit that draft") from None
        CourseMaterial.objects.bulk_create(
            CourseMaterial(
                version=draft,
                title=material.title,
                file=material.file.name,
                original_name=material.original_name,
                extension=material.extension,
                content_type=material.content_type,
                size=material.size,
                uploaded_by=material.uploaded_by,
                uploaded_at=material.uploaded_at,
            )
            for material in version.materials.all()
        )
        action = "course_version.drafted"
    OutlineSession.objects.bulk_create(
        OutlineSession(version=draft, number=index, title=entry.title.strip(), description=entry.description.strip())
        for index, entry in enumerate((e for e in outline if e.title.strip()), start=1)
    )
    audit.record(
        actor=actor,
        action=action,
        target=draft,
        data={"course": str(course.pk), "number": draft.number, "based_on": version.number},
    )
    return draft


def approval_problems(version: CourseVersion) -> list[str]:
    """What stops this version from being approved, in plain words (empty when it can be)."""
    problems = []
    course = version.course
    if version.status != CourseVersion.Status.DRAFT:
        problems.append(f"Version {version.number} is already {version.get_status_display().lower()}")
    if course.status not in (Status.IN_COPRODUCTION, Status.APPROVED):
        problems.append(f"The course is {course.get_status_display().lower()}: move it into co-production first")
    if not version.outcomes:
        problems.append("Add at least one learning outcome")
    sessions = version.outline.count()
    if sessions != course.session_count:
        problems.append(
            f"The outline has {sessions} session{'s' if sessions != 1 else ''} "
            f"but the course has {course.session_count}: describe each session"
        )
    return problems


@transaction.atomic
def approve_version(*, actor: Actor, version: CourseVersion) -> CourseVersion:
    """Approve a draft: the previous approved version is superseded and the course is approved."""
    user = audit.person_actor(actor)
    course = Course.objects.get(pk=version.course_id)
    version.course = course
    problems = approval_problems(version)
    if problems:
        raise CourseError(problems[0])
    now = timezone.now()
    previous = list(course.versions.filter(status=CourseVersion.Status.APPROVED).values_list("number", flat=True))
    course.versions.filter(status=CourseVersion.Status.APPROVED).update(status=CourseVersion.Status.SUPERSEDED)
    try:
        with transaction.atomic():
            approved = CourseVersion.objects.filter(pk=version.pk, status=CourseVersion.Status.DRAFT).update(
                status=CourseVersion.Status.APPROVED, approved_by=user, approved_at=now
            )
    except IntegrityError:
        approved = 0
    if not approved:
        raise CourseError(f"Version {version.number} was approved by someone else just now")
    version.status, version.approved_by, version.approved_at = CourseVersion.Status.APPROVED, user, now
    if course.status != Status.APPROVED:
        _transition(actor, course, Status.APPROVED, f"Version {version.number} approved")
    audit.record(
        actor=actor,
        action="course_version.approved",
        target=version,
        data={"course": str(course.pk), "number": version.number, "superseded": previous},
    )
    return version


@transaction.atomic
def add_material(*, actor: Actor, version: CourseVersion, title: str, upload: UploadedFile) -> CourseMaterial:
    user = audit.person_actor(actor)
    if not version.is_editable:
        raise CourseError("Materials can only be added to a draft version", field="file")
    try:
        kind = materials.check_upload(upload)
    except materials.MaterialRejectedError as error:
        raise CourseError(str(error), field="file") from None
    original = (upload.name or "material").replace("\\", "/").rsplit("/", 1)[-1][:255]
    material = CourseMaterial(
        version=version,
        title=title.strip() or original,
        original_name=original,
        extension=kind.extension,
        content_type=kind.content_type,
        size=upload.size or 0,
        uploaded_by=user,
    )
    material.file.save(f"upload{kind.extension}", upload, save=False)
    material.save()
    audit.record(
        actor=actor,
        action="course_material.added",
        target=material,
        data={"version": str(version.pk), "type": kind.extension, "size": material.size},
    )
    return material


@transaction.atomic
def remove_material(*, actor: Actor, material: CourseMaterial) -> None:
    """Remove a material from a draft. The stored file stays: approved versions may share it."""
    audit.person_actor(actor)
    if not material.version.is_editable:
        raise CourseError("Materials of an approved version cannot be removed")
    audit.record(
        actor=actor, action="course_material.removed", target=material, data={"version": str(material.version_id)}
    )
    material.delete()


@dataclass(frozen=True)
class NewContribution:
    capacity: str
    person: Person | None = None
    hours: Decimal | None = None


@transaction.atomic
def log_activity(
    *,
    actor: Actor,
    course: Course,
    occurred_on: date,
    stage: str,
    hours: Decimal,
    decisions: str,
    contributions: Sequence[NewContribution],
    version: CourseVersion | None = None,
) -> CoproductionActivity:
    """Record a co-production activity and everyone who took part, together."""
    user = audit.person_actor(actor)
    if course.status == Status.RETIRED:
        raise CourseError("Activities cannot be logged for a retired course")
    if occurred_on > timezone.localdate():
        raise CourseError("The date of the activity must be today or in the past", field="occurred_on")
    if stage not in Stage.values:
        raise CourseError("Select the stage of co-production", field="stage")
    if version is not None and version.course_id != course.pk:
        raise CourseError("Select a version of this course", field="version")
    if not contributions:
        raise CourseError("Add at least one person who took part", field="contributions")
    people = [c.person.pk for c in contributions if c.person is not None]
    if len(people) != len(set(people)):
        raise CourseError("Each person can be listed once per activity", field="contributions")
    for contribution in contributions:
        if contribution.capacity not in Capacity.values:
            raise CourseError("Select the capacity in which each person took part", field="contributions")
    activity = CoproductionActivity.objects.create(
        course=course,
        version=version,
        occurred_on=occurred_on,
        stage=stage,
        hours=hours,
        decisions=decisions.strip(),
        recorded_by=user,
    )
    Contribution.objects.bulk_create(
        Contribution(activity=activity, person=c.person, capacity=c.capacity, hours=c.hours or hours)
        for c in contributions
    )
    audit.record(
        actor=actor,
        action="coproduction_activity.logged",
        target=activity,
        data={"course": str(course.pk), "stage": stage, "contributors": len(contributions)},
    )
    return activity


@transaction.atomic
def save_term(
    *, actor: Actor, term: Term | None, organisation: Organisation, details: dict[str, Any], courses: Iterable[Course]
) -> Term:
    """Create or update a term and the approved courses it offers."""
    audit.person_actor(actor)
    offered = list(courses)
    not_approved = [course.title for course in offered if course.status != Status.APPROVED]
    if not_approved:
        raise CourseError(f"Only approved courses can be offered: {', '.join(not_approved)}", field="courses")
    if details["ends_on"] < details["starts_on"]:
        raise CourseError("The term must end on or after the day it starts", field="ends_on")
    creating = term is None
    if term is None:
        term = Term(organisation=organisation, slug=_unique_slug(organisation, details["name"]))
    for name in ("name", "starts_on", "ends_on", "published"):
        if name in details:
            setattr(term, name, details[name])
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError:
        raise CourseError(f"{organisation} already has a term called {details['name']}", field="name") from None
    term.courses.set(offered)
    audit.record(
        actor=actor,
        action="term.created" if creating else "term.updated",
        target=term,
        data={"courses": len(offered), "published": term.published},
    )
    return term


def _unique_slug(organisation: Organisation, name: str) -> str:
    from django.utils.text import slugify

    base = slugify(f"{organisation.name} {name}")[:100] or "term"
    slug = base
    while Term.objects.filter(slug=slug).exists():
        slug = f"{base}-{uuid.uuid4().hex[:6]}"
    return slug
