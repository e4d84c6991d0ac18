"""Portfolio entries and observations: the one write path for each, checked and audited here.

A candidate keeps their own portfolio: they write entries (drafts), change them
while they are drafts or returned, and submit them. An assessor of the
candidate's organisation (or an administrator) accepts a submitted entry or
returns it with a note, and records observations of sessions the candidate
co-delivered. ``requirements.progress`` counts what these functions accept.

Every function raises ``AccreditationError`` with a message fit to show beside
the field it names; nothing is written when it does.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from peerpath.accreditation import access, portfolio_tasks
from peerpath.accreditation.awards import AccreditationError
from peerpath.accreditation.models import (
    Competency,
    CompetencyFramework,
    Observation,
    ObservationRating,
    PortfolioEntry,
    Scheme,
)
from peerpath.core import audit
from peerpath.core.audit import Actor
from peerpath.courses import materials
from peerpath.delivery.models import Session
from peerpath.people.models import Membership, Person

Kind = PortfolioEntry.Kind
Status = PortfolioEntry.Status

# What a candidate may write; observations are recorded by assessors, never self-reported.
CANDIDATE_KINDS = (Kind.REFLECTION, Kind.SUPERVISION, Kind.PRIOR_LEARNING, Kind.TRAINING, Kind.CPD)
HOURS_REQUIRED = (Kind.SUPERVISION, Kind.CPD)
OPEN_STATUSES = (Status.DRAFT, Status.RETURNED)

MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_KINDS: dict[str, materials.Kind] = {
    ".pdf": materials.PDF,
    ".docx": materials.DOCX,
    ".odt": materials.ODT,
    ".jpg": materials.JPEG,
    ".jpeg": materials.JPEG,
    ".png": materials.PNG,
}
FILE_DESCRIPTION = "a PDF, Word (.docx), OpenDocument text (.odt), JPEG or PNG file"


@dataclass(frozen=True)
class EntryData:
    """What the candidate typed for an entry. ``upload`` replaces the file; ``remove_file`` drops it."""

    kind: str
    occurred_on: date
    title: str
    text: str = ""
    hours: Decimal | None = None
    competency_ids: Sequence[uuid.UUID | str] = field(default=())
    upload: UploadedFile | None = None
    remove_file: bool = False


# Reads ----------------------------------------------------------------------


def offered_competencies() -> QuerySet[Competency]:
    """Competencies a candidate may link an entry to: those of published frameworks of active schemes."""
    frameworks = Scheme.objects.filter(active=True, framework__status=CompetencyFramework.Status.PUBLISHED).values(
        "framework_id"
    )
    return (
        Competency.objects.filter(framework_id__in=frameworks)
        .select_related("framework")
        .order_by("framework__name", "framework__version", "order", "code")
    )


def observed_competencies() -> QuerySet[Competency]:
    """Competencies rated in an observation: those of the framework(s) of active peer trainer schemes."""
    frameworks = Scheme.objects.filter(
        active=True, grants=Scheme.Grants.PEER_TRAINER, framework__status=CompetencyFramework.Status.PUBLISHED
    ).values("framework_id")
    return Competency.objects.filter(framework_id__in=frameworks).order_by("framework_id", "order", "code")


def entries_of(candidate: Person) -> QuerySet[PortfolioEntry]:
    """The candidate's own entries (newest first) with their competencies.

    Only for the candidate's own portfolio page: the caller has already established that
    ``candidate`` is the signed-in person. Two queries, whatever the number of entries.
    """
    return PortfolioEntry.objects.filter(candidate=candidate).prefetch_related(
        Prefetch("competencies", queryset=Competency.objects.order_by("order", "code"))
    )


def observations_of(candidate: Person) -> QuerySet[Observation]:
    """Observations of the candidate, newest first, with the assessor and the course (one query)."""
    return Observation.objects.filter(candidate=candidate).select_related("assessor", "session__run__version__course")


def ratings_of(observation: Observation) -> QuerySet[ObservationRating]:
    return observation.ratings.select_related("competency").order_by("competency__order", "competency__code")


# Files ----------------------------------------------------------------------


def check_file(upload: UploadedFile) -> materials.Kind:
    """The file's kind, decided by its name and its first bytes, or ``AccreditationError`` (field ``file``)."""
    size = upload.size or 0
    if size == 0:
        raise AccreditationError("The selected file is empty", field="file")
    if size > MAX_FILE_BYTES:
        raise AccreditationError(
            f"The selected file must be smaller than {filesizeformat(MAX_FILE_BYTES)}", field="file"
        )
    extension = PurePath(upload.name or "").suffix.lower()
    kind = FILE_KINDS.get(extension)
    if kind is None:
        raise AccreditationError(f"The selected file must be {FILE_DESCRIPTION}", field="file")
    # The browser's name and Content-Type are not trusted: the bytes must match the kind.
    # Course materials' sniffing is reused so that a fix there protects portfolios too.
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not materials.content_matches(kind, extension, head, upload):
        raise AccreditationError(
            f"The selected file is not a real {kind.label} file. Upload {FILE_DESCRIPTION}", field="file"
        )
    return kind


def file_kind(entry: PortfolioEntry) -> materials.Kind | None:
    """The kind of the entry's stored file (its name was chosen by ``save_entry``), or None."""
    if not entry.file:
        return None
    return FILE_KINDS.get(PurePath(entry.file.name).suffix.lower())


# Entries ---------------------------------------------------------------------


def _own(actor: Actor, candidate: Person) -> User:
    user = audit.person_actor(actor)
    if candidate.user_id is None or candidate.user_id != user.pk:
        raise AccreditationError("Only the candidate can change their own portfolio")
    return user


def _check_entry(data: EntryData) -> tuple[Decimal, list[Competency]]:
    if data.kind not in CANDIDATE_KINDS:
        raise AccreditationError("Select what kind of evidence this is", field="kind")
    if not data.title.strip():
        raise AccreditationError("Enter a title", field="title")
    if data.occurred_on > timezone.localdate():
        raise AccreditationError("The date must be today or in the past", field="occurred_on")
    hours = data.hours if data.hours is not None else Decimal(0)
    if hours < 0:
        raise AccreditationError("Hours must be 0 or more", field="hours")
    if data.kind in HOURS_REQUIRED and hours <= 0:
        label = Kind(data.kind).label.lower()
        raise AccreditationError(f"Enter how many hours of {label} this was", field="hours")
    wanted = {str(pk) for pk in data.competency_ids}
    competencies = [c for c in offered_competencies() if str(c.pk) in wanted]
    if len(competencies) != len(wanted):
        raise AccreditationError("Select competencies from the list", field="competencies")
    return hours, competencies


def save_entry(
    *, actor: Actor, candidate: Person, entry: PortfolioEntry | None = None, data: EntryData
) -> PortfolioEntry:
    """Create a draft entry, or change a draft or returned one; the candidate's own only.

    A new file replaces the old one, which is deleted from storage once the change commits.
    A returned entry stays returned (its note still showing) until it is submitted again.
    """
    _own(actor, candidate)
    hours, competencies = _check_entry(data)
    kind = check_file(data.upload) if data.upload is not None else None
    with transaction.atomic():
        if entry is None:
            entry = PortfolioEntry(candidate=candidate)
            action = "portfolio_entry.created"
        else:
            locked = PortfolioEntry.objects.select_for_update().filter(pk=entry.pk, candidate=candidate).first()
            if locked is None:
                raise AccreditationError("This entry is not in your portfolio")
            if locked.status not in OPEN_STATUSES:
                raise AccreditationError(
                    f"This entry is {locked.get_status_display().lower()} and can no longer be changed"
                )
            entry.status = locked.status
            action = "portfolio_entry.changed"
        old_file = entry.file.name if entry.file else ""
        entry.kind = data.kind
        entry.occurred_on = data.occurred_on
        entry.title = data.title.strip()
        entry.text = data.text.strip()
        entry.hours = hours
        if data.upload is not None and kind is not None:
            entry.file.save(f"entry{kind.extension}", data.upload, save=False)
        elif data.remove_file:
            entry.file = ""
        entry.save()
        entry.competencies.set(competencies)
        audit.record(
            actor=actor,
            action=action,
            target=entry,
            data={"kind": entry.kind, "file": kind.extension if kind else ("removed" if data.remove_file else "")},
        )
        new_file = entry.file.name if entry.file else ""
        if old_file and old_file != new_file:
            storage = entry.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return entry


def submit_entry(*, actor: Actor, entry: PortfolioEntry) -> PortfolioEntry:
    """Send a draft or returned entry to the candidate's assessors for review."""
    _own(actor, entry.candidate)
    with transaction.atomic():
        updated = PortfolioEntry.objects.filter(pk=entry.pk, status__in=OPEN_STATUSES).update(status=Status.SUBMITTED)
        if not updated:
            raise AccreditationError("This entry has already been submitted")
        entry.status = Status.SUBMITTED
        audit.record(actor=actor, action="portfolio_entry.submitted", target=entry, data={"kind": entry.kind})
    return entry


def _assesses(user: User, candidate: Person, on: date) -> bool:
    """The user holds a current assessor membership in one of the candidate's current organisations."""
    organisations = Membership.objects.current(on).filter(person=candidate).values("organisation_id")
    return (
        Membership.objects.current(on)
        .filter(person__user=user, role=Membership.Role.ASSESSOR, organisation_id__in=organisations)
        .exists()
    )


class Decision:
    ACCEPT = "accept"
    RETURN = "return"


def review_entry(*, actor: Actor, entry: PortfolioEntry, decision: str, note: str = "") -> PortfolioEntry:
    """Accept a submitted entry, or return it to the candidate with a note saying what to add.

    The reviewer is a current assessor of one of the candidate's organisations, or an
    administrator, and never the candidate.
    """
    user = audit.person_actor(actor)
    note = note.strip()
    candidate = entry.candidate
    if candidate.user_id is not None and candidate.user_id == user.pk:
        raise AccreditationError("You cannot review your own portfolio")
    if not user.is_superuser and not _assesses(user, candidate, timezone.localdate()):
        raise AccreditationError("Only an assessor of the candidate's organisation can review their portfolio")
    if decision not in (Decision.ACCEPT, Decision.RETURN):
        raise AccreditationError("Select whether to accept the entry or return it", field="decision")
    if decision == Decision.RETURN and not note:
        raise AccreditationError("Enter what the candidate needs to add or change", field="note")
    status = Status.ACCEPTED if decision == Decision.ACCEPT else Status.RETURNED
    now = timezone.now()
    with transaction.atomic():
        updated = PortfolioEntry.objects.filter(pk=entry.pk, status=Status.SUBMITTED).update(
            status=status, reviewed_by=user, reviewed_at=now, review_note=note
        )
        if not updated:
            raise AccreditationError("Only a submitted entry can be reviewed: this one has changed since you opened it")
        entry.status, entry.reviewed_by, entry.reviewed_at, entry.review_note = status, user, now, note
        audit.record(actor=actor, action=f"portfolio_entry.{status}", target=entry, data={"kind": entry.kind})
        entry_id = str(entry.pk)
        transaction.on_commit(lambda: portfolio_tasks.send_entry_reviewed_email.enqueue(entry_id))
    return entry


# Observations ------------------------------------------------------------------


def _observer(actor: Actor, candidate: Person, on: date) -> Person:
    user = audit.person_actor(actor)
    person = Person.objects.filter(user=user).first()
    if person is None:
        raise AccreditationError("Observations are recorded by a person: your login has no person record")
    if person.pk == candidate.pk:
        raise AccreditationError("You cannot observe yourself")
    is_assessor = Membership.objects.current(on).filter(person=person, role=Membership.Role.ASSESSOR).exists()
    if not user.is_superuser and not is_assessor:
        raise AccreditationError("Only an accredited assessor or an administrator can record an observation")
    return person


def record_observation(
    *,
    actor: Actor,
    candidate: Person,
    session: Session,
    observed_on: date,
    outcome: str,
    feedback: str,
    ratings: Mapping[Any, tuple[str, str]],
) -> Observation:
    """Record what an assessor saw of the candidate co-delivering one session, with a rating per competency.

    ``ratings`` maps a competency id to (rating, comment). The session must be one the
    candidate co-delivers that the observer may observe (``access.observable_sessions``),
    observed on its own day, once. "Competent" overall needs a competency rated competent.
    """
    today = timezone.localdate()
    observer = _observer(actor, candidate, today)
    user = audit.person_actor(actor)
    if not access.observable_sessions(user, candidate).filter(pk=session.pk).exists():
        raise AccreditationError("Select a session this candidate co-delivered in your organisation", field="session")
    if observed_on > today:
        raise AccreditationError("The date observed must be today or in the past", field="observed_on")
    session_day = timezone.localdate(session.starts_at)
    if observed_on != session_day:
        raise AccreditationError(
            f"The date observed must be the day of the session ({session_day:%-d %B %Y})", field="observed_on"
        )
    if outcome not in Observation.Outcome.values:
        raise AccreditationError("Select the overall outcome", field="outcome")
    feedback = feedback.strip()
    if not feedback:
        raise AccreditationError("Enter your feedback for the candidate", field="feedback")
    competencies = {str(c.pk): c for c in observed_competencies()}
    rows: list[ObservationRating] = []
    for competency_id, (rating, comment) in ratings.items():
        competency = competencies.get(str(competency_id))
        if competency is None or rating not in ObservationRating.Rating.values:
            raise AccreditationError("Rate each competency from the list", field="ratings")
        rows.append(ObservationRating(competency=competency, rating=rating, comment=comment.strip()[:500]))
    competent = [row for row in rows if row.rating == ObservationRating.Rating.COMPETENT]
    if outcome == Observation.Outcome.COMPETENT and not competent:
        raise AccreditationError(
            "Rate at least one competency as competent, or choose 'Not yet competent' overall", field="outcome"
        )
    already = "This session has already been observed for this candidate"
    with transaction.atomic():
        if Observation.objects.filter(candidate=candidate, session=session).exists():
            raise AccreditationError(already, field="session")
        try:
            with transaction.atomic():
                observation = Observation.objects.create(
                    candidate=candidate,
                    assessor=observer,
                    session=session,
                    observed_on=observed_on,
                    outcome=outcome,
                    feedback=feedback,
                )
        except IntegrityError:  # another assessor saved the same session a moment ago
            raise AccreditationError(already, field="session") from None
        for row in rows:
            row.observation = observation
        ObservationRating.objects.bulk_create(rows)
        audit.record(
            actor=actor,
            action="observation.recorded",
            target=observation,
            data={"session": str(session.pk), "outcome": outcome, "competent": len(competent)},
        )
        observation_id = str(observation.pk)
        transaction.on_commit(lambda: portfolio_tasks.send_observation_email.enqueue(observation_id))
    return observation
