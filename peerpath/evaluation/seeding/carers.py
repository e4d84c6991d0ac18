"""How a demo carer answers each questionnaire, before and after a course (ADR 008, "Evaluation").

Each carer has a level (how they are doing at baseline, in standard deviations) and a change
at the end of the course and at follow-up: modest improvement on average, with spread, so
some get worse. Every questionnaire reads the same level through its ``Profile``: where a
typical carer's answers sit in each item's range, how far people differ, which way is
better. Each carer also has a fixed leaning on every item and every service-use count, drawn
once, so that their answers move with their change rather than with fresh noise each time:
that is how real repeated answers look, and it keeps the demo's average changes steady at
small scale. All randomness comes from the step's seeded generator.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from peerpath.evaluation.definitions import Instrument, Item
from peerpath.evaluation.seeding.plans import BASELINE, END

Value = int | Decimal  # an answer: whole ones as int
Answers = dict[str, Value]


@dataclass(frozen=True)
class Profile:
    """Where answers sit, as a share of each item's range (0 lowest, 1 highest) after reverse scoring.

    ``position`` is the typical carer's at baseline, ``spread`` how far people differ (per
    standard deviation of level), ``weight`` how strongly this measure follows the carer's
    level and change (negative when a higher score is worse), ``item_sd`` how far one
    person's answers differ between items, ``occasion_sd`` how much they wander between
    occasions.
    """

    position: float
    spread: float
    weight: float = 1.0
    item_sd: float = 0.12
    occasion_sd: float = 0.07


# Baselines drawn around published means (REFERENCE.md section 5), set lower for carers of people
# with mental health problems where the population figure is for everyone (regional scale gives):
# - SWEMWBS about 21 metric (SD about 4), between the population's 23.2-23.7 (HSE 2010-13) and a
#   clinical sample's 19.3 (Shah et al. 2018);
# - CarerQol-7D about 9 of 14, the VAS about 6 of 10;
# - GSE about 28 of 40 (SD about 4.5; the population's mean is nearer 29);
# - PHQ-9 and GAD-7 about 7: mild on average, a third at or above the cut-off of 10;
# - involvement (the programme's own measure) about 2.9 of 5: carers seldom feel involved at first;
# - session feedback mostly 4 and 5.
PROFILES: dict[str, Profile] = {
    "swemwbs": Profile(position=0.56, spread=0.16),
    "carerqol": Profile(position=0.66, spread=0.15, weight=0.7),
    "carerqol-vas": Profile(position=0.6, spread=0.14, weight=0.8, item_sd=0.05, occasion_sd=0.06),
    "gse": Profile(position=0.6, spread=0.17, weight=0.8),
    "involvement": Profile(position=0.47, spread=0.15, weight=1.3),
    "phq9": Profile(position=0.32, spread=0.2, weight=-0.9, item_sd=0.14),
    "gad7": Profile(position=0.35, spread=0.2, weight=-0.9, item_sd=0.14),
    "session-feedback": Profile(position=0.84, spread=0.07, weight=0.3, item_sd=0.08, occasion_sd=0.08),
}

# Chance that an item is left blank: online only where the form does not require it; on paper any.
SKIP_ONLINE = 0.025
SKIP_PAPER = 0.05
# Chance that a carer leaves out a whole involvement subscale's worth of questions (two of its three
# items), as people do who have had no chance to take part: the subscale and the total go unscored.
SKIP_SUBSCALE = 0.05


@dataclass(frozen=True)
class ServiceRates:
    """Expected counts over the form's three months for a carer of typical need."""

    crisis_contacts: float
    ae_attendances: float
    admission_chance: float
    sectioned_share: float  # of admissions, under a section of the Mental Health Act
    stay_nights: float  # typical length of one admission
    community_contacts: float
    gp_mental_health_contacts: float
    gp_other_contacts: float = 0.0
    respite_days: float = 0.0
    carers_assessments: float = 0.0


# The person cared for: crisis and community team contacts, occasional A&E visits and admissions.
CARED_FOR = ServiceRates(
    crisis_contacts=1.0,
    ae_attendances=0.3,
    admission_chance=0.1,
    sectioned_share=0.35,
    stay_nights=24,
    community_contacts=5.0,
    gp_mental_health_contacts=0.8,
)
# The carer: mostly GP contacts, a carer's assessment now and then, a little respite.
CARER = ServiceRates(
    crisis_contacts=0.08,
    ae_attendances=0.05,
    admission_chance=0.01,
    sectioned_share=0.2,
    stay_nights=10,
    community_contacts=0.4,
    gp_mental_health_contacts=0.7,
    gp_other_contacts=1.4,
    respite_days=0.8,
    carers_assessments=0.2,
)


def _poisson(u: float, mean: float) -> int:
    """The count whose Poisson cumulative probability first reaches ``u`` (inverse CDF).

    A fixed ``u`` per person and item gives a count that falls as the mean falls, so a
    carer's counts move with their change rather than at random.
    """
    if mean <= 0:
        return 0
    probability = math.exp(-mean)
    cumulative, count = probability, 0
    while cumulative < u and count < 500:
        count += 1
        probability *= mean / count
        cumulative += probability
    return count


@dataclass
class Carer:
    """One carer's level and changes, and their fixed leanings, drawn once from the step's generator."""

    rng: random.Random
    completed: bool
    level: float = 0.0
    changes: dict[str, float] = field(default_factory=dict)
    need: float = 0.0  # the cared-for person's need, in standard deviations
    use_factors: dict[str, float] = field(default_factory=dict)
    leanings: dict[tuple[str, str], float] = field(default_factory=dict)
    answered: set[str] = field(default_factory=set)  # timepoints they answered, which makes the next likelier

    def __post_init__(self) -> None:
        rng = self.rng
        self.level = rng.gauss(0, 1)
        # Carers who did not finish the course change little; those who did improve modestly on
        # average (about a third of a standard deviation), and about one in four gets worse.
        end = rng.gauss(0.4, 0.55) if self.completed else rng.gauss(0.05, 0.5)
        self.changes = {BASELINE: 0.0, END: end, "follow_up": 0.75 * end + rng.gauss(0.02, 0.35)}
        self.need = rng.gauss(0, 1) - 0.3 * self.level
        # Service use falls for many (crisis contacts, A&E, admissions, bed days), not for all.
        # After a finished course use falls by about a quarter by the end and two fifths by follow-up;
        # it rises for about one in five at the end and one in nine at follow-up.
        shift = -0.5 if self.completed else -0.05
        self.use_factors = {
            BASELINE: 1.0,
            END: math.exp(rng.gauss(shift * 0.6, 0.35)),
            "follow_up": math.exp(rng.gauss(shift, 0.4)),
        }

    def leaning(self, key: tuple[str, str], sd: float) -> float:
        if key not in self.leanings:
            self.leanings[key] = self.rng.gauss(0, 1)
        return self.leanings[key] * sd

    def uniform(self, key: tuple[str, str]) -> float:
        if key not in self.leanings:
            self.leanings[key] = self.rng.random()
        return self.leanings[key]

    def position(self, profile: Profile, timepoint: str) -> float:
        """Where this carer's answers sit now on a measure with this profile."""
        now = self.level + self.changes[timepoint]
        return profile.position + profile.weight * profile.spread * now


@dataclass(frozen=True)
class Question:
    """One item's allowed answers in ascending order, whole ones as ``int`` (cheap to hash and score)."""

    id: str
    required: bool
    reverse: bool
    floats: tuple[float, ...]
    values: tuple[Value, ...]

    @classmethod
    def of(cls, item: Item) -> Question:
        if item.kind == "choice":
            exact = sorted({option.value for option in item.options})
        else:
            assert item.min is not None and item.max is not None and item.step is not None  # noqa: S101 - parse
            count = int((item.max - item.min) / item.step)
            exact = [item.min + step * item.step for step in range(count + 1)]
        values = tuple(int(value) if value == value.to_integral_value() else value for value in exact)
        return cls(item.id, item.required, item.reverse, tuple(float(value) for value in exact), values)

    def nearest(self, share: float) -> Value:
        """The allowed answer nearest ``share`` of the range, after reverse scoring (the lower one on a tie)."""
        share = min(1.0, max(0.0, share))
        if self.reverse:
            share = 1.0 - share
        floats = self.floats
        target = floats[0] + share * (floats[-1] - floats[0])
        index = bisect.bisect_left(floats, target)
        if index == 0:
            return self.values[0]
        if index == len(floats) or target - floats[index - 1] <= floats[index] - target:
            return self.values[index - 1]
        return self.values[index]


class Form:
    """An instrument as the seed answers it: its questions by id, in order."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.code = instrument.code
        self.questions = {item.id: Question.of(item) for item in instrument.items}


def _scale_answers(carer: Carer, form: Form, timepoint: str, profile_code: str, item_ids: list[str]) -> Answers:
    profile = PROFILES[profile_code]
    centre = carer.position(profile, timepoint)
    gauss = carer.rng.gauss
    answers: Answers = {}
    for item_id in item_ids:
        share = centre + carer.leaning((form.code, item_id), profile.item_sd) + gauss(0, profile.occasion_sd)
        answers[item_id] = form.questions[item_id].nearest(share)
    return answers


def questionnaire_answers(carer: Carer, form: Form, timepoint: str) -> Answers:
    """A complete set of answers to ``form`` at ``timepoint`` (before any are left blank)."""
    code = form.code
    if code == "service-use-carer":
        return service_use(carer, form, timepoint, CARER)
    if code == "service-use-cared-for":
        return service_use(carer, form, timepoint, CARED_FOR, need=carer.need)
    if code == "carerqol":
        answers = _scale_answers(carer, form, timepoint, "carerqol", [i for i in form.questions if i != "vas"])
        answers |= _scale_answers(carer, form, timepoint, "carerqol-vas", ["vas"])
        return answers
    answers = _scale_answers(carer, form, timepoint, code, list(form.questions))
    if code == "phq9":
        _phq9_safety_and_difficulty(carer, form, answers)
    return answers


def _phq9_safety_and_difficulty(carer: Carer, form: Form, answers: Answers) -> None:
    """Item 9 (thoughts of self-harm) is rare and comes with more symptoms; item 10 (difficulty) follows the rest."""
    rng = carer.rng
    symptoms = sum(answers[f"q{number}"] for number in range(1, 9))
    risk = 0.008 if symptoms < 10 else 0.05 if symptoms < 16 else 0.15
    answers["q9"] = 0
    if rng.random() < risk:
        answers["q9"] = 1 if rng.random() < 0.75 else 2
    answers["q10"] = form.questions["q10"].nearest(min(1.0, float(symptoms) / 16))


def service_use(carer: Carer, form: Form, timepoint: str, rates: ServiceRates, need: float = 0.0) -> Answers:
    """Counts over three months: higher need, more use; later timepoints scaled by the carer's change in use."""
    who = form.code
    scale = math.exp(0.55 * need) * carer.use_factors[timepoint]

    def count(item: str, mean: float) -> int:
        return _poisson(carer.uniform((who, item)), mean * scale)

    # Carers often come to a course after a crisis, so admissions in the three months before
    # baseline run above those later (regression to the mean, on top of the carer's change).
    after_baseline = 0.7 if timepoint != BASELINE else 1.0
    admitted = carer.uniform((who, "admitted")) < min(0.8, rates.admission_chance * scale * after_baseline)
    sectioned = admitted and carer.uniform((who, "sectioned")) < rates.sectioned_share
    nights = 0
    if admitted:
        # The stay's length leans on the person and shortens as use falls.
        typical = rates.stay_nights * math.exp(0.6 * (carer.uniform((who, "stay")) - 0.5) * 2) * math.sqrt(scale)
        nights = max(1, min(92, round(typical)))
    values = {
        "crisis_contacts": count("crisis_contacts", rates.crisis_contacts),
        "ae_attendances": count("ae_attendances", rates.ae_attendances),
        "admissions_informal": int(admitted and not sectioned),
        "admissions_section": int(sectioned),
        "bed_days": nights,
        "community_contacts": count("community_contacts", rates.community_contacts),
        "gp_mental_health_contacts": count("gp_mental_health_contacts", rates.gp_mental_health_contacts),
        "gp_other_contacts": count("gp_other_contacts", rates.gp_other_contacts),
        "respite_days": count("respite_days", rates.respite_days),
        "carers_assessments": min(1, count("carers_assessments", rates.carers_assessments)),
    }
    return {item_id: min(question.values[-1], values[item_id]) for item_id, question in form.questions.items()}


def leave_blanks(rng: random.Random, form: Form, answers: Answers, *, paper: bool) -> Answers:
    """Leave some items blank, as people do.

    Online, only the items a form does not require: it insists on the others. A paper form
    cannot insist, so any item may be blank; staff typing it in confirm the blanks, and the
    scale's missing-item rule decides what is scored (``responses.submit``).
    """
    chance = SKIP_PAPER if paper else SKIP_ONLINE
    questions = form.questions
    kept = {
        item_id: value
        for item_id, value in answers.items()
        if (questions[item_id].required and not paper) or rng.random() >= chance
    }
    if form.code == "involvement" and rng.random() < SKIP_SUBSCALE:
        subscale = rng.choice([scale for scale in form.instrument.scales if scale.code != "total"])
        for item_id in rng.sample(list(subscale.items), 2):
            kept.pop(item_id, None)
    if form.code == "phq9" and all(kept.get(f"q{n}", 0) == 0 for n in range(1, 10)):
        kept.pop("q10", None)  # the form asks about difficulty only after some problem
    return kept


def partial(rng: random.Random, answers: Answers) -> Answers:
    """The first few answers of a questionnaire someone began and did not finish."""
    items = list(answers)
    return {item_id: answers[item_id] for item_id in items[: rng.randint(1, max(1, len(items) - 1))]}
