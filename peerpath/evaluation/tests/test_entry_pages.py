"""Staff typing in questionnaires given on paper, by phone or in person."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from peerpath.core.models import AuditEvent
from peerpath.delivery import enrolment
from peerpath.delivery.tests.factories import open_run
from peerpath.evaluation import responses
from peerpath.evaluation.models import Response, SafetyAlert
from peerpath.evaluation.tests.test_responses import shipped
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

START = reverse("evaluation_entry:start")
PHQ9_WITH_SAFETY = {f"answer-q{n}": "1" for n in range(1, 10)}


def form_url(response: Response) -> str:
    return reverse("evaluation_entry:form", kwargs={"response_id": response.pk})


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"]


@pytest.fixture
def run(coordinator, home_org):
    return open_run(home_org, coordinator.user, title="Caring for someone in crisis")


@pytest.fixture
def carer(coordinator, run, home_org):
    """A participant of the home organisation with a place on the run."""
    person = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person
    enrolment.enrol(actor=coordinator.user, run_id=run.pk, person=person, agreement_accepted=True)
    return person


def start_paper(coordinator, person, code: str, **extra) -> Response:
    return responses.start_response(
        actor=coordinator.user, person=person, instrument_version=shipped(code), mode="paper", **extra
    )


def text_of(response) -> str:
    return response.content.decode()


# Starting -------------------------------------------------------------------------------------


def test_the_first_step_asks_which_run(coordinator, run):
    response = coordinator.client.get(START)

    assert response.status_code == 200
    text = text_of(response)
    assert "Which course run is the form about?" in text
    assert f'value="{run.pk}"' in text and "Caring for someone in crisis" in text
    assert 'value="none"' in text


def test_a_run_offers_its_participants_and_no_college_self_assessment(coordinator, run, carer, home_org):
    elsewhere = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person

    text = text_of(coordinator.client.get(START, {"run": run.pk, "person": carer.pk}))

    assert f'value="{carer.pk}" selected' in text
    assert "Nobody has a place" not in text
    assert str(elsewhere.pk) not in text
    assert "PHQ-9" in text and "RECOLLECT" not in text
    assert "By phone" in text and "Online" not in text


def test_a_person_chosen_elsewhere_comes_preselected_without_a_run(coordinator, carer):
    text = text_of(coordinator.client.get(START, {"person": carer.pk}))

    assert "Not about a course run" in text
    assert f'value="{carer.pk}" selected' in text


def test_a_run_nobody_has_a_place_on_says_so(coordinator, run):
    text = text_of(coordinator.client.get(START, {"run": run.pk}))

    assert "Nobody has a place on this course run yet" in text


def test_without_a_run_the_college_self_assessment_is_offered(coordinator, carer):
    text = text_of(coordinator.client.get(START, {"run": "none"}))

    assert "RECOLLECT" in text
    assert f'value="{carer.pk}"' in text


def test_starting_a_paper_form_records_the_mode_and_who_typed_it(coordinator, run, carer):
    gse = shipped("gse")

    response = coordinator.client.post(
        START, {"run": run.pk, "person": carer.pk, "instrument": gse.pk, "timepoint": "end", "mode": "phone"}
    )

    started = Response.objects.get()
    assert response.status_code == 302 and response["Location"] == form_url(started)
    assert (started.person, started.run, started.timepoint, started.mode) == (carer, run, "end", "phone")
    assert started.entered_by == coordinator.user


def test_an_empty_start_is_refused_with_each_thing_to_choose(coordinator, run):
    response = coordinator.client.post(START, {"run": run.pk})

    assert response.status_code == 400
    text = text_of(response)
    for message in ("Select who filled in the form", "Select which questionnaire it is", "Select how the answers"):
        assert message in text
    assert not Response.objects.exists()


def test_a_person_not_on_the_run_cannot_be_chosen(coordinator, run, home_org):
    not_enrolled = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person

    response = coordinator.client.post(
        START,
        {
            "run": run.pk,
            "person": not_enrolled.pk,
            "instrument": shipped("gse").pk,
            "timepoint": "end",
            "mode": "paper",
        },
    )

    assert response.status_code == 400
    assert "Select someone from the list" in text_of(response)
    assert not Response.objects.exists()


def test_another_organisations_run_is_not_found(actors, run):
    assert actors["outsider"].client.get(START, {"run": run.pk}).status_code == 404
    assert actors["outsider"].client.post(START, {"run": run.pk}).status_code == 404


@pytest.mark.parametrize("role", ["peer_tutor", "assessor", "evaluator", "participant"])
def test_only_those_who_enter_answers_may_start(actors, role, run):
    assert actors[role].client.get(START).status_code == 403
    assert actors[role].client.post(START, {"run": run.pk}).status_code == 403


# Typing it in ---------------------------------------------------------------------------------


def test_a_form_with_wording_is_typed_in_saved_and_submitted_with_its_scores(coordinator, run, carer):
    form = start_paper(coordinator, carer, "gse", run=run, timepoint="baseline")

    page = text_of(coordinator.client.get(form_url(form)))
    saved = coordinator.client.post(form_url(form), {f"answer-q{n}": "2" for n in range(1, 6)} | {"action": "save"})
    again = text_of(coordinator.client.get(form_url(form)))
    done = coordinator.client.post(form_url(form), {f"answer-q{n}": "4" for n in range(6, 11)} | {"action": "submit"})

    assert "I can always manage to solve difficult problems" in page
    assert carer.display_name in page
    assert saved.status_code == 302 and saved["Location"] == form_url(form)
    assert "have been saved" in again
    assert done.status_code == 302
    confirmation = text_of(coordinator.client.get(form_url(form)))
    assert "General Self-Efficacy Scale: submitted" in confirmation
    assert "General self-efficacy total" in confirmation
    assert '30<br><span class="nhsuk-body-s">Scores run from 10 to 40. A higher score is better.' in confirmation
    assert "safety alert" not in confirmation.lower()
    form.refresh_from_db()
    assert form.status == Response.Status.COMPLETE


def test_a_form_without_wording_shows_question_numbers_and_option_values(coordinator, carer):
    form = start_paper(coordinator, carer, "carerqol")

    text = text_of(coordinator.client.get(form_url(form)))

    assert "Question 1" in text and "Question 8" in text
    assert "licensed and not installed here" in text
    assert "nhsuk-radios--inline" in text
    assert 'name="answer-fulfilment" type="radio" value="0"' in text
    assert "Enter a whole number from 0 to 10" in text


def test_a_wrong_value_is_shown_back_and_the_rest_kept(coordinator, carer):
    form = start_paper(coordinator, carer, "service-use-carer")

    response = coordinator.client.post(
        form_url(form), {"answer-bed_days": "93", "answer-respite_days": "4", "action": "submit"}
    )

    assert response.status_code == 400
    text = text_of(response)
    assert "Enter a whole number from 0 to 92 for question 5" in text and 'value="93"' in text
    assert dict(form.answers.values_list("item_id", "value")) == {"respite_days": Decimal(4)}


def test_required_answers_missing_on_submit_are_listed(coordinator, carer):
    form = start_paper(coordinator, carer, "phq9")

    response = coordinator.client.post(form_url(form), {"answer-q1": "1", "action": "submit"})

    assert response.status_code == 400
    assert "Select an answer for question 9" in text_of(response)
    form.refresh_from_db()
    assert form.status == Response.Status.IN_PROGRESS


def test_questions_left_blank_on_paper_are_confirmed_then_scored_by_the_rules(coordinator, carer):
    form = start_paper(coordinator, carer, "phq9")
    eight = {f"answer-q{n}": "2" for n in range(1, 9)}  # question 9 left blank on the paper form

    refused = coordinator.client.post(form_url(form), eight | {"action": "submit"})
    assert refused.status_code == 400
    assert "Tick this only if the person left the unanswered questions blank" in text_of(refused)

    coordinator.client.post(form_url(form), eight | {"action": "submit", "left_blank": "yes"})

    form.refresh_from_db()
    assert form.status == Response.Status.COMPLETE
    [total] = form.scores.all()
    assert total.prorated and total.missing == 1 and total.value == 18  # 16 over 8 items, times 9
    event = AuditEvent.objects.get(action="evaluation.response_submitted", target_id=str(form.pk))
    assert event.data["left_blank"] == ["q9", "q10"]


def test_nobody_leaves_blanks_in_someone_elses_online_questionnaire(coordinator, carer, actors):
    online = responses.start_response(
        actor=actors["participant"].user,
        person=actors["participant"].person,
        instrument_version=shipped("phq9"),
        mode="online",
    )
    with pytest.raises(responses.AnswerError, match="Only the member of staff"):
        responses.submit(actor=actors["participant"].user, response=online, left_blank_on_form=True)
    online.refresh_from_db()
    assert online.status == Response.Status.IN_PROGRESS


def test_a_safety_answer_shows_a_prominent_notice_linking_to_the_alert(coordinator, run, carer):
    form = start_paper(coordinator, carer, "phq9", run=run, timepoint="baseline")

    coordinator.client.post(form_url(form), PHQ9_WITH_SAFETY | {"action": "submit"})
    text = text_of(coordinator.client.get(form_url(form)))

    alert = SafetyAlert.objects.get()
    assert "A safety alert has been raised" in text and "nhsuk-card--care--urgent" in text
    assert "question 9" in text
    assert reverse("evaluation:alert", args=[alert.pk]) in text
    assert "PHQ-9 total" in text and "Mild" in text


def test_submitting_again_says_so_rather_than_failing(coordinator, carer):
    form = start_paper(coordinator, carer, "phq9")
    coordinator.client.post(form_url(form), PHQ9_WITH_SAFETY | {"action": "submit"})

    again = coordinator.client.post(form_url(form), PHQ9_WITH_SAFETY | {"answer-q1": "3", "action": "submit"})

    assert again.status_code == 302
    assert "already been submitted" in text_of(coordinator.client.get(again["Location"]))
    assert form.answers.get(item_id="q1").value == Decimal(1)
    assert SafetyAlert.objects.count() == 1


def test_a_question_the_form_does_not_have_is_refused(coordinator, carer):
    form = start_paper(coordinator, carer, "gse")

    response = coordinator.client.post(form_url(form), {"answer-q1": "2", "answer-nope": "1", "action": "save"})

    assert response.status_code == 400
    assert not form.answers.exists()


@pytest.mark.parametrize("role", ["administrator", "outsider"])
def test_a_form_is_reached_only_by_whoever_started_it(actors, coordinator, carer, role):
    form = start_paper(coordinator, carer, "gse")

    assert actors[role].client.get(form_url(form)).status_code == 404
    assert actors[role].client.post(form_url(form), {"answer-q1": "2", "action": "save"}).status_code == 404
    assert not form.answers.exists()


@pytest.mark.parametrize("role", ["peer_tutor", "evaluator", "participant"])
def test_others_are_refused_a_form(actors, coordinator, carer, role):
    form = start_paper(coordinator, carer, "gse")

    assert actors[role].client.get(form_url(form)).status_code == 403


def test_unfinished_forms_are_listed_at_the_same_cost_however_many(coordinator, home_org, assert_flat_query_count):
    def grow(count: int) -> None:
        for _ in range(count):
            person = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person
            start_paper(coordinator, person, "gse")

    # Session, user, principal, runs to choose from, and unfinished forms with their people,
    # instruments and runs.
    assert_flat_query_count(lambda: coordinator.client.get(START), grow, expected=5, sizes=(1, 5))
    text = text_of(coordinator.client.get(START))
    assert "Forms you have not finished" in text
    assert text.count('href="/evaluation/entry/') == 6
