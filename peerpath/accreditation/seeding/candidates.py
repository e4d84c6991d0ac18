"""Demo candidates at every stage of accreditation, and awards in every status.

Registered as the ``accreditation_candidates`` step, after the award periods of staffed
peer tutors (40). First it adds Train the Trainer cohorts: for each organisation with an
assessor, two-day runs of the approved Train the Trainer course about 34, 16 and 5 months
before "today", each completed by eight to twelve of its carers (participants) with their
registers. Then it works from everyone who completed a Train the Trainer run and holds no
award yet, and gives each a stage:

- **trained**: nothing recorded yet, or one draft reflection;
- **starting**: a draft and one or two reflections waiting for review;
- **building**: accepted reflections and supervision, one entry returned with a note,
  and a first observation of a session they co-delivered as a trainee;
- **ready**: every requirement of the carer peer trainer scheme met, waiting for an
  assessor to grant it (the candidate list and file offer "Grant");
- **awarded**: as ready, then granted; the award's dates and history put it in one of
  the standings in turn: active, expiring soon, in grace, expired, suspended, revoked.

Evidence is dated after their training. Observations are of sessions (held before
"today") of other runs of their organisation, where the candidate is assigned to the
session as a trainee co-facilitator. Current staffed holders also get supervision and
development entries in their period, so their renewal progress shows. About two in
three award holders agree to be named on the public verification page.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Max, Model
from django.utils import timezone

from peerpath.accreditation.awards import add_months
from peerpath.accreditation.models import (
    Award,
    AwardStatusChange,
    Competency,
    Observation,
    ObservationRating,
    PortfolioEntry,
    Scheme,
)
from peerpath.accreditation.seeding import _assessors, _code, _moment
from peerpath.core import seeding
from peerpath.core.seeding import SeedContext, SeedError
from peerpath.courses.choices import Category
from peerpath.courses.models import CourseVersion, Term
from peerpath.delivery.models import Attendance, CourseRun, Enrolment, FacilitatorAssignment, Session
from peerpath.people.models import Consent, Membership, Person

ORDER = 41
STAGES = ("trained", "starting", "building", "ready", "awarded")
STAGE_WEIGHTS = (2, 3, 3, 2, 3)
# Awarded candidates take these in turn, so each appears at every scale that has six of them.
STANDINGS = ("active", "expiring_soon", "in_grace", "expired", "suspended", "revoked", "active")
Kind, Status = PortfolioEntry.Kind, PortfolioEntry.Status

REFLECTIONS = (
    "Sharing my story in the opening session",
    "When a participant became upset",
    "Keeping to time with a talkative group",
    "Co-planning with my professional co-tutor",
    "Using recovery language, not clinical language",
    "Handling a question I could not answer",
)
SUPERVISION = ("Supervision with the peer trainer lead", "Group supervision for new trainers")
CPD = ("Safeguarding adults refresher", "Mental Health First Aid", "Co-production network day")
FEEDBACK = (
    "Shared lived experience briefly and with purpose, then brought the group back to the topic.",
    "Warm and clear. Worked well with the co-tutor; next time leave more time for questions.",
    "Kept the group safe when a difficult subject came up, and checked in with the person afterwards.",
)
REVIEW_NOTES = ("Say what you would do differently next time.", "Link this to the competences it shows.")


# A session held before "today": (session, run, day).
HeldSession = tuple[uuid.UUID, uuid.UUID, date]
SessionsByOrganisation = dict[uuid.UUID, list[HeldSession]]


@dataclass
class Rows:
    entries: list[PortfolioEntry] = field(default_factory=list)
    links: list[Model] = field(default_factory=list)
    assignments: list[FacilitatorAssignment] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    ratings: list[ObservationRating] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    changes: list[AwardStatusChange] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)


class CandidateSeeder:
    def __init__(self, context: SeedContext) -> None:
        self.context, self.rng, self.today = context, context.rng, context.today
        self.scheme = Scheme.objects.select_related("framework").get(code="carer-peer-trainer-rc")
        self.competencies = list(Competency.objects.filter(framework=self.scheme.framework).order_by("order", "code"))
        self.assessors_by_org, self.all_assessors = _assessors()
        self.users = dict(
            Person.objects.filter(pk__in=self.all_assessors, user__isnull=False).values_list("pk", "user_id")
        )
        self.admin_user_id = context.shared["people"].admin_user_id
        self.rows = Rows()
        self.counts: defaultdict[str, int] = defaultdict(int)
        self.standing_turn = 0

    # Sources -----------------------------------------------------------------------------

    def trained_people(self) -> list[tuple[uuid.UUID, uuid.UUID, date]]:
        """(person, organisation, day their training ended) for completers holding no award."""
        held = Award.objects.values("holder_id")
        places = (
            Enrolment.objects.filter(
                status=Enrolment.Status.COMPLETED,
                run__status=CourseRun.Status.COMPLETED,
                run__version__course__category=Category.TRAIN_THE_TRAINER,
            )
            .exclude(person_id__in=held)
            .annotate(ended=Max("run__sessions__starts_at"))
            .values_list("person_id", "run__organisation_id", "ended")
            .order_by("person_id", "ended")
        )
        first: dict[uuid.UUID, tuple[uuid.UUID, date]] = {}
        for person_id, organisation_id, ended in places:
            if ended is not None:
                first.setdefault(person_id, (organisation_id, timezone.localdate(ended)))
        return [(person, org, day) for person, (org, day) in sorted(first.items(), key=lambda item: str(item[0]))]

    def held_sessions(self) -> SessionsByOrganisation:
        """Per organisation, (session, run, day) of sessions held before today in runs that went ahead."""
        now = timezone.make_aware(datetime.combine(self.today, datetime.min.time()))
        rows = (
            Session.objects.filter(
                starts_at__lt=now,
                run__status__in=(CourseRun.Status.RUNNING, CourseRun.Status.COMPLETED),
            )
            .exclude(run__version__course__category=Category.TRAIN_THE_TRAINER)
            .values_list("pk", "run_id", "run__organisation_id", "starts_at")
            .order_by("starts_at", "pk")
        )
        found: SessionsByOrganisation = defaultdict(list)
        for session_id, run_id, organisation_id, starts_at in rows:
            found[organisation_id].append((session_id, run_id, timezone.localdate(starts_at)))
        return found

    def cohorts(self) -> None:
        """Completed two-day Train the Trainer runs, with their places and registers."""
        rng, today = self.rng, self.today
        version = (
            CourseVersion.objects.filter(course__category=Category.TRAIN_THE_TRAINER, status="approved")
            .order_by("course__title")
            .first()
        )
        if version is None:
            return
        participants: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for person_id, organisation_id in (
            Membership.objects.filter(role=Membership.Role.PARTICIPANT, organisation_id__in=list(self.assessors_by_org))
            .order_by("organisation_id", "person_id")
            .values_list("person_id", "organisation_id")
        ):
            participants[organisation_id].append(person_id)
        terms: dict[uuid.UUID, list[Term]] = defaultdict(list)
        for term in Term.objects.filter(organisation_id__in=list(participants)).order_by("starts_on"):
            terms[term.organisation_id].append(term)
        runs, sessions, places, registers = [], [], [], []
        taken: set[uuid.UUID] = set()
        for organisation_id in sorted(participants, key=str):
            if not terms.get(organisation_id):
                continue
            for months_ago in (34, 16, 5):
                day = add_months(today, -months_ago) + timedelta(days=rng.randint(0, 20))
                while day.weekday() > 4:
                    day += timedelta(days=1)
                term = min(terms[organisation_id], key=lambda t: abs((t.starts_on - day).days))
                free = [p for p in participants[organisation_id] if p not in taken]
                chosen = rng.sample(free, min(len(free), rng.randint(8, 12)))
                if len(chosen) < 4:
                    continue
                taken.update(chosen)
                first = _moment(day).replace(hour=10)
                run = CourseRun(
                    id=self.context.uuid(),
                    version=version,
                    term=term,
                    organisation_id=organisation_id,
                    capacity=12,
                    status=CourseRun.Status.COMPLETED,
                    places_taken=len(chosen),
                    starts_at=first,
                    created_by_id=self.admin_user_id,
                    created_at=first - timedelta(days=60),
                )
                runs.append(run)
                days = [
                    Session(
                        id=self.context.uuid(),
                        run=run,
                        number=number,
                        topic=topic,
                        starts_at=first + timedelta(days=number - 1),
                        ends_at=first + timedelta(days=number - 1, hours=6),
                        updated_at=first - timedelta(days=30),
                    )
                    for number, topic in (
                        (1, "Day 1: sharing lived experience safely"),
                        (2, "Day 2: co-delivering a session"),
                    )
                ]
                sessions.extend(days)
                for person_id in chosen:
                    place = Enrolment(
                        id=self.context.uuid(),
                        run=run,
                        person_id=person_id,
                        status=Enrolment.Status.COMPLETED,
                        channel=Enrolment.Channel.STAFF,
                        agreement_accepted_at=first - timedelta(days=20),
                        created_at=first - timedelta(days=20),
                        updated_at=first + timedelta(days=2),
                    )
                    places.append(place)
                    for session in days:
                        registers.append(
                            Attendance(
                                session=session,
                                enrolment=place,
                                status="present",
                                recorded_by_id=self.admin_user_id,
                                recorded_at=session.ends_at,
                            )
                        )
        self.context.save_chunk(runs, sessions, places, registers)
        self.counts["cohorts"] = len(runs)

    # Rows --------------------------------------------------------------------------------

    def entry(
        self,
        person: uuid.UUID,
        kind: str,
        day: date,
        status: str,
        *,
        reviewer: uuid.UUID | None,
        covers: Sequence[Competency] = (),
    ) -> None:
        rng = self.rng
        titles: dict[str, tuple[str, ...]] = {
            Kind.REFLECTION: REFLECTIONS,
            Kind.SUPERVISION: SUPERVISION,
            Kind.CPD: CPD,
        }
        title = rng.choice(titles[kind])
        reviewed = status in (Status.ACCEPTED, Status.RETURNED)
        entry = PortfolioEntry(
            id=self.context.uuid(),
            candidate_id=person,
            kind=kind,
            occurred_on=day,
            title=title,
            text="What happened, what I did, how it went and what I would do next time.",
            hours=Decimal(rng.choice((1, 1, 1.5, 2))) if kind == Kind.SUPERVISION else Decimal(0),
            status=status,
            reviewed_by_id=self.users.get(reviewer) if reviewed and reviewer else None,
            reviewed_at=_moment(day + timedelta(days=rng.randint(2, 14))) if reviewed else None,
            review_note=rng.choice(REVIEW_NOTES) if status == Status.RETURNED else "",
            created_at=_moment(day),
        )
        if kind == Kind.CPD:
            entry.hours = Decimal(rng.choice((3, 3.5, 6, 7)))
        self.rows.entries.append(entry)
        through = PortfolioEntry.competencies.through
        for competency in covers:
            self.rows.links.append(through(portfolioentry_id=entry.pk, competency_id=competency.pk))
        self.counts[f"entries {status}"] += 1

    def observe(
        self,
        person: uuid.UUID,
        session: HeldSession,
        assessor: uuid.UUID,
        *,
        competent: list[Competency],
        outcome: str = Observation.Outcome.COMPETENT,
    ) -> None:
        session_id, run_id, day = session
        self.rows.assignments.append(
            FacilitatorAssignment(
                run_id=run_id,
                session_id=session_id,
                person_id=person,
                role=FacilitatorAssignment.Role.TRAINEE,
                assigned_by_id=self.admin_user_id,
                assigned_at=_moment(day - timedelta(days=14)),
            )
        )
        observation = Observation(
            id=self.context.uuid(),
            candidate_id=person,
            assessor_id=assessor,
            session_id=session_id,
            observed_on=day,
            outcome=outcome,
            feedback=self.rng.choice(FEEDBACK),
            recorded_at=_moment(day + timedelta(days=1)),
        )
        self.rows.observations.append(observation)
        for competency in self.competencies:
            if competency in competent:
                rating = ObservationRating.Rating.COMPETENT
            else:
                rating = self.rng.choice((ObservationRating.Rating.DEVELOPING, ObservationRating.Rating.NOT_SEEN))
            self.rows.ratings.append(ObservationRating(observation=observation, competency=competency, rating=rating))
        self.counts["observations"] += 1

    def consent(self, person: uuid.UUID, day: date) -> None:
        if self.rng.random() < 0.67:
            self.rows.consents.append(
                Consent(
                    id=self.context.uuid(),
                    person_id=person,
                    purpose=Consent.Purpose.VERIFICATION,
                    decision=Consent.Decision.GIVEN,
                    method=Consent.Method.PAPER,
                    decided_on=day,
                    recorded_at=_moment(day),
                    recorded_by_id=self.admin_user_id,
                )
            )

    # Stages ------------------------------------------------------------------------------

    def candidate(
        self, person: uuid.UUID, organisation: uuid.UUID, trained_on: date, sessions: SessionsByOrganisation
    ) -> str:
        rng, today = self.rng, self.today
        stage = rng.choices(STAGES, weights=STAGE_WEIGHTS)[0]
        if self.standing_turn < len(STANDINGS) and (today - trained_on).days > 900:
            stage = "awarded"  # the earliest cohort's first candidates show each standing once
        assessors = [a for a in self.assessors_by_org.get(organisation, []) or self.all_assessors if a != person]
        later = [s for s in sessions.get(organisation, []) if s[2] > trained_on + timedelta(days=14)]
        days_since = (today - trained_on).days
        # Too recent to have built evidence, or nothing to observe: an earlier stage.
        if stage in ("building", "ready", "awarded") and (len(later) < 2 or days_since < 60 or not assessors):
            stage = "starting" if days_since >= 14 else "trained"
        if stage == "awarded" and days_since < 150:
            stage = "ready"

        def day_between(start: int, end: int) -> date:
            return min(today - timedelta(days=1), trained_on + timedelta(days=rng.randint(start, end)))

        if stage == "trained":
            if rng.random() < 0.5:
                self.entry(person, Kind.REFLECTION, day_between(3, 13), Status.DRAFT, reviewer=None)
        elif stage == "starting":
            self.entry(person, Kind.REFLECTION, day_between(7, 30), Status.DRAFT, reviewer=None)
            for _ in range(rng.randint(1, 2)):
                self.entry(person, Kind.REFLECTION, day_between(7, 30), Status.SUBMITTED, reviewer=None)
        elif not assessors:
            raise SeedError("Candidates past the first steps need an assessor")  # ruled out above
        elif stage == "building":
            assessor = rng.choice(assessors)
            some = rng.sample(self.competencies, 4)
            for _ in range(2):
                self.entry(
                    person, Kind.REFLECTION, day_between(10, 50), Status.ACCEPTED, reviewer=assessor, covers=some
                )
            self.entry(person, Kind.REFLECTION, day_between(10, 50), Status.RETURNED, reviewer=assessor)
            self.entry(person, Kind.SUPERVISION, day_between(10, 50), Status.ACCEPTED, reviewer=assessor)
            self.entry(person, Kind.SUPERVISION, day_between(10, 50), Status.SUBMITTED, reviewer=None)
            session = rng.choice(later[: max(2, len(later) // 3)])
            self.observe(person, session, assessor, competent=rng.sample(self.competencies, 3))
        else:
            assessor = rng.choice(assessors)
            self.qualify(person, later, assessor, day_between)
            if stage == "awarded":
                self.award(person, assessor, trained_on)
        self.counts[stage] += 1
        return stage

    def qualify(
        self,
        person: uuid.UUID,
        later: list[HeldSession],
        assessor: uuid.UUID,
        day_between: Callable[[int, int], date],
    ) -> None:
        """Everything the carer peer trainer scheme asks, dated in the months after training."""
        rng, scheme = self.rng, self.scheme
        shuffled = rng.sample(self.competencies, len(self.competencies))
        by_reflection = shuffled[: len(shuffled) // 2]
        by_observation = shuffled[len(shuffled) // 2 :]
        for index in range(scheme.reflections_required):
            covers = by_reflection[index :: scheme.reflections_required]
            self.entry(person, Kind.REFLECTION, day_between(14, 120), Status.ACCEPTED, reviewer=assessor, covers=covers)
        for _ in range(scheme.supervisions_required):
            self.entry(person, Kind.SUPERVISION, day_between(14, 120), Status.ACCEPTED, reviewer=assessor)
        chosen = rng.sample(later[: max(scheme.observations_required, len(later) // 2)], scheme.observations_required)
        for index, session in enumerate(chosen):
            competent = by_observation[index :: scheme.observations_required]
            self.observe(person, session, assessor, competent=competent)

    def award(self, person: uuid.UUID, assessor: uuid.UUID, trained_on: date) -> None:
        """Granted some months after training; the turn decides where today falls in its life."""
        rng, today, scheme = self.rng, self.today, self.scheme
        want = STANDINGS[self.standing_turn % len(STANDINGS)]
        months = scheme.validity_months or 24
        ends = {
            "expiring_soon": today + timedelta(days=rng.randint(5, scheme.expiring_soon_days - 1)),
            "in_grace": today - timedelta(days=rng.randint(1, scheme.grace_days - 1)),
            "expired": today - timedelta(days=rng.randint(scheme.grace_days + 5, scheme.grace_days + 60)),
        }.get(want)
        earliest = trained_on + timedelta(days=130)
        valid_from = add_months(ends, -months) if ends else min(today, earliest + timedelta(days=rng.randint(0, 200)))
        if valid_from < earliest or valid_from > today:
            valid_from, want = min(today, earliest), "active"  # trained too recently: the turn waits
        else:
            self.standing_turn += 1
        valid_until = add_months(valid_from, months)
        status = {"expired": Award.Status.EXPIRED, "suspended": Award.Status.SUSPENDED}.get(want, Award.Status.ACTIVE)
        if want == "revoked":
            status = Award.Status.REVOKED
        award = Award(
            id=self.context.uuid(),
            holder_id=person,
            scheme=scheme,
            valid_from=valid_from,
            valid_until=valid_until,
            status=status,
            granted_by_id=assessor,
            granted_at=_moment(valid_from),
            verification_code=_code(rng),
        )
        self.rows.awards.append(award)
        history: list[tuple[str | None, str, date, str, str]] = [
            (None, Award.Status.ACTIVE, valid_from, "Every requirement met", "seed_demo")
        ]
        if want == "expired":
            history.append(
                (
                    Award.Status.ACTIVE,
                    Award.Status.EXPIRED,
                    valid_until + timedelta(days=1),
                    f"Passed its end date, {valid_until:%-d %B %Y}",
                    "award expiry",
                )
            )
        elif want in ("suspended", "revoked"):
            on = valid_from + (today - valid_from) * 2 // 3
            reason = {
                "suspended": "Paused while a concern raised after a session is looked into",
                "revoked": "Withdrawn after a review found the co-delivery agreement was broken",
            }[want]
            history.append((Award.Status.ACTIVE, status, on, reason, "seed_demo"))
        for before, after, day, reason, label in history:
            self.rows.changes.append(
                AwardStatusChange(
                    award=award,
                    from_status=before or "",
                    to_status=after,
                    changed_by_label=label,
                    changed_at=_moment(day),
                    reason=reason,
                )
            )
        self.consent(person, valid_from)
        self.counts[f"award {want}"] += 1

    def renewal_evidence(self) -> None:
        """Current staffed holders record supervision and development during their period."""
        current = Award.objects.filter(status=Award.Status.ACTIVE, valid_until__gte=self.today).values_list(
            "holder_id", "valid_from"
        )
        for holder_id, valid_from in current.order_by("holder_id", "valid_from"):
            span = max((self.today - valid_from).days, 1)
            for kind in [Kind.SUPERVISION] * self.rng.randint(0, 4) + [Kind.CPD] * self.rng.randint(0, 2):
                day = valid_from + timedelta(days=self.rng.randrange(span))
                self.entry(holder_id, kind, day, Status.ACCEPTED, reviewer=None)
            self.consent(holder_id, valid_from)

    def save(self) -> None:
        rows = self.rows
        self.context.save_chunk(
            rows.entries,
            rows.links,
            rows.assignments,
            rows.observations,
            rows.ratings,
            rows.awards,
            rows.changes,
            rows.consents,
        )


def seed_candidates(context: SeedContext) -> None:
    seeder = CandidateSeeder(context)
    seeder.cohorts()
    sessions = seeder.held_sessions()
    people = seeder.trained_people()
    # Demo tutors and staff stay out of it: candidates are carers who trained.
    staff = set(
        Membership.objects.exclude(role=Membership.Role.PARTICIPANT).values_list("person_id", flat=True).distinct()
    )
    for person, organisation, trained_on in people:
        if person not in staff:
            seeder.candidate(person, organisation, trained_on, sessions)
    seeder.renewal_evidence()
    seeder.save()
    counts = seeder.counts
    context.write(
        f"accreditation candidates: {counts['cohorts']:,} Train the Trainer cohorts; "
        + ", ".join(f"{counts[stage]:,} {stage}" for stage in STAGES)
        + "; awards "
        + ", ".join(f"{counts['award ' + s]:,} {s.replace('_', ' ')}" for s in dict.fromkeys(STANDINGS))
    )


seeding.register("accreditation_candidates", ORDER, seed_candidates)
