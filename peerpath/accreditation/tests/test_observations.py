"""Observations: the rules for recording one, the screens, and what they count towards."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member
from peerpath.accreditation import portfolio, requirements
from peerpath.accreditation.awards import AccreditationError
from peerpath.accreditation.models import Competency, Observation, PortfolioEntry, Scheme
from peerpath.core.models import AuditEvent
from peerpath.delivery.tests.factories import move_sessions, open_run
from peerpath.people.models import Membership
from peerpath.people.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(actors):
    return actors["peer_tutor"]


@pytest.fixture
def assessor(actors):
    return actors["assessor"]


@pytest.fixture
def run(home_org, actors, candidate):
    """The candidate co-delivers a run whose first sessions were 14 and 7 days ago; the third is today."""
    made = open_run(home_org, actors["coordinator"].user, peer=candidate.person, session_count=5)
    move_sessions(made, timezone.localdate() - datetime.timedelta(days=14))
    return made


def session(run, number):
    return run.sessions.get(number=number)


def day_of(session_row):
    return timezone.localdate(session_row.starts_at)


def competency(code):
    return Competency.objects.get(code=code, framework__code="carer-peer-trainer")


def observe(actor, candidate, session_row, *, outcome="competent", ratings=None, observed_on=None, feedback=None):
    return portfolio.record_observation(
        actor=actor.user if hasattr(actor, "user") else actor,
        candidate=candidate.person if hasattr(candidate, "person") else candidate,
        session=session_row,
        observed_on=observed_on or day_of(session_row),
        outcome=outcome,
        feedback=feedback or "You opened warmly and shared your experience with purpose.",
        ratings={competency("CPT-6").pk: ("competent", "Clear and brief")} if ratings is None else ratings,
    )


# The service ------------------------------------------------------------------------


def test_an_assessor_records_an_observation_with_ratings_and_the_candidate_is_told(
    assessor, candidate, run, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        observation = observe(
            assessor,
            candidate,
            session(run, 1),
            ratings={
                competency("CPT-6").pk: ("competent", "Shared with purpose"),
                competency("CPT-8").pk: ("developing", ""),
            },
        )
    assert observation.assessor == assessor.person
    assert {(r.competency.code, r.rating, r.comment) for r in observation.ratings.all()} == {
        ("CPT-6", "competent", "Shared with purpose"),
        ("CPT-8", "developing", ""),
    }
    assert AuditEvent.objects.filter(action="observation.recorded", target_id=str(observation.pk)).exists()
    assert [message.to for message in mail.outbox] == [[candidate.person.email]]
    assert reverse("accreditation:observation_detail", kwargs={"observation_id": observation.pk}) in mail.outbox[0].body


def test_nobody_observes_themselves(assessor, run):
    with pytest.raises(AccreditationError, match="cannot observe yourself"):
        observe(assessor, assessor, session(run, 1))


def test_only_a_current_assessor_or_an_administrator_with_a_person_record_observes(actors, candidate, run):
    with pytest.raises(AccreditationError, match="Only an accredited assessor"):
        observe(actors["coordinator"], candidate, session(run, 1))
    administrator = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(AccreditationError, match="no person record"):
        observe(administrator, candidate, session(run, 1))
    PersonFactory(user=administrator)
    assert observe(administrator, candidate, session(run, 1)).pk


def test_the_session_must_be_one_the_candidate_co_delivered_in_the_assessors_organisations(
    assessor, candidate, run, home_org, other_org, actors
):
    not_theirs = open_run(home_org, actors["coordinator"].user)
    move_sessions(not_theirs, timezone.localdate() - datetime.timedelta(days=7))
    with pytest.raises(AccreditationError) as error:
        observe(assessor, candidate, session(not_theirs, 1))
    assert error.value.field == "session"
    elsewhere = make_member(other_org, Membership.Role.ASSESSOR)
    with pytest.raises(AccreditationError) as error:
        observe(elsewhere, candidate, session(run, 1))
    assert error.value.field == "session"
    assert not Observation.objects.exists()


def test_the_date_observed_is_the_sessions_day_and_not_in_the_future(assessor, candidate, run):
    with pytest.raises(AccreditationError, match="day of the session") as error:
        observe(assessor, candidate, session(run, 1), observed_on=day_of(session(run, 2)))
    assert error.value.field == "observed_on"
    future = session(run, 4)
    with pytest.raises(AccreditationError, match="today or in the past"):
        observe(assessor, candidate, future, observed_on=day_of(future))
    assert observe(assessor, candidate, session(run, 3)).observed_on == timezone.localdate()


def test_competent_overall_needs_a_competency_rated_competent(assessor, candidate, run):
    developing = {competency("CPT-6").pk: ("developing", ""), competency("CPT-1").pk: ("not_seen", "")}
    with pytest.raises(AccreditationError, match="at least one competency") as error:
        observe(assessor, candidate, session(run, 1), ratings=developing)
    assert error.value.field == "outcome"
    with pytest.raises(AccreditationError, match="at least one competency"):
        observe(assessor, candidate, session(run, 1), ratings={})
    assert observe(assessor, candidate, session(run, 1), outcome="not_yet", ratings=developing).outcome == "not_yet"


def test_a_session_is_observed_once_per_candidate_with_a_clear_message(assessor, candidate, run, home_org):
    observe(assessor, candidate, session(run, 1))
    second_assessor = make_member(home_org, Membership.Role.ASSESSOR)
    with pytest.raises(AccreditationError, match="already been observed") as error:
        observe(second_assessor, candidate, session(run, 1))
    assert error.value.field == "session"
    assert Observation.objects.count() == 1


def test_ratings_are_for_the_peer_trainer_frameworks_competencies_only(assessor, candidate, run):
    with pytest.raises(AccreditationError, match="Rate each competency"):
        observe(assessor, candidate, session(run, 1), ratings={competency("CPT-6").pk: ("excellent", "")})
    with pytest.raises(AccreditationError, match="Rate each competency"):
        observe(
            assessor, candidate, session(run, 1), ratings={"00000000-0000-4000-8000-000000000000": ("competent", "")}
        )


def test_observations_and_accepted_entries_through_the_services_meet_the_schemes_requirements(assessor, candidate, run):
    scheme = Scheme.objects.get(code="carer-peer-trainer-rc")
    codes = [f"CPT-{n}" for n in range(1, 12)]
    first, second = codes[:6], codes[6:]
    observe(assessor, candidate, session(run, 1), ratings={competency(c).pk: ("competent", "") for c in first})
    before = {r.key: r for r in requirements.progress(candidate.person.pk, scheme)}
    assert before["observations"].summary == "1 of 2"
    assert not before["competencies"].met
    observe(assessor, candidate, session(run, 2), ratings={competency(c).pk: ("competent", "") for c in second})
    kinds = [PortfolioEntry.Kind.REFLECTION] * scheme.reflections_required + [
        PortfolioEntry.Kind.SUPERVISION
    ] * scheme.supervisions_required
    for index, kind in enumerate(kinds):
        entry = portfolio.save_entry(
            actor=candidate.user,
            candidate=candidate.person,
            data=portfolio.EntryData(
                kind=kind, occurred_on=timezone.localdate(), title=f"Entry {index}", hours=Decimal(1)
            ),
        )
        portfolio.submit_entry(actor=candidate.user, entry=entry)
        if index == 0:
            # Submitted but not yet accepted: it does not count.
            assert {r.key: r for r in requirements.progress(candidate.person.pk, scheme)}["reflection"].have == 0
        portfolio.review_entry(actor=assessor.user, entry=entry, decision="accept")
    after = {r.key: r for r in requirements.progress(candidate.person.pk, scheme)}
    assert after["observations"].met
    assert after["competencies"].met
    assert after["reflection"].met
    assert after["supervision"].met


# The screens ------------------------------------------------------------------------


def add_url(candidate):
    return reverse("accreditation:observation_add", kwargs={"candidate_id": candidate.person.pk})


def form_data(session_row, **changes):
    day = day_of(session_row)
    posted = {
        "session": str(session_row.pk),
        "observed_on_day": str(day.day),
        "observed_on_month": str(day.month),
        "observed_on_year": str(day.year),
        "outcome": "competent",
        "feedback": "Kept the group to time and invited quieter carers in.",
    }
    for item in Competency.objects.filter(framework__code="carer-peer-trainer"):
        posted[f"rating_{item.pk.hex}"] = "not_seen"
    posted[f"rating_{competency('CPT-2').pk.hex}"] = "competent"
    posted[f"comment_{competency('CPT-2').pk.hex}"] = "Offered choices throughout"
    posted.update(changes)
    return posted


def test_the_assessor_records_an_observation_and_the_candidate_reads_it(assessor, candidate, run):
    page = assessor.client.get(add_url(candidate))
    assert page.status_code == 200
    text = page.content.decode()
    assert "CPT-11" in text and "Not seen in this session" in text
    assert str(session(run, 1).pk) in text and str(session(run, 4).pk) not in text  # future sessions not offered
    response = assessor.client.post(add_url(candidate), form_data(session(run, 1)), follow=True)
    observation = Observation.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "accreditation:observation_detail", kwargs={"observation_id": observation.pk}
    )
    assert "has been saved" in response.content.decode()
    mine = candidate.client.get(reverse("accreditation:observation_detail", kwargs={"observation_id": observation.pk}))
    assert mine.status_code == 200
    body = mine.content.decode()
    assert "invited quieter carers in" in body and "Offered choices throughout" in body
    # An observed session is no longer offered.
    assert str(session(run, 1).pk) not in assessor.client.get(add_url(candidate)).content.decode()


def test_a_refused_observation_is_400_and_keeps_what_was_typed(assessor, candidate, run):
    response = assessor.client.post(
        add_url(candidate),
        form_data(session(run, 1), **{f"rating_{competency('CPT-2').pk.hex}": "developing"}),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "at least one competency" in text
    assert "invited quieter carers in" in text and "Offered choices throughout" in text
    assert not Observation.objects.exists()


def test_the_candidate_cannot_record_an_observation_of_themselves(candidate, run):
    assert candidate.client.get(add_url(candidate)).status_code == 403


def test_another_organisations_assessor_does_not_find_the_candidate(candidate, run, other_org):
    elsewhere = make_member(other_org, Membership.Role.ASSESSOR)
    client = Client()
    client.force_login(elsewhere.user)
    assert client.get(add_url(candidate)).status_code == 404
