"""Pages say the words of their programme: its people, the person they care for, the condition.

A course's pages and its prospectus say its own programme's words; a signed-in user's other
pages say the words of the programmes their organisations own; public pages with no programme
of their own, and a mix of programmes, say the default (mental health) words.
"""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from conftest import make_member
from peerpath.courses.choices import Audience, Capacity, Category, Stage
from peerpath.courses.models import Course
from peerpath.courses.prospectus import Filters
from peerpath.courses.tests.factories import TermFactory, approved_course, log
from peerpath.delivery.tests.factories import open_run
from peerpath.evaluation import invitations, tasks, tokens
from peerpath.evaluation.tests.test_responses import shipped
from peerpath.people.models import Consent, Membership, Organisation
from peerpath.people.services import record_consent
from peerpath.people.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from peerpath.programmes.context import LazyTerms, fill, page_terms, possessive, user_terms
from peerpath.programmes.models import Programme
from peerpath.programmes.terms import DEFAULT, Terms
from peerpath.reports.models import ReportBuild

pytestmark = pytest.mark.django_db

DEMENTIA = Terms(
    person="carer",
    people="carers",
    cared_for="the person you care for",
    cared_for_third="the person they care for",
    condition="dementia",
    cared_for_group="people living with dementia",
    served="carers of people living with dementia",
)
DIABETES = Terms(
    person="member",
    people="members",
    cared_for="the person you care for",
    cared_for_third="the person they care for",
    condition="diabetes",
    cared_for_group="people living with diabetes",
    served="people living with diabetes",
)


def make_programme(owner: Organisation, terms: Terms, code: str) -> Programme:
    return Programme.objects.create(owner=owner, code=code, name=f"{terms.condition} programme", **terms.as_dict())


def text_of(response) -> str:
    """The page as a reader sees its words: no tags, entities decoded, spaces collapsed."""
    assert response.status_code == 200
    without_tags = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(without_tags).split())


def coproduced_course(owner: Organisation, programme: Programme | None, approver) -> Course:
    """An approved carers' self-management course in ``programme`` that meets the co-production rule."""
    course = approved_course(
        owner,
        approver,
        title="Looking after yourself",
        summary="Six weeks of looking after your own wellbeing.",
        category=Category.SELF_MANAGEMENT,
        audience=Audience.CARERS,
        programme=programme,
    )
    log(course, Stage.DESIGN_WORKSHOP, (Capacity.CARER, "3"), (Capacity.PROFESSIONAL, "2"))
    log(course, Stage.REVIEW, (Capacity.SERVICE_USER, "1"))
    return course


@pytest.fixture
def approver(db):
    return UserFactory()


@pytest.fixture
def diabetes_org(db) -> Organisation:
    return OrganisationFactory(name="Diabetes Peer Network")


@pytest.fixture
def diabetes_coordinator(diabetes_org) -> Client:
    client = Client()
    client.force_login(make_member(diabetes_org, Membership.Role.COORDINATOR, username="diabetes_coordinator").user)
    return client


@pytest.fixture
def diabetes_course(diabetes_org, approver) -> Course:
    return coproduced_course(diabetes_org, make_programme(diabetes_org, DIABETES, "diabetes"), approver)


@pytest.fixture
def dementia_course(home_org, approver) -> Course:
    return coproduced_course(home_org, make_programme(home_org, DEMENTIA, "dementia"), approver)


def prospectus_pages(course: Course) -> tuple[str, str]:
    """The public term page and course page of a published term offering ``course``."""
    term = TermFactory(organisation=course.owner)
    term.courses.add(course)
    client = Client()
    term_page = client.get(reverse("prospectus:term", kwargs={"slug": term.slug}))
    course_page = client.get(reverse("prospectus:course", kwargs={"slug": term.slug, "course_id": course.pk}))
    return text_of(term_page), text_of(course_page)


# A programme for people living with diabetes: its own word for the people it serves -------------


def test_course_page_labels_the_course_in_its_programmes_words(diabetes_coordinator, diabetes_course):
    page = text_of(diabetes_coordinator.get(reverse("courses:course_detail", kwargs={"pk": diabetes_course.pk})))

    assert "Members' self-management course" in page
    assert "Who it is for Members" in page
    assert "Lived experience as a member" in page
    assert "Carers' self-management course" not in page
    assert "as a carer" not in page
    assert "mental health" not in page.lower()


def test_course_list_labels_each_course_in_its_programmes_words(diabetes_coordinator, diabetes_course):
    page = text_of(diabetes_coordinator.get(reverse("courses:course_list")))

    assert "Category Members' self-management course" in page  # the course's row
    assert "All categories Recovery College course Members' self-management course" in page  # the filter
    assert "Carers'" not in page


def test_prospectus_pages_say_the_courses_programmes_words(diabetes_course):
    term_page, course_page = prospectus_pages(diabetes_course)

    assert "co-delivered with members and people living with diabetes" in term_page
    assert "Members' self-management course" in term_page
    assert "Yes, with members and people with lived experience" in term_page
    assert "shaped with members and people living with diabetes" in course_page
    assert "Members' self-management course" in course_page
    assert "Lived experience as a member" in course_page
    for page in (term_page, course_page):
        assert "mental health" not in page.lower()
        assert "carers" not in page.lower()


def test_prospectus_lists_a_run_in_its_courses_programmes_words(diabetes_org, diabetes_course, approver):
    run = open_run(diabetes_org, approver, course=diabetes_course)

    page = text_of(Client().get(reverse("prospectus:term", kwargs={"slug": run.term.slug})))

    assert "Enrol" in page  # listed as a run, not as a course
    assert "Members' self-management course" in page
    assert "people living with diabetes" in page
    assert "mental health" not in page.lower()


def test_prospectus_filters_offer_the_terms_programmes_words(diabetes_course):
    term = TermFactory(organisation=diabetes_course.owner)
    term.courses.add(diabetes_course)
    url = reverse("prospectus:term", kwargs={"slug": term.slug})

    page = text_of(Client().get(url, {"category": Category.SELF_MANAGEMENT, "audience": Audience.CARERS}))

    assert "1 of 1 course: Members' self-management course, for members" in page


def test_coordinators_home_page_says_their_programmes_words(diabetes_coordinator, diabetes_course):
    page = text_of(diabetes_coordinator.get(reverse("core:home")))

    assert "Find, add and update members, tutors" in page
    assert "Members' support groups and a record of each meeting" in page
    assert "update carers" not in page
    assert "Carers' support groups" not in page
    assert "mental health" not in page.lower()


def test_support_group_list_says_the_users_programmes_words(diabetes_coordinator, diabetes_course):
    page = text_of(diabetes_coordinator.get(reverse("groups:group_list")))

    assert "Members' support groups, who runs them" in page


# A programme for carers of people living with dementia: the same people, another condition ------


def test_dementia_course_pages_never_say_mental_health(coordinator_client, dementia_course):
    course_page = text_of(coordinator_client.get(reverse("courses:course_detail", kwargs={"pk": dementia_course.pk})))
    term_page, public_page = prospectus_pages(dementia_course)

    assert "Carers' self-management course" in course_page
    assert "co-delivered with carers and people living with dementia" in term_page
    assert "shaped with carers and people living with dementia" in public_page
    for page in (course_page, term_page, public_page):
        assert "mental health" not in page.lower()


def test_dementia_coordinators_home_page_says_carers_and_never_mental_health(coordinator_client, dementia_course):
    page = text_of(coordinator_client.get(reverse("core:home")))

    assert "Find, add and update carers, tutors" in page
    assert "mental health" not in page.lower()


def test_questionnaire_link_and_email_say_the_courses_programmes_words(actors):
    diabetes_org = OrganisationFactory()
    course = coproduced_course(diabetes_org, make_programme(diabetes_org, DIABETES, "diabetes"), UserFactory())
    run = open_run(diabetes_org, actors["coordinator"].user, course=course)
    invitation = invitations.create_invitation(
        person=actors["participant"].person,
        run=run,
        timepoint="baseline",
        versions=[shipped("gse")],
        expires_at=timezone.now() + datetime.timedelta(days=28),
    )
    record_consent(
        actor=actors["coordinator"].user,
        person=actors["participant"].person,
        purpose=Consent.Purpose.EVALUATION,
        decision=Consent.Decision.GIVEN,
        method=Consent.Method.ONLINE,
        decided_on=timezone.localdate(),
    )

    link = reverse("questionnaires:invitation", kwargs={"link_token": tokens.token_for(invitation)})
    page = text_of(Client().get(link))
    tasks.send_invitation.enqueue(str(invitation.pk))

    assert "whether their courses help members" in page
    assert "what the course does for members" in mail.outbox[-1].body


# The default (mental health) programme ------------------------------------------------------


def test_default_programmes_pages_still_say_mental_health(coordinator_client, home_org, approver):
    course = coproduced_course(home_org, make_programme(home_org, DEFAULT, "carers-mental-health"), approver)
    term_page, course_page = prospectus_pages(course)
    detail = text_of(coordinator_client.get(reverse("courses:course_detail", kwargs={"pk": course.pk})))

    assert "co-delivered with carers and people with mental health problems" in term_page
    assert "shaped with carers and people with mental health problems" in course_page
    assert "Carers' self-management course" in detail
    assert "Lived experience as a carer" in detail


def test_course_in_no_programme_says_the_default_words(home_org, approver):
    term_page, course_page = prospectus_pages(coproduced_course(home_org, None, approver))

    assert "people with mental health problems" in term_page
    assert "people with mental health problems" in course_page


def test_start_page_says_the_default_words_to_everyone(client):
    page = text_of(client.get(reverse("core:start")))

    assert "Carers of people with mental health problems co-produce" in page
    assert "run carers' support groups" in page


def test_term_offering_courses_of_programmes_with_different_words_says_the_default_words(
    diabetes_course, dementia_course
):
    term = TermFactory(organisation=dementia_course.owner)
    term.courses.add(diabetes_course, dementia_course)

    page = text_of(Client().get(reverse("prospectus:term", kwargs={"slug": term.slug})))

    assert "co-delivered with carers and people with mental health problems" in page
    # Each entry still says its own course's words.
    assert "Members' self-management course" in page
    assert "Carers' self-management course" in page


# How a page finds its words ----------------------------------------------------------------


def test_user_in_organisations_whose_programmes_share_words_gets_those_words(home_org, diabetes_org):
    make_programme(home_org, DIABETES, "diabetes-here")
    make_programme(diabetes_org, DIABETES, "diabetes-there")
    person = make_member(home_org, Membership.Role.COORDINATOR)
    MembershipFactory(person=person, organisation=diabetes_org, role=Membership.Role.TUTOR)

    assert user_terms(person.user) == DIABETES


def test_user_in_organisations_whose_programmes_differ_gets_the_default_words(home_org, diabetes_org):
    make_programme(home_org, DEMENTIA, "dementia")
    make_programme(diabetes_org, DIABETES, "diabetes")
    person = make_member(home_org, Membership.Role.COORDINATOR)
    MembershipFactory(person=person, organisation=diabetes_org, role=Membership.Role.COORDINATOR)

    assert user_terms(person.user) == DEFAULT


def test_a_partner_organisation_says_the_words_of_the_programme_it_runs_courses_in(
    home_org, diabetes_org, diabetes_course, approver
):
    partner = make_member(home_org, Membership.Role.COORDINATOR)
    assert user_terms(partner.user) == DEFAULT  # home_org owns no programme and runs no course in one
    diabetes_course.partners.add(home_org)
    assert user_terms(partner.user) == DIABETES
    # A partner in one programme that owns another with other words gets the default words.
    make_programme(home_org, DEMENTIA, "dementia")
    assert user_terms(partner.user) == DEFAULT


def test_user_with_no_membership_gets_the_default_words_without_a_query(django_assert_num_queries):
    user = UserFactory(is_superuser=True)

    with django_assert_num_queries(1):  # the principal: no memberships, so no programme is asked for
        assert user_terms(user) == DEFAULT


def test_users_words_are_looked_up_once_and_only_when_read(home_org, django_assert_num_queries):
    make_programme(home_org, DIABETES, "diabetes")
    person = make_member(home_org, Membership.Role.COORDINATOR)
    request = RequestFactory().get("/")
    request.user = person.user

    with django_assert_num_queries(0):
        found = page_terms(request)
    assert isinstance(found, LazyTerms)
    with django_assert_num_queries(2):  # the principal, then the programmes' words
        assert found.people == "members"
        assert found.People == "Members"
        assert page_terms(request).condition == "diabetes"


def test_template_prefers_the_terms_its_view_passed_to_the_users(home_org, django_assert_num_queries):
    make_programme(home_org, DIABETES, "diabetes")
    request = RequestFactory().get("/")
    request.user = make_member(home_org, Membership.Role.COORDINATOR).user
    template = engines["jinja2"].from_string("{{ terms.People }} and {{ terms.cared_for_group }}")

    with django_assert_num_queries(0):
        explicit = template.render({"terms": DEMENTIA}, request=request)
    from_user = template.render({}, request=request)

    assert explicit == "Carers and people living with dementia"
    assert from_user == "Members and people living with diabetes"


def test_template_without_a_request_or_a_user_says_the_default_words():
    template = engines["jinja2"].from_string("{{ terms.condition }}")
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert template.render({}) == "mental health"
    assert template.render({}, request=request) == "mental health"


def test_fill_puts_the_programmes_words_in_a_sentence():
    assert fill("{People_possessive} groups for {a_person} of {cared_for_group}", DIABETES) == (
        "Members' groups for a member of people living with diabetes"
    )
    assert fill("No words to fill", DIABETES) == "No words to fill"


def test_possessive_of_a_word_not_ending_in_s_takes_apostrophe_s():
    assert possessive("carers") == "carers'"
    assert possessive("family") == "family's"


def test_filters_describe_themselves_in_the_programmes_words():
    filters = Filters(category=Category.SELF_MANAGEMENT, audience=Audience.CARERS)

    assert filters.describe(terms=DIABETES) == "Members' self-management course, for members"
    assert filters.describe() == "Carers' self-management course, for carers"


def test_a_programme_for_people_living_with_the_condition_is_named_as_one_phrase(diabetes_coordinator, diabetes_course):
    page = text_of(
        diabetes_coordinator.get(reverse("programmes:programme_detail", args=[diabetes_course.programme_id]))
    )
    assert "For people living with diabetes" in page
    assert "Courses for people living with diabetes" in page
    assert "members of people" not in page.lower() and "mental health" not in page


def test_reports_speak_the_readers_programme_words(diabetes_coordinator, diabetes_course):
    dashboard = text_of(diabetes_coordinator.get(reverse("reports:dashboard")))
    assert "Outcomes for members" in dashboard and "how members changed" in dashboard
    outcomes = text_of(diabetes_coordinator.get(reverse("reports:section", kwargs={"key": "outcomes"})))
    assert "Outcomes for members" in outcomes
    assert "{people}" not in dashboard + outcomes and "Outcomes for carers" not in dashboard + outcomes
    home = text_of(diabetes_coordinator.get(reverse("core:home")))
    assert "How many members were trained and served" in home


def test_a_programme_report_is_written_in_its_requesters_words(
    diabetes_coordinator, diabetes_course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        diabetes_coordinator.post(reverse("reports:programme_new"), {"title": "Report to our funder"})
    build = ReportBuild.objects.get()
    assert build.status == ReportBuild.Status.DONE, build.error
    assert "Outcomes for members" in build.html and "Outcomes for carers" not in build.html


def test_the_new_person_form_asks_about_caring_in_the_programmes_words(diabetes_coordinator, diabetes_course):
    page = text_of(diabetes_coordinator.get(reverse("people:person_create")))
    assert "Not a member, or not known" in page and "Only for members." in page
    assert "Not a carer" not in page


def test_logging_co_production_offers_capacities_in_the_programmes_words(diabetes_coordinator, diabetes_course):
    page = text_of(diabetes_coordinator.get(reverse("courses:activity_add", args=[diabetes_course.pk])))
    assert "Lived experience as a member" in page and "Lived experience as a carer" not in page
