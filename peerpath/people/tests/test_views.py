"""People screens: behaviour, scoping and query counts.

Access for every role is in tests/permission_matrix.py; these tests cover what
the pages do once someone is allowed in.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from peerpath.core.models import AuditEvent
from peerpath.people.models import Consent, EqualityMonitoring, Membership, Person
from peerpath.people.tests.factories import MembershipFactory, PersonFactory


def _add_people(organisation, count: int) -> list[Person]:
    people = []
    for _ in range(count):
        person = MembershipFactory(organisation=organisation, role=Membership.Role.PARTICIPANT).person
        # A second membership exercises the prefetch.
        MembershipFactory(person=person, organisation=organisation, role=Membership.Role.TUTOR)
        people.append(person)
    return people


def test_people_list_query_count_stays_flat_as_rows_grow(coordinator_client, home_org, assert_flat_query_count):
    def fetch():
        assert coordinator_client.get(reverse("people:person_list"), {"role": "participant"}).status_code == 200

    # session, user, principal, organisations (filter choices), areas (filter choices),
    # count, page of people, their memberships
    assert_flat_query_count(fetch, lambda n: _add_people(home_org, n), expected=8, sizes=(3, 30))


def test_people_list_shows_only_the_coordinators_organisations(coordinator_client, home_org, other_org):
    mine = _add_people(home_org, 2)
    theirs = MembershipFactory(organisation=other_org).person
    body = coordinator_client.get(reverse("people:person_list")).content.decode()
    for person in mine:
        assert str(person.pk) in body
    assert str(theirs.pk) not in body
    # The other organisation is not even offered as a filter.
    assert other_org.name not in body


def test_people_list_search_matches_name_prefixes(coordinator_client, home_org):
    target = MembershipFactory(organisation=home_org, person__given_name="Ngozi", person__family_name="Okafor").person
    other = MembershipFactory(organisation=home_org, person__given_name="Brian", person__family_name="Ellis").person
    response = coordinator_client.get(reverse("people:person_list"), {"q": "ngo oka"})
    body = response.content.decode()
    assert str(target.pk) in body
    assert str(other.pk) not in body


def test_people_list_filters_by_role(coordinator_client, home_org):
    tutor = MembershipFactory(organisation=home_org, role=Membership.Role.TUTOR).person
    carer = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person
    body = coordinator_client.get(reverse("people:person_list"), {"role": "tutor"}).content.decode()
    assert str(tutor.pk) in body
    assert str(carer.pk) not in body


def test_people_list_rejects_an_organisation_filter_outside_scope_with_400(coordinator_client, other_org):
    response = coordinator_client.get(reverse("people:person_list"), {"organisation": str(other_org.pk)})
    assert response.status_code == 400
    assert "Select an option from the list" in response.content.decode()


def test_people_list_paginates_and_keeps_filters_in_page_links(coordinator_client, home_org, settings):
    settings.PEERPATH_PAGE_SIZE = 5
    _add_people(home_org, 7)
    response = coordinator_client.get(reverse("people:person_list"), {"role": "participant"})
    body = response.content.decode()
    assert "role=participant&amp;page=2" in body
    second = coordinator_client.get(reverse("people:person_list"), {"role": "participant", "page": "2"})
    assert second.status_code == 200
    assert "Page 1 of 2" in second.content.decode()


def test_people_list_treats_a_junk_page_number_as_the_first_page(coordinator_client, home_org, settings):
    settings.PEERPATH_PAGE_SIZE = 5
    first = min(_add_people(home_org, 7), key=lambda person: (person.family_name, person.given_name, person.pk))
    response = coordinator_client.get(reverse("people:person_list"), {"page": "x'--", "role": "participant"})
    body = response.content.decode()
    assert response.status_code == 200
    assert str(first.pk) in body
    assert "Page 2 of 2" in body  # the "next" link, as on page 1
    assert "Page 1 of 2" not in body


VALID_PERSON = {
    "given_name": "Amara",
    "family_name": "Nwosu",
    "email": "Amara.Nwosu@Example.org",
    "date_of_birth_day": "7",
    "date_of_birth_month": "11",
    "date_of_birth_year": "1961",
    "postcode": "sw170qt",
    "role": "participant",
    "relationship": "12",
}


def test_coordinator_adds_a_carer_with_membership_and_relationship(coordinator_client, actors, home_org):
    response = coordinator_client.post(reverse("people:person_create"), {**VALID_PERSON, "organisation": home_org.pk})
    person = Person.objects.get(family_name="Nwosu")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:person_detail", kwargs={"pk": person.pk})
    assert person.email == "amara.nwosu@example.org"
    assert person.postcode == "SW17 0QT"
    assert person.date_of_birth == datetime.date(1961, 11, 7)
    assert person.memberships.get().organisation == home_org
    assert person.caring_roles.get().plain_label == "Mother"
    assert AuditEvent.objects.filter(action="person.created", target_id=str(person.pk)).count() == 1


def test_adding_a_person_to_another_organisation_is_refused_and_nothing_is_saved(coordinator_client, other_org):
    before = Person.objects.count()
    response = coordinator_client.post(reverse("people:person_create"), {**VALID_PERSON, "organisation": other_org.pk})
    assert response.status_code == 400
    assert "Select an organisation from the list" in response.content.decode()
    assert Person.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"family_name": ""}, "Enter a last name"),
        ({"date_of_birth_day": "31", "date_of_birth_month": "2"}, "Date of birth must be a real date"),
        ({"date_of_birth_year": ""}, "Date of birth must include a year"),
        ({"date_of_birth_year": "2999"}, "Date of birth must be today or in the past"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"postcode": "NOTAPOST"}, "Enter a real postcode"),
        ({"postcode": "SW17 0QT XXX"}, "Postcode must be 10 characters or fewer"),
        ({"phone": "call me"}, "Enter a phone number"),
        ({"role": "tutor"}, "Select whether they are a peer tutor or a professional tutor"),
        ({"role": "emperor"}, "Select a role from the list"),
    ],
)
def test_add_person_shows_nhs_style_errors_in_summary_and_field(coordinator_client, home_org, changes, message):
    response = coordinator_client.post(
        reverse("people:person_create"), {**VALID_PERSON, "organisation": home_org.pk, **changes}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert body.count(message) >= 2  # once in the summary, once by the field
    assert "<title>Error: " in body
    assert not Person.objects.filter(family_name="Nwosu").exists()


def test_add_person_refuses_a_second_record_for_the_same_email(coordinator_client, home_org):
    PersonFactory(email="amara.nwosu@example.org")
    response = coordinator_client.post(reverse("people:person_create"), {**VALID_PERSON, "organisation": home_org.pk})
    assert response.status_code == 400
    assert "already recorded" in response.content.decode()
    assert Person.objects.filter(email__iexact="amara.nwosu@example.org").count() == 1


def test_edit_keeps_saved_details_when_the_new_ones_are_invalid(coordinator_client, home_org):
    person = MembershipFactory(organisation=home_org, person__family_name="Kowalski").person
    response = coordinator_client.post(
        reverse("people:person_edit", kwargs={"pk": person.pk}),
        {"given_name": "Ewa", "family_name": "", "email": "bad"},
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.family_name == "Kowalski"


def test_edit_records_which_fields_changed_but_not_their_values(coordinator_client, home_org):
    person = MembershipFactory(organisation=home_org, person__given_name="Ewa", person__family_name="Kowalski").person
    response = coordinator_client.post(
        reverse("people:person_edit", kwargs={"pk": person.pk}),
        {"given_name": "Ewa", "family_name": "Nowak", "email": person.email},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="person.updated")
    assert event.data == {"fields": ["family_name"]}
    assert "Nowak" not in str(event.data)


def test_coordinator_records_consent_with_method_and_date(coordinator_client, actors, home_org):
    person = MembershipFactory(organisation=home_org).person
    url = reverse("people:consent_list", kwargs={"pk": person.pk})
    response = coordinator_client.post(
        url,
        {
            "purpose": "evaluation",
            "decision": "given",
            "method": "paper",
            "decided_on_day": "3",
            "decided_on_month": "3",
            "decided_on_year": "2026",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(person=person)
    assert (consent.purpose, consent.decision, consent.method) == ("evaluation", "given", "paper")
    assert consent.decided_on == datetime.date(2026, 3, 3)
    assert consent.recorded_by == actors["coordinator"].user
    page = coordinator_client.get(url).content.decode()
    assert "Signed paper form; coordinator" in page


def test_participant_changes_their_own_consent_online_without_method_or_date(participant_client, actors):
    person = actors["participant"].person
    url = reverse("people:consent_list", kwargs={"pk": person.pk})
    page = participant_client.get(url).content.decode()
    assert "Your consent choices" in page
    assert 'name="method"' not in page
    response = participant_client.post(url, {"purpose": "contact", "decision": "withdrawn"})
    assert response.status_code == 302
    consent = Consent.objects.get(person=person)
    assert consent.method == Consent.Method.ONLINE
    assert consent.decision == Consent.Decision.WITHDRAWN


def test_latest_consent_per_purpose_is_shown_as_in_force(coordinator_client, actors, home_org):
    person = MembershipFactory(organisation=home_org).person
    url = reverse("people:consent_list", kwargs={"pk": person.pk})
    for decision in ("given", "withdrawn"):
        coordinator_client.post(
            url,
            {
                "purpose": "sharing",
                "decision": decision,
                "method": "phone",
                "decided_on_day": "1",
                "decided_on_month": "4",
                "decided_on_year": "2026",
            },
        )
    detail = coordinator_client.get(reverse("people:person_detail", kwargs={"pk": person.pk})).content.decode()
    sharing_row = detail.split("Share details with partner organisations", 1)[1].split("</div>", 1)[0]
    assert "Withdrawn" in sharing_row
    assert Consent.objects.filter(person=person).count() == 2


def test_participant_fills_in_their_own_equality_monitoring(participant_client, actors):
    person = actors["participant"].person
    url = reverse("people:equality_monitoring", kwargs={"pk": person.pk})
    response = participant_client.post(url, {"ethnicity": "black_caribbean", "sex": "prefer_not_to_say"})
    assert response.status_code == 302
    record = EqualityMonitoring.objects.get(person=person)
    assert record.ethnicity == "black_caribbean"
    assert record.sex == "prefer_not_to_say"
    assert record.religion == ""
    assert record.completed_by_self is True
    # Their own answers come back when they return to the form.
    assert 'value="black_caribbean" checked' in participant_client.get(url).content.decode()


def test_staff_recording_a_paper_form_never_see_earlier_answers(coordinator_client, participant_client, actors):
    person = actors["participant"].person
    url = reverse("people:equality_monitoring", kwargs={"pk": person.pk})
    participant_client.post(url, {"ethnicity": "asian_bangladeshi"})
    page = coordinator_client.get(url).content.decode()
    assert "checked" not in page
    detail = coordinator_client.get(reverse("people:person_detail", kwargs={"pk": person.pk})).content.decode()
    assert "Bangladeshi" not in detail
    assert "Completed on" in detail


def test_equality_monitoring_rejects_an_answer_not_in_the_list(participant_client, actors):
    person = actors["participant"].person
    response = participant_client.post(
        reverse("people:equality_monitoring", kwargs={"pk": person.pk}), {"ethnicity": "martian"}
    )
    assert response.status_code == 400
    assert "Select an answer from the list" in response.content.decode()
    assert not EqualityMonitoring.objects.filter(person=person).exists()


def test_person_detail_query_count_is_flat(coordinator_client, home_org, django_assert_num_queries):
    person = MembershipFactory(organisation=home_org).person
    url = reverse("people:person_detail", kwargs={"pk": person.pk})
    for _ in range(5):
        Consent.objects.create(
            person=person,
            purpose="contact",
            decision="given",
            method="phone",
            decided_on=datetime.date(2026, 1, 1),
            recorded_by=home_org.memberships.filter(role="coordinator").first().person.user,
        )
    coordinator_client.get(reverse("core:home"))  # the first request refreshes the session; later ones do not
    # session, user, principal, person (+scope), memberships, caring roles, consents, equality
    with django_assert_num_queries(8):
        assert coordinator_client.get(url).status_code == 200


def test_malformed_person_id_is_404(coordinator_client):
    assert coordinator_client.get("/people/not-a-uuid/").status_code == 404


def test_coordinator_gives_a_carer_a_login_and_an_email_to_set_a_password(
    coordinator_client, home_org, mailoutbox, django_capture_on_commit_callbacks
):
    person = MembershipFactory(organisation=home_org, person__email="kemi.adeyemi@example.org").person
    detail = reverse("people:person_detail", kwargs={"pk": person.pk})
    assert "Give them a login" in coordinator_client.get(detail).content.decode()
    # The email goes only once the login has been committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("people:person_grant_login", kwargs={"pk": person.pk}))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user.username == "kemi.adeyemi@example.org"
    assert not person.user.has_usable_password()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["kemi.adeyemi@example.org"]
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line).strip()
    # The link lets them choose a password, then log in with it.
    client = Client()
    form_page = client.get(link, follow=True)
    assert "Set a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "a-long-Passphrase-77", "new_password2": "a-long-Passphrase-77"})
    assert done.status_code == 302
    person.user.refresh_from_db()
    assert person.user.check_password("a-long-Passphrase-77")
    assert "Give them a login" not in coordinator_client.get(detail).content.decode()


def test_giving_a_login_needs_an_email_address(coordinator_client, home_org, mailoutbox):
    person = MembershipFactory(organisation=home_org, person__email="").person
    response = coordinator_client.post(reverse("people:person_grant_login", kwargs={"pk": person.pk}), follow=True)
    assert "Add an email address before giving them a login" in response.content.decode()
    person.refresh_from_db()
    assert person.user is None
    assert mailoutbox == []


def test_coordinator_adds_a_second_caring_relationship(coordinator_client, home_org):
    person = MembershipFactory(organisation=home_org).person
    url = reverse("people:caring_role_add", kwargs={"pk": person.pk})
    response = coordinator_client.post(url, {"relationship": "09", "cared_for_label": "my dad"})
    assert response.status_code == 302
    caring = person.caring_roles.get()
    assert (caring.plain_label, caring.cared_for_label) == ("Son or daughter", "my dad")
    event = AuditEvent.objects.get(action="caring_role.added")
    assert "my dad" not in str(event.data)
    detail = coordinator_client.get(reverse("people:person_detail", kwargs={"pk": person.pk})).content.decode()
    assert "Son or daughter (my dad)" in detail


def test_caring_relationship_must_come_from_the_list(coordinator_client, home_org):
    person = MembershipFactory(organisation=home_org).person
    response = coordinator_client.post(
        reverse("people:caring_role_add", kwargs={"pk": person.pk}), {"relationship": "77"}
    )
    assert response.status_code == 400
    assert "Select a relationship from the list" in response.content.decode()
    assert not person.caring_roles.exists()


def test_coordinator_adds_a_peer_tutor_role_to_a_carer(coordinator_client, home_org):
    person = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person
    url = reverse("people:membership_add", kwargs={"pk": person.pk})
    response = coordinator_client.post(url, {"organisation": home_org.pk, "role": "tutor", "tutor_kind": "peer"})
    assert response.status_code == 302
    assert set(person.memberships.values_list("role", "tutor_kind")) == {("participant", ""), ("tutor", "peer")}
    assert AuditEvent.objects.filter(action="membership.added", target_id=str(person.pk)).count() == 1
    again = coordinator_client.post(url, {"organisation": home_org.pk, "role": "tutor", "tutor_kind": "peer"})
    assert again.status_code == 400
    assert "They already have this role in this organisation" in again.content.decode()
    assert person.memberships.count() == 2


def test_a_role_cannot_be_added_in_an_organisation_the_coordinator_does_not_run(
    coordinator_client, home_org, other_org
):
    person = MembershipFactory(organisation=home_org).person
    response = coordinator_client.post(
        reverse("people:membership_add", kwargs={"pk": person.pk}), {"organisation": other_org.pk, "role": "assessor"}
    )
    assert response.status_code == 400
    assert not person.memberships.filter(organisation=other_org).exists()
