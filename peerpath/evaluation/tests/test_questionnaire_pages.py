"""The questionnaire pages: invitation links (no login, on a phone), and a participant's own
questionnaires and scores."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import count_queries
from peerpath.core.models import AuditEvent
from peerpath.delivery.tests.factories import open_run
from peerpath.evaluation import invitations, responses, tokens
from peerpath.evaluation.models import Invitation, Response, SafetyAlert
from peerpath.evaluation.tests.test_responses import shipped
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

GSE_ALL = {f"answer-q{n}": "3" for n in range(1, 11)}
PHQ9_SAFE = {f"answer-q{n}": "1" for n in range(1, 9)} | {"answer-q9": "0"}


@pytest.fixture
def run(actors, home_org):
    return open_run(home_org, actors["coordinator"].user, title="Caring for someone in crisis")


@pytest.fixture
def carer(actors):
    return actors["participant"]


def invite(person, run, *codes: str, timepoint: str = "baseline", days: int = 28) -> Invitation:
    return invitations.create_invitation(
        person=person,
        run=run,
        timepoint=timepoint,
        versions=[shipped(code) for code in codes],
        expires_at=timezone.now() + timedelta(days=days),
    )


@pytest.fixture
def invitation(carer, run) -> Invitation:
    return invite(carer.person, run, "gse", "phq9")


def overview(invitation: Invitation) -> str:
    return reverse("questionnaires:invitation", kwargs={"link_token": tokens.token_for(invitation)})


def page(invitation: Invitation, position: int) -> str:
    return reverse("questionnaires:answer", kwargs={"link_token": tokens.token_for(invitation), "position": position})


def response_to(invitation: Invitation, code: str) -> Response:
    return Response.objects.get(invitation=invitation, instrument_version__code=code)


def answers_of(response: Response) -> dict[str, Decimal]:
    return dict(response.answers.values_list("item_id", "value"))


def assert_private(response) -> None:
    assert response["Referrer-Policy"] == "same-origin"  # never the token to another site
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def text_of(response) -> str:
    return response.content.decode()


# The overview ------------------------------------------------------------------------------


def test_the_overview_says_what_it_is_for_and_lists_the_questionnaires_in_order(client, invitation):
    response = client.get(overview(invitation))

    assert response.status_code == 200
    assert_private(response)
    text = text_of(response)
    assert "Questionnaires for Caring for someone in crisis" in text
    assert "before the course starts" in text
    assert "does not affect your place on the course" in text
    assert "about 7 minutes" in text  # 20 questions
    assert text.index("General Self-Efficacy Scale") < text.index("Patient Health Questionnaire-9")
    assert text.count("Not started") == 2
    assert f'href="{page(invitation, 1)}"' in text and "Start now" in text


def test_the_overview_costs_the_same_queries_however_many_questionnaires_it_lists(client, carer, run):
    one = invite(carer.person, run, "gse", timepoint="baseline")
    five = invite(carer.person, run, "gse", "phq9", "swemwbs", "gad7", "k10", timepoint="end")
    for invitation in (one, five):
        client.post(page(invitation, 1), {"answer-q1": "3", "action": "save"})

    # The invitation with its person, run, course and organisation; its questionnaires with
    # their instrument versions; the responses started through it.
    assert count_queries(lambda: client.get(overview(one))) == 3
    assert count_queries(lambda: client.get(overview(five))) == 3


def test_a_forged_link_with_the_right_id_and_a_wrong_tag_is_not_recognised(client, invitation):
    token = tokens.token_for(invitation)
    forged = token[:32] + ("f" if token[-1] != "f" else "e") * 32

    response = client.get(reverse("questionnaires:invitation", kwargs={"link_token": forged}))
    answer = client.post(reverse("questionnaires:answer", kwargs={"link_token": forged, "position": 1}), GSE_ALL)

    assert response.status_code == 404
    assert_private(response)
    assert "This link is not recognised" in text_of(response)
    assert "latest email" in text_of(response)
    assert answer.status_code == 404
    assert not Response.objects.exists()


@pytest.mark.parametrize("path", ["abc/", "A" * 64 + "/", "0" * 63 + "/", "0" * 65 + "/"])
def test_a_malformed_link_never_reaches_the_page(client, path):
    assert client.get(f"/questionnaires/{path}").status_code == 404


def test_an_expired_link_is_gone_and_says_how_to_reach_the_college(client, invitation, home_org):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = client.get(overview(invitation))
    posted = client.post(page(invitation, 1), GSE_ALL | {"action": "submit"})

    assert response.status_code == 410
    assert_private(response)
    assert "This link has expired" in text_of(response)
    assert f"contact {home_org.name}" in text_of(response)
    assert posted.status_code == 410
    assert not Response.objects.exists()


def test_a_withdrawn_link_is_gone(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.WITHDRAWN)

    response = client.get(page(invitation, 1))

    assert response.status_code == 410
    assert "no longer needed" in text_of(response)


def test_a_signed_in_person_may_use_the_link_too(carer, actors, invitation):
    assert carer.client.get(overview(invitation)).status_code == 200
    assert actors["coordinator"].client.get(page(invitation, 2)).status_code == 200


# Answering -----------------------------------------------------------------------------------


def test_nothing_is_written_when_a_page_is_only_looked_at(client, invitation):
    client.get(overview(invitation))
    client.get(page(invitation, 1))

    assert not Response.objects.exists()


def test_saving_with_nothing_answered_starts_nothing_and_says_so(client, invitation):
    response = client.post(page(invitation, 1), {"action": "save"})

    assert response.status_code == 302 and response["Location"] == overview(invitation)
    assert "Nothing was saved" in text_of(client.get(response["Location"]))
    assert not Response.objects.exists()


def test_a_questionnaire_page_shows_the_name_recall_period_instructions_and_every_item(client, invitation):
    response = client.get(page(invitation, 2))

    assert response.status_code == 200
    assert_private(response)
    text = text_of(response)
    assert "Questionnaire 2 of 2" in text
    assert "<h1>Patient Health Questionnaire-9</h1>" in text
    assert "how often have you been bothered" in text
    assert text.count('type="radio"') == 10 * 4
    assert "Nearly every day" in text and "Extremely difficult" in text
    assert "10. If you checked off any problems" in text and "(optional)" in text
    assert "Save and come back later" in text and ">Submit<" in text.replace("\n", "").replace(" ", "")


def test_partial_progress_is_kept_across_visits(client, invitation):
    first_half = {f"answer-q{n}": "4" for n in range(1, 6)}

    saved = client.post(page(invitation, 1), first_half | {"action": "save"})

    assert saved.status_code == 302 and saved["Location"] == overview(invitation)
    assert_private(saved)
    gse = response_to(invitation, "gse")
    assert gse.status == Response.Status.IN_PROGRESS
    assert answers_of(gse) == {f"q{n}": Decimal(4) for n in range(1, 6)}
    later = client.get(overview(invitation))
    assert "have been saved" in text_of(later) and "In progress" in text_of(later) and "Continue" in text_of(later)
    again = text_of(client.get(page(invitation, 1)))
    assert len(re.findall(r'value="4"\s+checked', again)) == 5

    # Posting only the rest keeps the first half: an unticked group sends nothing.
    rest = {f"answer-q{n}": "2" for n in range(6, 11)}
    done = client.post(page(invitation, 1), rest | {"action": "submit"})

    assert done.status_code == 302 and done["Location"] == page(invitation, 2)
    gse.refresh_from_db()
    assert gse.status == Response.Status.COMPLETE
    assert gse.scores.get().value == Decimal(30)


def test_one_wrong_answer_is_shown_back_with_its_error_and_the_others_are_kept(client, carer, run):
    service_use = invite(carer.person, run, "service-use-carer")

    wrong = client.post(
        page(service_use, 1),
        {"answer-crisis_contacts": "three", "answer-ae_attendances": "2", "action": "submit"},
    )

    assert wrong.status_code == 400
    assert_private(wrong)
    text = text_of(wrong)
    assert "There is a problem" in text
    assert 'href="#id_answer-crisis_contacts"' in text
    assert "Enter a whole number from 0 to 200 for question 1" in text
    assert 'value="three"' in text
    assert "nhsuk-input--error" in text
    stored = response_to(service_use, "service-use-carer")
    assert answers_of(stored) == {"ae_attendances": Decimal(2)}
    assert stored.status == Response.Status.IN_PROGRESS

    corrected = client.post(page(service_use, 1), {"answer-crisis_contacts": "3", "action": "submit"})

    assert corrected.status_code == 200
    assert "Thank you: your answers have been sent" in text_of(corrected)
    stored.refresh_from_db()
    assert stored.status == Response.Status.COMPLETE
    assert answers_of(stored) == {"crisis_contacts": Decimal(3), "ae_attendances": Decimal(2)}
    service_use.refresh_from_db()
    assert service_use.status == Invitation.Status.COMPLETE


def test_a_number_item_has_its_unit_its_bounds_and_a_text_box_for_numbers(client, carer, run):
    service_use = invite(carer.person, run, "service-use-carer")

    text = text_of(client.get(page(service_use, 1)))

    assert "nhsuk-input-wrapper__suffix" in text and ">contacts<" in text.replace("\n", "").replace(" ", "")
    assert 'inputmode="numeric"' in text
    assert 'type="number"' not in text
    assert "Enter a whole number from 0 to 92" in text


def test_an_answer_not_offered_is_refused_beside_its_question(client, invitation):
    response = client.post(page(invitation, 1), {"answer-q1": "7", "answer-q2": "3", "action": "save"})

    assert response.status_code == 400
    assert "Select one of the answers for question 1" in text_of(response)
    assert answers_of(response_to(invitation, "gse")) == {"q2": Decimal(3)}


def test_submitting_with_required_answers_missing_lists_each_and_keeps_the_rest(client, invitation):
    some = {f"answer-q{n}": "3" for n in range(1, 8)}

    response = client.post(page(invitation, 1), some | {"action": "submit"})

    assert response.status_code == 400
    text = text_of(response)
    for number in (8, 9, 10):
        assert f"Select an answer for question {number}" in text
        assert f'href="#id_answer-q{number}"' in text
    gse = response_to(invitation, "gse")
    assert gse.status == Response.Status.IN_PROGRESS
    assert len(answers_of(gse)) == 7


def test_a_question_the_questionnaire_does_not_have_is_refused_and_nothing_is_saved(client, invitation):
    client.post(page(invitation, 1), {"answer-q1": "2", "action": "save"})

    response = client.post(page(invitation, 1), {"answer-q1": "4", "answer-q99": "1", "action": "save"})

    assert response.status_code == 400
    assert "no question &#39;q99&#39;: nothing was saved" in text_of(response)
    assert answers_of(response_to(invitation, "gse")) == {"q1": Decimal(2)}


def test_a_position_the_invitation_does_not_have_is_not_found(client, invitation):
    assert client.get(page(invitation, 3)).status_code == 404
    assert client.post(page(invitation, 3), GSE_ALL | {"action": "submit"}).status_code == 404
    assert not Response.objects.exists()


def test_another_invitations_link_never_shows_or_changes_these_answers(client, carer, run, invitation):
    other = invite(
        MembershipFactory(organisation=run.organisation, role=Membership.Role.PARTICIPANT).person, run, "gse"
    )
    client.post(page(invitation, 1), {"answer-q1": "4", "action": "save"})

    shown = text_of(client.get(page(other, 1)))
    client.post(page(other, 1), {"answer-q1": "1", "action": "save"})

    assert not re.search(r'value="4"\s+checked', shown)
    assert answers_of(response_to(invitation, "gse")) == {"q1": Decimal(4)}
    assert answers_of(response_to(other, "gse")) == {"q1": Decimal(1)}
    assert response_to(other, "gse").person != carer.person


def test_submitting_again_says_so_and_changes_nothing(client, invitation):
    client.post(page(invitation, 1), GSE_ALL | {"action": "submit"})
    gse = response_to(invitation, "gse")

    again = client.post(page(invitation, 1), {f"answer-q{n}": "1" for n in range(1, 11)} | {"action": "submit"})

    assert again.status_code == 302 and again["Location"] == overview(invitation)
    assert "already submitted General Self-Efficacy Scale" in text_of(client.get(again["Location"]))
    assert set(answers_of(gse).values()) == {Decimal(3)}
    assert gse.scores.count() == 1


def test_the_last_submit_thanks_the_person_and_the_link_then_cannot_be_used_again(client, invitation):
    client.post(page(invitation, 1), GSE_ALL | {"action": "submit"})

    last = client.post(page(invitation, 2), PHQ9_SAFE | {"action": "submit"})

    assert last.status_code == 200
    assert_private(last)
    assert "Thank you: your answers have been sent" in text_of(last)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.COMPLETE
    reused = client.get(overview(invitation))
    assert reused.status_code == 410
    assert "You have already completed these questionnaires" in text_of(reused)
    assert "cannot be used again" in text_of(reused)
    resubmitted = client.post(page(invitation, 2), PHQ9_SAFE | {"action": "submit"})
    assert resubmitted.status_code == 410
    assert Response.objects.filter(invitation=invitation).count() == 2


def test_a_safety_answer_shows_where_to_get_help_now_before_the_way_on(client, carer, run):
    phq9_first = invite(carer.person, run, "phq9", "gse")

    response = client.post(page(phq9_first, 1), PHQ9_SAFE | {"answer-q9": "2", "action": "submit"})

    assert response.status_code == 200
    assert_private(response)
    text = text_of(response)
    assert "<h1>Get help now</h1>" in text
    assert "nhsuk-card--care--urgent" in text
    assert "116 123" in text and "call 999" in text
    assert f'href="{page(phq9_first, 2)}"' in text
    assert text.index("116 123") < text.index(page(phq9_first, 2))
    alert = SafetyAlert.objects.get()
    assert (alert.item_id, alert.value, alert.organisation) == ("q9", Decimal(2), run.organisation)


def test_a_questionnaire_without_wording_is_refused_gracefully(client, carer, run):
    licensed = invite(carer.person, run, "carerqol")

    response = client.get(page(licensed, 1))
    posted = client.post(page(licensed, 1), {"answer-vas": "5", "action": "save"})

    assert response.status_code == 409
    assert_private(response)
    assert "cannot be answered online at the moment" in text_of(response)
    assert posted.status_code == 409
    assert not Response.objects.exists()


def test_locally_installed_wording_is_shown_and_a_scale_item_is_a_number_box(client, carer, run, settings, tmp_path):
    carerqol = shipped("carerqol")
    definition = carerqol.definition
    wording = {
        "instructions": "Think about your situation as a carer today.",
        "items": {item["id"]: f"Local words for {item['id']}" for item in definition["items"]},
        "response_sets": {
            name: [f"Option {index}" for index, _ in enumerate(options)]
            for name, options in definition["response_sets"].items()
        },
    }
    (tmp_path / "carerqol-v1.json").write_text(json.dumps(wording), encoding="utf-8")
    settings.PEERPATH_INSTRUMENT_WORDING_DIR = tmp_path
    licensed = invite(carer.person, run, "carerqol")

    text = text_of(client.get(page(licensed, 1)))

    assert "Think about your situation as a carer today." in text
    assert "8. Local words for vas" in text
    assert "Enter a whole number from 0 to 10" in text
    assert 'name="answer-vas"' in text and 'type="text"' in text


def test_csrf_protection_stays_on_for_the_link_pages_and_its_refusal_logs_no_token(invitation, caplog):
    client = Client(enforce_csrf_checks=True)
    caplog.set_level(logging.DEBUG)

    refused = client.post(page(invitation, 1), GSE_ALL | {"action": "submit"})
    form = client.get(page(invitation, 1))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text_of(form)).group(1)
    accepted = client.post(page(invitation, 1), GSE_ALL | {"action": "submit", "csrfmiddlewaretoken": csrf})

    assert refused.status_code == 403
    assert_private(refused)
    assert "CSRF" in caplog.text
    assert tokens.token_for(invitation)[32:] not in caplog.text
    assert accepted.status_code == 302
    assert response_to(invitation, "gse").status == Response.Status.COMPLETE


def test_the_token_is_never_logged_or_audited(client, invitation, caplog):
    token = tokens.token_for(invitation)
    forged = token[:32] + "0" * 32
    caplog.set_level(logging.DEBUG)

    client.get(overview(invitation))
    client.post(page(invitation, 1), {"answer-q1": "9", "action": "save"})
    client.post(page(invitation, 1), GSE_ALL | {"action": "submit"})
    client.get(reverse("questionnaires:invitation", kwargs={"link_token": forged}))
    client.get(page(invitation, 7))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    client.get(overview(invitation))

    assert caplog.records, "the refusals should have been logged"
    for record in caplog.records:
        assert token[32:] not in record.getMessage()
        assert forged[32:] not in record.getMessage()
    for event in AuditEvent.objects.all():
        assert token[32:] not in json.dumps(event.data)


# A participant's own pages -------------------------------------------------------------------


def submit_through_link(invitation: Invitation, code: str, answers: dict[str, int]) -> Response:
    link = responses.INVITATION_LINK
    response = responses.start_response(
        actor=link,
        person=invitation.person,
        instrument_version=shipped(code),
        mode="online",
        invitation=invitation,
    )
    responses.save_answers(actor=link, response=response, answers=answers, invitation=invitation)
    responses.submit(actor=link, response=response, invitation=invitation)
    return response


def test_my_questionnaires_lists_open_links_and_what_was_answered(carer, run, invitation):
    closed = invite(carer.person, open_run(run.organisation, run.created_by, title="Looking after yourself"), "gse")
    Invitation.objects.filter(pk=closed.pk).update(expires_at=timezone.now() - timedelta(days=1))
    submit_through_link(invitation, "gse", {f"q{n}": 3 for n in range(1, 11)})

    response = carer.client.get(reverse("questionnaires:mine"))

    assert response.status_code == 200
    text = text_of(response)
    assert f'href="{overview(invitation)}"' in text
    assert overview(closed) not in text
    assert "GSE" in text and "Caring for someone in crisis" in text
    assert reverse("questionnaires:my_scores") in text


def test_my_questionnaires_shows_nobody_elses(actors, carer, run):
    other = MembershipFactory(organisation=run.organisation, role=Membership.Role.PARTICIPANT).person
    theirs = invite(other, run, "gse")

    text = text_of(carer.client.get(reverse("questionnaires:mine")))

    assert overview(theirs) not in text
    assert "You have no questionnaires to answer" in text


def test_own_scores_are_shown_only_for_instruments_that_allow_it(carer, run, invitation):
    submit_through_link(invitation, "gse", {f"q{n}": 2 for n in range(1, 11)})
    submit_through_link(invitation, "phq9", {f"q{n}": 1 for n in range(1, 10)})
    end = invite(carer.person, run, "gse", timepoint="end")
    submit_through_link(end, "gse", {f"q{n}": 3 for n in range(1, 11)})

    response = carer.client.get(reverse("questionnaires:my_scores"))

    assert response.status_code == 200
    text = text_of(response)
    assert "General Self-Efficacy Scale" in text
    assert "Scores run from 10 to 40. A higher score is better." in text
    assert text.index(">20<") < text.index(">30<")
    assert "<polyline" in text and 'aria-hidden="true"' in text
    assert "Patient Health Questionnaire-9" in text
    assert "screening result that needs a conversation with a clinician" in text
    # The PHQ-9 total (9) is nowhere in a table.
    assert ">9<" not in text


def test_own_scores_are_nobody_elses(actors, carer, run):
    other = MembershipFactory(organisation=run.organisation, role=Membership.Role.PARTICIPANT).person
    submit_through_link(invite(other, run, "gse"), "gse", {f"q{n}": 4 for n in range(1, 11)})

    text = text_of(carer.client.get(reverse("questionnaires:my_scores")))

    assert "There are no scores to show you yet" in text
    assert ">40<" not in text


def test_my_questionnaires_costs_the_same_queries_however_many_there_are(
    carer, home_org, actors, assert_flat_query_count
):
    coordinator = actors["coordinator"].user

    def grow(count: int) -> None:
        for _ in range(count):
            invitation = invite(carer.person, open_run(home_org, coordinator), "gse", "phq9")
            submit_through_link(invitation, "gse", {f"q{n}": 3 for n in range(1, 11)})

    # Session, user, principal, open invitations, answered questionnaires, the model
    # backend's user and group permissions (asked once for the header's navigation), and the
    # programme words of the person's organisations (the page names the people its courses help).
    assert_flat_query_count(lambda: carer.client.get(reverse("questionnaires:mine")), grow, expected=8, sizes=(1, 4))


def test_my_scores_costs_the_same_queries_however_many_there_are(carer, home_org, actors, assert_flat_query_count):
    coordinator = actors["coordinator"].user

    def grow(count: int) -> None:
        for _ in range(count):
            invitation = invite(carer.person, open_run(home_org, coordinator), "gse", "swemwbs")
            submit_through_link(invitation, "gse", {f"q{n}": 3 for n in range(1, 11)})
            submit_through_link(invitation, "swemwbs", {f"q{n}": 3 for n in range(1, 8)})

    # Session, user, principal, every score with its response and instrument version, and the
    # model backend's user and group permissions.
    assert_flat_query_count(
        lambda: carer.client.get(reverse("questionnaires:my_scores")), grow, expected=6, sizes=(1, 4)
    )
