"""FHIR R4 Questionnaire and QuestionnaireResponse for every shipped instrument (ADR 017).

Checked by an independent library, ``fhir.resources`` (its R4B models, which match R4 for
Questionnaire and QuestionnaireResponse), and by the rules it does not check itself: the
codes of required value sets, linkIds, answer codes, licensed wording and number precision.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from peerpath.evaluation import fhir
from peerpath.evaluation.definitions import Instrument, parse, shipped
from peerpath.evaluation.scoring import ScoringError, score_all

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
BASE_URL = "https://college.example.org"
AUTHORED = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)

# The R4 (4.0.1) required value sets these resources use; fhir.resources does not check codes.
R4_ITEM_TYPES = {
    "group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string", "text", "url",
    "choice", "open-choice", "attachment", "reference", "quantity",
}  # fmt: skip
R4_PUBLICATION_STATUSES = {"draft", "active", "retired", "unknown"}
R4_RESPONSE_STATUSES = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}

SHIPPED = shipped()


def by_code(code: str) -> Instrument:
    return next(instrument for instrument in SHIPPED if instrument.code == code)


def read_fixture(instrument: Instrument) -> dict[str, Any]:
    path = FIXTURES_DIR / f"{instrument.code}.json"
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def first_complete_answers(instrument: Instrument) -> dict[str, Any]:
    """The first fixture case that answers every item (fixtures hold hand-worked cases)."""
    fixture = read_fixture(instrument)
    assert (fixture["instrument"], fixture["version"]) == (instrument.code, instrument.version)
    item_ids = {item.id for item in instrument.items}
    for case in fixture["cases"]:
        answers = case["answers"]
        if set(answers) == item_ids and all(value is not None for value in answers.values()):
            return answers
    raise AssertionError(f"{instrument.code}: no fixture case answers every item")


def all_fixture_cases() -> list[Any]:
    params = []
    for instrument in SHIPPED:
        fixture = json.loads(
            (FIXTURES_DIR / f"{instrument.code}.json").read_text(encoding="utf-8"), parse_float=Decimal
        )
        for case in fixture["cases"]:
            params.append(pytest.param(instrument, case["answers"], id=f"{instrument.code}/{case['name']}"))
    return params


def response_for(instrument: Instrument, answers: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "response_id": "3f2b8c1e-0d4a-4b6e-9a1f-2c7d5e8b9a01",
        "questionnaire_url": fhir.questionnaire_url(instrument, base_url=BASE_URL),
        "subject_reference": f"{fhir.subject_type(instrument)}/person-1",
        "status": "completed",
        "authored": AUTHORED,
        "answers": answers,
    }
    arguments.update(overrides)
    return fhir.questionnaire_response(instrument, **arguments)


def questions_by_link(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["linkId"]: item for item in resource["item"] if item["type"] != "display"}


def round_trip(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as a client reads it: through JSON text, numbers as JSON numbers."""
    return json.loads(json.dumps(resource))


def decimal_instrument() -> Instrument:
    """A hand-made instrument with half and quarter steps, to follow decimals through FHIR."""
    return parse(
        {
            "format": "peerpath-instrument",
            "format_version": 1,
            "code": "decimals_test",
            "version": 3,
            "name": "Decimal answers (test)",
            "short_name": "2 decimals",
            "description": "Made for this test.",
            "respondent": "carer",
            "licence": {"class": "own", "ships_text": True, "attribution": "", "source": "test", "decision": "test"},
            "response_sets": {},
            "items": [
                {
                    "id": "slider",
                    "number": 1,
                    "text": "How calm do you feel?",
                    "kind": "scale",
                    "min": 0,
                    "max": 10,
                    "step": Decimal("0.5"),
                    "required": True,
                    "reverse": False,
                },
                {
                    "id": "hours",
                    "number": "1a",
                    "text": "Hours of sleep",
                    "kind": "number",
                    "min": 0,
                    "max": 24,
                    "step": Decimal("0.25"),
                    "required": False,
                    "reverse": False,
                },
                {
                    "id": "count",
                    "number": 2,
                    "text": "Visits",
                    "kind": "number",
                    "min": 0,
                    "max": 9,
                    "step": 1,
                    "required": False,
                    "reverse": False,
                },
            ],
            "scales": [],
            "scoring_version": 1,
        }
    )


# ---------------------------------------------------------------------------------------
# Every shipped instrument


@pytest.mark.parametrize("instrument", SHIPPED, ids=lambda instrument: instrument.code)
def test_questionnaire_validates_for_every_shipped_instrument(instrument: Instrument) -> None:
    data = round_trip(fhir.questionnaire(instrument, base_url=BASE_URL + "/"))

    Questionnaire.model_validate(data)
    identifier = f"{instrument.code}-v{instrument.version}"
    assert data["id"] == identifier
    assert data["url"] == f"{BASE_URL}/fhir/Questionnaire/{identifier}"
    assert data["version"] == str(instrument.version)
    assert data["status"] in R4_PUBLICATION_STATUSES
    assert data["name"][0].isalpha() and data["name"].isalnum()
    assert data["copyright"] == instrument.licence.attribution
    assert {item["type"] for item in data["item"]} <= R4_ITEM_TYPES
    link_ids = [item["linkId"] for item in data["item"]]
    assert len(link_ids) == len(set(link_ids))
    assert list(questions_by_link(data)) == [item.id for item in instrument.items]


@pytest.mark.parametrize("instrument", SHIPPED, ids=lambda instrument: instrument.code)
def test_response_from_fixture_answers_validates_and_links_to_the_questionnaire(instrument: Instrument) -> None:
    answers = first_complete_answers(instrument)
    questions = questions_by_link(fhir.questionnaire(instrument, base_url=BASE_URL))

    data = round_trip(response_for(instrument, answers, scores=score_all(instrument, answers)))

    QuestionnaireResponse.model_validate(data)
    assert data["status"] in R4_RESPONSE_STATUSES
    assert data["questionnaire"] == fhir.questionnaire_url(instrument, base_url=BASE_URL)
    assert [item["linkId"] for item in data["item"]] == [item.id for item in instrument.items]
    for response_item in data["item"]:
        question = questions[response_item["linkId"]]
        [answer] = response_item["answer"]
        given = Decimal(str(answers[response_item["linkId"]]))
        if question["type"] == "choice":
            coding = answer["valueCoding"]
            options = [option["valueCoding"] for option in question["answerOption"]]
            assert (coding["system"], coding["code"]) in {(option["system"], option["code"]) for option in options}
            assert Decimal(coding["code"]) == given
        elif question["type"] == "integer":
            assert answer == {"valueInteger": int(given)}
        else:
            assert Decimal(str(answer["valueDecimal"])) == given


@pytest.mark.parametrize("instrument", SHIPPED, ids=lambda instrument: instrument.code)
def test_items_without_shipped_wording_carry_no_text(instrument: Instrument) -> None:
    questions = questions_by_link(fhir.questionnaire(instrument, base_url=BASE_URL))
    response = response_for(instrument, first_complete_answers(instrument))

    for item in instrument.items:
        if item.text is None:
            assert "text" not in questions[item.id]
        else:
            assert questions[item.id]["text"] == item.text
        displays = [option["valueCoding"].get("display") for option in questions[item.id].get("answerOption", [])]
        assert displays == [option.label for option in item.options]
    assert all("text" not in item for item in response["item"])
    if not instrument.licence.ships_text:
        assert '"text":' not in json.dumps(response) + json.dumps(questions)


@pytest.mark.parametrize(("instrument", "answers"), all_fixture_cases())
def test_every_fixture_case_validates_as_a_response(instrument: Instrument, answers: dict[str, Any]) -> None:
    complete = all(answers.get(item.id) is not None for item in instrument.items if item.required)
    status = "completed" if complete else "in-progress"

    data = round_trip(response_for(instrument, answers, status=status, scores=score_all(instrument, answers)))

    QuestionnaireResponse.model_validate(data)
    answered = [item.id for item in instrument.items if answers.get(item.id) is not None]
    assert [item["linkId"] for item in data.get("item", [])] == answered


def test_questionnaire_id_parses_back_to_code_and_version_for_every_shipped_instrument() -> None:
    for instrument in SHIPPED:
        assert fhir.parse_questionnaire_id(fhir.questionnaire_id(instrument)) == (instrument.code, instrument.version)


# ---------------------------------------------------------------------------------------
# Numbers


def test_a_half_step_answer_of_2_5_survives_as_2_5() -> None:
    instrument = decimal_instrument()
    answers = {"slider": Decimal("2.5"), "hours": Decimal("7.25"), "count": 3}

    text = json.dumps(response_for(instrument, answers))

    data = json.loads(text)
    QuestionnaireResponse.model_validate(data)
    values = {item["linkId"]: item["answer"][0] for item in data["item"]}
    assert values == {"slider": {"valueDecimal": 2.5}, "hours": {"valueDecimal": 7.25}, "count": {"valueInteger": 3}}
    assert '"valueDecimal": 2.5}' in text and '"valueDecimal": 7.25}' in text


def test_decimal_and_integer_questions_carry_their_bounds_and_places() -> None:
    data = round_trip(fhir.questionnaire(decimal_instrument(), base_url=BASE_URL))

    Questionnaire.model_validate(data)
    questions = questions_by_link(data)
    assert questions["slider"]["type"] == "decimal"
    assert questions["slider"]["extension"] == [
        {"url": fhir.MIN_VALUE, "valueDecimal": 0},
        {"url": fhir.MAX_VALUE, "valueDecimal": 10},
        {"url": fhir.MAX_DECIMAL_PLACES, "valueInteger": 1},
    ]
    assert questions["hours"]["extension"][-1] == {"url": fhir.MAX_DECIMAL_PLACES, "valueInteger": 2}
    assert questions["hours"]["prefix"] == "1a"
    assert questions["count"]["type"] == "integer"
    assert questions["count"]["extension"] == [
        {"url": fhir.MIN_VALUE, "valueInteger": 0},
        {"url": fhir.MAX_VALUE, "valueInteger": 9},
    ]
    assert data["id"] == "decimals.test-v3"
    assert data["name"] == "Q2Decimals"
    assert "copyright" not in data


def test_a_converted_score_of_9_51_travels_with_its_raw_sum() -> None:
    swemwbs = by_code("swemwbs")
    answers = {"q1": 2, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1}

    data = round_trip(response_for(swemwbs, answers, scores=score_all(swemwbs, answers)))

    QuestionnaireResponse.model_validate(data)
    [extension] = data["extension"]
    assert extension["url"] == f"{BASE_URL}/fhir/StructureDefinition/scale-score"
    assert extension["extension"] == [
        {"url": "scale", "valueCode": "metric"},
        {"url": "value", "valueDecimal": 9.51},
        {"url": "raw", "valueDecimal": 8},
        {"url": "prorated", "valueBoolean": False},
        {"url": "scoringVersion", "valueInteger": swemwbs.scoring_version},
    ]


def test_a_prorated_score_carries_its_band_and_a_missing_item_is_left_out() -> None:
    phq9 = by_code("phq9")
    answers = {"q1": 2, "q2": 2, "q3": 1, "q4": 2, "q5": None, "q6": 2, "q7": 1, "q8": 2, "q9": 1}

    data = response_for(phq9, answers, scores=score_all(phq9, answers))

    [extension] = data["extension"]
    parts = {part["url"]: part for part in extension["extension"]}
    assert parts["value"] == {"url": "value", "valueDecimal": 15}
    assert parts["band"]["valueString"] == score_all(phq9, answers)["total"].band  # type: ignore[union-attr]
    assert parts["prorated"] == {"url": "prorated", "valueBoolean": True}
    assert "raw" not in parts
    assert "q5" not in {item["linkId"] for item in data["item"]}


def test_a_scale_that_cannot_be_scored_is_left_out_of_the_scores() -> None:
    phq9 = by_code("phq9")
    answers = {"q1": 1, "q2": 1, "q3": None, "q4": 1, "q5": None}

    data = response_for(phq9, answers, status="in-progress", scores=score_all(phq9, answers))

    assert "extension" not in data
    QuestionnaireResponse.model_validate(data)


def test_fhir_number_refuses_what_a_float_cannot_hold_exactly() -> None:
    assert fhir.fhir_number(Decimal("2.50")) == 2.5
    assert isinstance(fhir.fhir_number(Decimal("4.00")), int)
    with pytest.raises(ValueError, match="precision"):
        fhir.fhir_number(Decimal("0.12345678901234567890"))


# ---------------------------------------------------------------------------------------
# Wording, subjects and refusals


def test_local_wording_fills_items_whose_wording_is_not_shipped() -> None:
    swemwbs = by_code("swemwbs")

    data = fhir.questionnaire(swemwbs, base_url=BASE_URL, wording={"q1": "Locally installed wording"})

    questions = questions_by_link(data)
    assert questions["q1"]["text"] == "Locally installed wording"
    assert "text" not in questions["q2"]


def test_shipped_wording_wins_over_local_wording() -> None:
    phq9 = by_code("phq9")

    data = fhir.questionnaire(phq9, base_url=BASE_URL, wording={"q1": "Something else"})

    assert questions_by_link(data)["q1"]["text"] == phq9.item("q1").text


def test_local_wording_for_an_unknown_item_is_refused() -> None:
    with pytest.raises(ValueError, match="q99"):
        fhir.questionnaire(by_code("swemwbs"), base_url=BASE_URL, wording={"q99": "Misspelt"})


def test_recall_period_and_instructions_lead_as_one_display_item() -> None:
    k10 = by_code("k10")
    phq9 = by_code("phq9")

    k10_first = fhir.questionnaire(k10, base_url=BASE_URL)["item"][0]
    phq9_first = fhir.questionnaire(phq9, base_url=BASE_URL)["item"][0]
    swemwbs_first = fhir.questionnaire(by_code("swemwbs"), base_url=BASE_URL)["item"][0]

    assert k10_first == {
        "linkId": "_instructions",
        "type": "display",
        "text": f"{k10.recall_period}. {k10.instructions}",
    }
    assert phq9_first["text"] == phq9.instructions  # the recall period is already in it
    assert swemwbs_first["linkId"] == "q1"  # nothing shipped to show


def test_answer_systems_are_per_response_set_so_one_code_means_one_thing() -> None:
    phq9 = by_code("phq9")

    questions = questions_by_link(fhir.questionnaire(phq9, base_url=BASE_URL))

    symptom = questions["q1"]["answerOption"][0]["valueCoding"]
    difficulty = questions["q10"]["answerOption"][0]["valueCoding"]
    assert symptom["code"] == difficulty["code"] == "0"
    assert symptom["system"] == f"{BASE_URL}/fhir/CodeSystem/phq9-v1-frequency_0_3"
    assert difficulty["system"] == f"{BASE_URL}/fhir/CodeSystem/phq9-v1-difficulty"


def test_subject_type_follows_the_respondent() -> None:
    assert fhir.questionnaire(by_code("phq9"), base_url=BASE_URL)["subjectType"] == ["Patient"]
    assert fhir.questionnaire(by_code("service-use-cared-for"), base_url=BASE_URL)["subjectType"] == ["Patient"]
    assert fhir.questionnaire(by_code("recollect"), base_url=BASE_URL)["subjectType"] == ["Organization"]


def test_a_response_about_someone_without_a_record_names_who_answered() -> None:
    cared_for = by_code("service-use-cared-for")

    data = response_for(
        cared_for, {"bed_days": 4}, subject_reference=None, source_reference="Patient/carer-7", status="in-progress"
    )

    QuestionnaireResponse.model_validate(data)
    assert "subject" not in data
    assert data["source"] == {"reference": "Patient/carer-7"}


def test_authored_is_written_in_utc() -> None:
    london_summer = timezone(timedelta(hours=1))

    data = response_for(
        by_code("gad7"), {}, status="in-progress", authored=datetime(2026, 7, 1, 9, 0, tzinfo=london_summer)
    )

    assert data["authored"] == "2026-07-01T08:00:00Z"
    assert "item" not in data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": "amended"}, "status"),
        ({"authored": datetime(2026, 3, 2, 10, 30)}, "aware"),  # noqa: DTZ001 - the naive datetime under test
        ({"response_id": "not/an id"}, "FHIR id"),
        ({"questionnaire_url": f"{BASE_URL}/fhir/Questionnaire/gad7-v1"}, "not the Questionnaire URL"),
        ({"subject_reference": "Organization/college-1"}, "Patient"),
        ({"source_reference": "Person/1"}, "RelatedPerson"),
        ({"scores": {"nonsense": None}}, "nonsense"),
    ],
)
def test_response_refuses_what_it_cannot_represent(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        response_for(by_code("phq9"), {"q1": 0}, **overrides)


@pytest.mark.parametrize("answers", [{"q1": 4}, {"q1": Decimal("0.5")}, {"q11": 0}])
def test_response_refuses_answers_the_instrument_does_not_allow(answers: dict[str, Any]) -> None:
    with pytest.raises(ScoringError):
        response_for(by_code("phq9"), answers)


def test_questionnaire_refuses_an_unknown_status_and_a_base_url_that_is_not_an_address() -> None:
    with pytest.raises(ValueError, match="status"):
        fhir.questionnaire(by_code("phq9"), base_url=BASE_URL, status="published")
    with pytest.raises(ValueError, match="base_url"):
        fhir.questionnaire(by_code("phq9"), base_url="college.example.org")


def test_parse_questionnaire_id_refuses_what_is_not_one() -> None:
    for value in ("phq9", "phq9-v0", "PHQ9-v1", "phq9-v1/", "x" * 62 + "-v1"):
        with pytest.raises(ValueError, match="not a PeerPath Questionnaire id"):
            fhir.parse_questionnaire_id(value)
