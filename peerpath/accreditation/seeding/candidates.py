"""Demo candidates at every stage of accreditation, and awards in every standing.

Registered as the ``accreditation_candidates`` step, after the award periods of staffed
peer tutors (40). It works from everyone who completed one of delivery's Train the Trainer
runs and holds no award yet, and gives each a stage:

- **trained**: nothing recorded yet, or one draft reflection;
- **starting**: a draft and one or two reflections waiting for review;
- **building**: taken on as a peer tutor in training and shadowing a later run of their
  organisation as a trainee co-facilitator; accepted reflections and supervision, one entry
  returned with a note, and a first observation of one of that run's sessions;
- **ready**: as building, with every requirement of the carer peer trainer scheme met and
  two sessions observed, waiting for an assessor to grant it (the candidate list and file
  offer "Grant");
- **awarded**: as ready, then granted some months after training.

PeerPath's registers start with the seeded history, so awards old enough to be expiring,
in grace or expired belong to carers accredited before it: each organisation with an
assessor also has holders "recorded from the college's paper records" (an administrator's
documented exception, since their training predates the registers), one in each of the
standings expiring soon, in grace, expired, suspended and revoked.

Current staffed holders also get supervision and development entries in their period, so
their renewal progress shows. About two in three award holders agree to be named on the
public verification page.
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
from peerpath.core.seeding import SeedContext
from peerpath.courses.choices import Category
from peerpath.delivery.models import CourseRun, Enrolment, FacilitatorAssignment, Session
from peerpath.people.models import Consent, Membership, Person

ORDER = 41
STAGES = ("trained", "starting", "building", "ready", "awarded")
STAGE_WEIGHTS = (2, 3, 3, 2, 3)
# Holders recorded from paper records, one of each per organisation with an assessor.
RECORDED = ("expiring_soon", "in_grace", "expired", "suspended", "revoked")
PAPER_RECORDS = "Recorded from the college's paper records: trained and accredited before PeerPath"
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


@dataclass
class HeldRun:
    """A run of an organisation that went ahead, with its sessions held before "today" (in order)."""

    run_id: uuid.UUID
    created_at: datetime
    sessions: list[tuple[uuid.UUID, date]] = field(default_factory=list)


RunsByOrganisation = dict[uuid.UUID, list[HeldRun]]


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
    memberships: list[Membership] = field(default_factory=list)


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
        self.used: set[uuid.UUID] = set()
        self.organisation_of: dict[uuid.UUID, uuid.UUID] = {}
        self.pending = ["awarded", "ready", "building", "starting", "trained"]

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

    def held_runs(self) -> RunsByOrganisation:
        """Per organisation, the runs (not Train the Trainer) that went ahead, with sessions held before today."""
        now = timezone.make_aware(datetime.combine(self.today, datetime.min.time()))
        rows = (
            Session.objects.filter(
                starts_at__lt=now,
                run__status__in=(CourseRun.Status.RUNNING, CourseRun.Status.COMPLETED),
            )
            .exclude(run__version__course__category=Category.TRAIN_THE_TRAINER)
            .values_list("pk", "run_id", "run__organisation_id", "run__created_at", "starts_at")
            .order_by("run__starts_at", "run_id", "starts_at")
        )
        runs: dict[uuid.UUID, HeldRun] = {}
        found: RunsByOrganisation = defaultdict(list)
        for session_id, run_id, organisation_id, created_at, starts_at in rows:
            if run_id not in runs:
                runs[run_id] = HeldRun(run_id, created_at)
                found[organisation_id].append(runs[run_id])
            runs[run_id].sessions.append((session_id, timezone.localdate(starts_at)))
        return found

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
            Kind.PRIOR_LEARNING: ("Train the Trainer and accreditation, from the college's paper records",),
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

    def shadow(self, person: uuid.UUID, run: HeldRun, trained_on: date) -> None:
        """Taken on as a peer tutor in training, then assigned to shadow ``run`` before it starts."""
        organisation_since = trained_on + timedelta(days=7)
        self.rows.memberships.append(self._tutor(person, self.organisation_of[person], organisation_since))
        assigned_at = max(run.created_at + timedelta(hours=1), _moment(trained_on + timedelta(days=14)))
        self.rows.assignments.append(
            FacilitatorAssignment(
                run_id=run.run_id,
                person_id=person,
                role=FacilitatorAssignment.Role.TRAINEE,
                assigned_by_id=self.admin_user_id,
                assigned_at=assigned_at,
            )
        )

    def _tutor(self, person: uuid.UUID, organisation: uuid.UUID, since: date) -> Membership:
        return Membership(
            person_id=person,
            organisation_id=organisation,
            role=Membership.Role.TUTOR,
            tutor_kind=Membership.TutorKind.PEER,
            started_on=since,
        )

    def observe(
        self,
        person: uuid.UUID,
        session: tuple[uuid.UUID, date],
        assessor: uuid.UUID,
        *,
        competent: Sequence[Competency],
    ) -> None:
        session_id, day = session
        observation = Observation(
            id=self.context.uuid(),
            candidate_id=person,
            assessor_id=assessor,
            session_id=session_id,
            observed_on=day,
            outcome=Observation.Outcome.COMPETENT,
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

    def candidate(self, person: uuid.UUID, organisation: uuid.UUID, trained_on: date, runs: RunsByOrganisation) -> str:
        rng, today = self.rng, self.today
        self.used.add(person)
        self.organisation_of[person] = organisation
        assessors = [a for a in self.assessors_by_org.get(organisation, []) or self.all_assessors if a != person]
        days_since = (today - trained_on).days
        # Later runs of their organisation they could shadow: starting three weeks after training at the earliest.
        later = [run for run in runs.get(organisation, []) if run.sessions[0][1] > trained_on + timedelta(days=21)]

        def shadowable(stage: str) -> list[HeldRun]:
            needed = 1 if stage == "building" else self.scheme.observations_required
            return [run for run in later if len(run.sessions) >= needed]

        def possible(stage: str) -> bool:
            if stage in ("building", "ready", "awarded") and not (assessors and shadowable(stage)):
                return False
            return not (stage == "awarded" and days_since < 120) and not (stage == "starting" and days_since < 14)

        # The first candidates who can take them show each stage; the rest are drawn, then
        # moved back a stage at a time to one their dates and their organisation's runs allow.
        stage = next((wanted for wanted in self.pending if possible(wanted)), "")
        if stage:
            self.pending.remove(stage)
        else:
            stage = rng.choices(STAGES, weights=STAGE_WEIGHTS)[0]
            while not possible(stage):
                stage = STAGES[STAGES.index(stage) - 1]

        def day_between(start: int, end: int) -> date:
            return min(today - timedelta(days=1), trained_on + timedelta(days=rng.randint(start, end)))

        if stage == "trained":
            if rng.random() < 0.5:
                self.entry(person, Kind.REFLECTION, day_between(3, 13), Status.DRAFT, reviewer=None)
        elif stage == "starting":
            self.entry(person, Kind.REFLECTION, day_between(7, 30), Status.DRAFT, reviewer=None)
            for _ in range(rng.randint(1, 2)):
                self.entry(person, Kind.REFLECTION, day_between(7, 30), Status.SUBMITTED, reviewer=None)
        else:
            assessor = rng.choice(assessors)
            run = rng.choice(shadowable(stage)[:3])  # one of the first runs after their training
            self.shadow(person, run, trained_on)
            if stage == "building":
                some = rng.sample(self.competencies, 4)
                for _ in range(2):
                    day = day_between(10, 50)
                    self.entry(person, Kind.REFLECTION, day, Status.ACCEPTED, reviewer=assessor, covers=some)
                self.entry(person, Kind.REFLECTION, day_between(10, 50), Status.RETURNED, reviewer=assessor)
                self.entry(person, Kind.SUPERVISION, day_between(10, 50), Status.ACCEPTED, reviewer=assessor)
                self.entry(person, Kind.SUPERVISION, day_between(10, 50), Status.SUBMITTED, reviewer=None)
                self.observe(person, run.sessions[0], assessor, competent=rng.sample(self.competencies, 3))
            else:
                self.qualify(person, run, assessor, day_between)
                if stage == "awarded":
                    self.award(person, assessor, trained_on)
        self.counts[stage] += 1
        return stage

    def qualify(
        self, person: uuid.UUID, run: HeldRun, assessor: uuid.UUID, day_between: Callable[[int, int], date]
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
        observed = run.sessions[: scheme.observations_required]
        for index, session in enumerate(observed):
            self.observe(person, session, assessor, competent=by_observation[index :: len(observed)])

    def _award(
        self,
        person: uuid.UUID,
        granter: uuid.UUID,
        valid_from: date,
        status: str,
        history: Sequence[tuple[str, str, date, str, str]],
        exception_reason: str = "",
    ) -> None:
        award = Award(
            id=self.context.uuid(),
            holder_id=person,
            scheme=self.scheme,
            valid_from=valid_from,
            valid_until=add_months(valid_from, self.scheme.validity_months or 24),
            status=status,
            granted_by_id=granter,
            granted_at=_moment(valid_from),
            exception_reason=exception_reason,
            verification_code=_code(self.rng),
        )
        self.rows.awards.append(award)
        for before, after, day, reason, label in history:
            self.rows.changes.append(
                AwardStatusChange(
                    award=award,
                    from_status=before,
                    to_status=after,
                    changed_by_label=label,
                    changed_at=_moment(day),
                    reason=reason,
                )
            )
        self.consent(person, valid_from)

    def award(self, person: uuid.UUID, assessor: uuid.UUID, trained_on: date) -> None:
        """Granted four to eight months after training (and not after "today")."""
        valid_from = min(self.today, trained_on + timedelta(days=self.rng.randint(120, 240)))
        history = [("", Award.Status.ACTIVE, valid_from, "Every requirement met", "seed_demo")]
        self._award(person, assessor, valid_from, Award.Status.ACTIVE, history)
        self.counts["awarded now"] += 1

    def recorded_holders(self, staff: set[uuid.UUID]) -> None:
        """Per organisation with an assessor, holders accredited before PeerPath, one in each late standing."""
        rng, today, scheme = self.rng, self.today, self.scheme
        months = scheme.validity_months or 24
        held = set(Award.objects.values_list("holder_id", flat=True))
        carers: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for person_id, organisation_id in (
            Membership.objects.filter(role=Membership.Role.PARTICIPANT, organisation_id__in=list(self.assessors_by_org))
            .order_by("organisation_id", "person_id")
            .values_list("person_id", "organisation_id")
        ):
            if person_id not in staff and person_id not in held and person_id not in self.used:
                carers[organisation_id].append(person_id)
        for organisation_id in sorted(carers, key=str):
            free = [person for person in carers[organisation_id] if person not in self.used]
            assessors = self.assessors_by_org[organisation_id]
            for want, person in zip(RECORDED, rng.sample(free, min(len(free), len(RECORDED))), strict=False):
                self.used.add(person)
                ends = {
                    "expiring_soon": today + timedelta(days=rng.randint(5, scheme.expiring_soon_days - 1)),
                    "in_grace": today - timedelta(days=rng.randint(1, scheme.grace_days - 1)),
                    "expired": today - timedelta(days=rng.randint(scheme.grace_days + 5, 400)),
                }.get(want, today + timedelta(days=rng.randint(200, 600)))
                valid_from = add_months(ends, -months)
                granter = rng.choice([a for a in assessors if a != person] or self.all_assessors)
                self.rows.memberships.append(
                    self._tutor(person, organisation_id, valid_from - timedelta(days=rng.randint(10, 60)))
                )
                self.entry(
                    person, Kind.PRIOR_LEARNING, valid_from - timedelta(days=30), Status.ACCEPTED, reviewer=granter
                )
                history = [("", Award.Status.ACTIVE, valid_from, PAPER_RECORDS, "seed_demo")]
                status = {
                    "expired": Award.Status.EXPIRED,
                    "suspended": Award.Status.SUSPENDED,
                    "revoked": Award.Status.REVOKED,
                }.get(want, Award.Status.ACTIVE)
                if want == "expired":
                    ended = add_months(valid_from, months)
                    reason = f"Passed its end date, {ended:%-d %B %Y}"
                    history.append(("active", status, ended + timedelta(days=1), reason, "award expiry"))
                elif want in ("suspended", "revoked"):
                    on = today - timedelta(days=rng.randint(5, 60))
                    reason = {
                        "suspended": "Paused while a concern raised after a session is looked into",
                        "revoked": "Withdrawn after a review found the co-delivery agreement was broken",
                    }[want]
                    history.append(("active", status, on, reason, "seed_demo"))
                self._award(person, granter, valid_from, status, history, exception_reason=PAPER_RECORDS)
                self.counts[f"recorded {want}"] += 1

    def renewal_evidence(self) -> None:
        """Current staffed holders record supervision and development during their period.

        Their latest supervision waits for review, and some have a reflection still in draft
        (the first holder always both, so every status shows at the smallest scale).
        """
        current = Award.objects.filter(status=Award.Status.ACTIVE, valid_until__gte=self.today).values_list(
            "holder_id", "valid_from"
        )
        for index, (holder_id, valid_from) in enumerate(current.order_by("holder_id", "valid_from")):
            rng = self.rng
            span = max((self.today - valid_from).days, 1)
            days = sorted(valid_from + timedelta(days=rng.randrange(span)) for _ in range(rng.randint(1, 4)))
            for number, day in enumerate(days, start=1):
                waiting = number == len(days) and (index == 0 or rng.random() < 0.5)
                status = Status.SUBMITTED if waiting else Status.ACCEPTED
                self.entry(holder_id, Kind.SUPERVISION, day, status, reviewer=None)
            for _ in range(rng.randint(0, 2)):
                day = valid_from + timedelta(days=rng.randrange(span))
                self.entry(holder_id, Kind.CPD, day, Status.ACCEPTED, reviewer=None)
            if index == 0 or rng.random() < 0.3:
                self.entry(
                    holder_id,
                    Kind.REFLECTION,
                    self.today - timedelta(days=rng.randint(1, 20)),
                    Status.DRAFT,
                    reviewer=None,
                )
            self.consent(holder_id, valid_from)

    def save(self) -> None:
        rows = self.rows
        self.context.save_chunk(
            rows.memberships,
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
    runs = seeder.held_runs()
    # Staff stay out of it: candidates are carers who trained.
    staff = set(
        Membership.objects.exclude(role=Membership.Role.PARTICIPANT).values_list("person_id", flat=True).distinct()
    )
    for person, organisation, trained_on in seeder.trained_people():
        if person not in staff:
            seeder.candidate(person, organisation, trained_on, runs)
    seeder.recorded_holders(staff)
    seeder.renewal_evidence()
    seeder.save()
    counts = seeder.counts
    context.write(
        "accreditation candidates: "
        + ", ".join(f"{counts[stage]:,} {stage}" for stage in STAGES)
        + "; holders from paper records: "
        + ", ".join(f"{counts['recorded ' + want]:,} {want.replace('_', ' ')}" for want in RECORDED)
    )


seeding.register("accreditation_candidates", ORDER, seed_candidates)
