"""What the guide says about measurement: when questionnaires are asked, what each measures,
and how published figures are protected."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from peerpath.bundles.format import (
    Bundle,
    InstrumentSpec,
    ScheduleSpec,
)
from peerpath.bundles.guide.words import (
    DIRECTIONS,
    LICENCE_CLASSES,
    RULE_TYPES,
    TIMEPOINT_NAMES,
    TIMEPOINTS,
    number,
    plural,
    respondent_label,
)
from peerpath.courses.choices import Category
from peerpath.courses.presenters import category_label
from peerpath.evaluation import definitions
from peerpath.evaluation.scoring import RELIABLE_Z
from peerpath.programmes.terms import Terms

# What the template shows -----------------------------------------------------------------


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


def instrument_anchor(spec: InstrumentSpec) -> str:
    return f"instrument-{spec.code}-v{spec.version}"


def months(days: int) -> str:
    if days < 56:
        return ""
    return f" (about {plural(round(days / (365.25 / 12)), 'month')})"


def when(schedule: ScheduleSpec) -> str:
    days = schedule.days
    if schedule.timepoint == "baseline":
        return "On the day of the first session" if days == 0 else f"{plural(days, 'day')} before the first session"
    if schedule.timepoint == "end":
        if days == 0:
            return "On the day the last session starts"
        return f"{plural(days, 'day')} after the last session starts"
    if days == 0:
        return "On the day the last session ends"
    return f"{plural(days, 'day')} after the last session ends{months(days)}"


def schedule_groups(
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
                when=when(s),
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


def scale_row(scale: definitions.Scale) -> ScaleRow:
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


def instrument_view(spec: InstrumentSpec, terms: Terms, asked: bool) -> InstrumentView:
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
        scales=tuple(scale_row(scale) for scale in instrument.scales),
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
