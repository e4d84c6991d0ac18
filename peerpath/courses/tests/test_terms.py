"""Terms: coordinators list, add and change terms and the approved courses they offer.

Who may open which page is in tests/permission_cases_prospectus.py.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from peerpath.core.models import AuditEvent
from peerpath.courses.models import Course, Term
from peerpath.courses.tests.factories import CourseFactory, TermFactory, approved_course
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory, OrganisationFactory


def _form(name="Spring 2027", *, starts=(11, 1, 2027), ends=(26, 3, 2027), courses=(), published=False, **extra):
    data = {
        "name": name,
        "starts_on_day": starts[0],
        "starts_on_month": starts[1],
        "starts_on_year": starts[2],
        "ends_on_day": ends[0],
        "ends_on_month": ends[1],
        "ends_on_year": ends[2],
        "courses": [str(course.pk) for course in courses],
        **extra,
    }
    if published:
        data["published"] = "on"
    return data


@pytest.fixture
def approver(actors):
    return actors["coordinator"].user


# List ----------------------------------------------------------------------------


def test_term_list_shows_the_coordinators_terms_with_counts_of_courses_on_offer(
    coordinator_client, home_org, other_org, approver
):
    term = TermFactory(organisation=home_org, name="Spring 2027", published=False)
    term.courses.add(
        approved_course(home_org, approver),
        approved_course(home_org, approver),
        CourseFactory(owner=home_org),  # offered, then no longer approved: not on offer
    )
    TermFactory(organisation=other_org, name="Elsewhere winter")

    response = coordinator_client.get(reverse("terms:term_list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Spring 2027" in body
    assert "Elsewhere winter" not in body
    assert "Courses offered </span>2</td>" in body
    assert "Published </span>No</td>" in body
    assert reverse("terms:term_edit", kwargs={"pk": term.pk}) in body
    assert reverse("terms:term_create") in body


def test_term_list_query_count_is_flat(coordinator_client, home_org, approver, assert_flat_query_count):
    course = approved_course(home_org, approver)

    def grow(count):
        for _ in range(count):
            TermFactory(organisation=home_org).courses.add(course)

    def fetch():
        assert coordinator_client.get(reverse("terms:term_list")).status_code == 200

    # session, user, principal, terms with their organisations and course counts
    assert_flat_query_count(fetch, grow, expected=4)


# Create --------------------------------------------------------------------------


def test_coordinator_adds_a_term_offering_approved_courses(coordinator_client, home_org, approver):
    course = approved_course(home_org, approver, title="Caring and coping")

    response = coordinator_client.post(reverse("terms:term_create"), _form(courses=[course], published=True))

    assert response.status_code == 302
    assert response["Location"] == reverse("terms:term_list")
    term = Term.objects.get()
    assert (term.organisation, term.name, term.published) == (home_org, "Spring 2027", True)
    assert (term.starts_on, term.ends_on) == (datetime.date(2027, 1, 11), datetime.date(2027, 3, 26))
    assert list(term.courses.all()) == [course]
    assert term.slug == "south-west-london-recovery-college-spring-2027"
    assert AuditEvent.objects.filter(action="term.created").count() == 1


def test_only_approved_courses_are_offered(coordinator_client, home_org, other_org, approver, actors):
    approved = approved_course(home_org, approver, title="Approved course")
    idea = CourseFactory(owner=home_org, title="Idea course")
    theirs = approved_course(other_org, actors["outsider"].user, title="Other college's course")

    page = coordinator_client.get(reverse("terms:term_create")).content.decode()
    assert "Approved course" in page
    assert "Idea course" not in page
    assert "Other college&#39;s course" not in page

    for course in (idea, theirs):
        response = coordinator_client.post(reverse("terms:term_create"), _form(courses=[approved, course]))
        assert response.status_code == 400
        assert "Select courses from the list" in response.content.decode()
    assert not Term.objects.exists()


def test_end_before_start_is_a_form_error(coordinator_client, home_org):
    response = coordinator_client.post(reverse("terms:term_create"), _form(starts=(1, 4, 2027), ends=(31, 3, 2027)))
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in response.content.decode()
    assert not Term.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_form(name=""), "Enter a name for the term"),
        (_form(starts=("", "", "")), "Enter the date the term starts"),
        (_form(ends=(31, 2, 2027)), "End date must be a real date"),
        (_form() | {"courses": ["not-a-course"]}, "Select courses from the list"),
        (_form(name="Spring\x002027"), "Null characters are not allowed"),
    ],
)
def test_bad_input_is_a_form_error_not_a_crash(coordinator_client, home_org, data, message):
    response = coordinator_client.post(reverse("terms:term_create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_duplicate_name_in_one_organisation_is_a_form_error(coordinator_client, home_org, other_org):
    TermFactory(organisation=home_org, name="Spring 2027")
    TermFactory(organisation=other_org, name="Autumn 2027")

    duplicate = coordinator_client.post(reverse("terms:term_create"), _form(name="Spring 2027"))
    elsewhere = coordinator_client.post(reverse("terms:term_create"), _form(name="Autumn 2027"))

    assert duplicate.status_code == 400
    assert "already has a term called Spring 2027" in duplicate.content.decode()
    assert elsewhere.status_code == 302  # the same name in another organisation is fine
    assert Term.objects.filter(organisation=home_org).count() == 2


def test_coordinator_of_one_organisation_is_not_asked_which(coordinator_client, home_org):
    body = coordinator_client.get(reverse("terms:term_create")).content.decode()
    assert 'name="organisation"' not in body
    assert f"Organisation: {home_org.name}" in body


def test_coordinator_of_two_organisations_chooses_one_of_theirs(actors, home_org, other_org):
    third = OrganisationFactory(name="Not theirs")
    MembershipFactory(person=actors["coordinator"].person, organisation=other_org, role=Membership.Role.COORDINATOR)
    client = actors["coordinator"].client

    body = client.get(reverse("terms:term_create")).content.decode()
    assert 'name="organisation"' in body
    assert "Not theirs" not in body

    missing = client.post(reverse("terms:term_create"), _form())
    outside = client.post(reverse("terms:term_create"), _form(organisation=str(third.pk)))
    chosen = client.post(reverse("terms:term_create"), _form(organisation=str(other_org.pk)))

    assert missing.status_code == 400
    assert "Select the organisation running the term" in missing.content.decode()
    assert outside.status_code == 400
    assert chosen.status_code == 302
    assert Term.objects.get().organisation == other_org


# Edit ----------------------------------------------------------------------------


def test_coordinator_changes_a_term_and_its_slug_stays(coordinator_client, home_org, approver):
    old = approved_course(home_org, approver, title="Old course")
    new = approved_course(home_org, approver, title="New course")
    term = TermFactory(organisation=home_org, name="Spring 2027", slug="spring-2027", published=False)
    term.courses.add(old)

    page = coordinator_client.get(reverse("terms:term_edit", kwargs={"pk": term.pk})).content.decode()
    assert 'value="Spring 2027"' in page
    response = coordinator_client.post(
        reverse("terms:term_edit", kwargs={"pk": term.pk}),
        _form(name="Spring term 2027", courses=[new], published=True),
    )

    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.name, term.slug, term.published) == ("Spring term 2027", "spring-2027", True)
    assert list(term.courses.all()) == [new]
    assert AuditEvent.objects.filter(action="term.updated").count() == 1


def test_edit_warns_that_saving_drops_courses_no_longer_approved(coordinator_client, home_org, approver):
    term = TermFactory(organisation=home_org)
    retired = approved_course(home_org, approver, title="Retired course")
    term.courses.add(retired)
    Course.objects.filter(pk=retired.pk).update(status=Course.Status.RETIRED)

    body = coordinator_client.get(reverse("terms:term_edit", kwargs={"pk": term.pk})).content.decode()

    assert "Courses that will be removed" in body
    assert "Retired course" in body


def test_edit_with_end_before_start_is_400_and_keeps_the_old_heading(coordinator_client, home_org):
    term = TermFactory(organisation=home_org, name="Spring 2027")
    response = coordinator_client.post(
        reverse("terms:term_edit", kwargs={"pk": term.pk}),
        _form(name="Renamed", starts=(2, 2, 2027), ends=(1, 2, 2027)),
    )
    assert response.status_code == 400
    assert "<h1>Change Spring 2027</h1>" in response.content.decode()
    term.refresh_from_db()
    assert term.name == "Spring 2027"


def test_edit_to_a_name_already_used_is_400(coordinator_client, home_org):
    TermFactory(organisation=home_org, name="Summer 2027")
    term = TermFactory(organisation=home_org, name="Spring 2027")
    response = coordinator_client.post(reverse("terms:term_edit", kwargs={"pk": term.pk}), _form(name="Summer 2027"))
    assert response.status_code == 400
    assert "already has a term called Summer 2027" in response.content.decode()


def test_other_organisations_term_is_404_for_a_coordinator(outsider_client, home_org):
    term = TermFactory(organisation=home_org)
    assert outsider_client.get(reverse("terms:term_edit", kwargs={"pk": term.pk})).status_code == 404
    assert outsider_client.post(reverse("terms:term_edit", kwargs={"pk": term.pk}), _form()).status_code == 404


def test_administrator_chooses_any_organisation(admin_client_, home_org, other_org):
    response = admin_client_.post(reverse("terms:term_create"), _form(organisation=str(other_org.pk)))
    assert response.status_code == 302
    assert Term.objects.get().organisation == other_org


def test_new_term_appears_in_the_public_prospectus_once_published(coordinator_client, client, home_org, approver):
    course = approved_course(home_org, approver, title="Caring and coping")
    today = timezone.localdate()
    starts = today + datetime.timedelta(days=7)
    ends = today + datetime.timedelta(days=70)
    data = _form(
        starts=(starts.day, starts.month, starts.year), ends=(ends.day, ends.month, ends.year), courses=[course]
    )
    coordinator_client.post(reverse("terms:term_create"), data)
    term = Term.objects.get()
    assert client.get(reverse("prospectus:term", kwargs={"slug": term.slug})).status_code == 404

    coordinator_client.post(reverse("terms:term_edit", kwargs={"pk": term.pk}), data | {"published": "on"})

    assert "Caring and coping" in client.get(reverse("prospectus:term", kwargs={"slug": term.slug})).content.decode()
    assert term.name in client.get(reverse("prospectus:index")).content.decode()
