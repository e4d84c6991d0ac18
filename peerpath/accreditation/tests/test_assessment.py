"""Assessors' screens: the candidate list, a candidate's file, granting, and an award's decisions."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape

from peerpath.accreditation.models import Award, AwardStatusChange, PortfolioEntry, Scheme
from peerpath.accreditation.tests.test_requirements_and_awards import entry, qualified
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme():
    return Scheme.objects.get(code="carer-peer-trainer-rc")


@pytest.fixture
def candidate(home_org):
    person = MembershipFactory(organisation=home_org, role=Membership.Role.TUTOR).person
    person.email = "sam.carer@example.org"
    person.save(update_fields=["email"])
    return person


def _candidates(organisation, count):
    people = []
    for index in range(count):
        person = MembershipFactory(organisation=organisation, role=Membership.Role.PARTICIPANT).person
        entry(person, "reflection", status=PortfolioEntry.Status.SUBMITTED if index % 2 else "accepted")
        people.append(person)
    return people


def test_the_candidate_list_shows_people_in_accreditation_in_the_assessors_organisations(
    actors, home_org, other_org, candidate
):
    entry(candidate, "reflection", status=PortfolioEntry.Status.SUBMITTED)
    bystander = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person
    elsewhere = _candidates(other_org, 1)[0]

    page = actors["assessor"].client.get(reverse("accreditation:candidate_list")).content.decode()

    assert escape(candidate.display_name) in page
    assert escape(bystander.display_name) not in page  # no training, evidence, observation or award
    assert escape(elsewhere.display_name) not in page


def test_the_review_filter_keeps_those_with_evidence_waiting_and_a_bad_value_is_a_400(actors, home_org):
    waiting, done = _candidates(home_org, 2)[1], _candidates(home_org, 1)[0]
    client = actors["assessor"].client

    page = client.get(reverse("accreditation:candidate_list"), {"show": "review"}).content.decode()
    assert escape(waiting.display_name) in page and escape(done.display_name) not in page

    response = client.get(reverse("accreditation:candidate_list"), {"show": "everything"})
    assert response.status_code == 400
    assert "Select who to show from the list" in response.content.decode()
    assert escape(done.display_name) in response.content.decode()  # the filter is ignored, the list still shows


def test_the_candidate_list_query_count_stays_flat_as_candidates_grow(actors, home_org):
    client = actors["assessor"].client
    _candidates(home_org, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("accreditation:candidate_list")).status_code == 200
    _candidates(home_org, 12)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("accreditation:candidate_list")).status_code == 200
    assert len(many) == len(few)


def test_a_candidates_file_offers_granting_only_when_every_requirement_is_met(actors, home_org, candidate, scheme):
    url = reverse("accreditation:candidate_detail", kwargs={"candidate_id": candidate.pk})
    grant_link = reverse("accreditation:grant", kwargs={"candidate_id": candidate.pk}) + f"?scheme={scheme.code}"

    before = actors["assessor"].client.get(url).content.decode()
    assert "0 of 2" in before  # observations
    assert grant_link not in before

    qualified(candidate, scheme, home_org, actors["coordinator"].user, actors["assessor"].person)
    after = actors["assessor"].client.get(url).content.decode()
    assert grant_link.replace("&", "&amp;") in after or grant_link in after
    # A coordinator follows the candidate but does not grant.
    assert grant_link not in actors["coordinator"].client.get(url).content.decode()


def _grant(client, candidate, scheme, day):
    return client.post(
        reverse("accreditation:grant", kwargs={"candidate_id": candidate.pk}),
        {"scheme": scheme.code, "valid_from_day": day.day, "valid_from_month": day.month, "valid_from_year": day.year},
    )


def test_an_assessor_grants_and_the_holder_is_told(
    actors, home_org, candidate, scheme, django_capture_on_commit_callbacks
):
    qualified(candidate, scheme, home_org, actors["coordinator"].user, actors["assessor"].person)
    today = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True):
        response = _grant(actors["assessor"].client, candidate, scheme, today)

    award = Award.objects.get(holder=candidate, scheme=scheme)
    assert response.status_code == 302
    assert response["Location"] == reverse("accreditation:award_detail", kwargs={"award_id": award.pk})
    assert award.granted_by == actors["assessor"].person
    assert [message.to for message in mail.outbox] == [[candidate.email]]
    assert f"You have been awarded {scheme.name}" == mail.outbox[0].subject
    # Granting the same period twice is refused with a message, not a second award.
    again = _grant(actors["assessor"].client, candidate, scheme, today)
    assert again.status_code == 400
    assert "Select an award from the list" in again.content.decode()  # no longer offered
    assert Award.objects.filter(holder=candidate, scheme=scheme).count() == 1


def test_granting_with_a_requirement_unmet_is_refused_with_the_reason(actors, candidate, scheme):
    response = _grant(actors["assessor"].client, candidate, scheme, timezone.localdate())

    assert response.status_code == 400
    assert "Not every requirement is met yet" in response.content.decode()
    assert not Award.objects.filter(holder=candidate).exists()
    assert mail.outbox == []


def test_an_assessor_cannot_open_their_own_grant_page(actors, home_org):
    # The assessor is also a candidate in their organisation: their own file is not theirs to decide.
    me = actors["assessor"].person
    entry(me, "reflection")
    response = actors["assessor"].client.get(reverse("accreditation:grant", kwargs={"candidate_id": me.pk}))
    assert response.status_code == 403


@pytest.fixture
def award(candidate, scheme, actors):
    return Award.objects.create(
        holder=candidate,
        scheme=scheme,
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
        valid_until=timezone.localdate() + datetime.timedelta(days=700),
        granted_by=actors["assessor"].person,
    )


def test_suspending_needs_a_reason_then_records_it_and_tells_the_holder(
    actors, award, django_capture_on_commit_callbacks
):
    url = reverse("accreditation:award_change", kwargs={"award_id": award.pk})
    client = actors["assessor"].client

    missing = client.post(url, {"move": "suspend", "reason": ""})
    assert missing.status_code == 400
    assert "Enter the reason" in missing.content.decode()
    award.refresh_from_db()
    assert award.status == Award.Status.ACTIVE

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"move": "suspend", "reason": "Safeguarding concern being looked into"})
    assert done.status_code == 302
    award.refresh_from_db()
    assert award.status == Award.Status.SUSPENDED
    change = AwardStatusChange.objects.get(award=award, to_status=Award.Status.SUSPENDED)
    assert change.reason == "Safeguarding concern being looked into"
    assert mail.outbox[-1].subject == f"Your {award.scheme.name} has been suspended"
    assert "Safeguarding concern being looked into" in mail.outbox[-1].body

    page = client.get(reverse("accreditation:award_detail", kwargs={"award_id": award.pk})).content.decode()
    assert "Safeguarding concern being looked into" in page
    assert "Suspended" in page


def test_a_move_the_award_does_not_allow_is_refused(actors, award):
    response = actors["assessor"].client.post(
        reverse("accreditation:award_change", kwargs={"award_id": award.pk}), {"move": "reinstate", "reason": "x"}
    )
    assert response.status_code == 400
    assert "Select an action from the list" in response.content.decode()


def test_the_holder_sees_their_award_but_cannot_decide_about_it(actors, scheme):
    holder = actors["peer_tutor"]
    award = Award.objects.create(
        holder=holder.person,
        scheme=scheme,
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + datetime.timedelta(days=700),
        granted_by=actors["assessor"].person,
    )
    page = holder.client.get(reverse("accreditation:award_detail", kwargs={"award_id": award.pk}))

    assert page.status_code == 200
    assert "Your award" in page.content.decode()
    assert reverse("accreditation:award_change", kwargs={"award_id": award.pk}) not in page.content.decode()
    change = holder.client.post(
        reverse("accreditation:award_change", kwargs={"award_id": award.pk}), {"move": "revoke", "reason": "mine"}
    )
    assert change.status_code == 403
    award.refresh_from_db()
    assert award.status == Award.Status.ACTIVE


def test_renewal_with_its_requirements_unmet_is_refused_and_says_which(actors, award):
    response = actors["assessor"].client.post(reverse("accreditation:award_renew", kwargs={"award_id": award.pk}))
    assert response.status_code == 400
    assert "Not every renewal requirement is met yet" in response.content.decode()
    assert Award.objects.filter(holder=award.holder).count() == 1


def test_the_award_page_shows_renewal_progress_and_history(actors, award):
    page = (
        actors["coordinator"]
        .client.get(reverse("accreditation:award_detail", kwargs={"award_id": award.pk}))
        .content.decode()
    )
    assert "sessions delivered in the period" in page
    # Development hours are counted in tenths but shown in hours.
    assert re.search(r">\s*0 of 6\s*<", page) and "0 of 60" not in page
    assert award.verification_code in page
    # The coordinator watches; the links to decide are for assessors.
    assert reverse("accreditation:award_change", kwargs={"award_id": award.pk}) not in page


def test_only_the_holder_is_offered_the_credential_downloads(actors, scheme):
    award = Award.objects.create(
        holder=actors["peer_tutor"].person,
        scheme=scheme,
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + datetime.timedelta(days=700),
        granted_by=actors["assessor"].person,
    )
    url = reverse("accreditation:award_detail", kwargs={"award_id": award.pk})
    download = reverse("accreditation:credential_json", kwargs={"award_id": award.pk})
    certificate = reverse("accreditation:certificate", kwargs={"award_id": award.pk})

    holder_page = actors["peer_tutor"].client.get(url).content.decode()
    assert download in holder_page and certificate in holder_page
    for role in ("administrator", "assessor", "coordinator"):
        page = actors[role].client.get(url).content.decode()
        assert download not in page, role
        assert certificate in page, role


def test_people_on_a_train_the_trainer_run_are_candidates_but_not_those_who_withdrew(actors, home_org):
    from peerpath.courses.choices import Category
    from peerpath.delivery import enrolment
    from peerpath.delivery.tests.factories import open_run

    user = actors["coordinator"].user
    run = open_run(home_org, user, category=Category.TRAIN_THE_TRAINER, session_count=2)
    staying, leaving = (MembershipFactory(organisation=home_org, role="participant").person for _ in range(2))
    enrolment.enrol(actor=user, run_id=run.pk, person=staying, agreement_accepted=True)
    place = enrolment.enrol(actor=user, run_id=run.pk, person=leaving, agreement_accepted=True)
    enrolment.withdraw(actor=user, enrolment_id=place.pk)

    page = actors["assessor"].client.get(reverse("accreditation:candidate_list")).content.decode()

    assert escape(staying.display_name) in page
    assert escape(leaving.display_name) not in page
