"""The guide to the model a bundle carries: ``guide/guide.html`` and ``guide/guide.pdf``.

The guide explains a programme to people who have never used PeerPath: what its courses
are, how they were co-produced (hours and counts, never names), how its peer trainers and
facilitators are trained and accredited, what it measures and when, and how published
figures are protected. Everything comes from the :class:`~peerpath.bundles.format.Bundle`
alone, so a bundle read from an archive gives the same guide as the one exported.

The HTML is one self-contained document (its CSS inline, no scripts, no links out of it)
so it reads offline in any browser and prints; the PDF is the same document laid out by
WeasyPrint (``peerpath.core.pdf``). Sentences that name the people served use the
programme's own words (``bundle.programme.terms``), never "carer" or "mental health".

Both are deterministic: the only date in them is the bundle's ``exported_at`` (when set),
and the PDF's creation and modification dates are that date too, so the same bundle gives
the same bytes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from markupsafe import Markup

from peerpath.bundles import format as fmt
from peerpath.bundles.format import (
    Bundle,
    CompetencySpec,
    CourseSpec,
    FrameworkSpec,
    InstrumentSpec,
    RuleSpec,
    ScheduleSpec,
    SchemeSpec,
)
from peerpath.core.pdf import html_to_pdf
from peerpath.courses.choices import Audience, Capacity, Category, DeliveryMode, Stage
from peerpath.evaluation import definitions
from peerpath.evaluation.scoring import RELIABLE_Z
from peerpath.programmes.terms import Terms, upper_first

TEMPLATE = "bundles/guide.jinja"
# Fonts subset by fontTools carry the time they were made unless SOURCE_DATE_EPOCH says
# otherwise (HarfBuzz subsetting, when installed, carries none). A guide without an export
# date uses the date the format gives zip entries (1 January 1980).
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
FALLBACK_EPOCH = 315_532_800
_EPOCH_LOCK = threading.Lock()
STYLESHEET = Path(__file__).resolve().parent / "guide.css"
_JINJA2_ENGINE = "jinja2"

TIMEPOINTS = ("baseline", "end", "follow_up")
TIMEPOINT_NAMES = {"baseline": "Before the course", "end": "At the end", "follow_up": "Follow-up"}
LICENCE_CLASSES = {
    "free": "Free to use",
    "public_domain": "Public domain",
    "cc": "Creative Commons licence",
    "registration": "Free to use after registering with its owners",
    "proprietary": "Proprietary: a site needs a licence to use it",
    "own": "The programme's own measure",
}
DIRECTIONS = {
    "higher_is_better": "A higher score is better",
    "higher_is_worse": "A higher score is worse",
    "none": "Neither: a count, not a judgement",
}
RULE_TYPES = {"sum": "Sum", "mean": "Mean"}


# Words ---------------------------------------------------------------------------------


def possessive(word: str) -> str:
    """'carers' -> "carers'", 'member' -> "member's"."""
    return f"{word}'" if word.endswith("s") else f"{word}'s"


def with_article(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def word_list(words: Sequence[str], joiner: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def number(value: Decimal | int | float) -> str:
    """A number as a person writes it: 12.50 -> '12.5', 10 -> '10', 3.921 -> '3.921'."""
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def hours(value: Decimal) -> str:
    return number(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def percent(share: Decimal) -> str:
    """A fraction as a whole percentage, halves rounded up: 0.4 -> '40%'."""
    return f"{(share * 100).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"


def exported_on(moment: str) -> str:
    """'2026-11-26T14:05:00+00:00' -> '26 November 2026' (as written, in the exporter's time zone)."""
    try:
        when = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    return f"{when.day} {when:%B %Y}"


def category_label(category: str, terms: Terms) -> str:
    if category == Category.SELF_MANAGEMENT:
        return f"{upper_first(possessive(terms.people))} self-management course"
    return str(Category(category).label) if category in Category.values else category


def audience_label(audience: str, terms: Terms) -> str:
    if audience == Audience.CARERS:
        return upper_first(terms.people)
    return str(Audience(audience).label) if audience in Audience.values else audience


def capacity_label(capacity: str, terms: Terms) -> str:
    if capacity == Capacity.CARER:
        return f"Lived experience as {with_article(terms.person)}"
    return str(Capacity(capacity).label) if capacity in Capacity.values else capacity


def stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage


def mode_label(mode: str) -> str:
    return str(DeliveryMode(mode).label) if mode in DeliveryMode.values else mode


def respondent_label(respondent: str, terms: Terms) -> str:
    if respondent == "carer":
        return f"The {terms.person}, about themselves"
    if respondent == "carer_about_cared_for":
        return f"The {terms.person}, about {terms.cared_for_third}"
    if respondent == "college":
        return "College staff"
    return respondent


# What the template shows -----------------------------------------------------------------


@dataclass(frozen=True)
class CourseRow:
    course: CourseSpec
    anchor: str
    category: str
    audience: str
    for_whom: str
    sessions: str
    modes: str
    staffing: str


@dataclass(frozen=True)
class CoproductionRow:
    course: CourseSpec
    anchor: str
    hours: str
    design_share: str
    outcome: str
    by_capacity: tuple[tuple[str, int, str], ...]
    by_stage: tuple[tuple[str, int, str, str], ...]
    sentence: str


@dataclass(frozen=True)
class Domain:
    name: str
    competencies: tuple[CompetencySpec, ...]


@dataclass(frozen=True)
class FrameworkView:
    framework: FrameworkSpec
    anchor: str
    domains: tuple[Domain, ...]


@dataclass(frozen=True)
class SchemeView:
    scheme: SchemeSpec
    grants: str
    framework: str
    requirements: tuple[str, ...]
    validity: tuple[str, ...]


@dataclass(frozen=True)
class ScheduleRow:
    timepoint: str
    when: str
    open_for: str
    instruments: tuple[tuple[str, str], ...]  # (name, anchor)
    active: bool


@dataclass(frozen=True)
class ScheduleGroup:
    category: str
    rows: tuple[ScheduleRow, ...]


@dataclass(frozen=True)
class ScaleRow:
    name: str
    items: int
    scoring: str
    range: str
    direction: str
    bands: str
    reliable_change: str
    reliable_change_source: str
    cutoff: str
    cutoff_source: str


@dataclass(frozen=True)
class InstrumentView:
    spec: InstrumentSpec
    anchor: str
    name: str
    short_name: str
    description: str
    respondent: str
    items: int
    recall_period: str
    licence_class: str
    attribution: str
    wording: str
    decision: str
    own_measure: bool
    scales: tuple[ScaleRow, ...]
    asked: bool


def course_anchor(course: CourseSpec) -> str:
    return f"course-{course.key}"


def _staffing(course: CourseSpec) -> str:
    version = course.version
    parts = [
        plural(version.peer_trainers, "peer trainer"),
        plural(version.professional_tutors, "professional tutor"),
        plural(version.peer_facilitators, "peer facilitator"),
    ]
    shown = [part for part in parts if not part.startswith("0 ")]
    return word_list(shown) if shown else "Not set"


def _course_row(course: CourseSpec, terms: Terms) -> CourseRow:
    return CourseRow(
        course=course,
        anchor=course_anchor(course),
        category=category_label(course.category, terms),
        audience=audience_label(course.audience, terms),
        for_whom=terms.people if course.audience == Audience.CARERS else audience_label(course.audience, terms).lower(),
        sessions=f"{plural(course.session_count, 'session')} of {course.session_minutes} minutes",
        modes=upper_first(word_list([mode_label(mode).lower() for mode in course.modes], "or")) or "Not set",
        staffing=_staffing(course),
    )


def _stages_phrase(stages: Sequence[str]) -> str:
    """'the design workshop stage', 'the design workshop and review stages'."""
    names = word_list([stage_label(stage).lower() for stage in stages])
    return f"the {names} {'stage' if len(stages) == 1 else 'stages'}"


def rule_sentence(rule: RuleSpec) -> str:
    """The co-production rule in words."""
    parts = []
    if rule.lived_experience_stages:
        parts.append(f"took part in {_stages_phrase(rule.lived_experience_stages)}")
    if rule.design_stages:
        parts.append(
            f"gave at least {percent(rule.minimum_lived_design_share)} of the hours spent in"
            f" {_stages_phrase(rule.design_stages)}"
        )
    if not parts:
        return "The rule sets no conditions: every course with co-production recorded counts as co-produced."
    return f"A course counts as co-produced when people with lived experience {', and '.join(parts)}."


def _coproduction_row(course: CourseSpec, rule: RuleSpec, terms: Terms) -> CoproductionRow:
    profile = course.coproduction
    share = profile.lived_experience_design_share
    if profile.contributions == 0:
        sentence = "No co-production was recorded for this course."
    else:
        sentence = f"{plural(profile.contributions, 'contribution')} over {hours(profile.hours)} hours."
        if share is None:
            sentence += " No design hours were recorded."
        else:
            sentence += f" People with lived experience gave {percent(share)} of the design hours"
            if rule.design_stages:
                sentence += f" (the rule asks for at least {percent(rule.minimum_lived_design_share)})"
            sentence += "."
    sentence += " It met the rule: co-produced." if profile.co_produced else " It did not meet the rule."
    return CoproductionRow(
        course=course,
        anchor=f"coproduction-{course.key}",
        hours=hours(profile.hours),
        design_share=percent(share) if share is not None else "None recorded",
        outcome="Yes" if profile.co_produced else "No",
        by_capacity=tuple(
            (capacity_label(c.capacity, terms), c.contributions, hours(c.hours)) for c in profile.by_capacity
        ),
        by_stage=tuple(
            (stage_label(s.stage), s.contributions, hours(s.hours), hours(s.lived_experience_hours))
            for s in profile.by_stage
        ),
        sentence=sentence,
    )


def framework_anchor(code: str, version: int) -> str:
    return f"framework-{code}-v{version}"


def _domains(competencies: Iterable[CompetencySpec]) -> tuple[Domain, ...]:
    """Competencies grouped by domain, in the order the framework gives them."""
    groups: dict[tuple[int | None, str], list[CompetencySpec]] = {}
    for competency in competencies:
        groups.setdefault((competency.domain_number, competency.domain_name), []).append(competency)
    domains = []
    for (domain_number, domain_name), members in groups.items():
        if domain_number is None:
            name = (
                f"The programme's own competences: {domain_name}" if domain_name else "The programme's own competences"
            )
        else:
            name = f"Domain {domain_number}: {domain_name}"
        domains.append(Domain(name=name, competencies=tuple(members)))
    return tuple(domains)


# What a scheme's award allows, what the holder is observed doing, and what they do.
GRANTS = {
    "peer_trainer": ("Co-deliver courses as an accredited peer trainer", "co-delivering", "co-deliver courses"),
    "peer_facilitator": (
        "Facilitate support groups as an accredited peer facilitator",
        "facilitating",
        "facilitate support groups",
    ),
}


def _scheme_view(scheme: SchemeSpec, bundle: Bundle, titles: dict[str, str]) -> SchemeView:
    numbers = scheme.numbers
    grants, doing, work = GRANTS.get(scheme.grants, (scheme.grants, "delivering", "deliver sessions"))
    framework = next(
        (f for f in bundle.frameworks if (f.code, f.version) == (scheme.framework_code, scheme.framework_version)),
        None,
    )
    framework_name = framework.name if framework else f"{scheme.framework_code} version {scheme.framework_version}"
    if scheme.training_courses:
        courses = word_list([titles.get(key, key) for key in scheme.training_courses], "or")
        training = f"Complete {courses}"
    else:
        training = "Complete a Train the Trainer course"
    requirements = [f"{training}, attending at least {numbers['attendance_percent']}% of its sessions."]
    if numbers["observations_required"]:
        requirements.append(
            f"Be observed by someone else {doing} {plural(numbers['observations_required'], 'session')},"
            " and be rated competent each time."
        )
    if scheme.every_competency_evidenced:
        requirements.append(
            f"Show evidence of every competency in {framework_name}: an accepted portfolio entry"
            " or a competent rating in an observation."
        )
    if numbers["reflections_required"]:
        requirements.append(f"Write {plural(numbers['reflections_required'], 'reflection')} for their portfolio.")
    if numbers["supervisions_required"]:
        requirements.append(f"Take part in {plural(numbers['supervisions_required'], 'supervision session')}.")

    validity: list[str] = []
    if scheme.validity_months is None:
        validity.append("The accreditation does not expire.")
    else:
        validity.append(f"The accreditation lasts {plural(scheme.validity_months, 'month')}.")
        renewal = []
        if numbers["renewal_sessions_delivered"]:
            renewal.append(f"deliver {plural(numbers['renewal_sessions_delivered'], 'session')}")
        if numbers["renewal_supervisions"]:
            renewal.append(f"take part in {plural(numbers['renewal_supervisions'], 'supervision session')}")
        if scheme.renewal_cpd_hours:
            cpd = hours(scheme.renewal_cpd_hours)
            renewal.append(f"complete {cpd} {'hour' if cpd == '1' else 'hours'} of continuing professional development")
        if renewal:
            validity.append(f"To renew it, in that time they {word_list(renewal)}.")
        else:
            validity.append("It is renewed without further requirements.")
        if numbers["expiring_soon_days"]:
            validity.append(f"Reminders start {plural(numbers['expiring_soon_days'], 'day')} before it ends.")
        if numbers["grace_days"]:
            validity.append(
                f"For {plural(numbers['grace_days'], 'day')} after it ends it can still be renewed,"
                f" but in that time the holder may not {work}."
            )
        else:
            validity.append("Once it ends it cannot be renewed: the holder is accredited again from the start.")
    return SchemeView(
        scheme=scheme,
        grants=grants,
        framework=framework_name,
        requirements=tuple(requirements),
        validity=tuple(validity),
    )


def instrument_anchor(spec: InstrumentSpec) -> str:
    return f"instrument-{spec.code}-v{spec.version}"


def _months(days: int) -> str:
    if days < 56:
        return ""
    return f" (about {plural(round(days / (365.25 / 12)), 'month')})"


def _when(schedule: ScheduleSpec) -> str:
    days = schedule.days
    if schedule.timepoint == "baseline":
        return "On the day of the first session" if days == 0 else f"{plural(days, 'day')} before the first session"
    if schedule.timepoint == "end":
        if days == 0:
            return "On the day the last session starts"
        return f"{plural(days, 'day')} after the last session starts"
    if days == 0:
        return "On the day the last session ends"
    return f"{plural(days, 'day')} after the last session ends{_months(days)}"


def _schedule_groups(
    bundle: Bundle, by_code: dict[str, InstrumentSpec], names: dict[str, str]
) -> tuple[ScheduleGroup, ...]:
    order = {category: n for n, category in enumerate(Category.values)}
    groups: dict[str, list[ScheduleSpec]] = {}
    for schedule in bundle.schedules:
        groups.setdefault(schedule.category, []).append(schedule)
    shown = []
    terms = bundle.programme.terms
    for category in sorted(groups, key=lambda c: (order.get(c, len(order)), c)):
        schedules = sorted(
            groups[category], key=lambda s: TIMEPOINTS.index(s.timepoint) if s.timepoint in TIMEPOINTS else 9
        )
        rows = tuple(
            ScheduleRow(
                timepoint=TIMEPOINT_NAMES.get(s.timepoint, s.timepoint),
                when=_when(s),
                open_for=plural(s.open_days, "day"),
                instruments=tuple(
                    (names.get(code, code), instrument_anchor(by_code[code]) if code in by_code else "")
                    for code in s.instruments
                ),
                active=s.active,
            )
            for s in schedules
        )
        shown.append(ScheduleGroup(category=category_label(category, terms), rows=rows))
    return tuple(shown)


def reliable_change_threshold(sd: Decimal, reliability: Decimal) -> Decimal:
    """The smallest change that is reliable (Jacobson and Truax 1991): 1.96 x sd x sqrt(2(1 - r)), 2 decimals."""
    threshold = RELIABLE_Z * sd * (2 * (1 - reliability)).sqrt()
    return threshold.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _scale_row(scale: definitions.Scale) -> ScaleRow:
    rule = scale.rule
    scoring = f"{RULE_TYPES.get(rule.type, rule.type)} of {plural(len(scale.items), 'answer')}"
    if rule.conversion:
        scoring += ", converted with a table"
    if rule.missing.type == "prorate" and rule.missing.max_missing:
        scoring += f"; kept with up to {plural(rule.missing.max_missing, 'answer')} missing"
    else:
        scoring += "; every answer needed"
    change, cutoff = scale.reliable_change, scale.clinical_cutoff
    if change is not None and change.reliability < 1 and change.sd > 0:
        threshold = reliable_change_threshold(change.sd, change.reliability)
        reliable = (
            f"A change of more than {number(threshold)} points (SD {number(change.sd)},"
            f" reliability {number(change.reliability)})"
        )
    else:
        reliable = "Not set"
    return ScaleRow(
        name=scale.name,
        items=len(scale.items),
        scoring=scoring,
        range=f"{number(scale.range[0])} to {number(scale.range[1])}",
        direction=DIRECTIONS.get(scale.direction, scale.direction),
        bands="; ".join(f"{number(b.from_)} to {number(b.to)}: {b.label}" for b in scale.bands),
        reliable_change=reliable,
        reliable_change_source=change.source if change is not None else "",
        cutoff=number(cutoff.value) if cutoff is not None else "Not set",
        cutoff_source=cutoff.source if cutoff is not None else "",
    )


def _instrument_view(spec: InstrumentSpec, terms: Terms, asked: bool) -> InstrumentView:
    instrument = definitions.parse(spec.document)
    licence = instrument.licence
    if licence.ships_text:
        wording = "Yes: the questions and answers are in the bundle, word for word."
    else:
        wording = (
            "No: the bundle holds the numbers only. A site with the right to use the wording installs it"
            " itself; scoring works without it."
        )
    return InstrumentView(
        spec=spec,
        anchor=instrument_anchor(spec),
        name=instrument.name,
        short_name=instrument.short_name,
        description=instrument.description,
        respondent=respondent_label(instrument.respondent, terms),
        items=len(instrument.items),
        recall_period=instrument.recall_period or "",
        licence_class=LICENCE_CLASSES.get(licence.class_, licence.class_),
        attribution=licence.attribution,
        wording=wording,
        decision=licence.decision,
        own_measure=instrument.own_measure or licence.class_ == "own",
        scales=tuple(_scale_row(scale) for scale in instrument.scales),
        asked=asked,
    )


def disclosure_sentences(bundle: Bundle) -> tuple[str, ...]:
    policy = bundle.disclosure_policy
    hidden = (
        str(policy.suppress_from)
        if policy.suppress_from == policy.suppress_to
        else f"from {policy.suppress_from} to {policy.suppress_to}"
    )
    sentences = []
    if policy.suppress_to >= policy.suppress_from:
        sentences.append(f"Counts {hidden} are hidden: the report shows * instead.")
    if policy.rounding_base > 1:
        sentences.append(f"Other counts are rounded to the nearest {policy.rounding_base}.")
    else:
        sentences.append("Other counts are shown exactly.")
    if policy.minimum_values > 1:
        sentences.append(
            f"No mean, percentage or other statistic is shown when it comes from fewer than"
            f" {policy.minimum_values} values."
        )
    if policy.secondary_suppression:
        sentences.append(
            "Secondary suppression: more counts are hidden where a hidden count could otherwise"
            " be worked out from a total."
        )
    else:
        sentences.append("There is no secondary suppression: other counts are not hidden to protect a hidden one.")
    return tuple(sentences)


def context(bundle: Bundle) -> dict[str, Any]:
    """Everything the guide template shows, worked out from the bundle alone."""
    terms = bundle.programme.terms
    titles = {course.key: course.title for course in bundle.courses}
    rule = bundle.coproduction_rule
    coproduction = [_coproduction_row(course, rule, terms) for course in bundle.courses]
    by_code: dict[str, InstrumentSpec] = {}
    for spec in sorted(bundle.instruments, key=lambda s: (s.code, s.version)):
        by_code[spec.code] = spec  # the newest version of a code is the one asked
    asked = {code for schedule in bundle.schedules for code in schedule.instruments}
    instruments = [_instrument_view(spec, terms, spec.code in asked) for spec in bundle.instruments]
    names = {
        view.spec.code: view.short_name or view.name for view in instruments if by_code[view.spec.code] is view.spec
    }
    trainings = {key for scheme in bundle.schemes for key in scheme.training_courses}
    training_courses = [
        course for course in bundle.courses if course.category == Category.TRAIN_THE_TRAINER or course.key in trainings
    ]
    holds = [
        plural(len(bundle.courses), "course") + ", each as approved, with its co-production profile",
        plural(len(bundle.frameworks), "competency framework"),
        plural(len(bundle.schemes), "accreditation scheme"),
        plural(len(bundle.schedules), "evaluation schedule"),
        plural(len(bundle.instruments), "questionnaire") + " (measures)",
        "the co-production rule and the disclosure-control policy",
    ]
    if bundle.materials:
        holds.append(plural(len(bundle.materials), "file") + " of course materials")
    return {
        "bundle": bundle,
        "programme": bundle.programme,
        "terms": terms,
        "serves": f"{upper_first(terms.people)} of {terms.cared_for_group}",
        "exported_on": exported_on(bundle.exported_at) if bundle.exported_at else "",
        "holds": holds,
        "courses": [_course_row(course, terms) for course in bundle.courses],
        "coproduction": coproduction,
        "coproduced_count": sum(1 for course in bundle.courses if course.coproduction.co_produced),
        "rule_sentence": rule_sentence(rule),
        "lived_experience": f"as {with_article(terms.person)} or as a service user",
        "training_courses": [_course_row(course, terms) for course in training_courses],
        "schemes": [_scheme_view(scheme, bundle, titles) for scheme in bundle.schemes],
        "frameworks": [
            FrameworkView(framework=f, anchor=framework_anchor(f.code, f.version), domains=_domains(f.competencies))
            for f in bundle.frameworks
        ],
        "schedules": _schedule_groups(bundle, by_code, names),
        "instruments": instruments,
        "disclosure": disclosure_sentences(bundle),
        "css": Markup(STYLESHEET.read_text(encoding="utf-8")),  # noqa: S704 - our own stylesheet, not input
    }


def render_html(bundle: Bundle) -> bytes:
    """The guide as one self-contained HTML document, UTF-8."""
    html = render_to_string(TEMPLATE, context(bundle), using=_JINJA2_ENGINE)
    return html.encode("utf-8")


def _epoch(bundle: Bundle) -> int:
    """The export date in seconds since 1970 (a date without a time zone read as UTC)."""
    try:
        when = datetime.fromisoformat(bundle.exported_at)
    except ValueError:
        return FALLBACK_EPOCH
    return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())


@contextmanager
def _fixed_font_dates(epoch: int) -> Iterator[None]:
    """Font subsets dated ``epoch`` while the PDF is laid out, so its bytes repeat.

    SOURCE_DATE_EPOCH is process-wide: the lock keeps two guides from changing it under
    each other, and a value the environment already set is left alone. Another PDF laid
    out meanwhile gets fonts with this date too, which changes nothing a reader sees.
    """
    with _EPOCH_LOCK:
        if SOURCE_DATE_EPOCH in os.environ:
            yield
            return
        os.environ[SOURCE_DATE_EPOCH] = str(epoch)
        try:
            yield
        finally:
            os.environ.pop(SOURCE_DATE_EPOCH, None)


def render_pdf(bundle: Bundle, *, html: bytes | None = None) -> bytes:
    """The guide laid out as a PDF (``html``: the document :func:`render_html` gave, to save rendering it twice).

    Its creation and modification dates are the bundle's export date (from the HTML's
    ``dcterms`` meta tags), and its fonts are dated the same, so a bundle gives the same bytes
    every time.
    """
    document = render_html(bundle) if html is None else html
    with _fixed_font_dates(_epoch(bundle)):
        return html_to_pdf(document.decode("utf-8"))


def files(bundle: Bundle) -> dict[str, bytes]:
    """The guide's files by their path in the bundle."""
    html = render_html(bundle)
    return {fmt.GUIDE_HTML: html, fmt.GUIDE_PDF: render_pdf(bundle, html=html)}
