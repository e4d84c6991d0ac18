"""The read-only FHIR endpoints: what each caller gets, checked with fhir.resources' R4B models (ADR 017)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from conftest import Actor, count_queries
from peerpath.delivery.tests.factories import open_run
from peerpath.evaluation import fhir, instruments, responses
from peerpath.evaluation.definitions import Instrument
from peerpath.evaluation.models import InstrumentVersion, Response, Score
from peerpath.evaluation.tests.test_fhir import R4_ITEM_TYPES, SHIPPED, first_complete_answers
from peerpath.people.models import Membership, Person
from peerpath.people.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

FHIR_JSON = "application/fhir+json; charset=utf-8"
ABSENT = "00000000-0000-4000-8000-000000000000"


def questionnaire_url(questionnaire_id: str) -> str:
    return reverse("fhir:questionnaire", kwargs={"questionnaire_id": questionnaire_id})


def response_url(response: Response | str) -> str:
    response_id = response if isinstance(response, str) else str(response.pk)
    return reverse("fhir:questionnaire_response", kwargs={"response_id": response_id})


def read(client: Client, url: str, status: int = 200) -> dict[str, Any]:
    """GET a FHIR URL, check the status and the headers every FHIR answer has, and parse it."""
    answer = client.get(url)
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == FHIR_JSON
    assert "no-store" in answer["Cache-Control"]
    return json.loads(answer.content)


def refusal(client: Client, url: str, status: int, code: str) -> dict[str, Any]:
    """A refusal: a valid OperationOutcome with one error issue of the given code."""
    outcome = read(client, url, status)
    OperationOutcome.model_validate(outcome)
    [issue] = outcome["issue"]
    assert (issue["severity"], issue["code"]) == ("error", code)
    assert issue["diagnostics"].strip()
    return outcome


@pytest.fixture
def carer(home_org) -> Person:
    """A carer of the home organisation, without a login (their forms are typed in)."""
    return MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person


def version_of(code: str) -> InstrumentVersion:
    if not InstrumentVersion.objects.filter(code=code).exists():
        instruments.sync_shipped()  # a transactional test elsewhere may have emptied the table
    return InstrumentVersion.objects.get(code=code, version=1)


def typed_in(
    coordinator: Actor, person: Person, version: InstrumentVersion, answers: dict[str, Any], **extra: Any
) -> Response:
    """A paper form the coordinator typed in and submitted."""
    user = coordinator.user
    response = responses.start_response(actor=user, person=person, instrument_version=version, mode="paper", **extra)
    responses.save_answers(actor=user, response=response, answers=answers)
    assert responses.submit(actor=user, response=response).ok
    response.refresh_from_db()
    return response


PHQ9_ANSWERS = {f"q{number}": 1 for number in range(1, 10)} | {"q10": 2}


@pytest.fixture
def paper_phq9(actors, carer) -> Response:
    return typed_in(actors["coordinator"], carer, version_of("phq9"), PHQ9_ANSWERS)


def question_ids(questionnaire: dict[str, Any]) -> list[str]:
    return [item["linkId"] for item in questionnaire["item"] if item["type"] != "display"]


# ---------------------------------------------------------------------------------------
# Every shipped instrument, through the endpoints


@pytest.mark.parametrize("instrument", SHIPPED, ids=lambda instrument: instrument.code)
def test_every_shipped_instrument_and_a_response_to_it_are_served_as_valid_r4_resources(
    instrument: Instrument, actors, carer
):
    coordinator = actors["coordinator"]
    answers = first_complete_answers(instrument)
    stored = typed_in(coordinator, carer, version_of(instrument.code), answers)

    questionnaire = read(coordinator.client, questionnaire_url(fhir.questionnaire_id(instrument)))
    resource = read(coordinator.client, response_url(stored))

    Questionnaire.model_validate(questionnaire)
    QuestionnaireResponse.model_validate(resource)
    assert questionnaire["status"] == "active"
    assert {item["type"] for item in questionnaire["item"]} <= R4_ITEM_TYPES
    assert resource["questionnaire"] == questionnaire["url"]
    assert resource["status"] == "completed"
    answered = [item.id for item in instrument.items if answers.get(item.id) is not None]
    assert [item["linkId"] for item in resource["item"]] == answered
    assert set(answered) <= set(question_ids(questionnaire))
    scored = [part["valueCode"] for ext in resource.get("extension", []) for part in ext["extension"][:1]]
    assert sorted(scored) == sorted(stored.scores.values_list("scale_code", flat=True))


def test_a_response_carries_its_answers_as_the_questionnaires_codes_and_its_stored_scores(actors, paper_phq9):
    coordinator = actors["coordinator"]

    questionnaire = read(coordinator.client, questionnaire_url("phq9-v1"))
    resource = read(coordinator.client, response_url(paper_phq9))

    options = {
        item["linkId"]: {(o["valueCoding"]["system"], o["valueCoding"]["code"]) for o in item["answerOption"]}
        for item in questionnaire["item"]
        if item["type"] == "choice"
    }
    for item in resource["item"]:
        [answer] = item["answer"]
        coding = answer["valueCoding"]
        assert (coding["system"], coding["code"]) in options[item["linkId"]]
        assert coding["code"] == str(PHQ9_ANSWERS[item["linkId"]])
    [score] = resource["extension"]
    parts = {part["url"]: next(value for key, value in part.items() if key != "url") for part in score["extension"]}
    total = paper_phq9.scores.get()
    assert parts["scale"] == total.scale_code == "total"
    assert Decimal(str(parts["value"])) == total.value == 9
    assert parts["band"] == total.band
    assert parts["prorated"] is False
    assert parts["scoringVersion"] == total.scoring_version
    assert resource["authored"] == paper_phq9.completed_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_each_scale_carries_its_newest_stored_score(actors, paper_phq9):
    older = paper_phq9.scores.get()
    Score.objects.create(
        response=paper_phq9,
        scale_code="total",
        value=Decimal("10.0000"),
        raw=Decimal("10.0000"),
        answered=9,
        missing=0,
        prorated=False,
        band="Mild",
        instrument_code="phq9",
        instrument_version=1,
        scoring_version=older.scoring_version + 1,
    )

    resource = read(actors["coordinator"].client, response_url(paper_phq9))

    [score] = resource["extension"]
    parts = {part["url"]: part for part in score["extension"]}
    assert parts["value"] == {"url": "value", "valueDecimal": 10}
    assert parts["scoringVersion"] == {"url": "scoringVersion", "valueInteger": older.scoring_version + 1}


# ---------------------------------------------------------------------------------------
# Whose answers they are


def test_an_evaluator_reads_the_answers_but_not_whose_they_are(actors, carer, paper_phq9):
    coordinators_copy = read(actors["coordinator"].client, response_url(paper_phq9))
    answer = actors["evaluator"].client.get(response_url(paper_phq9))

    evaluators_copy = json.loads(answer.content)
    assert coordinators_copy["subject"] == {"reference": f"Patient/{carer.pk}"}
    assert "subject" not in evaluators_copy and "source" not in evaluators_copy
    assert evaluators_copy["item"] == coordinators_copy["item"]
    assert evaluators_copy["extension"] == coordinators_copy["extension"]
    body = answer.content.decode()
    for revealing in (str(carer.pk), carer.given_name, carer.family_name, carer.email):
        assert revealing not in body


def references_in(value: Any) -> list[str]:
    """Every ``reference`` anywhere in a resource."""
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [ref for inner in value.values() for ref in references_in(inner)]
    if isinstance(value, list):
        return [ref for inner in value for ref in references_in(inner)]
    return []


def test_the_member_of_staff_who_typed_the_form_in_is_not_named_to_anyone(actors, carer, paper_phq9):
    coordinator = actors["coordinator"]
    assert paper_phq9.entered_by_id == coordinator.user.pk

    for role in ("coordinator", "administrator", "evaluator"):
        answer = actors[role].client.get(response_url(paper_phq9))
        body = answer.content.decode()
        assert answer.status_code == 200
        assert "author" not in json.loads(body) and "source" not in json.loads(body)
        assert set(references_in(json.loads(body))) <= {f"Patient/{carer.pk}"}
        staff = coordinator.person
        for revealing in (str(staff.pk), coordinator.user.username, staff.given_name, staff.family_name, staff.email):
            assert revealing not in body


def test_an_administrator_sees_whose_a_response_is(actors, carer, paper_phq9):
    resource = read(actors["administrator"].client, response_url(paper_phq9))

    assert resource["subject"] == {"reference": f"Patient/{carer.pk}"}


def test_answers_about_the_person_cared_for_name_the_carer_as_source_for_those_who_may_know(actors, carer):
    cared_for = version_of("service-use-cared-for")
    stored = typed_in(actors["coordinator"], carer, cared_for, {"bed_days": 4})

    coordinators_copy = read(actors["coordinator"].client, response_url(stored))
    evaluators_copy = read(actors["evaluator"].client, response_url(stored))

    QuestionnaireResponse.model_validate(coordinators_copy)
    assert "subject" not in coordinators_copy
    assert coordinators_copy["source"] == {"reference": f"Patient/{carer.pk}"}
    assert "subject" not in evaluators_copy and "source" not in evaluators_copy


def test_a_colleges_self_assessment_is_about_its_runs_organisation(actors, carer, home_org):
    recollect = next(instrument for instrument in SHIPPED if instrument.code == "recollect")
    run = open_run(home_org, actors["coordinator"].user)
    stored = typed_in(actors["coordinator"], carer, version_of("recollect"), first_complete_answers(recollect), run=run)

    coordinators_copy = read(actors["coordinator"].client, response_url(stored))
    evaluators_copy = read(actors["evaluator"].client, response_url(stored))

    QuestionnaireResponse.model_validate(coordinators_copy)
    assert coordinators_copy["subject"] == {"reference": f"Organization/{home_org.pk}"}
    assert "subject" not in evaluators_copy


# ---------------------------------------------------------------------------------------
# Questionnaires and wording


def test_a_retired_version_is_still_served_as_retired(actors):
    InstrumentVersion.objects.filter(code="gad7", version=1).update(status=InstrumentVersion.Status.RETIRED)

    questionnaire = read(actors["evaluator"].client, questionnaire_url("gad7-v1"))

    Questionnaire.model_validate(questionnaire)
    assert questionnaire["status"] == "retired"


def test_a_draft_version_is_not_found(actors):
    published = version_of("phq9")
    InstrumentVersion.objects.create(
        **instruments.row_fields({**copy.deepcopy(published.definition), "version": 2}),
        status=InstrumentVersion.Status.DRAFT,
    )

    refusal(actors["administrator"].client, questionnaire_url("phq9-v2"), 404, "not-found")
    refusal(actors["evaluator"].client, questionnaire_url("phq9-v2"), 404, "not-found")


def local_wording_document(instrument: Instrument) -> dict[str, Any]:
    return {
        "instructions": "Below are some statements about feelings and thoughts.",
        "items": {item.id: f"Installed wording for {item.id}" for item in instrument.items},
        "response_sets": {
            name: [f"Label {index}" for index in range(len(options))]
            for name, options in instrument.response_sets.items()
        },
    }


def test_locally_installed_wording_goes_into_the_questionnaire(actors, settings, tmp_path):
    swemwbs = next(instrument for instrument in SHIPPED if instrument.code == "swemwbs")
    settings.PEERPATH_INSTRUMENT_WORDING_DIR = tmp_path
    without = read(actors["evaluator"].client, questionnaire_url("swemwbs-v1"))
    (tmp_path / "swemwbs-v1.json").write_text(json.dumps(local_wording_document(swemwbs)), encoding="utf-8")

    with_wording = read(actors["evaluator"].client, questionnaire_url("swemwbs-v1"))

    Questionnaire.model_validate(with_wording)
    questions = [item for item in with_wording["item"] if item["type"] != "display"]
    texts = {item["linkId"]: item.get("text") for item in questions}
    assert texts == {item.id: f"Installed wording for {item.id}" for item in swemwbs.items}
    [preamble] = [item for item in with_wording["item"] if item["type"] == "display"]
    assert preamble["text"].endswith("Below are some statements about feelings and thoughts.")
    labels = [option["valueCoding"]["display"] for option in questions[0]["answerOption"]]
    assert labels == [f"Label {index}" for index in range(len(swemwbs.items[0].options))]
    assert all("text" not in item and item["type"] != "display" for item in without["item"])
    assert all("display" not in option["valueCoding"] for option in without["item"][0]["answerOption"])


def test_a_broken_local_wording_file_leaves_the_wording_out_but_still_serves_the_questionnaire(
    actors, settings, tmp_path, caplog
):
    settings.PEERPATH_INSTRUMENT_WORDING_DIR = tmp_path
    (tmp_path / "swemwbs-v1.json").write_text('{"items": {"q1": "Only one"}}', encoding="utf-8")

    questionnaire = read(actors["evaluator"].client, questionnaire_url("swemwbs-v1"))

    Questionnaire.model_validate(questionnaire)
    assert all("text" not in item for item in questionnaire["item"])
    assert "swemwbs" in caplog.text


# ---------------------------------------------------------------------------------------
# Refusals, as OperationOutcomes


def test_another_organisations_response_is_not_found(actors, other_org, paper_phq9):
    other_carer = MembershipFactory(organisation=other_org, role=Membership.Role.PARTICIPANT).person
    theirs = typed_in(actors["outsider"], other_carer, version_of("phq9"), PHQ9_ANSWERS)

    for role in ("coordinator", "evaluator"):
        refusal(actors[role].client, response_url(theirs), 404, "not-found")
    refusal(actors["outsider"].client, response_url(paper_phq9), 404, "not-found")
    assert read(actors["outsider"].client, response_url(theirs))["id"] == str(theirs.pk)


def test_an_unfinished_response_is_not_found(actors, carer):
    coordinator = actors["coordinator"]
    unfinished = responses.start_response(
        actor=coordinator.user, person=carer, instrument_version=version_of("phq9"), mode="paper"
    )
    responses.save_answers(actor=coordinator.user, response=unfinished, answers={"q1": 1})

    refusal(coordinator.client, response_url(unfinished), 404, "not-found")


@pytest.mark.parametrize(
    "questionnaire_id",
    ["phq9", "PHQ9-v1", "phq9-v0", "phq9-v01", "phq9-v99999999999999999999", "phq9_v1", "-v1", "a" * 70 + "-v1"],
)
def test_a_malformed_or_unknown_questionnaire_id_is_not_found(actors, questionnaire_id):
    refusal(actors["evaluator"].client, questionnaire_url(questionnaire_id), 404, "not-found")


@pytest.mark.parametrize("response_id", ["not-a-uuid", "12345", ABSENT[:-1] + "z", "' OR 1=1 --", "9" * 80, ABSENT])
def test_a_malformed_or_unknown_response_id_is_not_found(actors, response_id):
    refusal(actors["administrator"].client, response_url(response_id), 404, "not-found")


@pytest.mark.parametrize("role", ["peer_tutor", "professional_tutor", "assessor", "participant"])
def test_signed_in_people_without_evaluation_access_are_forbidden(actors, role, paper_phq9):
    refusal(actors[role].client, questionnaire_url("phq9-v1"), 403, "forbidden")
    refusal(actors[role].client, response_url(paper_phq9), 403, "forbidden")


def test_an_anonymous_caller_is_asked_to_sign_in_not_redirected(client, paper_phq9):
    for url in (questionnaire_url("phq9-v1"), response_url(paper_phq9), response_url("not-a-uuid")):
        refusal(client, url, 401, "login")
        challenge = client.get(url)["WWW-Authenticate"]
        assert challenge.startswith('Cookie realm="PeerPath"')
        assert reverse("accounts:login") in challenge


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_every_method_but_get_and_head_is_refused_with_405_even_without_a_csrf_token(actors, method, paper_phq9):
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors["coordinator"].user)

    for url in (questionnaire_url("phq9-v1"), response_url(paper_phq9)):
        answer = getattr(client, method)(url)
        assert answer.status_code == 405
        assert answer["Allow"] == "GET, HEAD"
        assert answer["Content-Type"] == FHIR_JSON
        outcome = json.loads(answer.content)
        OperationOutcome.model_validate(outcome)
        assert outcome["issue"][0]["code"] == "not-supported"


def test_head_answers_like_get(actors, paper_phq9):
    client = actors["evaluator"].client

    for url in (questionnaire_url("phq9-v1"), response_url(paper_phq9)):
        answer = client.head(url)
        assert answer.status_code == 200
        assert answer["Content-Type"] == FHIR_JSON
        assert "no-store" in answer["Cache-Control"]


# ---------------------------------------------------------------------------------------
# Queries


def many_counts_version(items: int = 20) -> InstrumentVersion:
    """A published local instrument of ``items`` optional count questions, one scale per question."""
    document = copy.deepcopy(version_of("service-use-carer").definition)
    template = document["items"][0]
    document.update(code="many-counts", name="Many counts (test)", short_name="Many counts")
    document["items"] = [{**template, "id": f"c{number}", "number": number, "max": 9} for number in range(1, items + 1)]
    document["scales"] = [
        {
            "code": f"c{number}",
            "name": f"Count {number}",
            "items": [f"c{number}"],
            "rule": {"type": "sum", "missing": {"type": "complete_only"}},
            "range": [0, 9],
            "direction": "none",
        }
        for number in range(1, items + 1)
    ]
    return InstrumentVersion.objects.create(
        **instruments.row_fields(document), status=InstrumentVersion.Status.PUBLISHED
    )


def queries_for(client: Client, url: str) -> int:
    def fetch() -> None:
        assert client.get(url).status_code == 200

    fetch()  # the first request refreshes the session; later ones do not
    return count_queries(fetch)


def test_a_questionnaire_costs_the_same_few_queries_whatever_its_size(actors):
    many_counts_version()
    client = actors["evaluator"].client

    # session, user, principal, instrument version
    assert queries_for(client, questionnaire_url("gad7-v1")) == 4
    assert queries_for(client, questionnaire_url("many-counts-v1")) == 4


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        # session, user, principal, response with its version and run, answers, scores
        ("evaluator", 6),
        # and whether the coordinator's organisations make them one who may know whose it is
        ("coordinator", 7),
    ],
)
def test_a_response_costs_the_same_few_queries_with_1_or_20_answers(actors, carer, role: str, expected: int):
    version = many_counts_version()
    one = typed_in(actors["coordinator"], carer, version, {"c1": 3})
    twenty = typed_in(actors["coordinator"], carer, version, {f"c{number}": 3 for number in range(1, 21)})
    client = actors[role].client

    counts = [queries_for(client, response_url(response)) for response in (one, twenty)]

    assert one.answers.count() == 1 and one.scores.count() == 1
    assert twenty.answers.count() == 20 and twenty.scores.count() == 20
    assert counts == [expected, expected]
