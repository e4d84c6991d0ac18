"""Coordinators' course screens: behaviour, uploads, downloads and query counts.

Access for every role is in tests/permission_cases_courses.py; these tests
cover what the pages do once someone is allowed in.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from peerpath.core.models import AuditEvent
from peerpath.courses.choices import Capacity, Stage
from peerpath.courses.models import (
    CoproductionActivity,
    Course,
    CourseMaterial,
    CourseStatusChange,
    CourseVersion,
    OutlineSession,
)
from peerpath.courses.tests.factories import (
    ActivityFactory,
    ContributionFactory,
    CourseFactory,
    CourseVersionFactory,
    OutlineSessionFactory,
    approved_course,
    log,
)
from peerpath.people.models import Membership
from peerpath.people.tests.factories import MembershipFactory, OrganisationFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def url(name: str, course: Course, **kwargs) -> str:
    return reverse(f"courses:{name}", kwargs={"pk": course.pk, **kwargs})


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


@pytest.fixture
def course(home_org, coordinator) -> Course:
    """An approved course (version 1) of the home organisation, with no draft."""
    return approved_course(home_org, coordinator, title="Caring without burning out")


@pytest.fixture
def draft_course(home_org, coordinator) -> Course:
    """A course in co-production whose draft version 1 is ready to approve."""
    course = CourseFactory(owner=home_org, status=Course.Status.IN_COPRODUCTION, session_count=2)
    CourseStatusChange.objects.create(course=course, to_status=Course.Status.IN_COPRODUCTION, changed_by=coordinator)
    version = CourseVersionFactory(course=course, number=1, created_by=coordinator)
    OutlineSessionFactory(version=version, number=1)
    OutlineSessionFactory(version=version, number=2)
    return course


def _material(version: CourseVersion, user, title: str = "Handout") -> CourseMaterial:
    return CourseMaterial.objects.create(
        version=version,
        title=title,
        file=ContentFile(PDF, name="upload.pdf"),
        original_name=f"{title}.pdf",
        extension=".pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=user,
    )


# Course list ------------------------------------------------------------------------


def test_course_list_query_count_stays_flat_as_rows_grow(
    coordinator_client, home_org, coordinator, assert_flat_query_count
):
    def grow(n: int) -> None:
        for _ in range(n):
            course = approved_course(home_org, coordinator)
            CourseVersionFactory(course=course, number=2, created_by=coordinator)
            log(course, Stage.DESIGN_WORKSHOP, (Capacity.CARER, "2"), (Capacity.PROFESSIONAL, "1"))
            log(course, Stage.REVIEW, (Capacity.SERVICE_USER, "1"))

    def fetch():
        assert coordinator_client.get(reverse("courses:course_list"), {"status": "approved"}).status_code == 200

    # session, user, principal, owner choices (filter), count, page of courses with their counts,
    # co-production rows for the page, co-production rule, and the programme words of the user's
    # organisations (the category filter labels its choices in them; each row uses its own course's)
    assert_flat_query_count(fetch, grow, expected=9, sizes=(3, 30))


def test_course_list_shows_counts_and_coproduction_of_each_course(coordinator_client, home_org, coordinator):
    coproduced = approved_course(home_org, coordinator, title="Alpha course")
    CourseVersionFactory(course=coproduced, number=2, created_by=coordinator)
    log(coproduced, Stage.DESIGN_WORKSHOP, (Capacity.CARER, "4"), (Capacity.PROFESSIONAL, "6"))
    log(coproduced, Stage.REVIEW, (Capacity.SERVICE_USER, "1"))
    approved_course(home_org, coordinator, title="Beta course")
    page = body(coordinator_client.get(reverse("courses:course_list")))
    alpha = page.split("Alpha course", 1)[1].split("</tr>", 1)[0]
    beta = page.split("Beta course", 1)[1].split("</tr>", 1)[0]
    assert "Versions </span>2<" in alpha
    assert "Activities </span>2<" in alpha
    assert "Co-produced" in alpha and "Not yet" not in alpha
    assert "Versions </span>1<" in beta
    assert "Activities </span>0<" in beta
    assert "Not yet co-produced" in beta
    assert page.index("Alpha course") < page.index("Beta course")


def test_course_list_filters_by_title_category_status_and_owner(coordinator_client, home_org, other_org, coordinator):
    partner_owned = approved_course(other_org, coordinator, title="Partner course")
    partner_owned.partners.add(home_org)
    mine = approved_course(home_org, coordinator, title="Hearing voices for carers", category="self_management")
    idea = CourseFactory(owner=home_org, title="An idea for a course")
    list_url = reverse("courses:course_list")

    def titles(**query) -> set[str]:
        page = body(coordinator_client.get(list_url, query))
        return {course.title for course in (partner_owned, mine, idea) if course.title in page}

    assert titles() == {"Partner course", "Hearing voices for carers", "An idea for a course"}
    assert titles(q="voices") == {"Hearing voices for carers"}
    assert titles(category="self_management") == {"Hearing voices for carers"}
    assert titles(status="idea") == {"An idea for a course"}
    assert titles(organisation=str(other_org.pk)) == {"Partner course"}


def test_course_list_hides_other_organisations_courses_and_rejects_them_as_a_filter(
    coordinator_client, other_org, actors
):
    theirs = approved_course(other_org, actors["outsider"].user, title="Somebody else's course")
    page = body(coordinator_client.get(reverse("courses:course_list")))
    assert theirs.title not in page
    assert other_org.name not in page
    response = coordinator_client.get(reverse("courses:course_list"), {"organisation": str(other_org.pk)})
    assert response.status_code == 400
    assert "Select an option from the list" in body(response)


def test_course_list_paginates_and_keeps_filters(coordinator_client, home_org, settings):
    settings.PEERPATH_PAGE_SIZE = 5
    for number in range(7):
        CourseFactory(owner=home_org, title=f"Course {number:02d}")
    page = body(coordinator_client.get(reverse("courses:course_list"), {"status": "idea"}))
    assert "status=idea&amp;page=2" in page
    assert "Course 04" in page and "Course 05" not in page
    second = body(coordinator_client.get(reverse("courses:course_list"), {"status": "idea", "page": "2"}))
    assert "Course 05" in second and "Course 06" in second


def test_only_coordinators_see_the_buttons_to_add_courses_and_manage_terms(coordinator_client, tutor_client):
    coordinator_page = body(coordinator_client.get(reverse("courses:course_list")))
    tutor_page = body(tutor_client.get(reverse("courses:course_list")))
    assert "Add a course" in coordinator_page
    assert f'href="{reverse("terms:term_list")}"' in coordinator_page
    assert "Add a course" not in tutor_page
    assert f'href="{reverse("terms:term_list")}"' not in tutor_page


@pytest.mark.parametrize("role", ["participant", "evaluator"])
def test_participants_and_evaluators_never_reach_course_administration(actors, role, course):
    client = actors[role].client
    home = body(client.get(reverse("core:home")))
    assert reverse("courses:course_list") not in home
    assert client.get(reverse("courses:course_list")).status_code == 403
    assert client.get(reverse("courses:course_create")).status_code == 403
    assert client.get(url("course_detail", course)).status_code == 404
    assert client.post(url("activity_add", course), {}).status_code == 404
    assert client.post(url("version_approve", course, number=1)).status_code == 404


def test_course_staff_see_courses_in_the_navigation(tutor_client):
    assert f'href="{reverse("courses:course_list")}"' in body(tutor_client.get(reverse("core:home")))


# Creating and editing courses -------------------------------------------------------

VALID_COURSE = {
    "title": "Looking after yourself as a carer",
    "summary": "Five sessions about rest, boundaries and asking for help.",
    "category": "self_management",
    "audience": "carers",
    "session_count": "5",
    "session_minutes": "120",
    "delivery_modes": ["in_person", "online"],
}


def test_coordinator_adds_a_course_as_an_idea_with_a_first_draft(coordinator_client, coordinator, home_org):
    partner = OrganisationFactory(name="Carers Trust Wandsworth")
    response = coordinator_client.post(reverse("courses:course_create"), {**VALID_COURSE, "partners": [partner.pk]})
    course = Course.objects.get(title=VALID_COURSE["title"])
    assert response.status_code == 302
    assert response["Location"] == url("course_detail", course)
    assert course.owner == home_org
    assert (course.in_person, course.online, course.blended) == (True, True, False)
    assert list(course.partners.all()) == [partner]
    assert course.status == Course.Status.IDEA
    version = course.versions.get()
    assert (version.number, version.status) == (1, CourseVersion.Status.DRAFT)
    assert (version.peer_trainers_required, version.professional_tutors_required) == (1, 1)
    assert course.status_changes.get().changed_by == coordinator
    event = AuditEvent.objects.get(action="course.created")
    assert event.target_id == str(course.pk)
    assert event.actor == coordinator


def test_the_owner_question_is_hidden_when_the_coordinator_has_one_organisation(coordinator_client, home_org):
    page = body(coordinator_client.get(reverse("courses:course_create")))
    assert 'name="owner"' not in page
    assert f"{home_org.name} will own the course" in page
    assert f'value="{home_org.pk}"' not in page  # nor is it offered as a partner


def test_a_coordinator_of_two_organisations_chooses_the_owner(coordinator_client, actors, other_org):
    MembershipFactory(person=actors["coordinator"].person, organisation=other_org, role=Membership.Role.COORDINATOR)
    assert 'name="owner"' in body(coordinator_client.get(reverse("courses:course_create")))
    missing = coordinator_client.post(reverse("courses:course_create"), VALID_COURSE)
    assert missing.status_code == 400
    assert "Select an organisation" in body(missing)
    response = coordinator_client.post(reverse("courses:course_create"), {**VALID_COURSE, "owner": other_org.pk})
    assert response.status_code == 302
    assert Course.objects.get().owner == other_org


def test_a_course_needs_at_least_one_way_of_delivery(coordinator_client):
    response = coordinator_client.post(reverse("courses:course_create"), {**VALID_COURSE, "delivery_modes": []})
    page = body(response)
    assert response.status_code == 400
    assert page.count("Select at least one way the course is delivered") >= 2  # summary and field
    assert "<title>Error: " in page
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"session_count": "0"}, "Number of sessions must be at least 1"),
        ({"session_count": "four"}, "Number of sessions must be a whole number"),
        ({"session_minutes": "600"}, "Length of each session must be 480 minutes or fewer"),
        ({"category": "cookery"}, "Select a category from the list"),
        ({"partners": ["not-an-id"]}, "Select partner organisations from the list"),
    ],
)
def test_add_course_shows_nhs_style_errors(coordinator_client, changes, message):
    response = coordinator_client.post(reverse("courses:course_create"), {**VALID_COURSE, **changes})
    assert response.status_code == 400
    assert message in body(response)
    assert not Course.objects.exists()


def test_partners_become_a_multiple_select_when_there_are_many_organisations(coordinator_client):
    for number in range(31):
        OrganisationFactory(name=f"Carers group {number:02d}")
    page = body(coordinator_client.get(reverse("courses:course_create")))
    assert '<select class="nhsuk-select peerpath-select-multiple' in page
    assert 'name="partners" multiple' in page


def test_edit_changes_details_and_partners_but_not_the_owner(coordinator_client, course, home_org, other_org):
    form = body(coordinator_client.get(url("course_edit", course)))
    assert 'name="owner"' not in form
    assert f'value="{home_org.pk}"' not in form  # the owner is never its own partner
    response = coordinator_client.post(
        url("course_edit", course),
        {**VALID_COURSE, "title": "Caring, and resting", "partners": [other_org.pk]},
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Caring, and resting"
    assert course.owner == home_org
    assert list(course.partners.all()) == [other_org]
    assert AuditEvent.objects.filter(action="course.updated", target_id=str(course.pk)).exists()


def test_a_retired_course_cannot_be_edited(coordinator_client, course):
    Course.objects.filter(pk=course.pk).update(status=Course.Status.RETIRED)
    response = coordinator_client.post(url("course_edit", course), {**VALID_COURSE, "title": "New title"})
    assert response.status_code == 400
    assert "A retired course cannot be changed" in body(response)
    course.refresh_from_db()
    assert course.title == "Caring without burning out"


# Status -----------------------------------------------------------------------------


def test_starting_co_production_from_the_course_page(coordinator_client, home_org, coordinator):
    course = CourseFactory(owner=home_org)
    detail = body(coordinator_client.get(url("course_detail", course)))
    assert f'href="{url("course_status", course)}"' in detail
    confirm = body(coordinator_client.get(url("course_status", course)))
    assert re.findall(r'name="to_status" type="radio" value="(\w+)"', confirm) == ["in_coproduction", "retired"]
    response = coordinator_client.post(url("course_status", course), {"to_status": "in_coproduction"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == Course.Status.IN_COPRODUCTION
    change = course.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("idea", "in_coproduction", coordinator)


def test_retiring_needs_a_reason_and_records_it(coordinator_client, course):
    confirm = body(coordinator_client.get(url("course_status", course), {"to": "retired"}))
    assert 'value="retired" checked' in confirm
    refused = coordinator_client.post(url("course_status", course), {"to_status": "retired", "reason": "  "})
    assert refused.status_code == 400
    assert "Enter why the course is being retired" in body(refused)
    course.refresh_from_db()
    assert course.status == Course.Status.APPROVED
    response = coordinator_client.post(
        url("course_status", course), {"to_status": "retired", "reason": "Replaced by a shorter course"}
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == Course.Status.RETIRED
    history = body(coordinator_client.get(url("course_detail", course)))
    assert "Replaced by a shorter course" in history
    assert "Change course details" not in history
    assert "Log an activity" not in history
    assert f'href="{url("course_status", course)}"' in history  # it can still come back
    # A retired course can only come back into co-production.
    confirm = body(coordinator_client.get(url("course_status", course)))
    assert re.findall(r'name="to_status" type="radio" value="(\w+)"', confirm) == ["in_coproduction"]


def test_a_status_that_is_not_allowed_is_refused(coordinator_client, course):
    response = coordinator_client.post(url("course_status", course), {"to_status": "idea"})
    assert response.status_code == 400
    assert "Select a status from the list" in body(response)
    course.refresh_from_db()
    assert course.status == Course.Status.APPROVED


# Versions ---------------------------------------------------------------------------


def _version_post(session_count: int = 2, **overrides) -> dict[str, str]:
    data = {
        "learning_outcomes": "Explain what recovery means\nPlan a week with time for yourself",
        "peer_trainers_required": "1",
        "professional_tutors_required": "1",
        "peer_facilitators_required": "0",
        "change_note": "Clearer outcomes",
        "sessions-TOTAL_FORMS": str(session_count),
        "sessions-INITIAL_FORMS": str(session_count),
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": str(session_count),
    }
    for index in range(session_count):
        data[f"sessions-{index}-title"] = f"Week {index + 1}"
        data[f"sessions-{index}-description"] = f"What happens in week {index + 1}"
    data.update(overrides)
    return data


def test_version_form_has_one_outline_row_per_session(coordinator_client, home_org, coordinator):
    course = CourseFactory(owner=home_org, session_count=4)
    version = CourseVersionFactory(course=course, number=1, created_by=coordinator)
    OutlineSessionFactory(version=version, number=1, title="Welcome and hopes")
    page = body(coordinator_client.get(url("version_edit", course, number=1)))
    assert len(re.findall(r'name="sessions-\d+-title"', page)) == 4
    assert len(re.findall(r'name="sessions-\d+-description"', page)) == 4
    assert 'name="sessions-TOTAL_FORMS" value="4"' in page
    assert 'value="Welcome and hopes"' in page


def test_editing_a_draft_saves_it_in_place(coordinator_client, draft_course):
    response = coordinator_client.post(url("version_edit", draft_course, number=1), _version_post())
    assert response.status_code == 302
    assert response["Location"] == url("version_detail", draft_course, number=1)
    version = draft_course.versions.get()
    assert version.outcomes == ["Explain what recovery means", "Plan a week with time for yourself"]
    assert [s.title for s in version.outline.order_by("number")] == ["Week 1", "Week 2"]
    assert version.change_note == "Clearer outcomes"


def test_editing_an_approved_version_starts_a_new_draft_with_its_materials(coordinator_client, course, coordinator):
    # An older, superseded version 2: the new draft is numbered after every version.
    CourseVersionFactory(
        course=course,
        number=2,
        status=CourseVersion.Status.SUPERSEDED,
        approved_by=coordinator,
        approved_at=timezone.now(),
        created_by=coordinator,
    )
    approved = course.versions.get(number=1)
    _material(approved, coordinator, title="Slides")
    detail = body(coordinator_client.get(url("version_detail", course, number=1)))
    assert "Start a new draft from version 1" in detail
    response = coordinator_client.post(url("version_edit", course, number=1), _version_post())
    assert response.status_code == 302
    assert response["Location"] == url("version_detail", course, number=3)
    draft = course.versions.get(number=3)
    assert draft.status == CourseVersion.Status.DRAFT
    assert draft.based_on == approved
    assert [m.title for m in draft.materials.all()] == ["Slides"]
    assert draft.materials.get().file.name == approved.materials.get().file.name
    approved.refresh_from_db()
    assert approved.status == CourseVersion.Status.APPROVED
    assert approved.change_note == ""
    # Now that a draft exists, version 1 points at it instead of offering another.
    detail = body(coordinator_client.get(url("version_detail", course, number=1)))
    assert "Go to the draft, version 3" in detail
    assert "Start a new draft" not in detail


def test_an_outline_row_with_a_description_needs_a_title(coordinator_client, draft_course):
    before = list(OutlineSession.objects.filter(version__course=draft_course).values_list("title", flat=True))
    data = _version_post(**{"sessions-1-title": ""})
    response = coordinator_client.post(url("version_edit", draft_course, number=1), data)
    page = body(response)
    assert response.status_code == 400
    assert page.count("Enter a title for this session") >= 2
    assert 'href="#id_sessions-1-title"' in page
    assert list(OutlineSession.objects.filter(version__course=draft_course).values_list("title", flat=True)) == before


def test_a_version_needs_someone_to_run_it(coordinator_client, draft_course):
    before = draft_course.versions.get()
    data = _version_post(peer_trainers_required="0", professional_tutors_required="0")
    response = coordinator_client.post(url("version_edit", draft_course, number=1), data)
    assert response.status_code == 400
    assert "A run needs at least one trainer, tutor or facilitator" in body(response)
    after = draft_course.versions.get()
    assert (after.peer_trainers_required, after.professional_tutors_required, after.change_note) == (
        before.peer_trainers_required,
        before.professional_tutors_required,
        before.change_note,
    )


# Approval ---------------------------------------------------------------------------


def test_owner_coordinator_approves_a_ready_draft(coordinator_client, draft_course, coordinator):
    page = body(coordinator_client.get(url("version_detail", draft_course, number=1)))
    assert "Approve version 1" in page
    response = coordinator_client.post(url("version_approve", draft_course, number=1))
    assert response.status_code == 302
    version = draft_course.versions.get()
    assert (version.status, version.approved_by) == (CourseVersion.Status.APPROVED, coordinator)
    draft_course.refresh_from_db()
    assert draft_course.status == Course.Status.APPROVED
    assert AuditEvent.objects.filter(action="course_version.approved").count() == 1
    assert f"Approved by {coordinator.get_username()}" in body(
        coordinator_client.get(url("version_detail", draft_course, number=1))
    )


def test_approving_a_draft_that_is_not_ready_shows_why_and_changes_nothing(coordinator_client, draft_course):
    OutlineSession.objects.filter(version__course=draft_course, number=2).delete()
    page = body(coordinator_client.get(url("version_detail", draft_course, number=1)))
    assert "Version 1 cannot be approved yet" in page
    assert "The outline has 1 session but the course has 2" in page
    assert "Approve version 1" not in page
    response = coordinator_client.post(url("version_approve", draft_course, number=1))
    assert response.status_code == 400
    assert "There is a problem" in body(response)
    assert "<title>Error: " in body(response)
    assert 'href="#approval"' in body(response)
    assert "The outline has 1 session but the course has 2" in body(response)
    assert draft_course.versions.get().status == CourseVersion.Status.DRAFT
    draft_course.refresh_from_db()
    assert draft_course.status == Course.Status.IN_COPRODUCTION
    assert not AuditEvent.objects.filter(action="course_version.approved").exists()


def test_approving_twice_gives_a_clear_error_and_one_approved_version(coordinator_client, draft_course):
    assert coordinator_client.post(url("version_approve", draft_course, number=1)).status_code == 302
    again = coordinator_client.post(url("version_approve", draft_course, number=1))
    assert again.status_code == 400
    assert "Version 1 is already approved" in body(again)
    assert draft_course.versions.filter(status=CourseVersion.Status.APPROVED).count() == 1


def test_approving_a_new_draft_supersedes_the_approved_version(coordinator_client, course, coordinator):
    draft = CourseVersionFactory(course=course, number=2, created_by=coordinator)
    OutlineSessionFactory(version=draft, number=1)
    OutlineSessionFactory(version=draft, number=2)
    assert coordinator_client.post(url("version_approve", course, number=2)).status_code == 302
    statuses = dict(course.versions.values_list("number", "status"))
    assert statuses == {1: CourseVersion.Status.SUPERSEDED, 2: CourseVersion.Status.APPROVED}


def test_administrators_and_partner_coordinators_cannot_approve(actors, draft_course, other_org):
    draft_course.partners.add(other_org)
    for role in ("administrator", "outsider"):
        client = actors[role].client
        page = body(client.get(url("version_detail", draft_course, number=1)))
        assert "Approve version 1" not in page
        assert client.post(url("version_approve", draft_course, number=1)).status_code == 403
    assert draft_course.versions.get().status == CourseVersion.Status.DRAFT


# Materials --------------------------------------------------------------------------


def _upload(client, course, name: str, content: bytes, title: str = ""):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(url("material_add", course, number=1), {"title": title, "file": upload})


def test_a_real_pdf_is_accepted_and_stored_under_a_name_of_our_own(coordinator_client, draft_course):
    response = _upload(coordinator_client, draft_course, "Mum's diary (private).pdf", PDF, title="Week 1 handout")
    assert response.status_code == 302
    material = CourseMaterial.objects.get()
    assert material.title == "Week 1 handout"
    assert material.original_name == "Mum's diary (private).pdf"
    assert (material.extension, material.content_type, material.size) == (".pdf", "application/pdf", len(PDF))
    assert "diary" not in material.file.name.lower()
    assert material.file.name.startswith(f"course-materials/{draft_course.pk}/")
    assert AuditEvent.objects.filter(action="course_material.added").count() == 1
    page = body(coordinator_client.get(url("version_detail", draft_course, number=1)))
    assert f'href="{url("material_download", draft_course, material_id=material.pk)}" download>Week 1 handout' in page
    assert f"PDF, {len(PDF)}\xa0bytes" in page


def test_the_upload_form_is_multipart(coordinator_client, draft_course):
    page = body(coordinator_client.get(url("material_add", draft_course, number=1)))
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page


def _docx_renamed_html() -> bytes:
    return b"<!doctype html><script>alert(document.cookie)</script>"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "program or script"),
        ("handout.pdf", b"MZ\x90\x00" + b"\x00" * 64, "program or script"),
        ("handout.pdf", _docx_renamed_html(), "not a real PDF file"),
        ("diagram.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "must be a PDF"),
        ("page.html", _docx_renamed_html(), "must be a PDF"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_unsafe_or_empty_files_are_refused_and_nothing_is_saved(
    coordinator_client, draft_course, name, content, message
):
    response = _upload(coordinator_client, draft_course, name, content)
    assert response.status_code == 400
    assert message in body(response)
    assert "There is a problem" in body(response)
    assert not CourseMaterial.objects.exists()
    assert not AuditEvent.objects.filter(action="course_material.added").exists()


def test_an_oversized_file_is_refused(coordinator_client, draft_course):
    with override_settings(PEERPATH_MATERIAL_MAX_BYTES=len(PDF) - 1):
        response = _upload(coordinator_client, draft_course, "handout.pdf", PDF)
    assert response.status_code == 400
    assert "The selected file must be smaller than" in body(response)
    assert not CourseMaterial.objects.exists()


def test_no_file_selected_is_an_error(coordinator_client, draft_course):
    response = coordinator_client.post(url("material_add", draft_course, number=1), {"title": "Slides"})
    assert response.status_code == 400
    assert "Select a file" in body(response)


def test_a_word_document_is_accepted(coordinator_client, draft_course):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    response = _upload(coordinator_client, draft_course, "guide.docx", buffer.getvalue())
    assert response.status_code == 302
    assert CourseMaterial.objects.get().extension == ".docx"


def test_materials_cannot_be_added_to_an_approved_version(coordinator_client, course):
    response = _upload(coordinator_client, course, "handout.pdf", PDF)
    assert response.status_code == 302
    assert response["Location"] == url("version_detail", course, number=1)
    assert not CourseMaterial.objects.exists()


def test_removing_a_draft_material_keeps_the_approved_versions_copy(coordinator_client, course, coordinator):
    _material(course.versions.get(number=1), coordinator, title="Slides")
    coordinator_client.post(url("version_edit", course, number=1), _version_post())
    draft_copy = CourseMaterial.objects.get(version__number=2)
    response = coordinator_client.post(url("material_remove", course, number=2, material_id=draft_copy.pk))
    assert response.status_code == 302
    assert not CourseMaterial.objects.filter(version__number=2).exists()
    original = CourseMaterial.objects.get(version__number=1)
    assert original.file.read() == PDF
    # An approved version's material cannot be removed.
    refused = coordinator_client.post(url("material_remove", course, number=1, material_id=original.pk), follow=True)
    assert "Materials of an approved version cannot be removed" in body(refused)
    assert CourseMaterial.objects.filter(pk=original.pk).exists()


def test_download_is_an_inert_attachment(tutor_client, course, coordinator):
    material = _material(course.versions.get(number=1), coordinator, title="Week 1 slides")
    CourseMaterial.objects.filter(pk=material.pk).update(original_name='slides "final".pdf')
    response = tutor_client.get(url("material_download", course, material_id=material.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "slides" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_material_is_downloaded_only_through_its_own_course(coordinator_client, course, home_org, coordinator):
    elsewhere = approved_course(home_org, coordinator, title="Another course")
    material = _material(elsewhere.versions.get(), coordinator)
    assert coordinator_client.get(url("material_download", course, material_id=material.pk)).status_code == 404
    assert coordinator_client.get(url("material_download", elsewhere, material_id=material.pk)).status_code == 200


# Co-production activities -----------------------------------------------------------


def _activity_post(**overrides) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "occurred_on_day": str(today.day),
        "occurred_on_month": str(today.month),
        "occurred_on_year": str(today.year),
        "stage": "design_workshop",
        "hours": "2.5",
        "decisions": "Start each session with a check-in",
        "contributors-TOTAL_FORMS": "6",
        "contributors-INITIAL_FORMS": "0",
        "contributors-MIN_NUM_FORMS": "0",
        "contributors-MAX_NUM_FORMS": "6",
    }
    for index in range(6):
        for field in ("capacity", "person", "hours"):
            data[f"contributors-{index}-{field}"] = ""
    data.update(overrides)
    return data


def test_logging_an_activity_ignores_blank_rows_and_defaults_hours(coordinator_client, course, coordinator, home_org):
    carer = MembershipFactory(
        organisation=home_org, role=Membership.Role.TUTOR, tutor_kind=Membership.TutorKind.PEER
    ).person
    data = _activity_post(
        **{
            "contributors-0-capacity": "carer",
            "contributors-0-person": str(carer.pk),
            "contributors-2-capacity": "professional",
            "contributors-2-hours": "1",
            "version": str(course.versions.get().pk),
        }
    )
    response = coordinator_client.post(url("activity_add", course), data)
    assert response.status_code == 302
    assert response["Location"] == url("course_detail", course)
    activity = CoproductionActivity.objects.get()
    assert (activity.stage, activity.hours, activity.recorded_by) == ("design_workshop", Decimal("2.5"), coordinator)
    assert activity.version == course.versions.get()
    contributions = {(c.capacity, c.person_id, c.hours) for c in activity.contributions.all()}
    assert contributions == {("carer", carer.pk, Decimal("2.5")), ("professional", None, Decimal("1"))}
    detail = body(coordinator_client.get(url("course_detail", course)))
    assert "1 carer, 1 professional" in detail
    assert "Start each session with a check-in" in detail


def test_an_activity_needs_someone_who_took_part(coordinator_client, course):
    response = coordinator_client.post(url("activity_add", course), _activity_post())
    page = body(response)
    assert response.status_code == 400
    assert page.count("Add at least one person who took part") >= 2
    assert 'href="#id_contributors-0-capacity"' in page
    assert not CoproductionActivity.objects.exists()


def test_an_activity_cannot_be_in_the_future(coordinator_client, course):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = _activity_post(
        occurred_on_day=str(tomorrow.day),
        occurred_on_month=str(tomorrow.month),
        occurred_on_year=str(tomorrow.year),
        **{"contributors-0-capacity": "carer"},
    )
    response = coordinator_client.post(url("activity_add", course), data)
    assert response.status_code == 400
    assert "The date of the activity must be today or in the past" in body(response)
    assert not CoproductionActivity.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contributors-0-hours": "2"}, "Select the capacity in which they took part"),
        ({"contributors-0-capacity": "carer", "hours": "0"}, "Hours must be at least 0.25"),
        ({"contributors-0-capacity": "carer", "hours": "lots"}, "Hours must be a number"),
        ({"contributors-0-capacity": "carer", "stage": ""}, "Select the stage of co-production"),
        ({"contributors-0-capacity": "wizard"}, "Select a capacity from the list"),
    ],
)
def test_activity_form_errors(coordinator_client, course, overrides, message):
    response = coordinator_client.post(url("activity_add", course), _activity_post(**overrides))
    assert response.status_code == 400
    assert message in body(response)
    assert not CoproductionActivity.objects.exists()


def test_a_person_is_listed_once_per_activity(coordinator_client, course, home_org):
    carer = MembershipFactory(
        organisation=home_org, role=Membership.Role.TUTOR, tutor_kind=Membership.TutorKind.PEER
    ).person
    data = _activity_post(
        **{
            "contributors-0-capacity": "carer",
            "contributors-0-person": str(carer.pk),
            "contributors-1-capacity": "service_user",
            "contributors-1-person": str(carer.pk),
        }
    )
    response = coordinator_client.post(url("activity_add", course), data)
    assert response.status_code == 400
    assert "Each person can be listed once per activity" in body(response)
    # Both rows keep their choice when the form comes back.
    assert body(response).count(f'<option value="{carer.pk}" selected>') == 2


def test_contributors_offered_are_people_of_the_course_organisations_the_user_may_see(
    coordinator_client, course, home_org, other_org
):
    ours = MembershipFactory(
        organisation=home_org, role=Membership.Role.TUTOR, tutor_kind=Membership.TutorKind.PEER
    ).person
    theirs = MembershipFactory(
        organisation=other_org, role=Membership.Role.TUTOR, tutor_kind=Membership.TutorKind.PEER
    ).person
    page = body(coordinator_client.get(url("activity_add", course)))
    assert f'value="{ours.pk}"' in page
    assert f'value="{theirs.pk}"' not in page
    response = coordinator_client.post(
        url("activity_add", course),
        _activity_post(**{"contributors-0-capacity": "carer", "contributors-0-person": str(theirs.pk)}),
    )
    assert response.status_code == 400
    assert "Select a person from the list" in body(response)


def test_carers_on_courses_are_offered_only_once_they_have_shaped_the_course(coordinator_client, course, home_org):
    participant = MembershipFactory(organisation=home_org, role=Membership.Role.PARTICIPANT).person
    assert f'value="{participant.pk}"' not in body(coordinator_client.get(url("activity_add", course)))
    activity = ActivityFactory(course=course)
    ContributionFactory(activity=activity, person=participant)
    assert f'value="{participant.pk}"' in body(coordinator_client.get(url("activity_add", course)))


def test_the_activity_form_is_made_for_a_phone(coordinator_client, course):
    page = body(coordinator_client.get(url("activity_add", course)))
    today = timezone.localdate()
    assert f'name="occurred_on_day" type="text" value="{today.day}"' in page
    assert 'inputmode="decimal"' in page
    assert page.count('name="contributors-') == 6 * 3 + 4  # six rows of three, and the management form
    assert "Add more people" in page


def test_partner_coordinators_log_activities_but_do_not_edit(outsider_client, course, other_org):
    course.partners.add(other_org)
    detail = body(outsider_client.get(url("course_detail", course)))
    assert "Log an activity" in detail
    assert "Change course details" not in detail
    assert outsider_client.get(url("course_edit", course)).status_code == 403
    response = outsider_client.post(
        url("activity_add", course), _activity_post(**{"contributors-0-capacity": "partner"})
    )
    assert response.status_code == 302
    activity = CoproductionActivity.objects.get(course=course)
    assert [c.capacity for c in activity.contributions.all()] == [Capacity.PARTNER]


# Course detail ----------------------------------------------------------------------


def test_course_detail_shows_the_profile_as_chart_and_table(coordinator_client, course):
    log(course, Stage.DESIGN_WORKSHOP, (Capacity.CARER, "4"), (Capacity.PROFESSIONAL, "6"))
    log(course, Stage.REVIEW, (Capacity.SERVICE_USER, "1"), (Capacity.PROFESSIONAL, "1"))
    page = body(coordinator_client.get(url("course_detail", course)))
    capacity_table = page.split('id="capacity-table"', 1)[1].split("</table>", 1)[0]
    carer_row = capacity_table.split("Lived experience as a carer", 1)[1].split("</tr>", 1)[0]
    assert "Hours </span>4<" in carer_row
    assert "Share of hours </span>33%<" in carer_row  # 4 of 12 hours
    stage_table = page.split('id="stage-table"', 1)[1].split("</table>", 1)[0]
    design = stage_table.split("Design workshop", 1)[1].split("</tr>", 1)[0]
    assert "Lived-experience hours </span>4<" in design
    assert "Other hours </span>6<" in design
    assert "Lived-experience input </span>Yes<" in design
    pilot = stage_table.split("Pilot", 1)[1].split("</tr>", 1)[0]
    assert "Lived-experience input </span>No<" in pilot
    # 4 of 10 design hours: exactly the 40% the default rule needs.
    assert "People with lived experience held 40% of the hours in the design stages" in page
    assert "This course meets the co-production rule" in page
    assert (
        'role="img" aria-label="Share of co-production hours by capacity: Lived experience as a carer 33% (4 hours)'
        in page
    )
    stage_label = re.search(r'role="img" aria-label="(Co-production hours by stage: [^"]*)"', page)
    assert stage_label is not None
    assert "; Design workshop: 4 lived-experience hours, 6 other hours;" in stage_label.group(1)
    assert "; Review: 1 lived-experience hours, 1 other hours;" in stage_label.group(1)
    assert "peerpath-w-35" in page  # the carer bar, 33% to the nearest 5%
    assert " style=" not in page  # the CSP forbids inline styles


def test_course_detail_lists_what_is_missing_for_co_production(coordinator_client, course):
    log(course, Stage.DESIGN_WORKSHOP, (Capacity.CARER, "3"), (Capacity.PROFESSIONAL, "7"))
    page = body(coordinator_client.get(url("course_detail", course)))
    assert "Not yet co-produced" in page
    assert "No one with lived experience has taken part in the review stage yet" in page
    assert "People with lived experience held 30% of design workshop hours; the rule needs at least 40%" in page


def test_course_detail_without_activities_says_so(coordinator_client, course):
    page = body(coordinator_client.get(url("course_detail", course)))
    assert "No co-production activities have been logged yet" in page
    assert 'id="capacity-table"' not in page


def test_course_detail_query_count_stays_flat(coordinator_client, course, coordinator, assert_flat_query_count):
    course.partners.add(OrganisationFactory())

    def grow(n: int) -> None:
        top = course.versions.order_by("-number").first().number
        for number in range(top + 1, top + 1 + n):
            CourseVersionFactory(
                course=course,
                number=number,
                status=CourseVersion.Status.SUPERSEDED,
                approved_by=coordinator,
                approved_at=timezone.now(),
                created_by=coordinator,
            )
        for _ in range(n):
            activity = log(course, Stage.REVIEW, (Capacity.CARER, "1"), (Capacity.PARTNER, "1"))
            ContributionFactory(activity=activity, capacity=Capacity.PROFESSIONAL)
            CourseStatusChange.objects.create(course=course, to_status=Course.Status.APPROVED, changed_by=coordinator)

    def fetch():
        assert coordinator_client.get(url("course_detail", course)).status_code == 200

    # session, user, principal, course, its partners, versions, co-production rows, rule,
    # where it was adopted from (the bundles app's answer), status history, recent
    # activities, their contributions, activity count
    assert_flat_query_count(fetch, grow, expected=13)


def test_tutors_see_a_course_but_no_buttons_to_change_it(tutor_client, course):
    page = body(tutor_client.get(url("course_detail", course)))
    assert course.title in page
    for button in ("Change course details", "Log an activity", "Change status"):
        assert button not in page
    version = body(tutor_client.get(url("version_detail", course, number=1)))
    assert "Start a new draft" not in version
