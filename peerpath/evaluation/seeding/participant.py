"""The demo participant's part in evaluation (ADR 008, "Evaluation").

The demo login ``participant`` is how a reviewer sees PeerPath as a carer. The rest of the step
treats her as anyone else, so what she would get depends on her seeded history, and at small
scale (the default seed) that is nothing: the people step has her join four weeks before
"today", after every course of her organisations had begun, and withdraw her consent to
evaluation six days before it. This module gives her, after the rest of the step and from a
generator of her own (so that nothing anyone else gets changes), the part of a carer taking
part in evaluation:

- one finished Recovery College course of her organisations (else a self-management one),
  evaluated at baseline and end, and at follow-up where its schedule and dates allow. It is a
  place she has, or else a place on a course with room, written as the delivery step writes
  places (her own request, a mark on every register, completed when the run was), her
  membership and record then dating from that request;
- her consent to evaluation given when she asked for the place, where none was in force when
  the course's evaluation began, and given again after a later withdrawal (she changed her
  mind), online, recorded by her own login;
- her answers as ``carers`` draws them for a carer who finished the course and gained a
  little (one draw in every few is kept). Her links ask what the invitation job asks: the
  questionnaires the site can show online. The others (SWEMWBS and CarerQol, whose licensed
  wording the demo does not install) are typed in by a coordinator from the paper form at the
  first or last session, or from a phone call at follow-up. Scores come from the engine, as
  for everyone (``rows.save_batch``);
- an open link for any run of hers whose questionnaires are due around "today".
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef

from peerpath.core.seeding import SeedError
from peerpath.courses.choices import Audience, Category
from peerpath.courses.seeding import AscendingIds
from peerpath.delivery.models import (
    Attendance,
    CourseRun,
    Enrolment,
    EnrolmentStatusChange,
    RunStatusChange,
    Session,
)
from peerpath.evaluation import scoring, wording
from peerpath.evaluation.invitations import PERSON_RESPONDENTS
from peerpath.evaluation.models import SCHEDULED_TIMEPOINTS, Invitation, Response, Schedule
from peerpath.evaluation.schedules import Window, window
from peerpath.evaluation.seeding.carers import Carer
from peerpath.evaluation.seeding.plans import BASELINE, END, FOLLOW_UP
from peerpath.evaluation.seeding.rows import Batch, Entry, save_batch
from peerpath.people.models import Consent, Membership, Person

if TYPE_CHECKING:
    from peerpath.evaluation.seeding import EvaluationSeeder, Place, RunInfo

# The demo login this module looks after (``peerpath.people.seeding.DEMO_PEOPLE``).
DEMO_LOGIN = "participant"
E = Enrolment.Status
# Her course: Recovery College first (open, educational, asks no screening questions), else self-management.
CATEGORIES = (Category.RECOVERY_COLLEGE, Category.SELF_MANAGEMENT)
AUDIENCES = (Audience.CARERS, Audience.EVERYONE)
# Longer than answering every questionnaire of a sitting takes (as the step's ``ANSWERING``).
ANSWERING = timedelta(hours=2)
# Carers drawn before one shows the modest gain wanted (a draw is cheap; about one in twenty is answered).
ATTEMPTS = 2000
# Her SWEMWBS metric score rises by this much from baseline to end, in points: enough for her to
# notice, about a reliable change (2.86), no more.
SWEMWBS_GAIN = (Decimal("1.5"), Decimal("3.5"))
# Her level at baseline, in standard deviations: near the typical carer's (SWEMWBS about 21), a
# little below rather than far from it either way.
LEVEL = (-0.8, 0.4)
# Her change at the end (and at follow-up, no more than that), in standard deviations: a modest gain.
END_CHANGE = (0.3, 0.8)
FOLLOW_UP_CHANGE = 0.2
REMINDER_DAYS = (4, 9)


@dataclass(frozen=True)
class Sitting:
    """One occasion she answers: a link's questionnaires online, or a form a coordinator types in."""

    timepoint: str
    codes: tuple[str, ...]
    moment: datetime
    mode: str
    invitation: Invitation | None = None
    entered_by: int | None = None


@dataclass
class Course:
    """The run whose evaluation she takes part in, and how she came to be on it."""

    run: RunInfo
    plan: dict[str, Schedule | None]
    placed_at: datetime  # when she asked for her place
    place: Place | None  # her place, when she had one; None: the module gives her one
    answered: int  # (questionnaire whose scores she may see, timepoint) pairs she can answer by "today"

    @property
    def baseline(self) -> Window:
        schedule = self.plan[BASELINE]
        if schedule is None:  # pragma: no cover - ``choose`` keeps only runs with a baseline
            raise ValueError("A course without a baseline")
        return window(schedule, self.run.dates)

    @property
    def rank(self) -> tuple[bool, int, int, float]:
        return (
            self.place is None,
            CATEGORIES.index(self.run.category),
            -self.answered,
            -self.run.first_start.timestamp(),
        )


@dataclass
class Made:
    """The rows made for her outside the evaluation tables."""

    consents: list[Consent] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    changes: list[EnrolmentStatusChange] = field(default_factory=list)
    marks: list[Attendance] = field(default_factory=list)


class DemoParticipant:
    """Gives the demo participant her part; ``take_over`` while her group is played, ``finish`` at the end."""

    def __init__(self, seeder: EvaluationSeeder, person_id: uuid.UUID, user_id: int, username: str) -> None:
        self.seeder = seeder
        self.person_id, self.user_id, self.username = person_id, user_id, username
        context = seeder.context
        # Her own generator: whatever she is given, everyone else's draws stay as they were.
        self.rng = random.Random(f"{context.seed}:evaluation:{DEMO_LOGIN}")
        self.new_id = AscendingIds(self.rng)
        self.organisations = set(
            Membership.objects.filter(person_id=person_id, role=Membership.Role.PARTICIPANT).values_list(
                "organisation_id", flat=True
            )
        )
        group_of = {org.id: org.group for org in seeder.people.organisations}
        groups = sorted({group_of[org] for org in self.organisations if org in group_of})
        self.group = groups[0] if groups else None
        self.course: Course | None = None
        self.current: list[tuple[RunInfo, dict[str, Schedule | None], Place]] = []
        self.invited: set[tuple[uuid.UUID, str]] = set()
        self._online: dict[str, bool] = {}

    @classmethod
    def for_seed(cls, seeder: EvaluationSeeder) -> DemoParticipant | None:
        """Her part, or None when this seed has no demo participant login."""
        person_id = seeder.people.demo_person_ids.get(DEMO_LOGIN)
        if person_id is None:
            return None
        login = Person.objects.filter(pk=person_id, user__isnull=False).values_list("user_id", "user__username")
        found = next(iter(login), None)
        if found is None:
            return None
        return cls(seeder, person_id, *found)

    # While her group is played ---------------------------------------------------------------

    def take_over(self, batch: Batch, runs: list[RunInfo], plans: dict[uuid.UUID, dict[str, Schedule | None]]) -> None:
        """Choose her course among her group's runs and take out of ``batch`` what the step made her for it.

        Those rows are drawn again in ``finish``. Runs where the step gave her a finished
        questionnaire with a safety rule are not chosen: taking it out could change which
        alerts the demo's follow-up list gets.
        """
        mine = {
            run.id: place
            for run in runs
            for place in self.seeder.places.get(run.id, [])
            if place.person_id == self.person_id
        }
        self.current = [(run, plans[run.id], mine[run.id]) for run in runs if run.id in mine]
        guarded = {
            entry.run_id
            for entry in batch.entries
            if entry.person_id == self.person_id
            and entry.run_id is not None
            and entry.complete
            and entry.instrument.safety
        }
        self.course = self.choose(runs, plans, mine, guarded)
        if self.course is not None:
            run_id = self.course.run.id
            dropped = {
                invitation.id
                for invitation in batch.invitations
                if invitation.person_id == self.person_id and invitation.run_id == run_id
            }
            batch.invitations = [invitation for invitation in batch.invitations if invitation.id not in dropped]
            batch.questionnaires = [row for row in batch.questionnaires if row[0] not in dropped]
            batch.entries = [
                entry for entry in batch.entries if not (entry.person_id == self.person_id and entry.run_id == run_id)
            ]
        self.invited = {
            (invitation.run_id, invitation.timepoint)
            for invitation in batch.invitations
            if invitation.person_id == self.person_id
        }

    def choose(
        self,
        runs: list[RunInfo],
        plans: dict[uuid.UUID, dict[str, Schedule | None]],
        mine: dict[uuid.UUID, Place],
        guarded: set[uuid.UUID],
    ) -> Course | None:
        """The finished course she answers for: her own place first, Recovery College first, most to see, latest."""
        seeder = self.seeder
        candidates = {
            run.id: run
            for run in runs
            if run.category in CATEGORIES and run.organisation_id in self.organisations and run.id not in guarded
        }
        if not candidates:
            return None
        full = RunStatusChange.objects.filter(run_id=OuterRef("pk"), to_status=CourseRun.Status.FULL)
        facts = (
            CourseRun.objects.filter(pk__in=list(candidates), status=CourseRun.Status.COMPLETED)
            .annotate(asked=Count("enrolments"), was_full=Exists(full))
            .order_by("pk")
            .values_list(
                "pk",
                "capacity",
                "asked",
                "was_full",
                "enrolment_opens_on",
                "enrolment_closes_on",
                "version__course__audience",
            )
        )
        courses = []
        for run_id, capacity, asked, was_full, opens_on, closes_on, audience in facts:
            run, plan = candidates[run_id], plans[run_id]
            first, last = plan.get(BASELINE), plan.get(END)
            if first is None or last is None:
                continue
            baseline = window(first, run.dates)
            if baseline.due < seeder.began:
                continue  # evaluated from its baseline only
            place = mine.get(run_id)
            if place is not None:
                if place.status != E.COMPLETED:
                    continue
                placed_at = place.created_at
            else:
                # A place she could have asked for: room to spare all along (never full, one more
                # still short of capacity), a course for carers, asked before its baseline went out.
                if was_full or asked + 1 >= capacity or audience not in AUDIENCES or opens_on is None:
                    continue
                latest = seeder.day_of(baseline.due) - timedelta(days=1)
                moment = self.request_moment(run_id, opens_on, min(closes_on or latest, latest))
                if moment is None:
                    continue
                placed_at = moment
            answered = self.answerable(run, plan)
            if answered is None or self.withdrew_during(run, plan, placed_at):
                continue
            courses.append(Course(run, plan, placed_at, place, answered))
        return min(courses, key=lambda course: course.rank, default=None)

    def request_moment(self, run_id: uuid.UUID, first: date, last: date) -> datetime | None:
        """When she asks for a place: a working hour early in the enrolment window (None if it has no room).

        Drawn from a generator of the run's own, so trying several runs draws nothing from hers.
        """
        if last < first:
            return None
        rng = random.Random(f"{self.seeder.context.seed}:evaluation:{DEMO_LOGIN}:{run_id}")
        day = first + timedelta(days=rng.randint(0, max(0, ((last - first).days * 3) // 5)))
        while day.weekday() >= 5 and day < last:
            day += timedelta(days=1)
        minutes = rng.randrange(9 * 60, 17 * 60 + 30)
        moment = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.seeder.now.tzinfo)
        return moment if moment < self.seeder.now else None

    def answerable(self, run: RunInfo, plan: dict[str, Schedule | None]) -> int | None:
        """How many (questionnaire she may see scored, timepoint) pairs she can have answered by "today".

        None when baseline or end cannot be: the end's paper form is typed in up to a week after the last session.
        """
        seeder = self.seeder
        answered = 0
        for timepoint in SCHEDULED_TIMEPOINTS:
            schedule = plan.get(timepoint)
            if schedule is None:
                continue
            span = window(schedule, run.dates)
            lag = timedelta(days=21 if timepoint == FOLLOW_UP else 8)
            if span.due + lag + ANSWERING >= seeder.now:
                if timepoint != FOLLOW_UP:
                    return None
                continue
            answered += sum(
                1 for code in seeder.codes_of(schedule) if seeder.forms[code].instrument.respondent_feedback.allowed
            )
        return answered

    def withdrew_during(self, run: RunInfo, plan: dict[str, Schedule | None], start: datetime) -> bool:
        """Whether she withdrew consent between asking for the place and the course's last questionnaire."""
        last = max(window(schedule, run.dates).closes for schedule in plan.values() if schedule is not None)
        withdrawn = self.seeder.consents.withdrawn_after(self.person_id, start)
        return withdrawn is not None and withdrawn < last

    # At the end of the step --------------------------------------------------------------------

    def finish(self) -> None:
        """Make and save her consent, place, answers with their scores and open links, in one transaction."""
        seeder, context = self.seeder, self.seeder.context
        batch, made = Batch(), Made()
        course = self.course
        with transaction.atomic(savepoint=False):
            if course is not None and not seeder.consents.in_force(self.person_id, course.baseline.due):
                # Given when she asked for her place (she had withdrawn it before, or never been asked).
                self.consent(made, course.placed_at + timedelta(minutes=self.rng.randint(2, 15)))
            if (course is not None or self.current) and not seeder.consents.in_force(self.person_id, seeder.now):
                last = seeder.consents.last_before(self.person_id, seeder.now)
                if last is not None and last < seeder.now - timedelta(hours=3):
                    # She changed her mind one to three days later (this morning, if she withdrew yesterday).
                    back = last + timedelta(days=self.rng.randint(1, 3), minutes=self.rng.randint(-120, 120))
                    self.consent(made, max(last + timedelta(hours=1), min(back, seeder.now - timedelta(hours=1))))
            if course is not None:
                if course.place is None:
                    self.place(made, course)
                self.evaluate(course, batch)
            self.open_links(batch)
            context.save_chunk(made.consents, made.enrolments, made.changes, made.marks)
            if made.enrolments:
                CourseRun.objects.filter(pk__in=[row.run_id for row in made.enrolments]).update(
                    places_taken=F("places_taken") + 1
                )
            seeder.result.counts.update(
                save_batch(context, batch, scorer=seeder.scorer, followers=seeder.followers, now=seeder.now, demo=False)
            )
        for invitation in batch.invitations:
            seeder.result.counts[f"invitations_{invitation.status}"] += 1
            if invitation.status == Invitation.Status.OPEN:
                key = "invitations_expired" if invitation.expires_at <= seeder.now else "invitations_live"
                seeder.result.counts[key] += 1
        context.progress(
            f"evaluation: the demo participant answered {len(batch.entries)} questionnaires "
            f"and has {len(batch.invitations)} links"
        )

    def consent(self, made: Made, moment: datetime) -> None:
        """Her consent to evaluation, given online by herself at ``moment``."""
        made.consents.append(
            Consent(
                id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
                person_id=self.person_id,
                purpose=Consent.Purpose.EVALUATION,
                decision=Consent.Decision.GIVEN,
                method=Consent.Method.ONLINE,
                decided_on=self.seeder.day_of(moment),
                recorded_at=moment,
                recorded_by_id=self.user_id,
            )
        )
        self.seeder.consents.record(self.person_id, moment, given=True)

    def place(self, made: Made, course: Course) -> None:
        """Her place on the course, as the delivery step writes one: asked for by herself, a mark on every
        register beside the others', completed by whoever completed the run. Her membership of its
        organisation, her record and her login then date from her request, as delivery has people ask
        for places only once they have joined (call inside the saving transaction)."""
        run_id, asked = course.run.id, course.placed_at
        registers: dict[uuid.UUID, tuple[int, datetime, bool]] = {}
        for session_id, recorded_by, recorded_at, late in (
            Attendance.objects.filter(session__run_id=run_id)
            .order_by("session__number", "pk")
            .values_list("session_id", "recorded_by_id", "recorded_at", "late_entry")
        ):
            registers.setdefault(session_id, (recorded_by, recorded_at, late))
        sessions = Session.objects.filter(run_id=run_id).count()
        closed = (
            RunStatusChange.objects.filter(run_id=run_id, to_status=CourseRun.Status.COMPLETED)
            .order_by("-changed_at")
            .values_list("changed_at", "changed_by_id", "changed_by_label")
            .first()
        )
        if closed is None or len(registers) != sessions:
            raise SeedError(f"Run {run_id} is completed without its history or every register: seed a new database.")
        closed_at, closed_by, closed_label = closed
        enrolment = Enrolment(
            id=self.new_id(),
            run_id=run_id,
            person_id=self.person_id,
            status=E.COMPLETED,
            channel=Enrolment.Channel.SELF,
            agreement_accepted_at=asked,
            created_at=asked,
            updated_at=closed_at,
        )
        made.enrolments.append(enrolment)
        made.changes += [
            EnrolmentStatusChange(
                enrolment_id=enrolment.id,
                from_status="",
                to_status=E.ENROLLED,
                changed_by_id=self.user_id,
                changed_by_label=self.username,
                changed_at=asked,
            ),
            EnrolmentStatusChange(
                enrolment_id=enrolment.id,
                from_status=E.ENROLLED,
                to_status=E.COMPLETED,
                changed_by_id=closed_by,
                changed_by_label=closed_label,
                changed_at=closed_at,
                reason=f"Attended {sessions} of {sessions} sessions",  # as enrolment._settle
            ),
        ]
        made.marks += [
            Attendance(
                session_id=session_id,
                enrolment_id=enrolment.id,
                status=Attendance.Status.PRESENT,
                recorded_by_id=recorded_by,
                recorded_at=recorded_at,
                late_entry=late,
            )
            for session_id, (recorded_by, recorded_at, late) in registers.items()
        ]
        joined = self.seeder.day_of(asked)
        Membership.objects.filter(
            person_id=self.person_id,
            organisation_id=course.run.organisation_id,
            role=Membership.Role.PARTICIPANT,
            started_on__gt=joined,
        ).update(started_on=joined)
        signed_up = asked - timedelta(minutes=self.rng.randint(20, 90))
        Person.objects.filter(pk=self.person_id, created_at__gt=signed_up).update(created_at=signed_up)
        User.objects.filter(pk=self.user_id, date_joined__gt=signed_up).update(date_joined=signed_up)

    def evaluate(self, course: Course, batch: Batch) -> None:
        """Her links and typed-in forms for the course, answered by a carer who gained a little.

        Carers are drawn until one's answers show it (``gains_a_little``); the last drawn is kept if none did.
        """
        sittings, links = self.sittings(course)
        draft, finished = Batch(), dict[uuid.UUID, datetime]()
        for _attempt in range(ATTEMPTS):
            carer = Carer(self.rng, completed=True)
            end, later = carer.changes[END], carer.changes[FOLLOW_UP]
            if not (
                LEVEL[0] <= carer.level <= LEVEL[1]
                and END_CHANGE[0] <= end <= END_CHANGE[1]
                and FOLLOW_UP_CHANGE <= later <= end
            ):
                continue
            draft, finished = Batch(), {}
            for sitting in sittings:
                submitted = self.seeder.answer(
                    course.run,
                    sitting.timepoint,
                    sitting.codes,
                    carer,
                    self.person_id,
                    sitting.moment,
                    draft,
                    mode=sitting.mode,
                    invitation=sitting.invitation,
                    entered_by=sitting.entered_by,
                    rng=self.rng,
                    new_id=self.new_id,
                    blanks=False,
                )
                if sitting.invitation is not None:
                    finished[sitting.invitation.id] = submitted
            if gains_a_little(draft.entries):
                break
        for invitation in links:
            if invitation.id in finished:
                invitation.status, invitation.completed_at = Invitation.Status.COMPLETE, finished[invitation.id]
                invitation.reminders, invitation.reminded_at = 0, None  # answered on the first email
            self.add_link(batch, invitation)
        batch.entries += draft.entries

    def sittings(self, course: Course) -> tuple[list[Sitting], list[Invitation]]:
        """When she answers each timepoint: her link (the evening it comes), the paper form at the
        session or the follow-up call (typed in by a coordinator within the week). A follow-up not
        yet answered by "today" is an open link. Returns the sittings and every link made."""
        seeder, rng = self.seeder, self.rng
        run = course.run
        sittings: list[Sitting] = []
        links: list[Invitation] = []
        for timepoint in SCHEDULED_TIMEPOINTS:
            schedule = course.plan.get(timepoint)
            if schedule is None:
                continue
            span = window(schedule, run.dates)
            codes = seeder.codes_of(schedule)
            online = tuple(code for code in codes if self.online(code))
            typed = tuple(code for code in codes if code not in online and self.for_a_carer(code))
            invitation = self.link(run.id, schedule, span, course.placed_at) if online else None
            if invitation is not None and invitation.sent_at is not None:
                links.append(invitation)
                answered = self.evening(invitation.sent_at)
                if answered + ANSWERING < min(span.closes, seeder.now):
                    sittings.append(Sitting(timepoint, online, answered, Response.Mode.ONLINE, invitation))
            if typed:
                if timepoint == FOLLOW_UP:
                    mode, day = Response.Mode.PHONE, seeder.day_of(span.due) + timedelta(days=rng.randint(2, 12))
                else:
                    session = run.first_start if timepoint == BASELINE else run.last_start
                    mode, day = Response.Mode.PAPER, seeder.day_of(session) + timedelta(days=rng.randint(1, 6))
                minutes = rng.randrange(9 * 60 + 30, 16 * 60 + 30)
                moment = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=seeder.now.tzinfo)
                if moment + ANSWERING < seeder.now:
                    entered_by = seeder.followers.pick(rng, run.organisation_id)
                    sittings.append(Sitting(timepoint, typed, moment, mode, entered_by=entered_by))
        return sittings, links

    def evening(self, sent: datetime) -> datetime:
        """When she answers a link: that evening, or the next if it came in the evening."""
        minutes = self.rng.randrange(18 * 60 + 30, 22 * 60)
        answered = datetime.combine(
            self.seeder.day_of(sent), time(minutes // 60, minutes % 60), tzinfo=self.seeder.now.tzinfo
        )
        return answered if answered > sent + timedelta(minutes=20) else answered + timedelta(days=1)

    def open_links(self, batch: Batch) -> None:
        """A link for each run of hers whose questionnaires are due now, where the step made her none
        (it made none where her consent was not in force when they fell due)."""
        others = [entry for entry in self.current if self.course is None or entry[0].id != self.course.run.id]
        for run, schedule, span, place in due_now(
            others, now=self.seeder.now, began=self.seeder.began, invited=self.invited
        ):
            if any(self.online(code) for code in self.seeder.codes_of(schedule)):
                invitation = self.link(run.id, schedule, span, place.created_at)
                if invitation is not None:
                    self.add_link(batch, invitation)

    def link(self, run_id: uuid.UUID, schedule: Schedule, span: Window, placed_at: datetime) -> Invitation | None:
        """Her link for a timepoint, as the hourly job makes it once it is due, she has a place and her
        consent is in force; reminded while unanswered (None if it could not have gone by "today")."""
        seeder, rng = self.seeder, self.rng
        start = seeder.consents.given_from(self.person_id, max(span.due, placed_at))
        if start is None:
            return None
        created = start + timedelta(minutes=rng.randint(5, 55))
        sent = created + timedelta(minutes=rng.randint(1, 4))
        if sent >= min(span.closes, seeder.now) or not seeder.consents.in_force(self.person_id, created):
            return None
        stop = min(span.closes, seeder.now)
        reminders = [sent + timedelta(days=days) for days in REMINDER_DAYS if sent + timedelta(days=days) < stop]
        return Invitation(
            id=self.new_id(),
            person_id=self.person_id,
            run_id=run_id,
            timepoint=schedule.timepoint,
            schedule=schedule,
            nonce=f"{rng.getrandbits(128):032x}",
            created_at=created,
            expires_at=span.closes,
            sent_at=sent,
            reminders=len(reminders),
            reminded_at=reminders[-1] if reminders else None,
        )

    def add_link(self, batch: Batch, invitation: Invitation) -> None:
        """The link with the questionnaires it asks: those the site can show online, in the schedule's order."""
        schedule = invitation.schedule
        codes = [code for code in self.seeder.codes_of(schedule) if self.online(code)] if schedule else []
        batch.invitations.append(invitation)
        batch.questionnaires += [
            (invitation.id, self.seeder.versions[code].pk, position) for position, code in enumerate(codes, start=1)
        ]

    def online(self, code: str) -> bool:
        """Whether the invitation job would ask this questionnaire of a carer here (its wording can be shown)."""
        if code not in self._online:
            version = self.seeder.versions[code]
            self._online[code] = self.for_a_carer(code) and wording.can_answer_online(version)
        return self._online[code]

    def for_a_carer(self, code: str) -> bool:
        return self.seeder.versions[code].respondent in PERSON_RESPONDENTS


def due_now(
    places: Iterable[tuple[RunInfo, dict[str, Schedule | None], Place]],
    *,
    now: datetime,
    began: datetime,
    invited: set[tuple[uuid.UUID, str]],
) -> list[tuple[RunInfo, Schedule, Window, Place]]:
    """Of these places (a run, its schedules, the place), the timepoints whose window is open ``now``
    and whose invitation the job would make: not yet made, evaluation begun by then, and a place it
    asks (at baseline, anyone with a place; later, anyone who stayed, completers or not)."""
    due = []
    for run, plan, place in places:
        for timepoint in SCHEDULED_TIMEPOINTS:
            schedule = plan.get(timepoint)
            if schedule is None or (run.id, timepoint) in invited:
                continue
            asked = (
                (E.ENROLLED, E.COMPLETED) if timepoint == BASELINE else (E.ENROLLED, E.COMPLETED, E.DID_NOT_COMPLETE)
            )
            span = window(schedule, run.dates)
            if place.status in asked and span.due >= began and span.is_open(now):
                due.append((run, schedule, span, place))
    return due


def headline(entry: Entry) -> Decimal | None:
    """The score that sums up a questionnaire: its total if it has one, else its first scale."""
    scales = {scale.code: scale for scale in entry.instrument.scales}
    scale = scales.get("total") or entry.instrument.scales[0]
    result = scoring.score_all(entry.instrument, entry.answers).get(scale.code)
    return result.value if result is not None else None


def gains_a_little(entries: Iterable[Entry]) -> bool:
    """Whether every questionnaire she may see scored is higher at the end than at baseline and not lower at
    follow-up than at baseline, with her wellbeing up by a noticeable, modest amount."""
    scores: dict[str, dict[str, Decimal | None]] = {}
    for entry in entries:
        if entry.instrument.respondent_feedback.allowed:
            scores.setdefault(entry.instrument.code, {})[entry.timepoint] = headline(entry)
    if not scores:
        return False
    for code, by_timepoint in scores.items():
        before, after, later = by_timepoint.get(BASELINE), by_timepoint.get(END), by_timepoint.get(FOLLOW_UP, None)
        if before is None or (END in by_timepoint and (after is None or after <= before)):
            return False
        if FOLLOW_UP in by_timepoint and (later is None or later < before):
            return False
        if code == "swemwbs" and after is not None and not SWEMWBS_GAIN[0] <= after - before <= SWEMWBS_GAIN[1]:
            return False
    return True
