"""The public prospectus: what it lists, its filters, its privacy rules, its PDF and its query counts.

Who may open which page is in tests/permission_cases_prospectus.py; these tests
cover what the pages show once someone may.
"""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from peerpath.core import pdf
from peerpath.courses import prospectus
from peerpath.courses.choices import Audience, Capacity, Category, Stage
from peerpath.courses.models import Course, CourseVersion
from peerpath.courses.prospectus import Borough, CoproductionSummary, Filters
from peerpath.courses.tests.factories import (
    ActivityFactory,
    ContributionFactory,
    CourseFactory,
    CourseVersionFactory,
    OutlineSessionFactory,
    TermFactory,
    approved_course,
    log,
)
from peerpath.people.models import Consent
from peerpath.people.tests.factories import AreaFactory, OrganisationFactory, PersonFactory, UserFactory


@pytest.fixture
def approver(db):
    return UserFactory()


@pytest.fixture
def merton(db):
    return AreaFactory(code="E09000024", name="Merton")


@pytest.fixture
def sutton(db):
    return AreaFactory(code="E09000029", name="Sutton")


@pytest.fixture
def college(home_org, merton):
    home_org.area = merton
    home_org.save()
    return home_org


@pytest.fixture
def term(college):
    return TermFactory(organisation=college, name="Spring 2027", slug="spring-2027")


def _offer(term, course):
    term.courses.add(course)
    return course


def _coproduce(course):
    """Enough lived-experience input to meet the default rule."""
    log(course, Stage.DESIGN_WORKSHOP, (Capacity.CARER, "3"), (Capacity.PROFESSIONAL, "2"))
    log(course, Stage.REVIEW, (Capacity.SERVICE_USER, "1"))


def _titles(entries):
    return [entry.title for entry in entries]


# What the prospectus lists ------------------------------------------------------


def test_prospectus_lists_only_the_approved_courses_the_term_offers(term, college, approver):
    offered = _offer(term, approved_course(college, approver, title="Caring and coping"))
    approved_course(college, approver, title="Approved but not offered")
    draft = _offer(term, CourseFactory(owner=college, title="Still an idea"))
    retired = _offer(term, approved_course(college, approver, title="Retired since"))
    Course.objects.filter(pk=retired.pk).update(status=Course.Status.RETIRED)

    assert _titles(prospectus.entries_for(term)) == [offered.title]
    assert draft.status == Course.Status.IDEA


def test_entry_carries_boroughs_organisations_modes_and_coproduction(term, college, approver, merton, sutton):
    partner = OrganisationFactory(name="Sutton Carers Centre", area=sutton)
    no_area = OrganisationFactory(name="Aardvark Carers Trust")
    course = _offer(term, approved_course(college, approver, title="Caring and coping", online=True, in_person=False))
    course.partners.add(partner, no_area)
    _coproduce(course)

    (entry,) = prospectus.entries_for(term)

    assert entry.boroughs == (Borough("E09000024", "Merton"), Borough("E09000029", "Sutton"))
    assert entry.organisations == (college.name, "Aardvark Carers Trust", "Sutton Carers Centre")
    assert entry.delivery_modes == ("online",)
    assert entry.coproduced is True
    assert entry.coproduction.hours == Decimal("6")
    assert entry.coproduction.lived_share == Decimal("4") / Decimal("6")
    assert entry.run_id is None and entry.starts_on is None and entry.places_left is None


def test_entry_is_not_coproduced_without_lived_experience_in_review(term, college, approver):
    course = _offer(term, approved_course(college, approver))
    log(course, Stage.DESIGN_WORKSHOP, (Capacity.CARER, "3"))

    (entry,) = prospectus.entries_for(term)

    assert entry.coproduced is False
    assert "Does not yet meet the co-production rule" in entry.coproduction.text


def test_runs_replace_their_course_but_courses_without_runs_stay(term, college, approver, monkeypatch):
    with_runs = _offer(term, approved_course(college, approver, title="Has runs"))
    _offer(term, approved_course(college, approver, title="No runs yet"))
    starts = timezone.localdate() + datetime.timedelta(days=10)

    def runs(chosen_term):
        course = prospectus.offered_course(chosen_term, with_runs.pk)
        summary = CoproductionSummary(False, 0, Decimal("0"), Decimal("0"))
        return [
            prospectus.course_entry(
                course, summary, run_id=course.pk, starts_on=starts, venue="Merton Civic Centre", places_left=4
            )
        ]

    monkeypatch.setattr(prospectus, "_SOURCES", list(prospectus._SOURCES))
    prospectus.register_source(runs)
    prospectus.register_source(runs)

    entries = prospectus.entries_for(term)

    assert [(entry.title, entry.is_run) for entry in entries] == [("Has runs", True), ("No runs yet", False)]
    assert entries[0].venue == "Merton Civic Centre"


# Filters ------------------------------------------------------------------------


@pytest.fixture
def varied(term, college, approver, sutton):
    """Five offered courses differing in category, audience, borough and mode."""
    sutton_centre = OrganisationFactory(name="Sutton Carers Centre", area=sutton)
    area_wide = OrganisationFactory(name="Carers' network, all boroughs", area=None)
    courses = {
        "area_wide": approved_course(area_wide, approver, title="Navigating services"),
        "recovery": approved_course(college, approver, title="Recovery basics", audience=Audience.EVERYONE),
        "self": approved_course(
            college,
            approver,
            title="Looking after yourself",
            category=Category.SELF_MANAGEMENT,
            online=True,
            in_person=False,
        ),
        "staff": approved_course(college, approver, title="Working with carers", audience=Audience.STAFF),
        "sutton": approved_course(
            sutton_centre, approver, title="Sutton support group", category=Category.SUPPORT_GROUP, blended=True
        ),
    }
    for course in courses.values():
        _offer(term, course)
    return courses


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            Filters(),
            [
                "Looking after yourself",
                "Navigating services",
                "Recovery basics",
                "Sutton support group",
                "Working with carers",
            ],
        ),
        (Filters(category=Category.SELF_MANAGEMENT), ["Looking after yourself"]),
        (Filters(category=Category.TRAIN_THE_TRAINER), []),
        # Courses for everyone are for carers too; staff-only courses are not.
        (
            Filters(audience=Audience.CARERS),
            ["Looking after yourself", "Navigating services", "Recovery basics", "Sutton support group"],
        ),
        (Filters(audience=Audience.STAFF), ["Recovery basics", "Working with carers"]),
        # A course whose organisations have no borough is open to every borough.
        (Filters(borough="E09000029"), ["Navigating services", "Sutton support group"]),
        (
            Filters(borough="E09000024"),
            ["Looking after yourself", "Navigating services", "Recovery basics", "Working with carers"],
        ),
        (Filters(mode="online"), ["Looking after yourself"]),
        (Filters(mode="blended"), ["Sutton support group"]),
        (
            Filters(mode="in_person"),
            ["Navigating services", "Recovery basics", "Sutton support group", "Working with carers"],
        ),
        (
            Filters(audience=Audience.CARERS, mode="in_person"),
            ["Navigating services", "Recovery basics", "Sutton support group"],
        ),
    ],
)
def test_each_filter_narrows_the_entries(term, varied, filters, expected):
    assert _titles(prospectus.entries_for(term, filters)) == expected


def test_filter_form_on_the_page_narrows_and_offers_only_the_terms_boroughs(term, varied, merton):
    AreaFactory(code="E09000001", name="City of London")
    client = Client()
    url = reverse("prospectus:term", kwargs={"slug": term.slug})

    response = client.get(url, {"borough": "E09000029", "mode": "blended"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Sutton support group" in body
    assert "Recovery basics" not in body
    assert "1 of 5 courses" in body
    assert "City of London" not in body  # no course of the term is there
    assert '?borough=E09000029&amp;mode=blended"' in body  # the PDF link keeps the filters


@pytest.mark.parametrize(
    "query",
    [
        {"category": "cookery"},
        {"audience": "<script>alert(1)</script>"},
        {"borough": "E09000001"},  # a real area code, but no course of the term is there
        {"mode": "carrier pigeon"},
        {"category": "recovery_college\x00"},
        {"borough": "x" * 5000},
    ],
)
def test_bad_filter_values_show_form_errors_with_400(term, varied, query):
    response = Client().get(reverse("prospectus:term", kwargs={"slug": term.slug}), query)
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "<script>alert(1)</script>" not in body
    assert "Recovery basics" not in body


def test_a_pdf_with_bad_filters_is_the_page_with_its_errors(term, varied):
    response = Client().get(reverse("prospectus:pdf", kwargs={"slug": term.slug}), {"mode": "teleport"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Select how the course is delivered from the list" in response.content.decode()


# Pages ---------------------------------------------------------------------------


def test_index_lists_open_published_terms_by_organisation_soonest_first(college, other_org):
    today = timezone.localdate()
    days = datetime.timedelta
    TermFactory(organisation=college, name="Summer 2027", starts_on=today + days(100), ends_on=today + days(200))
    TermFactory(organisation=college, name="Spring 2027", starts_on=today + days(5), ends_on=today + days(60))
    TermFactory(organisation=college, name="Draft term", published=False)
    TermFactory(
        organisation=college,
        name="Autumn 2025",
        starts_on=today - datetime.timedelta(days=120),
        ends_on=today - datetime.timedelta(days=1),
    )
    TermFactory(organisation=other_org, name="Elsewhere term")

    response = Client().get(reverse("prospectus:index"))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Elsewhere Carers Centre") < body.index(college.name)  # organisations by name
    assert body.index("Spring 2027") < body.index("Summer 2027")
    assert "Draft term" not in body
    assert "Autumn 2025" not in body


def test_public_pages_render_without_signed_in_navigation(term, college, approver):
    course = _offer(term, approved_course(college, approver))
    anonymous = Client()
    for url in (
        reverse("prospectus:index"),
        reverse("prospectus:term", kwargs={"slug": term.slug}),
        reverse("prospectus:course", kwargs={"slug": term.slug, "course_id": course.pk}),
    ):
        response = anonymous.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert "nhsuk-header__navigation" not in body
        assert "Log out" not in body


def test_start_page_links_to_the_prospectus(db):
    body = Client().get(reverse("core:start")).content.decode()
    assert f'href="{reverse("prospectus:index")}"' in body


def test_unpublished_term_is_missing_for_visitors_and_a_preview_for_its_coordinators(actors, home_org, approver):
    draft = TermFactory(organisation=home_org, name="Autumn 2027", slug="autumn-2027", published=False)
    course = _offer(draft, approved_course(home_org, approver, title="Preview me"))
    urls = [
        reverse("prospectus:term", kwargs={"slug": draft.slug}),
        reverse("prospectus:course", kwargs={"slug": draft.slug, "course_id": course.pk}),
    ]
    for url in urls:
        for role in ("anonymous", "outsider", "peer_tutor", "participant"):
            assert actors[role].client.get(url).status_code == 404, (role, url)
        for role in ("coordinator", "administrator"):
            response = actors[role].client.get(url)
            assert response.status_code == 200, (role, url)
            assert "Preview: not yet published" in response.content.decode()
    # Not listed, even for those who may preview it.
    assert "Autumn 2027" not in actors["coordinator"].client.get(reverse("prospectus:index")).content.decode()


def test_published_term_has_no_preview_banner(actors, term):
    body = actors["coordinator"].client.get(reverse("prospectus:term", kwargs={"slug": term.slug})).content.decode()
    assert "Preview: not yet published" not in body


def test_an_ended_term_keeps_its_page_and_says_it_has_ended(college):
    today = timezone.localdate()
    ended = TermFactory(
        organisation=college, starts_on=today - datetime.timedelta(days=90), ends_on=today - datetime.timedelta(days=1)
    )
    response = Client().get(reverse("prospectus:term", kwargs={"slug": ended.slug}))
    assert response.status_code == 200
    assert "This term has ended" in response.content.decode()


def test_unknown_slug_is_404(db):
    assert Client().get(reverse("prospectus:term", kwargs={"slug": "no-such-term"})).status_code == 404


def test_course_page_is_404_unless_the_term_offers_the_approved_course(term, college, approver, other_org):
    elsewhere = approved_course(other_org, approver, title="Offered elsewhere")
    TermFactory(organisation=other_org).courses.add(elsewhere)
    idea = _offer(term, CourseFactory(owner=college))
    client = Client()

    for course in (elsewhere, idea):
        url = reverse("prospectus:course", kwargs={"slug": term.slug, "course_id": course.pk})
        assert client.get(url).status_code == 404


def test_course_page_shows_the_approved_version_not_the_draft(term, college, approver):
    course = _offer(term, approved_course(college, approver, title="Caring and coping"))
    CourseVersion.objects.filter(course=course).update(learning_outcomes="Describe the caring role\nPlan for a crisis")
    draft = CourseVersionFactory(course=course, number=2, learning_outcomes="Secret draft outcome")
    OutlineSessionFactory(version=draft, number=1, title="Draft-only session")
    approved = course.versions.get(number=1)
    approved.outline.filter(number=1).update(title="Understanding the caring role", description="What carers do")

    body = Client().get(reverse("prospectus:course", kwargs={"slug": term.slug, "course_id": course.pk})).content
    text = body.decode()

    assert "Plan for a crisis" in text
    assert "Understanding the caring role" in text
    assert "Secret draft outcome" not in text
    assert "Draft-only session" not in text


def test_course_page_shows_the_profile_by_capacity_and_stage_and_the_verdict(term, college, approver):
    course = _offer(term, approved_course(college, approver))
    _coproduce(course)

    text = Client().get(reverse("prospectus:course", kwargs={"slug": term.slug, "course_id": course.pk})).content
    body = text.decode()

    assert "Lived experience as a carer: 1 contribution, 3 hours (50% of hours)" in body
    assert "Professional: 1 contribution, 2 hours (33% of hours)" in body
    assert re.search(r'class="nhsuk-tag nhsuk-tag--green"\s*>\s*Co-produced\s*</strong>', body)
    assert "A course counts as co-produced when people with lived experience took part in" in body
    assert "Design workshop" in body


# Credits and privacy -------------------------------------------------------------

DISTINCTIVE = {
    "email": "zanzibar.quill@example.org",
    "phone": "07700 900461",
    "postcode": "SM9 9ZZ",
    "date_of_birth": datetime.date(1961, 2, 3),
}


def _consent(person, *decisions, recorder):
    """Consent decisions for crediting, recorded in this order a minute apart."""
    start = timezone.now() - datetime.timedelta(hours=1)
    for index, decision in enumerate(decisions):
        Consent.objects.create(
            person=person,
            purpose=Consent.Purpose.CREDIT,
            decision=decision,
            method=Consent.Method.PAPER,
            decided_on=timezone.localdate(),
            recorded_by=recorder,
            recorded_at=start + datetime.timedelta(minutes=index),
        )


@pytest.fixture
def credited_course(term, college, approver):
    """A course with four named contributors in different states of consent, and one not on PeerPath."""
    course = _offer(term, approved_course(college, approver, title="Caring and coping"))
    people = {
        "never": PersonFactory(given_name="Nevilla", family_name="Unasked", **DISTINCTIVE),
        "given": PersonFactory(given_name="Gwendolyn", preferred_name="Gwen", family_name="Agreed"),
        "withdrawn": PersonFactory(given_name="Wilhelmina", family_name="Changedmind", phone="07700 900999"),
        "other_purpose": PersonFactory(given_name="Ottoline", family_name="Contactonly", postcode="CR9 9YY"),
    }
    _consent(people["given"], Consent.Decision.WITHDRAWN, Consent.Decision.GIVEN, recorder=approver)
    _consent(people["withdrawn"], Consent.Decision.GIVEN, Consent.Decision.WITHDRAWN, recorder=approver)
    Consent.objects.create(
        person=people["other_purpose"],
        purpose=Consent.Purpose.CONTACT,
        decision=Consent.Decision.GIVEN,
        method=Consent.Method.PAPER,
        decided_on=timezone.localdate(),
        recorded_by=approver,
    )
    workshop = ActivityFactory(course=course, stage=Stage.DESIGN_WORKSHOP, decisions="Met at Nevilla's house")
    for person in people.values():
        ContributionFactory(activity=workshop, person=person, capacity=Capacity.CARER)
    review = ActivityFactory(course=course, stage=Stage.REVIEW)
    ContributionFactory(activity=review, person=people["given"], capacity=Capacity.CARER)
    ContributionFactory(activity=review, person=None, capacity=Capacity.PARTNER)
    ContributionFactory(activity=review, person=None, capacity=Capacity.PARTNER)
    return course, people


def test_only_contributors_who_consent_to_credit_are_named(term, credited_course):
    course, _ = credited_course

    response = Client().get(reverse("prospectus:course", kwargs={"slug": term.slug, "course_id": course.pk}))
    body = response.content.decode()

    assert "Gwen Agreed" in body  # consent given after an earlier withdrawal: named, by preferred name
    assert "Gwendolyn" not in body
    for hidden in ("Nevilla", "Unasked", "Wilhelmina", "Changedmind", "Ottoline", "Contactonly"):
        assert hidden not in body
    assert "And 3 other people." in body  # never asked, withdrawn, consented to something else
    assert re.search(r"<h4>Partner organisation representative</h4>\s*<p>2 people.</p>", body)


def test_credits_count_each_person_once_per_capacity(term, credited_course):
    course, _ = credited_course
    credits = {credit.capacity: credit for credit in prospectus.credits_for(course.pk)}
    assert credits[Capacity.CARER].names == ["Gwen Agreed"]
    assert credits[Capacity.CARER].unnamed == 3
    assert credits[Capacity.PARTNER].names == []
    assert credits[Capacity.PARTNER].unnamed == 2
    assert set(credits) == {Capacity.CARER, Capacity.PARTNER}


def test_public_pages_carry_no_contact_details_or_notes(term, credited_course):
    course, people = credited_course
    for person in people.values():
        person.email = f"{person.family_name.lower()}@example.org"
        person.save()
    client = Client()
    pages = [
        client.get(reverse("prospectus:index")),
        client.get(reverse("prospectus:term", kwargs={"slug": term.slug})),
        client.get(reverse("prospectus:course", kwargs={"slug": term.slug, "course_id": course.pk})),
    ]
    pdf_text = _pdf_text(client.get(reverse("prospectus:pdf", kwargs={"slug": term.slug})).content)
    for text in [page.content.decode() for page in pages] + [pdf_text]:
        for value in ("zanzibar", "07700 900461", "SM9 9ZZ", "1961", "07700 900999", "CR9 9YY", "Nevilla's house"):
            assert value not in text
        for person in people.values():
            assert person.email not in text
        assert "@example.org" not in text


# PDF ------------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_is_a_real_pdf_with_every_course_and_its_outcomes(term, varied):
    for course in varied.values():
        _coproduce(course)
    response = Client().get(reverse("prospectus:pdf", kwargs={"slug": term.slug}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="spring-2027-prospectus.pdf"'
    text = _pdf_text(response.content)
    for course in varied.values():
        assert course.title in text
    assert "Spring 2027 prospectus" in text
    assert "South West London Recovery College" in text
    assert "Explain what recovery means" in text  # the factory's learning outcome
    assert "Co-produced with carers" in text


def test_pdf_honours_the_filters(term, varied):
    response = Client().get(reverse("prospectus:pdf", kwargs={"slug": term.slug}), {"category": "support_group"})
    text = _pdf_text(response.content)
    assert "Sutton support group" in text
    assert "Recovery basics" not in text
    assert "1 of 5 courses" in text


# Query counts ---------------------------------------------------------------------


def _grow_courses(term, owner, approver, partner):
    def grow(count: int) -> None:
        for _ in range(count):
            course = _offer(term, approved_course(owner, approver))
            course.partners.add(partner)
            log(course, Stage.DESIGN_WORKSHOP, (Capacity.CARER, "2"), (Capacity.PROFESSIONAL, "1"))

    return grow


def test_term_page_query_count_is_flat(term, college, approver, sutton, assert_flat_query_count):
    partner = OrganisationFactory(area=sutton)
    client = Client()
    url = reverse("prospectus:term", kwargs={"slug": term.slug})

    def fetch():
        assert client.get(url, {"audience": "carers"}).status_code == 200

    # term, courses with owner areas, partners with areas, co-production rule, grouped contributions,
    # and the delivery app's source asking for the term's runs (there are none)
    assert_flat_query_count(fetch, _grow_courses(term, college, approver, partner), expected=6)


def test_term_page_preview_costs_one_more_query_for_the_principal(actors, home_org, approver, assert_flat_query_count):
    draft = TermFactory(organisation=home_org, published=False)
    client = actors["coordinator"].client
    url = reverse("prospectus:term", kwargs={"slug": draft.slug})

    def fetch():
        assert client.get(url).status_code == 200

    # session, user, term, principal, courses, partners, rule, contributions, runs
    assert_flat_query_count(fetch, _grow_courses(draft, home_org, approver, home_org), expected=9)


def test_index_query_count_is_flat(college, assert_flat_query_count):
    client = Client()

    def fetch():
        assert client.get(reverse("prospectus:index")).status_code == 200

    def grow(count):
        for _ in range(count):
            TermFactory(organisation=OrganisationFactory())

    # terms with organisations and course counts
    assert_flat_query_count(fetch, grow, expected=1)


def test_course_page_query_count_is_flat_in_contributors(term, college, approver, assert_flat_query_count):
    course = _offer(term, approved_course(college, approver))
    client = Client()
    url = reverse("prospectus:course", kwargs={"slug": term.slug, "course_id": course.pk})

    def grow(count):
        activity = ActivityFactory(course=course, stage=Stage.REVIEW)
        for index in range(count):
            person = PersonFactory()
            if index % 2:
                _consent(person, Consent.Decision.GIVEN, recorder=approver)
            ContributionFactory(activity=activity, person=person, capacity=Capacity.CARER)

    def fetch():
        assert client.get(url).status_code == 200

    # term, course with owner area, partners, approved version, its outline, rule, profile rows,
    # contributions by person, consent decisions, names of those who consent
    assert_flat_query_count(fetch, grow, expected=10)


def test_pdf_query_count_is_flat(term, college, approver, sutton, assert_flat_query_count):
    partner = OrganisationFactory(area=sutton)
    client = Client()
    url = reverse("prospectus:pdf", kwargs={"slug": term.slug})

    def fetch():
        assert client.get(url).status_code == 200

    # the term page's six, and the approved versions' outcomes
    assert_flat_query_count(fetch, _grow_courses(term, college, approver, partner), expected=7, sizes=(2, 8))


def test_pdf_is_laid_out_once_until_the_prospectus_changes(term, college, approver, monkeypatch):
    course = _offer(term, approved_course(college, approver, title="Caring and coping"))
    laid_out = []
    real = pdf.html_to_pdf

    def counting(html, **kwargs):
        laid_out.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    cache.clear()
    client = Client()
    url = reverse("prospectus:pdf", kwargs={"slug": term.slug})

    first = client.get(url).content
    second = client.get(url).content
    Course.objects.filter(pk=course.pk).update(title="Caring and coping, revised")
    third = client.get(url).content

    assert first == second
    assert len(laid_out) == 2
    assert "Caring and coping, revised" in _pdf_text(third)
