"""Starting, answering, submitting and rescoring questionnaires; safety alerts and who may act."""

from __future__ import annotations

import copy
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from peerpath.core import audit
from peerpath.core.models import AuditEvent
from peerpath.delivery.tests.factories import open_run
from peerpath.evaluation import instruments, responses, scoring
from peerpath.evaluation.answers import InvalidAnswerError, answer_hint, clean_answer
from peerpath.evaluation.definitions import Item
from peerpath.evaluation.models import Answer, InstrumentVersion, Response, SafetyAlert, Score
from peerpath.evaluation.responses import AnswerError
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

PHQ9_LOW = {f"q{number}": 1 for number in range(1, 9)} | {"q9": 0}


def shipped(code: str) -> InstrumentVersion:
    """A shipped instrument's published row (reloaded if a transactional test emptied the table)."""
    if not InstrumentVersion.objects.filter(code=code).exists():
        instruments.sync_shipped()
    return InstrumentVersion.objects.get(code=code, version=1)


@pytest.fixture
def phq9() -> InstrumentVersion:
    return shipped("phq9")


@pytest.fixture
def carer(actors):
    """The participant actor: a carer in the home organisation with a login."""
    return actors["participant"]


def start_own(carer, version: InstrumentVersion, **extra) -> Response:
    return responses.start_response(
        actor=carer.user, person=carer.person, instrument_version=version, mode="online", **extra
    )


def answers_of(response: Response) -> dict[str, Decimal]:
    return dict(response.answers.values_list("item_id", "value"))


def actions(response: Response) -> set[str]:
    return set(AuditEvent.objects.filter(target_id=str(response.pk)).values_list("action", flat=True))


# ---------------------------------------------------------------------------------------
# Starting


def test_start_response_online_by_the_person_records_no_staff_entry(carer, phq9):
    response = start_own(carer, phq9, timepoint="baseline")

    assert response.status == Response.Status.IN_PROGRESS
    assert response.entered_by is None
    assert response.completed_at is None
    assert actions(response) == {"evaluation.response_started"}


def test_start_response_for_a_run_and_timepoint(actors, carer, phq9, home_org):
    run = open_run(home_org, actors["coordinator"].user)

    response = start_own(carer, phq9, run=run, timepoint="baseline")

    assert list(run.questionnaire_responses.all()) == [response]
    assert AuditEvent.objects.get(action="evaluation.response_started").data["run"] == str(run.pk)


@pytest.mark.parametrize("status", [InstrumentVersion.Status.DRAFT, InstrumentVersion.Status.RETIRED])
def test_start_response_refuses_an_unpublished_version(carer, phq9, status):
    phq9.status = status
    phq9.save(update_fields=["status"])

    with pytest.raises(AnswerError, match="not published"):
        start_own(carer, phq9)
    assert not Response.objects.exists()


def test_start_response_refuses_an_unknown_mode_or_timepoint(carer, phq9):
    with pytest.raises(AnswerError, match="how the answers are collected"):
        responses.start_response(actor=carer.user, person=carer.person, instrument_version=phq9, mode="carrier-pigeon")
    with pytest.raises(AnswerError, match="timepoint"):
        start_own(carer, phq9, timepoint="someday")


@pytest.mark.parametrize("role", ["coordinator", "administrator"])
def test_staff_who_may_enter_answers_start_a_paper_form_and_are_recorded(actors, carer, phq9, role):
    staff = actors[role].user
    response = responses.start_response(actor=staff, person=carer.person, instrument_version=phq9, mode="paper")

    assert response.entered_by == staff
    assert response.mode == Response.Mode.PAPER


# Evaluators see no names (ARCHITECTURE.md), so they cannot pick a person to type in for.
@pytest.mark.parametrize("role", ["outsider", "peer_tutor", "assessor", "evaluator"])
def test_staff_without_entry_rights_for_the_person_cannot_start_a_form_for_them(actors, carer, phq9, role):
    with pytest.raises(AnswerError, match="cannot enter answers for this person"):
        responses.start_response(actor=actors[role].user, person=carer.person, instrument_version=phq9, mode="phone")
    assert not Response.objects.exists()


def test_nobody_starts_an_online_questionnaire_for_someone_else(actors, carer, phq9):
    with pytest.raises(AnswerError, match="Only they can answer online"):
        responses.start_response(
            actor=actors["coordinator"].user, person=carer.person, instrument_version=phq9, mode="online"
        )


def test_a_system_job_starts_online_responses_but_not_staff_entry(carer, phq9):
    job = audit.SystemActor("evaluation.invitations")
    response = responses.start_response(actor=job, person=carer.person, instrument_version=phq9, mode="online")
    assert response.entered_by is None

    with pytest.raises(AnswerError, match="Only a member of staff"):
        responses.start_response(actor=job, person=carer.person, instrument_version=phq9, mode="paper")


# ---------------------------------------------------------------------------------------
# Saving answers


def test_save_answers_keeps_valid_answers_and_reports_each_bad_one(carer, phq9):
    response = start_own(carer, phq9)

    result = responses.save_answers(
        actor=carer.user, response=response, answers={"q1": "2", "q2": 3, "q3": "4", "q4": "often", "q5": Decimal("1")}
    )

    assert result.saved == ("q1", "q2", "q5")
    assert result.errors == {
        "q3": "Select one of the answers for question 3",
        "q4": "Select one of the answers for question 4",
    }
    assert not result.ok
    assert answers_of(response) == {"q1": 2, "q2": 3, "q5": 1}


@pytest.mark.parametrize("value", ["-1", "4", "1.5", "0.999", "1e0", "NaN", "Infinity", True, 1.0, "½"])
def test_a_choice_answer_outside_its_response_set_is_refused(carer, phq9, value):
    response = start_own(carer, phq9)

    result = responses.save_answers(actor=carer.user, response=response, answers={"q1": value})

    assert result.errors == {"q1": "Select one of the answers for question 1"}
    assert not Answer.objects.exists()


@pytest.mark.parametrize("value", ["0", "3", " 2 ", "2.00", 0, 3])
def test_a_choice_answer_at_either_end_of_its_set_is_saved(carer, phq9, value):
    response = start_own(carer, phq9)

    assert responses.save_answers(actor=carer.user, response=response, answers={"q1": value}).ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [("0", True), ("200", True), ("17", True), ("201", False), ("-1", False), ("1.5", False), ("lots", False)],
)
def test_a_number_answer_must_be_a_whole_number_within_its_range(carer, value, ok):
    response = start_own(carer, shipped("service-use-carer"))

    result = responses.save_answers(actor=carer.user, response=response, answers={"crisis_contacts": value})

    assert result.ok is ok
    if not ok:
        assert result.errors == {"crisis_contacts": "Enter a whole number from 0 to 200 for question 1"}


def test_a_scale_answer_is_checked_against_its_range(carer):
    response = start_own(carer, shipped("carerqol"))

    result = responses.save_answers(actor=carer.user, response=response, answers={"vas": "11"})

    assert result.errors == {"vas": "Enter a whole number from 0 to 10 for question 8"}


def test_an_off_step_answer_to_a_stepped_number_names_the_step():
    item = Item(
        id="hours", number=4, text="Hours", kind="number", required=True, reverse=False,
        min=Decimal(0), max=Decimal(10), step=Decimal("0.5"),
    )  # fmt: skip

    assert clean_answer(item, "2.5") == Decimal("2.5")
    assert clean_answer(item, "10") == 10
    for bad in ("2.25", "10.5", "-0.5"):
        with pytest.raises(InvalidAnswerError, match=r"^Enter a number from 0 to 10, in steps of 0.5, for question 4$"):
            clean_answer(item, bad)


def test_an_unknown_item_refuses_the_whole_post_and_saves_nothing(carer, phq9):
    response = start_own(carer, phq9)

    with pytest.raises(AnswerError, match="no question 'q11'"):
        responses.save_answers(actor=carer.user, response=response, answers={"q1": "1", "q11": "1"})
    assert not Answer.objects.exists()


def test_an_empty_value_clears_that_answer_only(carer, phq9):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers={"q1": "1", "q2": "2", "q3": "3"})

    result = responses.save_answers(actor=carer.user, response=response, answers={"q1": "", "q2": None, "q4": " "})

    assert result.cleared == ("q1", "q2")
    assert result.ok
    assert answers_of(response) == {"q3": 3}


def test_partial_progress_is_kept_across_two_saves_with_one_bad_answer(carer, phq9):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers={"q1": "1", "q2": "2"})

    second = responses.save_answers(actor=carer.user, response=response, answers={"q2": "7", "q3": "3", "q1": "0"})

    assert second.errors == {"q2": "Select one of the answers for question 2"}
    assert answers_of(response) == {"q1": 0, "q2": 2, "q3": 3}  # q2 keeps its saved answer


def test_saving_is_audited_without_the_answers(carer, phq9):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers={"q1": "3", "q2": "9"})

    event = AuditEvent.objects.get(action="evaluation.answers_saved")
    assert event.data == {"saved": 1, "cleared": 0, "refused": ["q2"]}


# ---------------------------------------------------------------------------------------
# Who may answer


@pytest.mark.parametrize("role", ["coordinator", "outsider", "evaluator", "administrator"])
def test_answers_posted_to_someone_elses_questionnaire_are_refused(actors, carer, phq9, role):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers={"q1": "1"})

    with pytest.raises(AnswerError, match="someone else's"):
        responses.save_answers(actor=actors[role].user, response=response, answers={"q1": "3", "q2": "3"})
    with pytest.raises(AnswerError, match="someone else's"):
        responses.submit(actor=actors[role].user, response=response)
    assert answers_of(response) == {"q1": 1}


def test_another_carer_cannot_answer_for_this_one(carer, phq9):
    response = start_own(carer, phq9)
    stranger = MembershipFactory(organisation=carer.person.memberships.get().organisation).person
    stranger.user = UserFactory(username="stranger")
    stranger.save(update_fields=["user"])

    with pytest.raises(AnswerError, match="someone else's"):
        responses.save_answers(actor=stranger.user, response=response, answers={"q1": "1"})


def test_a_system_job_cannot_post_answers(carer, phq9):
    response = start_own(carer, phq9)

    with pytest.raises(AnswerError, match="someone else's"):
        responses.save_answers(actor=audit.SystemActor("anything"), response=response, answers={"q1": "1"})


def test_staff_entering_a_paper_form_save_and_submit_it_and_the_person_may_too(actors, carer, phq9):
    coordinator = actors["coordinator"].user
    response = responses.start_response(actor=coordinator, person=carer.person, instrument_version=phq9, mode="paper")

    responses.save_answers(actor=coordinator, response=response, answers=dict(list(PHQ9_LOW.items())[:5]))
    responses.save_answers(actor=carer.user, response=response, answers=dict(list(PHQ9_LOW.items())[5:]))
    result = responses.submit(actor=coordinator, response=response)

    assert result.ok
    assert response.status == Response.Status.COMPLETE
    event = AuditEvent.objects.get(action="evaluation.response_submitted")
    assert event.actor == coordinator


def test_a_person_without_a_login_can_only_be_entered_by_staff(actors, phq9, home_org):
    person = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person
    response = responses.start_response(
        actor=actors["administrator"].user, person=person, instrument_version=phq9, mode="phone"
    )

    assert responses.save_answers(actor=actors["administrator"].user, response=response, answers={"q1": "1"}).ok
    with pytest.raises(AnswerError):
        responses.save_answers(actor=actors["coordinator"].user, response=response, answers={"q1": "2"})


def test_staff_cannot_enter_for_someone_outside_their_organisations(actors, phq9):
    unattached = PersonFactory()

    with pytest.raises(AnswerError, match="cannot enter"):
        responses.start_response(
            actor=actors["coordinator"].user, person=unattached, instrument_version=phq9, mode="paper"
        )


# ---------------------------------------------------------------------------------------
# Submitting


def test_submit_with_required_answers_missing_lists_them_and_changes_nothing(carer, phq9):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers={"q1": "1", "q2": "1"})

    result = responses.submit(actor=carer.user, response=response)

    assert not result.ok
    assert result.errors == {f"q{number}": f"Select an answer for question {number}" for number in range(3, 10)}
    assert "q10" not in result.errors  # optional
    response.refresh_from_db()
    assert response.status == Response.Status.IN_PROGRESS
    assert not Score.objects.exists()
    assert "evaluation.response_submitted" not in actions(response)


def test_submit_names_what_to_enter_for_a_missing_number():
    version = shipped("carerqol")
    instrument = responses.instrument_for(version)
    assert answer_hint(instrument.item("vas")) == "Enter a whole number from 0 to 10 for question 8"


def test_submit_completes_the_response_and_stores_the_scores_score_all_gives(carer, phq9):
    response = start_own(carer, phq9, timepoint="end")
    answers = PHQ9_LOW | {"q3": 3, "q10": 2}
    responses.save_answers(actor=carer.user, response=response, answers=answers)

    result = responses.submit(actor=carer.user, response=response)

    expected = scoring.score_all(responses.instrument_for(phq9), answers)["total"]
    assert expected is not None
    [score] = result.scores
    assert (score.scale_code, score.value, score.raw, score.band) == ("total", expected.value, expected.raw, "Moderate")
    assert (score.answered, score.missing, score.prorated) == (9, 0, False)
    assert (score.instrument_code, score.instrument_version, score.scoring_version) == ("phq9", 1, 1)
    assert result.safety_messages == []
    response.refresh_from_db()
    assert response.status == Response.Status.COMPLETE
    assert response.completed_at is not None
    assert "evaluation.response_submitted" in actions(response)


@pytest.mark.parametrize(
    "code",
    sorted({path.stem.rsplit("-v", 1)[0] for path in instruments.SHIPPED_DIR.glob("*.json")}),
)
def test_stored_scores_equal_score_all_for_every_shipped_instrument(carer, code):
    """Required choices at their last option, every number at its minimum, optional choices blank."""
    version = shipped(code)
    instrument = responses.instrument_for(version)
    answers = {
        item.id: (item.options[-1].value if item.kind == "choice" else item.min)
        for item in instrument.items
        if item.required or item.kind != "choice"
    }
    response = start_own(carer, version)
    assert responses.save_answers(actor=carer.user, response=response, answers=answers).ok

    result = responses.submit(actor=carer.user, response=response)

    expected = {code: score for code, score in scoring.score_all(instrument, answers).items() if score is not None}
    stored = {row.scale_code: row for row in Score.objects.filter(response=response)}
    assert set(stored) == set(expected)
    assert [row.scale_code for row in result.scores] == [s.code for s in instrument.scales if s.code in expected]
    for scale_code, score in expected.items():
        row = stored[scale_code]
        assert (row.value, row.raw, row.answered, row.missing, row.prorated) == (
            score.value,
            score.raw,
            score.answered,
            score.missing,
            score.prorated,
        )
        assert row.band == (score.band or "")


def test_a_scale_its_missing_rule_cannot_score_gets_no_row(carer):
    version = shipped("involvement")
    instrument = responses.instrument_for(version)
    required = {item.id: 2 for item in instrument.items if item.required}
    optional = [item.id for item in instrument.items if not item.required]
    response = start_own(carer, version)
    responses.save_answers(actor=carer.user, response=response, answers=required | {optional[0]: 3})

    result = responses.submit(actor=carer.user, response=response)

    expected = scoring.score_all(instrument, required | {optional[0]: 3})
    assert {row.scale_code for row in result.scores} == {code for code, score in expected.items() if score}
    assert any(score is None for score in expected.values())  # the case is really exercised


def test_submitting_twice_is_refused_without_duplicate_scores(carer, phq9):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers=PHQ9_LOW)
    responses.submit(actor=carer.user, response=response)

    with pytest.raises(AnswerError, match="already been submitted"):
        responses.submit(actor=carer.user, response=response)
    stale_copy = Response.objects.get(pk=response.pk)
    stale_copy.status = Response.Status.IN_PROGRESS  # a form still open in another tab
    with pytest.raises(AnswerError, match="already been submitted"):
        responses.submit(actor=carer.user, response=stale_copy)
    assert Score.objects.filter(response=response).count() == 1


def test_answers_to_a_submitted_questionnaire_cannot_change(carer, phq9):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers=PHQ9_LOW)
    responses.submit(actor=carer.user, response=response)

    with pytest.raises(AnswerError, match="can no longer change"):
        responses.save_answers(actor=carer.user, response=response, answers={"q1": "3"})
    assert answers_of(response)["q1"] == 1


# ---------------------------------------------------------------------------------------
# Safety


@pytest.mark.parametrize("value", [1, 3])
def test_phq9_item_9_above_zero_raises_one_alert_and_returns_the_message(carer, phq9, value):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers=PHQ9_LOW | {"q9": value})

    result = responses.submit(actor=carer.user, response=response)

    [rule] = responses.instrument_for(phq9).safety
    assert result.safety_messages == [rule.message]
    assert "116 123" in rule.message
    [alert] = SafetyAlert.objects.all()
    assert (alert.response, alert.item_id, alert.value, alert.message) == (response, "q9", value, rule.message)
    assert alert.status == SafetyAlert.Status.OPEN
    event = AuditEvent.objects.get(action="evaluation.safety_alert")
    assert event.target_id == str(alert.pk)
    home = carer.person.memberships.get().organisation
    assert alert.organisation == home  # no run: the person's organisation follows it up
    assert event.data == {
        "response": str(response.pk),
        "instrument": "phq9",
        "item": "q9",
        "organisation": str(home.pk),
    }


def test_phq9_item_9_at_zero_raises_no_alert(carer, phq9):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers=PHQ9_LOW)

    result = responses.submit(actor=carer.user, response=response)

    assert result.safety_messages == []
    assert not SafetyAlert.objects.exists()
    assert not AuditEvent.objects.filter(action="evaluation.safety_alert").exists()


def test_an_alert_is_closed_with_a_note_once(actors, carer, phq9):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers=PHQ9_LOW | {"q9": 2})
    responses.submit(actor=carer.user, response=response)
    alert = SafetyAlert.objects.get()
    coordinator = actors["coordinator"].user

    with pytest.raises(AnswerError, match="Enter a note"):
        responses.close_safety_alert(actor=coordinator, alert=alert, note="  ")
    responses.close_safety_alert(actor=coordinator, alert=alert, note="Phoned; they have a GP appointment")

    alert.refresh_from_db()
    assert (alert.status, alert.closed_by, alert.note) == ("closed", coordinator, "Phoned; they have a GP appointment")
    assert alert.closed_at is not None
    event = AuditEvent.objects.get(action="evaluation.safety_alert_closed")
    assert event.data == {}  # the note is personal: not in the log
    with pytest.raises(AnswerError, match="already closed"):
        responses.close_safety_alert(actor=coordinator, alert=alert, note="again")


# ---------------------------------------------------------------------------------------
# Rescoring


def new_rule(version: InstrumentVersion, *, status: str = "published", **changes) -> InstrumentVersion:
    """The next version of ``version`` with a stricter missing-item rule and scoring version 2."""
    document = copy.deepcopy(version.definition)
    document["version"] = version.version + 1
    document["scoring_version"] = 2
    document["scales"][0]["rule"]["missing"] = {"type": "complete_only"}
    document.update(changes)
    return InstrumentVersion.objects.create(
        **instruments.row_fields(document), status=status, origin=InstrumentVersion.Origin.LOCAL
    )


def test_rescore_with_a_new_rule_adds_rows_and_keeps_the_old(carer, phq9):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers=PHQ9_LOW | {"q9": 1})
    [old] = responses.submit(actor=carer.user, response=response).scores
    rule = new_rule(phq9)

    [new] = responses.rescore(response, rule=rule)

    assert (old.scoring_version, new.scoring_version) == (1, 2)
    assert (old.instrument_version, new.instrument_version) == (1, 2)
    assert new.value == old.value == 9
    assert set(Score.objects.filter(response=response).values_list("scale_code", "scoring_version")) == {
        ("total", 1),
        ("total", 2),
    }
    event = AuditEvent.objects.get(action="evaluation.rescored")
    assert event.actor_label == "system:evaluation.rescore"
    assert event.data["answered_version"] == 1 and event.data["rule_version"] == 2
    assert SafetyAlert.objects.count() == 1  # rescoring scores; it does not raise alerts again


def test_the_newest_rule_of_each_instrument_is_the_highest_scoring_version_stored(carer, phq9):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers=PHQ9_LOW)
    responses.submit(actor=carer.user, response=response)
    assert Score.objects.newest_rules(["phq9", "gad7"]) == {"phq9": 1}  # GAD-7 was never scored

    responses.rescore(response, rule=new_rule(phq9))

    assert Score.objects.newest_rules(["phq9"]) == {"phq9": 2}
    assert Score.objects.newest_rules([]) == {}


def test_rescore_is_idempotent(carer, phq9):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers=PHQ9_LOW)
    [submitted] = responses.submit(actor=carer.user, response=response).scores

    assert [row.pk for row in responses.rescore(response)] == [submitted.pk]
    rule = new_rule(phq9)
    first = responses.rescore(response, rule=rule)
    second = responses.rescore(response, rule=rule)

    assert [row.pk for row in first] == [row.pk for row in second]
    assert Score.objects.filter(response=response).count() == 2
    assert AuditEvent.objects.filter(action="evaluation.rescored").count() == 1


def test_rescore_refuses_a_rule_that_cannot_score_the_answers(carer, phq9):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers=PHQ9_LOW)
    responses.submit(actor=carer.user, response=response)
    fewer_items = copy.deepcopy(phq9.definition["items"])[:-1]
    # Options valued 1 to 4 instead of 0 to 3 (and the range and bands that follow).
    other_values = copy.deepcopy(phq9.definition)
    frequency = other_values["items"][0]["response_set"]
    other_values["response_sets"][frequency] = [
        dict(option, value=option["value"] + 1) for option in other_values["response_sets"][frequency]
    ]
    other_values["scales"][0].update(range=[9, 36], bands=[], clinical_cutoff={"value": 19, "source": "test"})
    other_values["safety"] = []

    with pytest.raises(AnswerError, match="not published"):
        responses.rescore(response, rule=new_rule(phq9, status="draft"))
    with pytest.raises(AnswerError, match="another instrument"):
        responses.rescore(response, rule=shipped("gad7"))
    for broken in (
        {"items": fewer_items},
        {key: other_values[key] for key in ("response_sets", "scales", "safety")},
    ):
        with pytest.raises(AnswerError, match="cannot score answers"):
            responses.rescore(
                response,
                rule=InstrumentVersion(
                    code="phq9",
                    version=9,
                    status="published",
                    definition=dict(copy.deepcopy(phq9.definition), **broken, version=9),
                ),
            )
    assert Score.objects.filter(response=response).count() == 1


def test_rescore_refuses_a_response_still_in_progress(carer, phq9):
    response = start_own(carer, phq9)

    with pytest.raises(AnswerError, match="Only a submitted questionnaire"):
        responses.rescore(response)


def test_saving_a_whole_page_again_costs_the_same_queries_however_many_answers_change(
    carer, phq9, django_assert_num_queries
):
    response = start_own(carer, phq9)
    responses.save_answers(actor=carer.user, response=response, answers={f"q{n}": "1" for n in range(1, 10)})
    changed = {f"q{n}": "2" for n in range(1, 10)} | {"q10": "1"}

    # savepoint, locked response, saved answers, insert q10, one update for the nine, audit, release
    with django_assert_num_queries(7):
        result = responses.save_answers(actor=carer.user, response=response, answers=changed)

    assert result.saved == tuple(changed)
    assert answers_of(response) == {item_id: Decimal(value) for item_id, value in changed.items()}


def test_the_rescore_command_applies_a_new_rule_to_every_submitted_response(carer, phq9):
    submitted = []
    for low in (PHQ9_LOW, PHQ9_LOW | {"q1": 3}):
        response = start_own(carer, phq9)
        responses.save_answers(actor=carer.user, response=response, answers=low)
        responses.submit(actor=carer.user, response=response)
        submitted.append(response)
    start_own(carer, phq9)  # in progress: nothing to score
    rule = new_rule(phq9)
    out = StringIO()

    call_command("rescore", "phq9", "--to-version", "2", "--dry-run", stdout=out)
    assert "2 responses to phq9 have no scores from scoring version 2" in out.getvalue()
    assert not Score.objects.filter(scoring_version=2).exists()

    call_command("rescore", "phq9", "--to-version", "2", stdout=out)
    assert "Rescored 2 responses" in out.getvalue()
    assert sorted(Score.objects.filter(scoring_version=2).values_list("value", flat=True)) == [8, 10]
    call_command("rescore", "phq9", "--to-version", "2", stdout=out)
    assert "Rescored 0 responses" in out.getvalue()
    assert rule.status == "published"


def test_the_rescore_command_refuses_an_unknown_or_draft_version(phq9):
    new_rule(phq9, status="draft")
    with pytest.raises(CommandError, match="no version 7"):
        call_command("rescore", "phq9", "--to-version", "7")
    with pytest.raises(CommandError, match="only a published version"):
        call_command("rescore", "phq9", "--to-version", "2")
