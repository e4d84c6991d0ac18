"""What the guide shows, worked out from a bundle: one small value per table or section."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from peerpath.bundles.format import (
    Bundle,
    CompetencySpec,
    CourseSpec,
    FrameworkSpec,
    InstrumentSpec,
    RuleSpec,
    SchemeSpec,
)
from peerpath.bundles.guide.measures import (
    disclosure_sentences,
    instrument_view,
    schedule_groups,
)
from peerpath.bundles.guide.words import exported_on, mode_label, plural, stage_label, word_list
from peerpath.courses.choices import Audience, Category
from peerpath.courses.presenters import (
    audience_label,
    capacity_label,
    category_label,
    format_hours,
    format_percent,
)
from peerpath.programmes.context import with_article
from peerpath.programmes.terms import Terms, upper_first

# What the template shows -----------------------------------------------------------------

STYLESHEET = Path(__file__).resolve().parent / "guide.css"


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
            f"gave at least {format_percent(rule.minimum_lived_design_share)} of the hours spent in"
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
        sentence = f"{plural(profile.contributions, 'contribution')} over {format_hours(profile.hours)} hours."
        if share is None:
            sentence += " No design hours were recorded."
        else:
            sentence += f" People with lived experience gave {format_percent(share)} of the design hours"
            if rule.design_stages:
                sentence += f" (the rule asks for at least {format_percent(rule.minimum_lived_design_share)})"
            sentence += "."
    sentence += " It met the rule: co-produced." if profile.co_produced else " It did not meet the rule."
    return CoproductionRow(
        course=course,
        anchor=f"coproduction-{course.key}",
        hours=format_hours(profile.hours),
        design_share=format_percent(share) if share is not None else "None recorded",
        outcome="Yes" if profile.co_produced else "No",
        by_capacity=tuple(
            (capacity_label(c.capacity, terms), c.contributions, format_hours(c.hours)) for c in profile.by_capacity
        ),
        by_stage=tuple(
            (stage_label(s.stage), s.contributions, format_hours(s.hours), format_hours(s.lived_experience_hours))
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
            cpd = format_hours(scheme.renewal_cpd_hours)
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
    instruments = [instrument_view(spec, terms, spec.code in asked) for spec in bundle.instruments]
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
        "serves": terms.Served,
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
        "schedules": schedule_groups(bundle, by_code, names),
        "instruments": instruments,
        "disclosure": disclosure_sentences(bundle),
        "css": Markup(STYLESHEET.read_text(encoding="utf-8")),  # noqa: S704 - our own stylesheet, not input
    }
