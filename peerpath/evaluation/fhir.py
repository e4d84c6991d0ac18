"""FHIR R4 Questionnaire and QuestionnaireResponse resources for instrument versions (ADR 017).

Pure functions over the instrument dataclasses (``definitions.Instrument``) and plain
values: no database, no request. They return dicts ready for ``json.dumps``, so numbers are
``int`` or ``float`` (never ``Decimal``): a whole value becomes an ``int``, anything else a
``float`` that is checked to read back as the same decimal (2.5 stays 2.5, 9.51 stays 9.51).

Every URL PeerPath mints lives under the site's address (``base_url``, normally
``settings.PEERPATH_SITE_URL``), because an instrument version is the site's: an
administrator can publish a "phq9" version 2 on one site that no other site has.

- Questionnaire ``<base_url>/fhir/Questionnaire/<code>-v<version>``;
- answer values ``<base_url>/fhir/CodeSystem/<code>-v<version>-<response set>``, code = the
  value as written in the instrument file ("0", "1", "2.5");
- scores ``<base_url>/fhir/StructureDefinition/scale-score`` (a complex extension on the
  QuestionnaireResponse, one per scored scale).

Licensed wording is never emitted from the repository: an item whose licence does not ship
its text has no ``text`` unless the caller passes the site's locally installed wording.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from peerpath.evaluation.definitions import Instrument, Item, exact_decimal
from peerpath.evaluation.scoring import Answer, ScaleScore, check_answers

QUESTIONNAIRE_STATUSES = ("draft", "active", "retired", "unknown")
RESPONSE_STATUSES = ("in-progress", "completed")

# Core R4 extensions for the bounds of an integer or decimal question (and its precision).
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
MAX_DECIMAL_PLACES = "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces"

# Item ids must start with a letter or digit (definitions._IDENTIFIER), so this cannot clash.
INSTRUCTIONS_LINK_ID = "_instructions"

# Whose answers they are: see ADR 017 for why a carer is a Patient here.
SUBJECT_TYPES = {"carer": "Patient", "carer_about_cared_for": "Patient", "college": "Organization"}

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_QUESTIONNAIRE_ID = re.compile(r"^(?P<code>[a-z0-9][a-z0-9.-]*)-v(?P<version>[1-9][0-9]*)$")
_WORD = re.compile(r"[A-Za-z0-9]+")


# ---------------------------------------------------------------------------------------
# Identifiers and URLs


def questionnaire_id(instrument: Instrument) -> str:
    """The FHIR id of an instrument version: ``<code>-v<version>`` ("phq9-v1").

    A FHIR id allows letters, digits, "-" and "." only, so an "_" in a code becomes "."
    (which no code may contain, so two codes never share an id).
    """
    value = f"{instrument.code.replace('_', '.')}-v{instrument.version}"
    if not _FHIR_ID.match(value):
        raise ValueError(f"{instrument.code}: {value!r} is longer than a FHIR id may be (64 characters)")
    return value


def parse_questionnaire_id(value: str) -> tuple[str, int]:
    """The instrument code and version a Questionnaire id names; ValueError if it names none."""
    match = _QUESTIONNAIRE_ID.match(value)
    if match is None or len(value) > 64:
        raise ValueError(f"{value!r} is not a PeerPath Questionnaire id (<code>-v<version>)")
    return match["code"].replace(".", "_"), int(match["version"])


def questionnaire_url(instrument: Instrument, *, base_url: str) -> str:
    """The Questionnaire's canonical URL on this site."""
    return f"{_site(base_url)}/fhir/Questionnaire/{questionnaire_id(instrument)}"


def answer_system(instrument: Instrument, response_set: str, *, base_url: str) -> str:
    """The code system of one response set's answer values, for this instrument version.

    One system per response set, not per instrument: PHQ-9's "0" is "Not at all" for the
    nine symptom items and "Not difficult at all" for the difficulty item.
    """
    return f"{_site(base_url)}/fhir/CodeSystem/{questionnaire_id(instrument)}-{response_set}"


def score_extension_url(*, base_url: str) -> str:
    """The URL of PeerPath's scale-score extension on a QuestionnaireResponse."""
    return f"{_site(base_url)}/fhir/StructureDefinition/scale-score"


def subject_type(instrument: Instrument) -> str:
    """The FHIR resource type the answers are about (the Questionnaire's ``subjectType``)."""
    return SUBJECT_TYPES[instrument.respondent]


def fhir_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: an int when whole, else a float that reads back exactly."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) != value:
        raise ValueError(f"{value} cannot be written as a JSON number without losing precision")
    return as_float


# ---------------------------------------------------------------------------------------
# Questionnaire


def questionnaire(
    instrument: Instrument,
    *,
    base_url: str,
    status: str = "active",
    wording: Mapping[str, str] | None = None,
    local_instructions: str = "",
    local_labels: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The instrument version as a FHIR R4 Questionnaire.

    ``wording`` is a site's locally installed item text, keyed by item id, for an
    instrument whose licence does not ship it; ``local_instructions`` and ``local_labels``
    (response set name -> one label per option, in order) are the rest of that local
    wording (``wording.Wording``). Shipped text always wins (it is the instrument itself).
    Without either, an item has no ``text`` and an option no ``display``: the form's
    structure, values and bounds still travel, as they do in PeerPath (bring your own wording).
    """
    if status not in QUESTIONNAIRE_STATUSES:
        raise ValueError(f"status must be one of {', '.join(QUESTIONNAIRE_STATUSES)}, not {status!r}")
    wording = wording or {}
    local_labels = local_labels or {}
    unknown = sorted(set(wording) - {item.id for item in instrument.items})
    if unknown:
        raise ValueError(f"{instrument.code}: the local wording names items this version does not have: {unknown}")
    for name, labels in local_labels.items():
        options = instrument.response_sets.get(name)
        if options is None or len(labels) != len(options):
            raise ValueError(f"{instrument.code}: the local labels of {name!r} do not match its options")

    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(instrument),
        "url": questionnaire_url(instrument, base_url=base_url),
        "version": str(instrument.version),
        "name": _computable_name(instrument.short_name),
        "title": instrument.name,
        "status": status,
        "subjectType": [subject_type(instrument)],
        "description": instrument.description,
    }
    if instrument.licence.attribution.strip():
        resource["copyright"] = instrument.licence.attribution
    items: list[dict[str, Any]] = []
    preamble = _preamble(instrument, local_instructions)
    if preamble:
        items.append({"linkId": INSTRUCTIONS_LINK_ID, "text": preamble, "type": "display"})
    items.extend(
        _question(instrument, item, wording.get(item.id), local_labels.get(item.response_set or ""), base_url=base_url)
        for item in instrument.items
    )
    resource["item"] = items
    return resource


def _question(
    instrument: Instrument,
    item: Item,
    local_text: str | None,
    local_labels: Sequence[str] | None,
    *,
    base_url: str,
) -> dict[str, Any]:
    question: dict[str, Any] = {"linkId": item.id, "prefix": str(item.number)}
    text = item.text if item.text is not None else local_text
    if text is not None and text.strip():
        question["text"] = text
    question["type"] = _item_type(item)
    question["required"] = item.required
    if item.kind == "choice":
        assert item.response_set is not None  # noqa: S101 - parse guarantees it for a choice item
        system = answer_system(instrument, item.response_set, base_url=base_url)
        labels = [
            option.label if option.label is not None else (local_labels[index] if local_labels else None)
            for index, option in enumerate(item.options)
        ]
        question["answerOption"] = [
            {"valueCoding": _coding(system, option.value, label)}
            for option, label in zip(item.options, labels, strict=True)
        ]
        return question
    assert item.min is not None and item.max is not None and item.step is not None  # noqa: S101 - parse
    value_key = "valueInteger" if question["type"] == "integer" else "valueDecimal"
    question["extension"] = [
        {"url": MIN_VALUE, value_key: fhir_number(item.min)},
        {"url": MAX_VALUE, value_key: fhir_number(item.max)},
    ]
    if question["type"] == "decimal":
        places = max(_places(item.min), _places(item.max), _places(item.step))
        question["extension"].append({"url": MAX_DECIMAL_PLACES, "valueInteger": places})
    return question


def _item_type(item: Item) -> str:
    if item.kind == "choice":
        return "choice"
    if item.kind == "number" and all(_is_whole(bound) for bound in (item.min, item.max, item.step)):
        return "integer"
    return "decimal"


def _preamble(instrument: Instrument, local_instructions: str = "") -> str:
    """The recall period and instructions as one display text (the period once, not twice)."""
    recall = (instrument.recall_period or "").strip()
    instructions = instrument.instructions.strip() or local_instructions.strip()
    if recall and instructions and recall.casefold() not in instructions.casefold():
        return f"{recall}. {instructions}"
    return instructions or recall


def _computable_name(short_name: str) -> str:
    """A name tools can use as an identifier (FHIR inv-0): "PHQ-9" -> "PHQ9"."""
    name = "".join(word[0].upper() + word[1:] for word in _WORD.findall(short_name))
    return name if name[:1].isalpha() else f"Q{name}"


# ---------------------------------------------------------------------------------------
# QuestionnaireResponse


def questionnaire_response(
    instrument: Instrument,
    *,
    response_id: str | UUID,
    questionnaire_url: str,
    subject_reference: str | None,
    status: str,
    authored: datetime,
    answers: Mapping[str, Answer],
    scores: Mapping[str, ScaleScore | None] | None = None,
    source_reference: str | None = None,
) -> dict[str, Any]:
    """Answers to one instrument version as a FHIR R4 QuestionnaireResponse.

    Items follow the instrument's order and are linked to the Questionnaire by ``linkId``;
    an unanswered item (None or absent) is left out. Answers are checked as the scoring
    engine checks them (``ScoringError`` for an unknown item or a value the item does not
    allow), never clamped. ``questionnaire_url`` must be this instrument version's
    Questionnaire URL; the site address in it makes the answer systems and the identifier.

    ``subject_reference`` ("Patient/<id>", "Organization/<id>") is whom the answers are
    about; None when PeerPath holds no record of them (a cared-for person who has not
    consented to a link). ``source_reference`` is who answered, when that is someone else.
    ``scores`` (``scoring.score_all``'s result) travel as one scale-score extension each;
    a scale that could not be scored is left out.

    Caveat: required items are not checked here (``responses.submit`` refuses a blank one,
    so a stored complete response has them); the HL7 validator would flag a "completed"
    resource without them, fhir.resources does not.
    """
    if status not in RESPONSE_STATUSES:
        raise ValueError(f"status must be one of {', '.join(RESPONSE_STATUSES)}, not {status!r}")
    if authored.tzinfo is None or authored.utcoffset() is None:
        raise ValueError("authored must be an aware datetime")
    identifier = str(response_id)
    if not _FHIR_ID.match(identifier):
        raise ValueError(f"{identifier!r} cannot be a FHIR id (letters, digits, '-' and '.'; at most 64)")
    base_url = _site_of(instrument, questionnaire_url)

    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": identifier,
        "identifier": {"system": f"{base_url}/fhir/QuestionnaireResponse", "value": identifier},
        "questionnaire": questionnaire_url,
        "status": status,
    }
    if subject_reference is not None:
        resource["subject"] = {"reference": _checked_reference(subject_reference, (subject_type(instrument),))}
    resource["authored"] = authored.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if source_reference is not None:
        allowed = ("Patient", "RelatedPerson", "Practitioner", "PractitionerRole")
        resource["source"] = {"reference": _checked_reference(source_reference, allowed)}
    extensions = _score_extensions(instrument, scores or {}, base_url=base_url)
    if extensions:
        resource["extension"] = extensions

    checked = check_answers(instrument, answers)
    items = []
    for item in instrument.items:
        value = checked[item.id]
        if value is not None:
            answer = _answer(instrument, item, exact_decimal(value), base_url=base_url)
            items.append({"linkId": item.id, "answer": [answer]})
    if items:
        resource["item"] = items
    return resource


def _answer(instrument: Instrument, item: Item, value: Decimal, *, base_url: str) -> dict[str, Any]:
    kind = _item_type(item)
    if kind == "choice":
        assert item.response_set is not None  # noqa: S101 - parse guarantees it for a choice item
        option = next(option for option in item.options if option.value == value)
        system = answer_system(instrument, item.response_set, base_url=base_url)
        return {"valueCoding": _coding(system, option.value, option.label)}
    if kind == "integer":
        return {"valueInteger": int(value)}
    return {"valueDecimal": fhir_number(value)}


def _score_extensions(
    instrument: Instrument, scores: Mapping[str, ScaleScore | None], *, base_url: str
) -> list[dict[str, Any]]:
    known = {scale.code for scale in instrument.scales}
    unknown = sorted(set(scores) - known)
    if unknown:
        raise ValueError(f"{instrument.code}: scores name scales this version does not have: {unknown}")
    extensions = []
    for scale in instrument.scales:
        score = scores.get(scale.code)
        if score is None:
            continue
        parts: list[dict[str, Any]] = [
            {"url": "scale", "valueCode": scale.code},
            {"url": "value", "valueDecimal": fhir_number(score.value)},
        ]
        if scale.rule.conversion is not None:
            parts.append({"url": "raw", "valueDecimal": fhir_number(score.raw)})
        if score.band is not None:
            parts.append({"url": "band", "valueString": score.band})
        parts.append({"url": "prorated", "valueBoolean": score.prorated})
        parts.append({"url": "scoringVersion", "valueInteger": score.scoring_version})
        extensions.append({"url": score_extension_url(base_url=base_url), "extension": parts})
    return extensions


# ---------------------------------------------------------------------------------------
# Shared helpers


def _coding(system: str, value: Decimal, label: str | None) -> dict[str, str]:
    coding = {"system": system, "code": _code(value)}
    if label is not None:
        coding["display"] = label
    return coding


def _code(value: Decimal) -> str:
    """An answer value as a code, as people write it: "2", not "2.0" or "2E+0"."""
    return format(value.normalize(), "f") if value else "0"


def _site(base_url: str) -> str:
    site = base_url.rstrip("/")
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", site):
        raise ValueError(f"base_url must be an http(s) address, not {base_url!r}")
    return site


def _site_of(instrument: Instrument, url: str) -> str:
    """The site address in this instrument version's Questionnaire URL; ValueError for any other URL."""
    suffix = f"/fhir/Questionnaire/{questionnaire_id(instrument)}"
    if not url.endswith(suffix):
        raise ValueError(f"{url!r} is not the Questionnaire URL of {instrument.code} version {instrument.version}")
    return _site(url.removesuffix(suffix))


def _checked_reference(reference: str, types: tuple[str, ...]) -> str:
    resource_type, _, resource_id = reference.partition("/")
    if resource_type not in types or not _FHIR_ID.match(resource_id):
        raise ValueError(f"{reference!r} must be a reference <type>/<id> with type {' or '.join(types)}")
    return reference


def _is_whole(value: Decimal | None) -> bool:
    return value is not None and value == value.to_integral_value()


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # noqa: S101 - finite by construction
    return max(0, -exponent)
