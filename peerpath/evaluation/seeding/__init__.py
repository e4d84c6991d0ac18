"""Demo evaluation: schedules, invitations, answered questionnaires with their scores, safety
alerts, and each organisation's yearly fidelity self-assessment (ADR 008, "Evaluation").

Importing this module registers the ``evaluation`` step with ``peerpath.core.seeding``, to run
after delivery (30) and accreditation (40, 41). It reads runs, sessions, enrolments and
consent from the database and:

- makes the network's schedules for every course category, one organisation's override and
  two runs' own (``plans``);
- for each run's timepoint that fell due after evaluation began and by "today", invites every
  enrolled person whose consent to evaluation was in force, by email when they have an
  address (reminders, answers, non-answers, links left unfinished or expired, invitations
  withdrawn when people leave) and otherwise on paper or by phone, typed in by a coordinator.
  A link asks only what the site can show online, as the invitation job decides it; the
  licensed questionnaires whose wording is not installed (SWEMWBS, CarerQol) go round on
  paper and are typed in;
- answers as ``carers`` describes (change over time, blanks, unfinished forms), stores the
  scores ``scoring`` gives for the stored answers and raises the safety alerts its rules
  give, some followed up and closed;
- adds yearly RECOLLECT self-assessments (``fidelity``);
- gives the demo participant login a course evaluated from baseline to end, with consent,
  answers and scores she may see, from a generator of her own (``participant``).

One group of organisations (a college and its partners) is saved per transaction. The
response services are not called row by row (far too slow at scale), but every row is one
they could have made; the largest tables go in through ``rows.PreparedInsert``.
"""

from __future__ import annotations

import bisect
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max, Min

from peerpath.core import seeding
from peerpath.core.seeding import SeedContext, SeedError
from peerpath.courses.seeding import AscendingIds
from peerpath.delivery.models import CourseRun, Enrolment, Session
from peerpath.evaluation import definitions
from peerpath.evaluation.instruments import sync_shipped
from peerpath.evaluation.models import SCHEDULED_TIMEPOINTS, InstrumentVersion, Invitation, Response, Schedule
from peerpath.evaluation.schedules import RunDates, Window, schedules_for_runs, window
from peerpath.evaluation.seeding import carers, fidelity
from peerpath.evaluation.seeding.carers import Carer
from peerpath.evaluation.seeding.participant import DemoParticipant
from peerpath.evaluation.seeding.plans import (
    BASELINE,
    END,
    FOLLOW_UP,
    FOLLOW_UP_DAYS,
    ORGANISATION_FOLLOW_UP_DAYS,
    RunFacts,
    make_schedules,
)
from peerpath.evaluation.seeding.rows import Batch, Entry, Followers, Scorer, ensure_alerts, save_batch
from peerpath.evaluation.wording import can_answer_online
from peerpath.people.models import Consent, Membership, Person
from peerpath.people.seeding import SHARED_KEY as PEOPLE_KEY
from peerpath.people.seeding import SeededPeople

SHARED_KEY = "evaluation"
ORDER = 50  # after delivery (30) and accreditation (40, 41)
LONDON = ZoneInfo("Europe/London")
E = Enrolment.Status
# Evaluation began this many days before "today" (the schedules' creation): earlier runs had none.
# A year keeps regional's three years near its data scale's 15,000 responses. The national
# network began five months ago: with one row per answer, a year of it (600,000 responses, five
# million answers) took three minutes on its own, leaving the seed far over its five minutes.
EVALUATED_DAYS = {"national": 150}
EVALUATED_DAYS_DEFAULT = 365
# Reminders go this many days after the first email, while the link works and nothing is finished.
REMINDER_DAYS = (4, 9)
# Of people who answer, which email they answer: the first, the first reminder or the second.
ANSWER_WAVES = (0.6, 0.27, 0.13)
# Of people who start answering online, the share who stop part-way and never come back.
UNFINISHED = 0.06
# Of forms typed in by staff, the share left part-typed.
PART_TYPED = 0.04
# Longer than answering every questionnaire of an invitation takes (at most about an hour).
ANSWERING = timedelta(hours=2)
# The demo organisations' follow-up list always has at least this many safety alerts.
MIN_DEMO_ALERTS = 3
INVITED = (E.ENROLLED, E.COMPLETED, E.DID_NOT_COMPLETE, E.WITHDRAWN)
# Runs whose schedules are looked up in one go (keeps each IN list short).
RUNS_PER_QUERY = 500


@dataclass(frozen=True)
class RunInfo(RunFacts):
    first_start: datetime
    last_start: datetime
    last_end: datetime

    @property
    def dates(self) -> RunDates:
        return RunDates(first_start=self.first_start, last_start=self.last_start, last_end=self.last_end)


@dataclass(frozen=True)
class Place:
    """One enrolment, as the invitation job sees it."""

    person_id: uuid.UUID
    status: str
    created_at: datetime
    updated_at: datetime


class ConsentBook:
    """Each person's evaluation consent decisions in the order they were recorded."""

    def __init__(self) -> None:
        self.times: dict[uuid.UUID, list[datetime]] = defaultdict(list)
        self.given: dict[uuid.UUID, list[bool]] = defaultdict(list)
        rows = (
            Consent.objects.filter(purpose=Consent.Purpose.EVALUATION)
            .order_by("person_id", "recorded_at", "id")
            .values_list("person_id", "decision", "recorded_at")
        )
        for person_id, decision, recorded_at in rows:
            self.times[person_id].append(recorded_at)
            self.given[person_id].append(decision == Consent.Decision.GIVEN)

    def in_force(self, person_id: uuid.UUID, moment: datetime) -> bool:
        index = bisect.bisect_right(self.times.get(person_id, []), moment)
        return index > 0 and self.given[person_id][index - 1]

    def withdrawn_after(self, person_id: uuid.UUID, moment: datetime) -> datetime | None:
        times, given = self.times.get(person_id, []), self.given.get(person_id, [])
        index = bisect.bisect_right(times, moment)
        return next((times[i] for i in range(index, len(times)) if not given[i]), None)

    def last_before(self, person_id: uuid.UUID, moment: datetime) -> datetime | None:
        """When the decision in force at ``moment`` was recorded (None: there was none)."""
        times = self.times.get(person_id, [])
        index = bisect.bisect_right(times, moment)
        return times[index - 1] if index else None

    def given_from(self, person_id: uuid.UUID, moment: datetime) -> datetime | None:
        """The first moment from ``moment`` on at which consent is in force (None: never, as things stand)."""
        if self.in_force(person_id, moment):
            return moment
        times, given = self.times.get(person_id, []), self.given.get(person_id, [])
        index = bisect.bisect_right(times, moment)
        return next((times[i] for i in range(index, len(times)) if given[i]), None)

    def record(self, person_id: uuid.UUID, moment: datetime, *, given: bool) -> None:
        """Add a decision the step itself makes (the demo participant's), in its place in time."""
        index = bisect.bisect_right(self.times[person_id], moment)
        self.times[person_id].insert(index, moment)
        self.given[person_id].insert(index, given)


@dataclass
class SeededEvaluation:
    """What the step made, for later steps."""

    began: datetime
    counts: Counter[str] = field(default_factory=Counter)


class EvaluationSeeder:
    def __init__(self, context: SeedContext) -> None:
        people = context.shared.get(PEOPLE_KEY)
        if not isinstance(people, SeededPeople):
            raise SeedError("The evaluation step needs the people step to have run first.")
        self.context, self.people, self.rng = context, people, context.rng
        self.now = datetime.combine(context.today, time(9), tzinfo=LONDON)
        self.began = self.now - timedelta(days=EVALUATED_DAYS.get(context.scale, EVALUATED_DAYS_DEFAULT))
        self.new_id = AscendingIds(context.rng)
        self.scorer = Scorer()
        self.result = SeededEvaluation(began=self.began)
        self.followers = Followers(
            by_organisation={org.id: list(org.coordinator_user_ids) for org in people.organisations},
            fallback=people.admin_user_id,
        )
        self.versions: dict[str, InstrumentVersion] = {}
        self.forms: dict[str, carers.Form] = {}

    def run(self) -> SeededEvaluation:
        if Schedule.objects.exists() or Invitation.objects.exists() or Response.objects.exists():
            raise SeedError(
                "This database already has evaluation schedules, invitations or responses but no finished seed "
                "run. Empty it with 'manage.py flush' and run seed_demo again."
            )
        sync_shipped()  # reference data loaded after migrate; again here if a test emptied the table
        for version in InstrumentVersion.objects.filter(status=InstrumentVersion.Status.PUBLISHED).order_by(
            "code", "-version"
        ):
            if version.code not in self.versions:
                self.versions[version.code] = version
                self.forms[version.code] = carers.Form(definitions.parse(version.definition))
        # What a link can ask, as the invitation job decides it: licensed wording that is not
        # installed (SWEMWBS, CarerQol) is typed in from the paper form instead (ADR 018).
        self.online = {code: can_answer_online(version) for code, version in self.versions.items()}
        runs = self.load_runs()
        home = self.people.organisations[0].id if self.people.organisations else None
        made = make_schedules(
            settled=self.settled(runs, FOLLOW_UP_DAYS),
            settled_late=self.settled(runs, ORGANISATION_FOLLOW_UP_DAYS),
            began=self.began,
            new_id=self.new_id,
            rng=self.rng,
            home_organisation=home,
        )
        missing = sorted(made.codes() - set(self.versions))
        if missing:
            raise SeedError(f"The evaluation step needs a published version of {', '.join(missing)}.")
        self.context.save_chunk(made.rows, made.instruments)
        self.places = self.load_places()
        self.consents = ConsentBook()
        self.without_email = set(Person.objects.filter(email="").values_list("id", flat=True))
        group_of = {org.id: org.group for org in self.people.organisations}
        by_group: dict[int, list[RunInfo]] = defaultdict(list)
        for run in runs:
            by_group[group_of.get(run.organisation_id, -1)].append(run)
        participant = DemoParticipant.for_seed(self)
        for number in sorted(by_group):
            batch = Batch()
            plans = self.plans_for(by_group[number])
            for run in by_group[number]:
                self.evaluate(run, plans[run.id], batch)
            if participant is not None and number == participant.group:
                participant.take_over(batch, by_group[number], plans)
            if number == 0:
                ensure_alerts(batch, MIN_DEMO_ALERTS)
            self.save(batch, demo=number == 0)
        self.fidelity()
        if participant is not None:
            participant.finish()  # last, and from her own generator: nobody else's rows change
        return self.result

    # Reading what delivery made ---------------------------------------------------------------

    def load_runs(self) -> list[RunInfo]:
        """Runs that went ahead or will, with their session times, in order of their first session."""
        dates = {
            run_id: (first, last, end)
            for run_id, first, last, end in Session.objects.order_by()
            .values("run_id")
            .annotate(first=Min("starts_at"), last=Max("starts_at"), end=Max("ends_at"))
            .values_list("run_id", "first", "last", "end")
        }
        runs = []
        rows = (
            CourseRun.objects.exclude(status=CourseRun.Status.CANCELLED)
            .order_by("id")
            .values_list("id", "organisation_id", "version__course__category")
        )
        for run_id, organisation_id, category in rows:
            if run_id in dates:
                first, last, end = dates[run_id]
                runs.append(RunInfo(run_id, organisation_id, category, first, last, end))
        runs.sort(key=lambda run: (run.first_start, str(run.id)))
        return runs

    def load_places(self) -> dict[uuid.UUID, list[Place]]:
        places: dict[uuid.UUID, list[Place]] = defaultdict(list)
        rows = (
            Enrolment.objects.filter(status__in=INVITED)
            .order_by("run_id", "created_at", "id")
            .values_list("run_id", "person_id", "status", "created_at", "updated_at")
        )
        for run_id, person_id, status, created_at, updated_at in rows:
            places[run_id].append(Place(person_id, status, created_at, updated_at))
        return places

    def settled(self, runs: list[RunInfo], follow_up_days: int) -> list[RunInfo]:
        """Runs evaluated from their baseline (a week before) to a follow-up this many days after, and its month."""
        return [
            run
            for run in runs
            if run.first_start - timedelta(days=7) >= self.began
            and run.last_end + timedelta(days=follow_up_days + 30) <= self.now
        ]

    def plans_for(self, runs: list[RunInfo]) -> dict[uuid.UUID, dict[str, Schedule | None]]:
        """Each run's schedule per timepoint, chosen as the invitation job chooses it (``schedules``)."""
        plans = {}
        for start in range(0, len(runs), RUNS_PER_QUERY):
            ids = [run.id for run in runs[start : start + RUNS_PER_QUERY]]
            found = list(CourseRun.objects.filter(pk__in=ids).select_related("version__course").order_by("id"))
            plans.update(schedules_for_runs(found))
        return plans

    # Invitations and answers ------------------------------------------------------------------

    def evaluate(self, run: RunInfo, plan: dict[str, Schedule | None], batch: Batch) -> None:
        carers_here: dict[uuid.UUID, Carer] = {}
        for timepoint in SCHEDULED_TIMEPOINTS:
            schedule = plan.get(timepoint)
            if schedule is None:
                continue
            span = window(schedule, run.dates)
            if span.due > self.now or span.due < self.began:
                continue
            for place in self.places.get(run.id, []):
                invited_at = max(span.due, place.created_at)
                if invited_at >= min(span.closes, self.now):
                    continue
                if place.status == E.WITHDRAWN and place.updated_at <= invited_at:
                    continue  # left before this timepoint
                carer = carers_here.get(place.person_id)
                if carer is None:
                    carer = Carer(self.rng, completed=place.status in (E.COMPLETED, E.ENROLLED))
                    carers_here[place.person_id] = carer
                codes = self.codes_of(schedule)
                online = tuple(code for code in codes if self.online[code])
                if place.person_id in self.without_email or not online:
                    self.typed_in(run, schedule, span, place, carer, batch, codes)
                    continue
                self.invite(run, schedule, span, invited_at, place, carer, batch, online)
                licensed = tuple(code for code in codes if code not in online)
                if licensed:
                    # The licensed questionnaires go round on paper at the session (or by phone
                    # at follow-up), and a coordinator types them in.
                    self.typed_in(run, schedule, span, place, carer, batch, licensed)

    def willing(self, carer: Carer, timepoint: str, status: str) -> float:
        """How likely this carer is to answer at ``timepoint``, given how the course went and what they did before.

        Rates like community evaluations': half answer at baseline, fewer at the end, fewer still at follow-up.
        """
        if timepoint == BASELINE:
            return 0.5
        if timepoint == END:
            if status in (E.WITHDRAWN, E.DID_NOT_COMPLETE):
                return 0.04 if status == E.WITHDRAWN else 0.08
            return 0.65 if BASELINE in carer.answered else 0.12
        # Most who answered at the end answer the follow-up too; a few come back who did not.
        return 0.72 if END in carer.answered else 0.18

    def invite(
        self,
        run: RunInfo,
        schedule: Schedule,
        span: Window,
        invited_at: datetime,
        place: Place,
        carer: Carer,
        batch: Batch,
        codes: tuple[str, ...],
    ) -> None:
        rng = self.rng
        created = invited_at + timedelta(minutes=rng.randint(5, 55))  # the job runs hourly
        sent = created + timedelta(minutes=rng.randint(1, 4))
        if sent >= min(span.closes, self.now) or not self.consents.in_force(place.person_id, created):
            return
        invitation = Invitation(
            id=self.new_id(),
            person_id=place.person_id,
            run_id=run.id,
            timepoint=schedule.timepoint,
            schedule=schedule,
            nonce=f"{rng.getrandbits(128):032x}",
            created_at=created,
            expires_at=span.closes,
            sent_at=sent,
        )
        batch.invitations.append(invitation)
        batch.questionnaires += [
            (invitation.id, self.versions[code].pk, position) for position, code in enumerate(codes, start=1)
        ]
        # What stops the link: its expiry, "today", or the person leaving the course or the evaluation.
        left = place.updated_at if place.status == E.WITHDRAWN else None
        unconsented = self.consents.withdrawn_after(place.person_id, created)
        ends = [moment for moment in (left, unconsented) if moment is not None and moment < span.closes]
        stop = min([span.closes, self.now, *ends])
        emails = [sent, *(sent + timedelta(days=days) for days in REMINDER_DAYS)]
        answered_at = None
        if rng.random() < self.willing(carer, schedule.timepoint, place.status):
            wave = rng.choices(range(len(emails)), weights=ANSWER_WAVES)[0]
            moment = emails[wave] + timedelta(minutes=rng.randint(3, 20 * 60))
            if moment + ANSWERING < stop:
                answered_at = moment
        finished = False
        if answered_at is not None:
            carer.answered.add(schedule.timepoint)
            stopped = rng.randrange(len(codes)) if rng.random() < UNFINISHED else None
            last = self.answer(
                run,
                schedule.timepoint,
                codes,
                carer,
                place.person_id,
                answered_at,
                batch,
                mode=Response.Mode.ONLINE,
                invitation=invitation,
                stopped=stopped,
            )
            if stopped is None:
                finished = True
                invitation.status, invitation.completed_at = Invitation.Status.COMPLETE, last
        reminders = [email for email in emails[1:] if email < ((invitation.completed_at if finished else None) or stop)]
        invitation.reminders = len(reminders)
        invitation.reminded_at = reminders[-1] if reminders else None
        if not finished and ends and min(ends) < min(span.closes, self.now):
            invitation.status = Invitation.Status.WITHDRAWN
            invitation.withdrawn_reason = (
                "Left the course" if left is not None and left == min(ends) else "Withdrew consent to evaluation"
            )

    def typed_in(
        self,
        run: RunInfo,
        schedule: Schedule,
        span: Window,
        place: Place,
        carer: Carer,
        batch: Batch,
        codes: tuple[str, ...],
    ) -> None:
        """``codes`` on a paper form at the session (baseline, end) or by a phone call (follow-up):
        everything for someone without an email address, the licensed questionnaires for others.

        A coordinator of the run's organisation types the answers in a few days later (the call's, the same day).
        """
        rng = self.rng
        if schedule.timepoint == FOLLOW_UP:
            mode, day = Response.Mode.PHONE, self.day_of(span.due) + timedelta(days=rng.randint(2, 20))
        else:
            session = run.first_start if schedule.timepoint == BASELINE else run.last_start
            mode, day = Response.Mode.PAPER, self.day_of(session) + timedelta(days=rng.randint(0, 6))
        minutes = rng.randrange(9 * 60 + 30, 16 * 60 + 30)
        moment = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=LONDON)
        if moment + ANSWERING >= self.now or moment < place.created_at:
            return
        if place.status == E.WITHDRAWN and moment >= place.updated_at:
            return  # left the course before the form was filled in
        if not self.consents.in_force(place.person_id, moment):
            return
        if rng.random() >= min(0.9, self.willing(carer, schedule.timepoint, place.status) * 1.1):
            return
        carer.answered.add(schedule.timepoint)
        stopped = len(codes) - 1 if rng.random() < PART_TYPED else None
        self.answer(
            run,
            schedule.timepoint,
            codes,
            carer,
            place.person_id,
            moment,
            batch,
            mode=mode,
            entered_by=self.followers.pick(rng, run.organisation_id),
            stopped=stopped,
        )

    def answer(
        self,
        run: RunInfo,
        timepoint: str,
        codes: tuple[str, ...],
        carer: Carer,
        person_id: uuid.UUID,
        moment: datetime,
        batch: Batch,
        *,
        mode: str,
        invitation: Invitation | None = None,
        entered_by: int | None = None,
        stopped: int | None = None,
        rng: random.Random | None = None,
        new_id: Callable[[], uuid.UUID] | None = None,
        blanks: bool = True,
    ) -> datetime:
        """Responses to ``codes`` in order from ``moment``, complete up to ``stopped`` (that one begun).

        ``rng`` and ``new_id`` draw the durations, blanks and ids (the step's own unless given; the
        answers are the carer's); ``blanks`` False answers every item. Returns when the last complete one
        was submitted (``moment`` if none was).
        """
        rng, new_id = rng or self.rng, new_id or self.new_id
        submitted = moment
        for index, code in enumerate(codes):
            if stopped is not None and index > stopped:
                break
            form = self.forms[code]
            answers = carers.questionnaire_answers(carer, form, timepoint)
            if blanks:
                answers = carers.leave_blanks(rng, form, answers, paper=mode != Response.Mode.ONLINE)
            complete = stopped is None or index < stopped
            duration = timedelta(seconds=rng.randint(60, 20 * len(form.questions) + 90))
            batch.entries.append(
                Entry(
                    id=new_id(),
                    version_id=self.versions[code].pk,
                    instrument=form.instrument,
                    person_id=person_id,
                    run_id=run.id,
                    timepoint=timepoint,
                    mode=mode,
                    started_at=moment,
                    completed_at=moment + duration if complete else None,
                    answers=answers if complete else carers.partial(rng, answers),
                    organisation_id=run.organisation_id,
                    entered_by_id=entered_by,
                    invitation_id=invitation.id if invitation is not None else None,
                )
            )
            if complete:
                submitted = moment + duration
            moment += duration + timedelta(seconds=rng.randint(10, 60))
        return submitted

    @staticmethod
    def codes_of(schedule: Schedule) -> tuple[str, ...]:
        """The instruments a schedule asks, in order (prefetched by ``schedules_for_runs``)."""
        return tuple(item.instrument_code for item in schedule.instruments.all())

    @staticmethod
    def day_of(moment: datetime) -> date:
        return moment.astimezone(LONDON).date()

    # Saving ----------------------------------------------------------------------------------

    def save(self, batch: Batch, *, demo: bool) -> None:
        made = save_batch(self.context, batch, scorer=self.scorer, followers=self.followers, now=self.now, demo=demo)
        self.result.counts.update(made)
        for invitation in batch.invitations:
            self.result.counts[f"invitations_{invitation.status}"] += 1
            if invitation.status == Invitation.Status.OPEN:
                key = "invitations_expired" if invitation.expires_at <= self.now else "invitations_live"
                self.result.counts[key] += 1
        self.context.progress(f"evaluation: {self.context.counts['evaluation.response']:,} responses saved")

    def fidelity(self) -> None:
        version, form = self.versions.get(fidelity.CODE), self.forms.get(fidelity.CODE)
        if version is None or form is None:
            raise SeedError("The evaluation step needs a published version of recollect.")
        coordinators: dict[uuid.UUID, list[tuple[uuid.UUID, date]]] = defaultdict(list)
        for organisation_id, person_id, started_on in (
            Membership.objects.filter(role=Membership.Role.COORDINATOR)
            .order_by("organisation_id", "started_on", "person_id")
            .values_list("organisation_id", "person_id", "started_on")
        ):
            coordinators[organisation_id].append((person_id, started_on))
        assessors = [fidelity.Assessor(org.id, coordinators.get(org.id, [])) for org in self.people.organisations]
        batch = Batch()
        count = max(2, self.context.sizes.years)
        self.result.counts["fidelity"] += fidelity.add_assessments(
            batch,
            assessors=assessors,
            version=version,
            instrument=form.instrument,
            today=self.context.today,
            count=count,
            rng=self.rng,
            new_id=self.new_id,
        )
        save_batch(self.context, batch, scorer=self.scorer, followers=self.followers, now=self.now, demo=False)


def seed_evaluation(context: SeedContext) -> None:
    """Seed schedules, invitations, responses with their scores, safety alerts and fidelity self-assessments."""
    result = EvaluationSeeder(context).run()
    context.shared[SHARED_KEY] = result
    counts, made = context.counts, result.counts
    context.write(
        f"evaluation: {counts['evaluation.schedule']:,} schedules, {counts['evaluation.invitation']:,} invitations "
        f"({made['invitations_complete']:,} complete, {made['invitations_live']:,} open now, "
        f"{made['invitations_expired']:,} expired unfinished, {made['invitations_withdrawn']:,} withdrawn), "
        f"{counts['evaluation.response']:,} responses, {counts['evaluation.answer']:,} answers, "
        f"{counts['evaluation.score']:,} scores, {made['alerts']:,} safety alerts ({made['open_alerts']:,} open), "
        f"{made['fidelity']:,} fidelity self-assessments"
    )


seeding.register(SHARED_KEY, ORDER, seed_evaluation)
