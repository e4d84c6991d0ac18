"""Instrument definitions: read and validate ``peerpath-instrument`` v1 documents (ADR 016).

An instrument file is data that administrators and other engineers write by hand, so
everything in it is checked before anything is scored: ``parse`` refuses a document with a
``DefinitionError`` whose message names the instrument's code and the path of the bad key
(``"phq9: scales[0].rule.missing.max_missing must be a whole number >= 0"``).

Numbers are kept as ``Decimal`` (never binary floats), so 9.51 in a file is 9.51 here.
Unknown keys are refused too: a misspelt optional key (``reliable_chnage``) would otherwise
be dropped without a word, and a psychometric value with it.

Plain Python: no Django import, so the scoring engine and its tests run without an app.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

FORMAT = "peerpath-instrument"
FORMAT_VERSION = 1
INSTRUMENTS_DIR = Path(__file__).resolve().parent / "data" / "instruments"

# Mean scores and prorated sums are rounded to this many decimals unless the rule says.
DEFAULT_DECIMALS = 2

LICENCE_CLASSES = ("free", "public_domain", "cc", "registration", "proprietary", "own")
RESPONDENTS = ("carer", "carer_about_cared_for", "college")
ITEM_KINDS = ("choice", "number", "scale")
RULE_TYPES = ("sum", "mean")
MISSING_TYPES = ("complete_only", "prorate")
DIRECTIONS = ("higher_is_better", "higher_is_worse", "none")

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_WHOLE = re.compile(r"^-?[0-9]+$")


class DefinitionError(ValueError):
    """An instrument document that does not follow ADR 016; the message says where and why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Licence:
    class_: str
    ships_text: bool
    attribution: str
    source: str
    decision: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseOption:
    value: Decimal
    label: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    id: str
    number: int | str
    text: str | None
    kind: str
    required: bool
    reverse: bool
    # A choice item names its response set and carries its options, resolved at parse time.
    response_set: str | None = None
    options: tuple[ResponseOption, ...] = ()
    # Number and scale items have bounds and a step instead.
    min: Decimal | None = None
    max: Decimal | None = None
    step: Decimal | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingRule:
    type: str
    max_missing: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoringRule:
    type: str
    missing: MissingRule
    reverse_from: tuple[Decimal, Decimal] | None = None
    # Whole raw sum -> converted score. Excluded from the hash: a mapping cannot be hashed.
    conversion: Mapping[int, Decimal] | None = field(default=None, hash=False)
    decimals: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Band:
    from_: Decimal
    to: Decimal
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReliableChange:
    sd: Decimal
    reliability: Decimal
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ClinicalCutoff:
    value: Decimal
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Scale:
    code: str
    name: str
    items: tuple[str, ...]
    rule: ScoringRule
    range: tuple[Decimal, Decimal]
    direction: str
    bands: tuple[Band, ...] = ()
    reliable_change: ReliableChange | None = None
    clinical_cutoff: ClinicalCutoff | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyRule:
    item: str
    above: Decimal
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RespondentFeedback:
    """Whether the person who answered may see their own scores, and the guidance behind it."""

    allowed: bool
    note: str


NO_FEEDBACK = RespondentFeedback(allowed=False, note="The definition does not say that scores may be shown.")


@dataclass(frozen=True, slots=True, kw_only=True)
class Instrument:
    code: str
    version: int
    name: str
    short_name: str
    description: str
    respondent: str
    licence: Licence
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    scoring_version: int
    response_sets: Mapping[str, tuple[ResponseOption, ...]] = field(default_factory=dict, hash=False)
    recall_period: str | None = None
    instructions: str = ""
    own_measure: bool = False
    safety: tuple[SafetyRule, ...] = ()
    respondent_feedback: RespondentFeedback = NO_FEEDBACK

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def scale(self, code: str) -> Scale:
        for scale in self.scales:
            if scale.code == code:
                return scale
        raise KeyError(code)


# ---------------------------------------------------------------------------------------
# Arithmetic shared with the scoring engine


def round_half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact value to ``places`` decimals, halves away from zero (Decimal's ROUND_HALF_UP)."""
    scaled = abs(value) * 10**places
    whole = math.floor(scaled + Fraction(1, 2))
    rounded = Decimal(whole).scaleb(-places)
    return -rounded if value < 0 else rounded


def exact_decimal(value: Fraction) -> Decimal:
    """The Decimal equal to ``value``, which must have a finite decimal expansion."""
    for places in range(29):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return Decimal(scaled.numerator).scaleb(-places)
    raise ValueError(f"{value} has no short exact decimal form")


def item_bounds(item: Item) -> tuple[Decimal, Decimal]:
    """The lowest and highest value an answer to ``item`` can take (before any reversal)."""
    if item.kind == "choice":
        values = [option.value for option in item.options]
        return min(values), max(values)
    assert item.min is not None and item.max is not None  # noqa: S101 - parse guarantees it
    return item.min, item.max


def scored_bounds(item: Item, rule: ScoringRule) -> tuple[Decimal, Decimal]:
    """The bounds of ``item`` as the rule sees it, after reverse scoring."""
    lowest, highest = item_bounds(item)
    if not item.reverse:
        return lowest, highest
    low, high = rule.reverse_from if rule.reverse_from is not None else (lowest, highest)
    return low + high - highest, low + high - lowest


def rule_decimals(rule: ScoringRule, *, prorated: bool) -> int | None:
    """How many decimals the rule's result keeps; None when it stays exact (a complete sum)."""
    if rule.decimals is not None:
        return rule.decimals
    if rule.type == "mean" or prorated:
        return DEFAULT_DECIMALS
    return None


# ---------------------------------------------------------------------------------------
# Parsing


def parse(data: Mapping[str, Any]) -> Instrument:
    """Validate one ``peerpath-instrument`` v1 document and return it as frozen dataclasses."""
    return _Parser(data).instrument()


def load_file(path: str | Path) -> Instrument:
    """Read and parse one instrument file (numbers read as Decimal, so 9.51 stays 9.51)."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle, parse_float=Decimal)
    except (OSError, ValueError) as error:
        raise DefinitionError(f"{path.name}: cannot be read as JSON ({error})") from error
    if not isinstance(data, dict):
        raise DefinitionError(f"{path.name}: must hold one JSON object")
    return parse(data)


def shipped(directory: Path = INSTRUMENTS_DIR) -> list[Instrument]:
    """Every instrument file shipped in the repository, in file-name order.

    Two files may not define the same code and version: a change is a new version.
    """
    instruments: list[Instrument] = []
    seen: dict[tuple[str, int], str] = {}
    for path in sorted(directory.glob("*.json")):
        instrument = load_file(path)
        key = (instrument.code, instrument.version)
        if key in seen:
            raise DefinitionError(
                f"{instrument.code}: version {instrument.version} is defined twice ({seen[key]} and {path.name})"
            )
        seen[key] = path.name
        instruments.append(instrument)
    return instruments


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return False


def _to_decimal(value: int | float | Decimal) -> Decimal:
    # str() first: Decimal(0.1) would keep the binary float's error.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # noqa: S101 - finite by construction
    return max(0, -exponent)


class _Parser:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        code = data.get("code") if isinstance(data, Mapping) else None
        self.label = code if isinstance(code, str) and _CODE.match(code) else "instrument"

    def fail(self, path: str, problem: str) -> NoReturn:
        raise DefinitionError(f"{self.label}: {path} {problem}" if path else f"{self.label}: {problem}")

    # -- generic readers ----------------------------------------------------------------

    def mapping(self, value: object, path: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(path, "must be an object")
        return value

    def keys(self, obj: Mapping[str, Any], path: str, required: Sequence[str], optional: Sequence[str] = ()) -> None:
        for key in required:
            if key not in obj:
                self.fail(_join(path, key), "is required")
        for key in obj:
            if key not in required and key not in optional:
                self.fail(_join(path, str(key)), "is not a known key")

    def text(self, value: object, path: str, *, empty: bool = False) -> str:
        if not isinstance(value, str) or (not empty and not value.strip()):
            self.fail(path, "must be a string" if empty else "must be a non-empty string")
        return value

    def optional_text(self, value: object, path: str) -> str | None:
        return None if value is None else self.text(value, path)

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, "must be true or false")
        return value

    def whole(self, value: object, path: str, *, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            wording = "a positive whole number" if minimum == 1 else f"a whole number >= {minimum}"
            self.fail(path, f"must be {wording}")
        return value

    def number(self, value: object, path: str) -> Decimal:
        if not _is_number(value):
            self.fail(path, "must be a number")
        assert isinstance(value, int | float | Decimal)  # noqa: S101 - _is_number checked it
        return _to_decimal(value)

    def choice(self, value: object, path: str, allowed: Sequence[str]) -> str:
        if value not in allowed:
            self.fail(path, "must be one of " + ", ".join(f'"{a}"' for a in allowed))
        assert isinstance(value, str)  # noqa: S101 - allowed holds strings only
        return value

    def identifier(self, value: object, path: str, pattern: re.Pattern[str] = _IDENTIFIER) -> str:
        if not isinstance(value, str) or not pattern.match(value):
            self.fail(path, "must be an identifier (letters, digits, '_', '-')")
        return value

    def listing(self, value: object, path: str, *, empty: bool = False) -> list[Any]:
        if not isinstance(value, list) or (not empty and not value):
            self.fail(path, "must be a list" if empty else "must be a non-empty list")
        return value

    def pair(self, value: object, path: str) -> tuple[Decimal, Decimal]:
        if not isinstance(value, list) or len(value) != 2:
            self.fail(path, "must be a list of two numbers [lowest, highest]")
        low = self.number(value[0], f"{path}[0]")
        high = self.number(value[1], f"{path}[1]")
        if low > high:
            self.fail(path, "must not have its lowest above its highest")
        return low, high

    # -- the document -------------------------------------------------------------------

    def instrument(self) -> Instrument:
        data = self.data
        if not isinstance(data, Mapping):
            self.fail("", "an instrument document must be a JSON object")
        if data.get("format") != FORMAT:
            self.fail("format", f'must be "{FORMAT}"')
        format_version = data.get("format_version")
        if isinstance(format_version, bool) or format_version != FORMAT_VERSION:
            self.fail("format_version", f"must be {FORMAT_VERSION} (this reader knows no other)")
        self.keys(
            data,
            "",
            required=(
                "format",
                "format_version",
                "code",
                "version",
                "name",
                "short_name",
                "description",
                "respondent",
                "licence",
                "response_sets",
                "items",
                "scales",
                "scoring_version",
            ),
            optional=("recall_period", "instructions", "own_measure", "safety", "respondent_feedback"),
        )
        code = self.identifier(data["code"], "code", _CODE)
        licence = self.licence(data["licence"])
        instructions = self.text(data.get("instructions", ""), "instructions", empty=True)
        if instructions and not licence.ships_text:
            self.fail("instructions", "must be empty when licence.ships_text is false")
        response_sets = self.response_sets(data["response_sets"], licence)
        items = self.items(data["items"], response_sets, licence)
        by_id = {item.id: item for item in items}
        scales = self.scales(data["scales"], by_id)
        safety = self.safety(data.get("safety", []), by_id)
        return Instrument(
            code=code,
            version=self.whole(data["version"], "version", minimum=1),
            name=self.text(data["name"], "name"),
            short_name=self.text(data["short_name"], "short_name"),
            description=self.text(data["description"], "description"),
            respondent=self.choice(data["respondent"], "respondent", RESPONDENTS),
            recall_period=self.optional_text(data.get("recall_period"), "recall_period"),
            instructions=instructions,
            licence=licence,
            own_measure=self.boolean(data.get("own_measure", False), "own_measure"),
            response_sets=MappingProxyType(response_sets),
            items=items,
            scales=scales,
            safety=safety,
            respondent_feedback=self.respondent_feedback(data.get("respondent_feedback")),
            scoring_version=self.whole(data["scoring_version"], "scoring_version", minimum=1),
        )

    def licence(self, value: object) -> Licence:
        obj = self.mapping(value, "licence")
        self.keys(obj, "licence", required=("class", "ships_text", "attribution", "source", "decision"))
        return Licence(
            class_=self.choice(obj["class"], "licence.class", LICENCE_CLASSES),
            ships_text=self.boolean(obj["ships_text"], "licence.ships_text"),
            attribution=self.text(obj["attribution"], "licence.attribution", empty=True),
            source=self.text(obj["source"], "licence.source", empty=True),
            decision=self.text(obj["decision"], "licence.decision"),
        )

    def response_sets(self, value: object, licence: Licence) -> dict[str, tuple[ResponseOption, ...]]:
        obj = self.mapping(value, "response_sets")
        sets: dict[str, tuple[ResponseOption, ...]] = {}
        for name, options in obj.items():
            path = f"response_sets.{name}"
            self.identifier(name, path)
            parsed: list[ResponseOption] = []
            for index, option in enumerate(self.listing(options, path)):
                at = f"{path}[{index}]"
                option_obj = self.mapping(option, at)
                self.keys(option_obj, at, required=("value", "label"))
                number = self.number(option_obj["value"], f"{at}.value")
                if any(existing.value == number for existing in parsed):
                    self.fail(f"{at}.value", f"repeats the value {number}")
                label = self.optional_text(option_obj["label"], f"{at}.label")
                if label is not None and not licence.ships_text:
                    self.fail(f"{at}.label", "must be null when licence.ships_text is false")
                parsed.append(ResponseOption(value=number, label=label))
            sets[name] = tuple(parsed)
        return sets

    def items(
        self, value: object, response_sets: Mapping[str, tuple[ResponseOption, ...]], licence: Licence
    ) -> tuple[Item, ...]:
        items: list[Item] = []
        for index, raw in enumerate(self.listing(value, "items")):
            at = f"items[{index}]"
            obj = self.mapping(raw, at)
            kind = self.choice(obj.get("kind"), f"{at}.kind", ITEM_KINDS)
            common = ("id", "number", "text", "kind", "required", "reverse")
            if kind == "choice":
                self.keys(obj, at, required=(*common, "response_set"), optional=("unit",))
            else:
                self.keys(obj, at, required=(*common, "min", "max", "step"), optional=("unit",))
            item_id = self.identifier(obj["id"], f"{at}.id")
            if any(item.id == item_id for item in items):
                self.fail(f"{at}.id", f'repeats the item id "{item_id}"')
            number = obj["number"]
            if not (isinstance(number, str) and number.strip()) and (
                isinstance(number, bool) or not isinstance(number, int) or number < 1
            ):
                self.fail(f"{at}.number", "must be a positive whole number or a non-empty string")
            text = self.optional_text(obj["text"], f"{at}.text")
            if text is not None and not licence.ships_text:
                self.fail(
                    f"{at}.text", "must be null when licence.ships_text is false (licensed wording is never shipped)"
                )
            if text is None and licence.ships_text:
                self.fail(f"{at}.text", "must be given when licence.ships_text is true")
            fields: dict[str, Any] = {}
            if kind == "choice":
                set_name = obj["response_set"]
                if not isinstance(set_name, str) or set_name not in response_sets:
                    self.fail(f"{at}.response_set", f"names a response set that does not exist: {set_name!r}")
                fields = {"response_set": set_name, "options": response_sets[set_name]}
            else:
                low = self.number(obj["min"], f"{at}.min")
                high = self.number(obj["max"], f"{at}.max")
                step = self.number(obj["step"], f"{at}.step")
                if low > high:
                    self.fail(f"{at}.min", f"must not be greater than max ({low} > {high})")
                if step <= 0:
                    self.fail(f"{at}.step", "must be greater than 0")
                if (high - low) % step != 0:
                    self.fail(f"{at}.max", "must be min plus a whole number of steps")
                fields = {"min": low, "max": high, "step": step}
            items.append(
                Item(
                    id=item_id,
                    number=number,
                    text=text,
                    kind=kind,
                    required=self.boolean(obj["required"], f"{at}.required"),
                    reverse=self.boolean(obj["reverse"], f"{at}.reverse"),
                    unit=self.optional_text(obj.get("unit"), f"{at}.unit"),
                    **fields,
                )
            )
        return tuple(items)

    def scales(self, value: object, by_id: Mapping[str, Item]) -> tuple[Scale, ...]:
        scales: list[Scale] = []
        for index, raw in enumerate(self.listing(value, "scales", empty=True)):
            at = f"scales[{index}]"
            obj = self.mapping(raw, at)
            self.keys(
                obj,
                at,
                required=("code", "name", "items", "rule", "range", "direction"),
                optional=("bands", "reliable_change", "clinical_cutoff"),
            )
            code = self.identifier(obj["code"], f"{at}.code")
            if any(scale.code == code for scale in scales):
                self.fail(f"{at}.code", f'repeats the scale code "{code}"')
            item_ids: list[str] = []
            for position, item_id in enumerate(self.listing(obj["items"], f"{at}.items")):
                if not isinstance(item_id, str) or item_id not in by_id:
                    self.fail(f"{at}.items[{position}]", f"names an unknown item id: {item_id!r}")
                if item_id in item_ids:
                    self.fail(f"{at}.items[{position}]", f'repeats the item "{item_id}"')
                item_ids.append(item_id)
            items = [by_id[item_id] for item_id in item_ids]
            rule = self.rule(obj["rule"], f"{at}.rule", items)
            declared = self.pair(obj["range"], f"{at}.range")
            possible = _possible_range(items, rule)
            if declared[0] != possible[0] or declared[1] != possible[1]:
                self.fail(
                    f"{at}.range",
                    f"must be [{_show(possible[0])}, {_show(possible[1])}],"
                    " the lowest and highest score its rule can give",
                )
            bands = self.bands(obj.get("bands", []), f"{at}.bands", declared)
            reliable_change = None
            if "reliable_change" in obj:
                reliable_change = self.reliable_change(obj["reliable_change"], f"{at}.reliable_change")
            cutoff = None
            if "clinical_cutoff" in obj:
                cutoff = self.clinical_cutoff(obj["clinical_cutoff"], f"{at}.clinical_cutoff", declared)
            scales.append(
                Scale(
                    code=code,
                    name=self.text(obj["name"], f"{at}.name"),
                    items=tuple(item_ids),
                    rule=rule,
                    range=declared,
                    direction=self.choice(obj["direction"], f"{at}.direction", DIRECTIONS),
                    bands=bands,
                    reliable_change=reliable_change,
                    clinical_cutoff=cutoff,
                )
            )
        return tuple(scales)

    def rule(self, value: object, at: str, items: Sequence[Item]) -> ScoringRule:
        obj = self.mapping(value, at)
        self.keys(obj, at, required=("type", "missing"), optional=("reverse_from", "conversion", "decimals"))
        rule_type = self.choice(obj["type"], f"{at}.type", RULE_TYPES)
        missing = self.missing(obj["missing"], f"{at}.missing", len(items))
        reverse_from = None
        if "reverse_from" in obj:
            reverse_from = self.pair(obj["reverse_from"], f"{at}.reverse_from")
            for item in items:
                low, high = item_bounds(item)
                if item.reverse and (low < reverse_from[0] or high > reverse_from[1]):
                    self.fail(f"{at}.reverse_from", f'must include every value of the reversed item "{item.id}"')
        decimals = None
        if "decimals" in obj:
            decimals = self.whole(obj["decimals"], f"{at}.decimals", minimum=0)
        rule = ScoringRule(type=rule_type, missing=missing, reverse_from=reverse_from, decimals=decimals)
        if missing.type == "prorate" and len({scored_bounds(item, rule) for item in items}) > 1:
            self.fail(
                f"{at}.missing",
                "can prorate only items that share the same lowest and highest value (after reversal)",
            )
        if "conversion" in obj:
            if rule_type != "sum":
                self.fail(f"{at}.conversion", "converts whole raw sums, so it needs a sum rule")
            table = self.conversion(obj["conversion"], f"{at}.conversion", items, rule)
            rule = ScoringRule(
                type=rule_type,
                missing=missing,
                reverse_from=reverse_from,
                conversion=MappingProxyType(table),
                decimals=decimals,
            )
        return rule

    def missing(self, value: object, at: str, item_count: int) -> MissingRule:
        obj = self.mapping(value, at)
        missing_type = self.choice(obj.get("type"), f"{at}.type", MISSING_TYPES)
        if missing_type == "complete_only":
            self.keys(obj, at, required=("type",))
            return MissingRule(type=missing_type)
        self.keys(obj, at, required=("type", "max_missing"))
        max_missing = self.whole(obj["max_missing"], f"{at}.max_missing", minimum=0)
        if max_missing >= item_count:
            self.fail(f"{at}.max_missing", f"must be less than the number of items ({item_count})")
        return MissingRule(type=missing_type, max_missing=max_missing)

    def conversion(self, value: object, at: str, items: Sequence[Item], rule: ScoringRule) -> dict[int, Decimal]:
        obj = self.mapping(value, at)
        table: dict[int, Decimal] = {}
        for key, converted in obj.items():
            if not isinstance(key, str) or not _WHOLE.match(key):
                self.fail(f"{at}.{key}", "must be keyed by a whole raw sum")
            table[int(key)] = self.number(converted, f"{at}.{key}")
        low, high = _raw_sum_bounds(items, rule)
        needed = range(int(round_half_up(Fraction(low), 0)), int(round_half_up(Fraction(high), 0)) + 1)
        absent = [raw for raw in needed if raw not in table]
        if absent:
            self.fail(at, f"must cover every possible raw sum {needed.start}..{needed.stop - 1}; missing {absent}")
        extra = sorted(raw for raw in table if raw not in needed)
        if extra:
            self.fail(
                at, f"has raw sums that cannot occur ({extra}); possible sums are {needed.start}..{needed.stop - 1}"
            )
        return dict(sorted(table.items()))

    def bands(self, value: object, at: str, declared: tuple[Decimal, Decimal]) -> tuple[Band, ...]:
        bands: list[Band] = []
        for index, raw in enumerate(self.listing(value, at, empty=True)):
            path = f"{at}[{index}]"
            obj = self.mapping(raw, path)
            self.keys(obj, path, required=("from", "to", "label"))
            low = self.number(obj["from"], f"{path}.from")
            high = self.number(obj["to"], f"{path}.to")
            if low > high:
                self.fail(f"{path}.from", f"must not be greater than to ({low} > {high})")
            if bands:
                previous = bands[-1]
                if low <= previous.to:
                    self.fail(f"{path}.from", f"overlaps {at}[{index - 1}] (which runs to {previous.to})")
                # Adjacent at the precision the bands are written in: 0-4 then 5-9, or 0-4.99 then 5.
                unit = Decimal(1).scaleb(-max(_places(previous.to), _places(low)))
                if low - previous.to > unit:
                    self.fail(f"{path}.from", f"leaves a gap after {at}[{index - 1}] (which runs to {previous.to})")
            bands.append(Band(from_=low, to=high, label=self.text(obj["label"], f"{path}.label")))
        if bands:
            if bands[0].from_ != declared[0]:
                self.fail(f"{at}[0].from", f"must start at the lowest score of the range ({declared[0]})")
            if bands[-1].to != declared[1]:
                self.fail(f"{at}[{len(bands) - 1}].to", f"must end at the highest score of the range ({declared[1]})")
        return tuple(bands)

    def reliable_change(self, value: object, at: str) -> ReliableChange:
        obj = self.mapping(value, at)
        self.keys(obj, at, required=("sd", "reliability", "source"))
        sd = self.number(obj["sd"], f"{at}.sd")
        if sd <= 0:
            self.fail(f"{at}.sd", "must be greater than 0")
        reliability = self.number(obj["reliability"], f"{at}.reliability")
        if not 0 < reliability < 1:
            self.fail(f"{at}.reliability", "must be between 0 and 1 (exclusive)")
        return ReliableChange(sd=sd, reliability=reliability, source=self.text(obj["source"], f"{at}.source"))

    def clinical_cutoff(self, value: object, at: str, declared: tuple[Decimal, Decimal]) -> ClinicalCutoff:
        obj = self.mapping(value, at)
        self.keys(obj, at, required=("value", "source"))
        cutoff = self.number(obj["value"], f"{at}.value")
        if not declared[0] <= cutoff <= declared[1]:
            self.fail(f"{at}.value", f"must lie within the scale's range [{declared[0]}, {declared[1]}]")
        return ClinicalCutoff(value=cutoff, source=self.text(obj["source"], f"{at}.source"))

    def respondent_feedback(self, value: object) -> RespondentFeedback:
        if value is None:
            return NO_FEEDBACK
        obj = self.mapping(value, "respondent_feedback")
        self.keys(obj, "respondent_feedback", required=("allowed", "note"))
        return RespondentFeedback(
            allowed=self.boolean(obj["allowed"], "respondent_feedback.allowed"),
            note=self.text(obj["note"], "respondent_feedback.note"),
        )

    def safety(self, value: object, by_id: Mapping[str, Item]) -> tuple[SafetyRule, ...]:
        rules: list[SafetyRule] = []
        for index, raw in enumerate(self.listing(value, "safety", empty=True)):
            at = f"safety[{index}]"
            obj = self.mapping(raw, at)
            self.keys(obj, at, required=("item", "above", "message"))
            item_id = obj["item"]
            if not isinstance(item_id, str) or item_id not in by_id:
                self.fail(f"{at}.item", f"names an unknown item id: {item_id!r}")
            above = self.number(obj["above"], f"{at}.above")
            low, high = item_bounds(by_id[item_id])
            if not low <= above < high:
                self.fail(f"{at}.above", f"must be at least {low} and below {high}, or no answer could trigger it")
            rules.append(SafetyRule(item=item_id, above=above, message=self.text(obj["message"], f"{at}.message")))
        return tuple(rules)


def _show(value: Decimal) -> str:
    """A number as people write it: 9 rather than 9.00."""
    return format(value.normalize(), "f")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _raw_sum_bounds(items: Sequence[Item], rule: ScoringRule) -> tuple[Decimal, Decimal]:
    bounds = [scored_bounds(item, rule) for item in items]
    return sum((low for low, _ in bounds), Decimal(0)), sum((high for _, high in bounds), Decimal(0))


def _possible_range(items: Sequence[Item], rule: ScoringRule) -> tuple[Decimal, Decimal]:
    """The lowest and highest score ``rule`` can give over ``items`` (what ``range`` must say)."""
    low, high = (Fraction(bound) for bound in _raw_sum_bounds(items, rule))
    if rule.conversion is not None:
        needed = range(int(round_half_up(low, 0)), int(round_half_up(high, 0)) + 1)
        converted = [rule.conversion[raw] for raw in needed]
        lowest, highest = min(converted), max(converted)
        if rule.decimals is not None:
            return round_half_up(Fraction(lowest), rule.decimals), round_half_up(Fraction(highest), rule.decimals)
        return lowest, highest
    if rule.type == "mean":
        low, high = low / len(items), high / len(items)
    places = rule_decimals(rule, prorated=rule.missing.type == "prorate")
    if places is None:
        return exact_decimal(low), exact_decimal(high)
    return round_half_up(low, places), round_half_up(high, places)
