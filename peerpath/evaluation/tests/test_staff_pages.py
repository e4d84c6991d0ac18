"""The coordinators' evaluation pages: the run list, a run's plan and participants, a run's own
schedule (and its services), and following up safety alerts."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from peerpath.core.models import AuditEvent
from peerpath.courses.tests.factories import TermFactory
from peerpath.delivery import enrolment, services
from peerpath.delivery.models import CourseRun, Enrolment
from peerpath.delivery.tests.factories import open_run
from peerpath.evaluation import invitations, responses, schedules, scheduling
from peerpath.evaluation.models import Invitation, Response, SafetyAlert, Schedule, ScheduleInstrument
from peerpath.evaluation.scheduling import SchedulingError
from peerpath.evaluation.tests.test_responses import shipped
from peerpath.people.models import Membership, Person
from peerpath.people.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("evaluation:index")
ALERTS = reverse("evaluation:alerts")
GSE_ANSWERS = {f"q{n}": 3 for n in range(1, 11)}  # total 30


def phq9_answers(value: int, q9: int = 0) -> dict[str, int]:
    return {f"q{n}": value for n in range(1, 9)} | {"q9": q9}


def text_of(response) -> str:
    """The page as text: tags (and the column names repeated in table cells for phones)
    removed, entities decoded, white space squeezed."""
    body = re.sub(r'<span class="nhsuk-table-responsive__heading"[^>]*>[^<]*</span>', " ", response.content.decode())
    body = re.sub(r"</?(?:strong|span|a)\b[^>]*>", "", body)  # inline: no space where they were
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", unescape(body))


# ---------------------------------------------------------------------------------------
# Building blocks


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"]


@pytest.fixture
def run(home_org, coordinator) -> CourseRun:
    """An open recovery-college run whose first session is in three weeks."""
    return open_run(home_org, coordinator.user, title="Understanding psychosis")


def carer_on(run: CourseRun, actor, *, given: str = "", family: str = "", **person_fields) -> Person:
    person = MembershipFactory(organisation=run.organisation, role=Membership.Role.PARTICIPANT).person
    changed = {"given_name": given, "family_name": family, **person_fields}
    for name, value in changed.items():
        if value:
            setattr(person, name, value)
    person.save()
    enrolment.enrol(actor=actor.user, run_id=run.pk, person=person, agreement_accepted=True)
    return person


def invite(person: Person, run: CourseRun, timepoint: str, codes=("gse", "phq9"), days: int = 28) -> Invitation:
    return invitations.create_invitation(
        person=person,
        run=run,
        timepoint=timepoint,
        versions=[shipped(code) for code in codes],
        expires_at=timezone.now() + timedelta(days=days),
    )


def answer_online(invitation: Invitation, code: str, answers: dict, *, submit: bool = True) -> Response:
    link = responses.INVITATION_LINK
    response = responses.start_response(
        actor=link, person=invitation.person, instrument_version=shipped(code), mode="online", invitation=invitation
    )
    responses.save_answers(actor=link, response=response, answers=answers, invitation=invitation)
    if submit:
        responses.submit(actor=link, response=response, invitation=invitation)
    return response


def answer_on_paper(actor, person: Person, run: CourseRun | None, timepoint: str, code: str, answers: dict) -> Response:
    response = responses.start_response(
        actor=actor.user,
        person=person,
        instrument_version=shipped(code),
        run=run,
        timepoint=timepoint,
        mode="paper",
    )
    responses.save_answers(actor=actor.user, response=response, answers=answers)
    responses.submit(actor=actor.user, response=response)
    return response


def category_schedule(run: CourseRun, timepoint: str, codes=("gse", "phq9"), **fields) -> Schedule:
    for code in codes:
        shipped(code)
    made = Schedule.objects.create(category=run.version.course.category, timepoint=timepoint, **fields)
    ScheduleInstrument.objects.bulk_create(
        ScheduleInstrument(schedule=made, instrument_code=code, position=index) for index, code in enumerate(codes)
    )
    return made


def run_url(run: CourseRun) -> str:
    return reverse("evaluation:run", kwargs={"run_id": run.pk})


def schedule_url(run: CourseRun, timepoint: str) -> str:
    return reverse("evaluation:run_schedule", kwargs={"run_id": run.pk, "timepoint": timepoint})


def alert_url(alert: SafetyAlert) -> str:
    return reverse("evaluation:alert", kwargs={"alert_id": alert.pk})


# ---------------------------------------------------------------------------------------
# Who may use the pages


@pytest.mark.parametrize("role", ["evaluator", "peer_tutor", "professional_tutor", "assessor", "participant"])
def test_only_coordinators_and_administrators_use_the_pages(role, actors, run, coordinator):
    person = carer_on(run, coordinator)
    alert = answer_on_paper(coordinator, person, run, "baseline", "phq9", phq9_answers(1, q9=1)).safety_alerts.get()
    client = actors[role].client

    for url in (INDEX, run_url(run), schedule_url(run, "baseline"), ALERTS, alert_url(alert)):
        assert client.get(url).status_code == 403, url
    assert client.post(alert_url(alert), {"note": "Called"}).status_code == 403
    assert client.post(schedule_url(run, "end"), {"action": "switch_off"}).status_code == 403
    alert.refresh_from_db()
    assert alert.status == SafetyAlert.Status.OPEN
    assert not Schedule.objects.filter(run=run).exists()


def test_another_organisations_coordinator_finds_nothing(outsider_client, run, coordinator):
    person = carer_on(run, coordinator, family="Okafor")
    invite(person, run, "baseline")
    alert = answer_on_paper(coordinator, person, run, "baseline", "phq9", phq9_answers(1, q9=1)).safety_alerts.get()

    assert outsider_client.get(run_url(run)).status_code == 404
    assert outsider_client.get(schedule_url(run, "end")).status_code == 404
    assert outsider_client.post(schedule_url(run, "end"), {"action": "switch_off"}).status_code == 404
    assert outsider_client.get(alert_url(alert)).status_code == 404
    assert outsider_client.post(alert_url(alert), {"note": "Called"}).status_code == 404
    # Nor do their lists mention the run, the person or the alert.
    assert "Understanding psychosis" not in outsider_client.get(INDEX).content.decode()
    assert "Okafor" not in outsider_client.get(ALERTS).content.decode()
    assert not Schedule.objects.filter(run=run).exists()


def test_coordinators_find_the_pages_from_home_and_the_header(coordinator_client, participant_client):
    home = coordinator_client.get(reverse("core:home")).content.decode()
    assert f'href="{INDEX}"' in home and "Evaluation of your runs" in home
    assert f'href="{ALERTS}"' in home and "Safety alerts" in home
    assert re.search(rf'href="{INDEX}"[^>]*>\s*Evaluation\s*<', home)  # the header's item

    theirs = participant_client.get(reverse("core:home")).content.decode()
    assert INDEX not in theirs and ALERTS not in theirs


# ---------------------------------------------------------------------------------------
# The run list


def test_the_run_list_counts_invited_and_completed_at_each_planned_timepoint(coordinator_client, run, coordinator):
    category_schedule(run, "baseline")
    category_schedule(run, "end", codes=("swemwbs",))
    done, halfway, waiting, gone = (carer_on(run, coordinator) for _ in range(4))
    for person in (done, halfway, waiting, gone):
        invite(person, run, "baseline")
    first = Invitation.objects.get(person=done)
    answer_online(first, "gse", GSE_ANSWERS)
    answer_online(first, "phq9", phq9_answers(1, q9=2))  # completes the invitation, raises an alert
    answer_online(Invitation.objects.get(person=halfway), "gse", GSE_ANSWERS)
    Invitation.objects.filter(person=gone).update(status=Invitation.Status.WITHDRAWN)

    page = coordinator_client.get(INDEX)

    assert page.status_code == 200
    text = text_of(page)
    # Withdrawn invitations are left out: 1 of the 3 still asked completed.
    assert "Baseline: 1 of 3 (33%)" in text
    assert "End of course: nobody invited yet" in text
    assert "Follow-up" not in text  # nothing planned, nobody invited
    alerts_link = f"{ALERTS}?status=open&amp;run={run.pk}"
    assert alerts_link in page.content.decode()
    assert "1 open safety alert to follow up" in text


def test_the_run_list_is_limited_to_the_coordinators_organisations(actors, run, other_org):
    other = open_run(other_org, actors["outsider"].user, title="Looking after yourself")

    assert "Looking after yourself" not in actors["coordinator"].client.get(INDEX).content.decode()
    assert "Understanding psychosis" not in actors["outsider"].client.get(INDEX).content.decode()
    everyone = actors["administrator"].client.get(INDEX).content.decode()
    assert run_url(run) in everyone and run_url(other) in everyone


def test_the_run_list_filters_by_title_term_and_status_from_the_address(coordinator_client, home_org, coordinator):
    today = timezone.localdate()
    autumn = TermFactory(organisation=home_org, name="Autumn 2027", starts_on=today, ends_on=today + timedelta(days=90))
    first = open_run(home_org, coordinator.user, title="Understanding psychosis", term=autumn)
    second = open_run(home_org, coordinator.user, title="Sleep and wellbeing")
    services.change_status(actor=coordinator.user, run=second, to_status=CourseRun.Status.FULL)

    by_term = coordinator_client.get(INDEX, {"term": autumn.slug}).content.decode()
    assert run_url(first) in by_term and run_url(second) not in by_term
    by_status = coordinator_client.get(INDEX, {"status": "full"}).content.decode()
    assert run_url(second) in by_status and run_url(first) not in by_status
    by_title = coordinator_client.get(INDEX, {"q": "sleep"}).content.decode()
    assert run_url(second) in by_title and run_url(first) not in by_title
    # The chosen filters stay chosen on the page.
    assert f'value="{autumn.slug}" selected' in by_term


def test_the_run_list_pages_keep_the_filters(coordinator_client, home_org, coordinator, settings):
    settings.PEERPATH_PAGE_SIZE = 5
    for _ in range(6):
        open_run(home_org, coordinator.user, title="Understanding psychosis")

    page = coordinator_client.get(INDEX, {"q": "psychosis"}).content.decode()

    assert "6 runs found" in page
    assert f"{INDEX}?q=psychosis&amp;page=2" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "sleeping"}, "Select a run status from the list"),
        ({"term": "no-such-term"}, "Select a term from the list"),
    ],
)
def test_a_bad_filter_is_a_400_with_a_message_and_the_whole_list(coordinator_client, run, query, message):
    page = coordinator_client.get(INDEX, query)

    assert page.status_code == 400
    assert message in page.content.decode()
    assert run_url(run) in page.content.decode()


def test_the_run_list_costs_the_same_queries_for_2_and_20_runs(
    coordinator_client, run, home_org, coordinator, assert_flat_query_count
):
    category_schedule(run, "baseline")  # the network's, for every run of the category

    def grow(count: int) -> None:
        for _ in range(count):
            more = open_run(home_org, coordinator.user)
            scheduling.set_run_schedule(
                actor=coordinator.user, run=more, timepoint="end", instrument_codes=["gse"], days=0, open_days=28
            )
            person = carer_on(more, coordinator)
            answer_online(invite(person, more, "baseline", codes=("phq9",)), "phq9", phq9_answers(1, q9=1))
            invite(carer_on(more, coordinator), more, "end", codes=("gse",))

    # session, user, principal, terms, count, runs, the plans (own schedules and their
    # instruments, shared ones and theirs), invitations, alerts per run, open alerts in all
    assert_flat_query_count(lambda: coordinator_client.get(INDEX), grow, expected=13)


# ---------------------------------------------------------------------------------------
# One run: its plan


def test_the_run_page_shows_the_plan_in_effect_at_each_timepoint(coordinator_client, run, coordinator, home_org):
    category_schedule(run, "baseline", days=7, open_days=10)  # the network's
    category_schedule(run, "end", codes=("swemwbs",), organisation=home_org)  # the organisation's
    category_schedule(run, "follow_up", codes=("k10",), days=90)
    scheduling.switch_off_timepoint(actor=coordinator.user, run=run, timepoint="follow_up")
    dates = schedules.run_dates([run.pk])[run.pk]

    text = text_of(coordinator_client.get(run_url(run)))

    assert "Baseline GSE, PHQ-9" in text
    due = dates.first_start - timedelta(days=7)
    assert f"Invitations go on {due:%-d %B %Y}; links work until {due + timedelta(days=10):%-d %B %Y}" in text
    assert "The network's schedule for each Recovery College course" in text
    assert "End of course SWEMWBS" in text
    assert f"{home_org.name}'s schedule for each Recovery College course" in text
    assert "Follow-up Switched off for this run" in text
    assert "K10" not in text


def test_a_timepoint_with_no_schedule_says_nothing_is_planned(coordinator_client, run):
    text = text_of(coordinator_client.get(run_url(run)))

    assert text.count("Nothing planned for this course's category") == 3
    assert "Nobody holds a place on this run yet" in text


# ---------------------------------------------------------------------------------------
# One run: its participants and their scores


def test_the_run_page_shows_each_participants_invitation_and_scores(coordinator_client, run, coordinator):
    category_schedule(run, "baseline")
    ada = carer_on(run, coordinator, given="Ada", family="Adeyemi")
    ben = carer_on(run, coordinator, given="Ben", family="Brown")
    cai = carer_on(run, coordinator, given="Cai", family="Chen")
    dee = carer_on(run, coordinator, given="Dee", family="Doyle")
    eve = carer_on(run, coordinator, given="Eve", family="Evans")
    fay = carer_on(run, coordinator, given="Fay", family="Fox")
    first = invite(ada, run, "baseline")
    answer_online(first, "gse", GSE_ANSWERS)
    answer_online(first, "phq9", phq9_answers(2))  # 16: moderately severe
    invite(ben, run, "baseline")
    Invitation.objects.filter(person=ben).update(reminders=2)
    answer_online(invite(cai, run, "baseline"), "gse", GSE_ANSWERS, submit=False)
    invite(dee, run, "baseline")
    Invitation.objects.filter(person=dee).update(expires_at=timezone.now() - timedelta(days=1))
    answer_on_paper(coordinator, fay, run, "baseline", "phq9", phq9_answers(0))  # on paper, not invited
    today = f"{timezone.localdate():%-d %B %Y}"

    text = text_of(coordinator_client.get(run_url(run)))

    assert "Ada Adeyemi Complete" in text
    assert "GSE: 30" in text
    assert "PHQ-9: 16 (Moderately severe)" in text
    assert f"Ben Brown Invited Invited on {today}, 2 reminders" in text
    assert f"Cai Chen In progress Invited on {today}, no reminders yet. Started, not submitted" in text
    assert "Dee Doyle Expired The link stopped working on" in text
    assert "Eve Evans Not invited" in text
    assert f"Fay Fox Complete On {today} (paper form)" in text
    assert "PHQ-9: 0 (Below mild)" in text
    assert eve.display_name in text


def test_participants_are_those_with_a_place_and_those_who_did_not_complete(coordinator_client, run, coordinator):
    category_schedule(run, "baseline")
    staying = carer_on(run, coordinator, family="Staying")
    leaving = carer_on(run, coordinator, family="Leaving")
    unfinished = carer_on(run, coordinator, family="Unfinished")
    enrolment.withdraw(actor=coordinator.user, enrolment_id=Enrolment.objects.get(person=leaving).pk)
    Enrolment.objects.filter(person=unfinished).update(status=Enrolment.Status.DID_NOT_COMPLETE)

    text = text_of(coordinator_client.get(run_url(run)))

    assert staying.display_name in text
    assert f"{unfinished.display_name} Did not complete" in text
    assert "Leaving" not in text
    assert "2 participants" in text


def test_the_coordinator_sees_the_change_from_baseline_to_end(coordinator_client, run, coordinator):
    category_schedule(run, "baseline")
    category_schedule(run, "end")
    person = carer_on(run, coordinator, given="Ada", family="Adeyemi")
    answer_on_paper(coordinator, person, run, "baseline", "phq9", phq9_answers(2))  # 16
    answer_on_paper(coordinator, person, run, "end", "phq9", phq9_answers(1))  # 8
    answer_on_paper(coordinator, person, run, "baseline", "gse", GSE_ANSWERS)  # GSE only at baseline

    text = text_of(coordinator_client.get(run_url(run)))

    assert "Ada Adeyemi PHQ-9 total 16 8 \N{MINUS SIGN}8 (better)" in text
    assert "General self-efficacy total 30" not in text.split("Change from baseline")[1]


def test_the_run_page_shows_one_questionnaires_scores_when_asked(coordinator_client, run, coordinator):
    category_schedule(run, "baseline")
    category_schedule(run, "end")
    person = carer_on(run, coordinator, given="Ada", family="Adeyemi")
    for timepoint, value in (("baseline", 2), ("end", 1)):
        answer_on_paper(coordinator, person, run, timepoint, "phq9", phq9_answers(value))
        answer_on_paper(coordinator, person, run, timepoint, "gse", GSE_ANSWERS)

    everything = text_of(coordinator_client.get(run_url(run)))
    only_phq9 = coordinator_client.get(run_url(run), {"instrument": "phq9"})

    assert "GSE: 30" in everything and "General self-efficacy total 30 30 0" in everything
    text = text_of(only_phq9)
    assert only_phq9.status_code == 200
    assert "PHQ-9: 16 (Moderately severe)" in text and "PHQ-9 total 16 8 \N{MINUS SIGN}8 (better)" in text
    assert "GSE: 30" not in text and "General self-efficacy total" not in text
    assert 'value="phq9" selected' in only_phq9.content.decode()


def test_an_unknown_questionnaire_in_the_address_is_a_400_showing_every_score(coordinator_client, run, coordinator):
    category_schedule(run, "baseline")
    person = carer_on(run, coordinator)
    answer_on_paper(coordinator, person, run, "baseline", "gse", GSE_ANSWERS)

    page = coordinator_client.get(run_url(run), {"instrument": "recollect"})

    assert page.status_code == 400
    text = text_of(page)
    assert "Select a questionnaire from the list: every questionnaire is shown" in text
    assert "GSE: 30" in text


def test_each_participant_has_a_paper_entry_link_per_timepoint_not_yet_complete(coordinator_client, run, coordinator):
    category_schedule(run, "baseline")
    category_schedule(run, "end")
    person = carer_on(run, coordinator)
    first = invite(person, run, "baseline")
    answer_online(first, "gse", GSE_ANSWERS)
    answer_online(first, "phq9", phq9_answers(0))

    page = coordinator_client.get(run_url(run)).content.decode()

    start = reverse("evaluation_entry:start")
    end = urlencode({"run": str(run.pk), "person": str(person.pk), "timepoint": "end"})
    baseline = urlencode({"run": str(run.pk), "person": str(person.pk), "timepoint": "baseline"})
    assert f'href="{start}?{end.replace("&", "&amp;")}"' in page
    assert baseline.replace("&", "&amp;") not in page  # complete already


def test_no_entry_link_for_someone_the_coordinator_cannot_enter_answers_for(coordinator_client, run, coordinator):
    category_schedule(run, "baseline")
    person = carer_on(run, coordinator)
    today = timezone.localdate()
    Membership.objects.filter(person=person).update(
        started_on=today - timedelta(days=30), ended_on=today - timedelta(days=1)
    )

    page = coordinator_client.get(run_url(run)).content.decode()

    assert person.display_name in page
    assert reverse("evaluation_entry:start") not in page


def test_the_run_page_costs_the_same_queries_for_2_and_20_participants(
    coordinator_client, run, coordinator, assert_flat_query_count
):
    category_schedule(run, "baseline")
    category_schedule(run, "end")

    def grow(count: int) -> None:
        for _ in range(count):
            person = carer_on(run, coordinator)
            invitation = invite(person, run, "baseline")
            answer_online(invitation, "gse", GSE_ANSWERS)
            answer_online(invitation, "phq9", phq9_answers(1, q9=1))
            answer_on_paper(coordinator, person, run, "end", "phq9", phq9_answers(0))

    # session, user, principal, run, the plan (own schedules, shared ones and their instruments),
    # switched off, dates, versions, enrolments, invitations, responses, scores, whom the user
    # may enter answers for, open alerts
    assert_flat_query_count(lambda: coordinator_client.get(run_url(run)), grow, expected=17)


# ---------------------------------------------------------------------------------------
# A run's own schedule: the services


def test_set_run_schedule_makes_then_replaces_the_runs_own_schedule(run, coordinator):
    category_schedule(run, "baseline", codes=("phq9",))
    for code in ("swemwbs", "gse"):
        shipped(code)

    made = scheduling.set_run_schedule(
        actor=coordinator.user, run=run, timepoint="baseline", instrument_codes=["swemwbs", "gse"], days=3, open_days=9
    )

    assert schedules.schedules_for_runs([run])[run.pk]["baseline"] == made
    assert list(made.instruments.values_list("instrument_code", "position")) == [("swemwbs", 1), ("gse", 2)]
    again = scheduling.set_run_schedule(
        actor=coordinator.user, run=run, timepoint="baseline", instrument_codes=["gse"], days=0, open_days=28
    )
    assert again.pk == made.pk
    assert (again.days, again.open_days, again.active) == (0, 28, True)
    assert list(again.instruments.values_list("instrument_code", flat=True)) == ["gse"]
    events = AuditEvent.objects.filter(action="evaluation.run_schedule_set").order_by("occurred_at")
    assert [event.data["instruments"] for event in events] == [["swemwbs", "gse"], ["gse"]]
    assert events[0].data == {
        "run": str(run.pk),
        "timepoint": "baseline",
        "instruments": ["swemwbs", "gse"],
        "days": 3,
        "open_days": 9,
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"instrument_codes": []}, "Select at least one questionnaire"),
        ({"instrument_codes": ["recollect"]}, "RECOLLECT fidelity is answered by the college, not by participants"),
        ({"instrument_codes": ["no-such-thing"]}, "There is no published questionnaire 'no-such-thing'"),
        ({"timepoint": "other"}, "Choose baseline, end of course or follow-up"),
        ({"days": 731}, "Days must be between 0 and 730"),
        ({"open_days": 0}, "The link must work for between 1 and 365 days"),
    ],
)
def test_set_run_schedule_refuses_bad_input_and_changes_nothing(run, coordinator, changes, message):
    shipped("recollect")
    arguments = {"timepoint": "end", "instrument_codes": ["gse"], "days": 0, "open_days": 28} | changes

    with pytest.raises(SchedulingError, match=re.escape(message)):
        scheduling.set_run_schedule(actor=coordinator.user, run=run, **arguments)

    assert not Schedule.objects.filter(run=run).exists()
    assert not AuditEvent.objects.filter(action__startswith="evaluation.run_schedule").exists()


def test_a_cancelled_runs_schedule_cannot_change(run, coordinator):
    services.cancel_run(actor=coordinator.user, run=run, reason="Venue closed")

    with pytest.raises(SchedulingError, match="cancelled"):
        scheduling.switch_off_timepoint(actor=coordinator.user, run=run, timepoint="end")


def test_switching_off_and_back_to_the_categorys_schedule(run, coordinator):
    network = category_schedule(run, "end", codes=("phq9",))
    scheduling.set_run_schedule(
        actor=coordinator.user, run=run, timepoint="end", instrument_codes=["gse"], days=0, open_days=28
    )

    off = scheduling.switch_off_timepoint(actor=coordinator.user, run=run, timepoint="end")

    assert schedules.schedules_for_runs([run])[run.pk]["end"] is None
    assert not off.active and not off.instruments.exists()
    with pytest.raises(SchedulingError, match="already switched off"):
        scheduling.switch_off_timepoint(actor=coordinator.user, run=run, timepoint="end")

    scheduling.use_category_schedule(actor=coordinator.user, run=run, timepoint="end")

    assert schedules.schedules_for_runs([run])[run.pk]["end"] == network
    assert not Schedule.objects.filter(run=run).exists()
    assert AuditEvent.objects.filter(action="evaluation.run_schedule_removed", data__run=str(run.pk)).count() == 1
    with pytest.raises(SchedulingError, match="already uses its category's schedule"):
        scheduling.use_category_schedule(actor=coordinator.user, run=run, timepoint="end")


def test_invitations_keep_their_questionnaires_when_the_runs_schedule_is_removed(run, coordinator):
    own = scheduling.set_run_schedule(
        actor=coordinator.user, run=run, timepoint="baseline", instrument_codes=["gse"], days=0, open_days=28
    )
    person = carer_on(run, coordinator)
    invitation = invitations.create_invitation(
        person=person,
        run=run,
        timepoint="baseline",
        versions=[shipped("gse")],
        expires_at=timezone.now() + timedelta(days=5),
        schedule=own,
    )

    scheduling.use_category_schedule(actor=coordinator.user, run=run, timepoint="baseline")

    invitation.refresh_from_db()
    assert invitation.schedule is None
    assert list(invitation.questionnaires.values_list("instrument_version__code", flat=True)) == ["gse"]


# ---------------------------------------------------------------------------------------
# A run's own schedule: the page


def test_the_schedule_page_offers_participants_instruments_and_flags_those_without_wording(
    coordinator_client, run, tmp_path
):
    shipped("gse")
    with override_settings(PEERPATH_INSTRUMENT_WORDING_DIR=tmp_path):
        page = coordinator_client.get(schedule_url(run, "baseline"))

    assert page.status_code == 200
    content = page.content.decode()
    assert 'value="gse"' in content and 'value="swemwbs"' in content
    assert 'value="recollect"' not in content  # the college answers it, not participants
    hints = re.findall(r'value="(\w[\w-]*)"[^>]*aria-describedby="[^"]*-item-hint"', content)
    assert set(hints) == {"swemwbs", "carerqol"}  # their licensed wording is not installed
    assert "Days before the first session" in content
    assert "Now: nothing" in text_of(page)


def test_saving_the_runs_own_schedule_from_the_page(coordinator_client, run):
    category_schedule(run, "end", codes=("phq9",))

    response = coordinator_client.post(
        schedule_url(run, "end"), {"instruments": ["swemwbs", "gse"], "days": "2", "open_days": "14", "action": "save"}
    )

    assert response.status_code == 302 and response["Location"] == run_url(run)
    own = Schedule.objects.get(run=run, timepoint="end")
    # In the order the page lists them (by short name), not the order ticked.
    assert list(own.instruments.values_list("instrument_code", flat=True)) == ["gse", "swemwbs"]
    assert (own.days, own.open_days) == (2, 14)
    text = text_of(coordinator_client.get(run_url(run)))
    assert "This run's questionnaires at end of course have been saved" in text
    assert "End of course GSE, SWEMWBS" in text and "This run's own schedule" in text
    form = text_of(coordinator_client.get(schedule_url(run, "end")))
    assert "Use the category's schedule" in form


def test_switching_off_and_going_back_from_the_page(coordinator_client, run):
    category_schedule(run, "end", codes=("phq9",))

    off = coordinator_client.post(schedule_url(run, "end"), {"action": "switch_off"})

    assert off.status_code == 302
    assert not Schedule.objects.get(run=run).active
    assert "End of course Switched off for this run" in text_of(coordinator_client.get(run_url(run)))

    back = coordinator_client.post(schedule_url(run, "end"), {"action": "use_category"})

    assert back.status_code == 302
    assert not Schedule.objects.filter(run=run).exists()
    assert "End of course PHQ-9" in text_of(coordinator_client.get(run_url(run)))


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"days": "0", "open_days": "28"}, "Select at least one questionnaire, or ask nothing at this timepoint"),
        ({"instruments": ["recollect"], "days": "0", "open_days": "28"}, "Select questionnaires from the list"),
        ({"instruments": ["gse"], "days": "-1", "open_days": "28"}, "Days must be 0 or more"),
        ({"instruments": ["gse"], "days": "soon", "open_days": "28"}, "Enter the number of days as a whole number"),
        ({"instruments": ["gse"], "days": "0", "open_days": "0"}, "The link must work for at least 1 day"),
        ({"instruments": ["gse"], "days": "0", "open_days": "400"}, "The link can work for at most 365 days"),
        ({"action": "use_category"}, "This run already uses its category's schedule for this timepoint"),
    ],
)
def test_bad_schedule_input_is_a_400_with_a_message_and_saves_nothing(coordinator_client, run, posted, message):
    shipped("gse")

    response = coordinator_client.post(schedule_url(run, "baseline"), posted)

    assert response.status_code == 400
    assert message in text_of(response)
    assert not Schedule.objects.filter(run=run).exists()


def test_an_unknown_timepoint_in_the_address_is_404(coordinator_client, run):
    assert coordinator_client.get(schedule_url(run, "sometime")).status_code == 404
    assert coordinator_client.post(schedule_url(run, "other"), {"action": "switch_off"}).status_code == 404
    assert not Schedule.objects.exists()


# ---------------------------------------------------------------------------------------
# Safety alerts: the list


def _alert_for(coordinator, run: CourseRun, family: str) -> SafetyAlert:
    person = carer_on(run, coordinator, family=family)
    return answer_on_paper(coordinator, person, run, "baseline", "phq9", phq9_answers(1, q9=1)).safety_alerts.get()


def test_the_alert_list_shows_open_alerts_oldest_first_then_closed_ones(coordinator_client, run, coordinator):
    now = timezone.now()
    older = _alert_for(coordinator, run, "Osei")
    newer = _alert_for(coordinator, run, "Nwosu")
    closed = _alert_for(coordinator, run, "Clarke")
    SafetyAlert.objects.filter(pk=older.pk).update(created_at=now - timedelta(days=3))
    SafetyAlert.objects.filter(pk=newer.pk).update(created_at=now - timedelta(days=1))
    SafetyAlert.objects.filter(pk=closed.pk).update(created_at=now - timedelta(days=9))
    responses.close_safety_alert(actor=coordinator.user, alert=closed, note="Called; they have support")

    text = text_of(coordinator_client.get(ALERTS))

    assert text.index("Osei") < text.index("Nwosu") < text.index("Clarke")
    assert "Understanding psychosis" in text and run.organisation.name in text
    only_closed = text_of(coordinator_client.get(ALERTS, {"status": "closed"}))
    assert "Clarke" in only_closed and "Osei" not in only_closed and "Nwosu" not in only_closed


def test_the_alert_list_shows_one_runs_alerts_from_the_run_list_link(coordinator_client, run, home_org, coordinator):
    other = open_run(home_org, coordinator.user, title="Sleep and wellbeing")
    _alert_for(coordinator, run, "Mine")
    _alert_for(coordinator, other, "Theirs")

    text = text_of(coordinator_client.get(ALERTS, {"status": "open", "run": str(run.pk)}))

    assert "Mine" in text and "Theirs" not in text
    assert "Showing alerts for Understanding psychosis" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "snoozed"}, "Select open or closed alerts from the list"),
        ({"run": "not-a-run"}, "The run in the address is not recognised"),
        ({"run": "00000000-0000-4000-8000-000000000000"}, "The run in the address is not recognised"),
    ],
)
def test_a_bad_alert_filter_is_a_400_with_a_message_and_every_alert(
    coordinator_client, run, coordinator, query, message
):
    _alert_for(coordinator, run, "Listed")

    page = coordinator_client.get(ALERTS, query)

    assert page.status_code == 400
    assert message in page.content.decode()
    assert "Listed" in text_of(page)


def test_another_organisations_run_is_no_filter_for_a_coordinator(actors, run, coordinator, other_org):
    other = open_run(other_org, actors["outsider"].user)
    _alert_for(coordinator, run, "Listed")

    page = actors["coordinator"].client.get(ALERTS, {"run": str(other.pk)})

    assert page.status_code == 400
    assert "The run in the address is not recognised" in page.content.decode()
    assert "Listed" in text_of(page)


def test_the_alert_list_costs_the_same_queries_for_2_and_20_alerts(
    coordinator_client, run, home_org, coordinator, assert_flat_query_count
):
    no_run = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person

    def grow(count: int) -> None:
        for index in range(count):
            _alert_for(coordinator, run, f"Carer{index}")
            # Some raised on forms typed in without a run.
            answer_on_paper(coordinator, no_run, None, "", "phq9", phq9_answers(0, q9=1))

    # session, user, principal, count, alerts with their people, runs and organisations
    assert_flat_query_count(lambda: coordinator_client.get(ALERTS), grow, expected=5)


# ---------------------------------------------------------------------------------------
# Safety alerts: one alert, and closing it


def test_the_alert_page_has_what_the_coordinator_needs_to_call(coordinator_client, run, coordinator):
    person = carer_on(run, coordinator, given="Ada", family="Adeyemi", phone="07700 900123", email="ada@example.org")
    alert = answer_on_paper(coordinator, person, run, "baseline", "phq9", phq9_answers(1, q9=1)).safety_alerts.get()

    page = coordinator_client.get(alert_url(alert))

    content = page.content.decode()
    text = text_of(page)
    assert page.status_code == 200
    assert 'href="tel:07700900123"' in content and 'href="mailto:ada@example.org"' in content
    assert "Course Understanding psychosis (baseline)" in text
    assert "Question PHQ-9, question 9 (paper form)" in text
    assert "Answer given 1 (Several days)" in text
    assert "You do not have to cope with this on your own" in text
    assert f"Organisation {run.organisation.name}" in text
    assert run_url(run) in content


def test_closing_an_alert_keeps_the_note_with_the_alert_and_out_of_the_audit_log(coordinator_client, run, coordinator):
    alert = _alert_for(coordinator, run, "Adeyemi")
    note = "Rang on Tuesday; their GP is seeing them tomorrow"

    response = coordinator_client.post(alert_url(alert), {"note": note})

    assert response.status_code == 302 and response["Location"] == alert_url(alert)
    alert.refresh_from_db()
    assert (alert.status, alert.note, alert.closed_by) == (SafetyAlert.Status.CLOSED, note, coordinator.user)
    event = AuditEvent.objects.get(action="evaluation.safety_alert_closed")
    assert event.target_id == str(alert.pk) and event.actor == coordinator.user
    assert "GP" not in json.dumps(event.data)
    text = text_of(coordinator_client.get(alert_url(alert)))
    assert "The alert has been closed with your note" in text
    assert f"By {coordinator.user.get_full_name() or coordinator.user.get_username()} on" in text
    assert note in text
    assert "Close this alert" not in text


def test_an_alert_is_not_closed_without_a_note(coordinator_client, run, coordinator):
    alert = _alert_for(coordinator, run, "Adeyemi")

    response = coordinator_client.post(alert_url(alert), {"note": "   "})

    assert response.status_code == 400
    assert "Enter a note of how the alert was followed up" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == SafetyAlert.Status.OPEN
    assert not AuditEvent.objects.filter(action="evaluation.safety_alert_closed").exists()


def test_posting_to_a_closed_alert_is_a_409_and_changes_nothing(coordinator_client, admin_client_, run, coordinator):
    alert = _alert_for(coordinator, run, "Adeyemi")
    responses.close_safety_alert(actor=coordinator.user, alert=alert, note="First note")

    response = admin_client_.post(alert_url(alert), {"note": "Second note"})

    assert response.status_code == 409
    assert "This alert was already closed by" in response.content.decode()
    alert.refresh_from_db()
    assert alert.note == "First note"
    assert AuditEvent.objects.filter(action="evaluation.safety_alert_closed").count() == 1
