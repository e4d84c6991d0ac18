"""Course services: status moves, versions, approval, materials, activities and terms."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from peerpath.core.audit import MissingActorError, SystemActor
from peerpath.core.models import AuditEvent
from peerpath.courses import services
from peerpath.courses.choices import Audience, Capacity, Category, Stage
from peerpath.courses.models import Contribution, Course, CourseMaterial, CourseStatusChange, CourseVersion
from peerpath.courses.services import CourseError, NewContribution, OutlineEntry
from peerpath.courses.tests.factories import CourseFactory, CourseVersionFactory, approved_course
from peerpath.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
Status = Course.Status

DETAILS = {
    "title": "Understanding psychosis: a course for families",
    "summary": "What psychosis is, what helps, and looking after yourself.",
    "category": Category.RECOVERY_COLLEGE,
    "audience": Audience.CARERS,
    "session_count": 2,
    "session_minutes": 120,
    "in_person": True,
    "online": False,
    "blended": False,
}
VERSION = {
    "learning_outcomes": "Describe psychosis in plain words\nName three sources of support",
    "peer_trainers_required": 1,
    "professional_tutors_required": 1,
    "peer_facilitators_required": 0,
    "change_note": "",
}
OUTLINE = [OutlineEntry("What is psychosis?"), OutlineEntry("What helps", "Treatment, support and recovery")]


@pytest.fixture
def coordinator(actors):
    return actors["coordinator"].user


@pytest.fixture
def course(coordinator, home_org, other_org):
    return services.create_course(actor=coordinator, owner=home_org, details=DETAILS, partners=[other_org, home_org])


def ready_draft(course, coordinator) -> CourseVersion:
    """Move a new course into co-production and complete its first draft."""
    services.change_status(actor=coordinator, course=course, to_status=Status.IN_COPRODUCTION)
    return services.save_version(actor=coordinator, version=course.versions.get(), details=VERSION, outline=OUTLINE)


def test_create_course_starts_an_idea_with_a_first_draft(course, coordinator, home_org, other_org):
    assert course.status == Status.IDEA
    assert list(course.partners.all()) == [other_org]  # the owner is never its own partner
    version = course.versions.get()
    assert (version.number, version.status) == (1, CourseVersion.Status.DRAFT)
    assert (version.peer_trainers_required, version.professional_tutors_required) == (1, 1)
    history = course.status_changes.get()
    assert (history.from_status, history.to_status, history.changed_by) == ("", Status.IDEA, coordinator)
    event = AuditEvent.objects.get(action="course.created")
    assert event.target_id == str(course.pk) and event.data["partners"] == [str(other_org.pk)]


def test_support_group_formats_need_one_peer_facilitator(coordinator, home_org):
    course = services.create_course(
        actor=coordinator, owner=home_org, details={**DETAILS, "category": Category.SUPPORT_GROUP}
    )
    version = course.versions.get()
    assert version.staffing_rows == [("Accredited peer facilitator", 1)]


def test_a_course_needs_a_delivery_mode(coordinator, home_org):
    with pytest.raises(CourseError, match="at least one way") as error:
        services.create_course(actor=coordinator, owner=home_org, details={**DETAILS, "in_person": False})
    assert error.value.field == "in_person"
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        (Status.IDEA, Status.IN_COPRODUCTION, True),
        (Status.IDEA, Status.RETIRED, True),
        (Status.IDEA, Status.APPROVED, False),
        (Status.IN_COPRODUCTION, Status.RETIRED, True),
        (Status.IN_COPRODUCTION, Status.IDEA, False),
        (Status.IN_COPRODUCTION, Status.APPROVED, False),  # only by approving a version
        (Status.APPROVED, Status.RETIRED, True),
        (Status.APPROVED, Status.IN_COPRODUCTION, False),
        (Status.APPROVED, Status.IDEA, False),
        (Status.RETIRED, Status.IN_COPRODUCTION, True),
        (Status.RETIRED, Status.APPROVED, False),
        (Status.RETIRED, Status.IDEA, False),
    ],
)
def test_status_transitions(coordinator, home_org, start, target, allowed):
    course = CourseFactory(owner=home_org, status=start)
    reason = "No longer offered" if target == Status.RETIRED else ""
    if allowed:
        services.change_status(actor=coordinator, course=course, to_status=target, reason=reason)
        course.refresh_from_db()
        assert course.status == target
        change = course.status_changes.get()
        assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
            start,
            target,
            coordinator,
            reason,
        )
        assert AuditEvent.objects.filter(action="course.status_changed", target_id=str(course.pk)).count() == 1
    else:
        with pytest.raises(CourseError):
            services.change_status(actor=coordinator, course=course, to_status=target, reason="Because")
        course.refresh_from_db()
        assert course.status == start
        assert not course.status_changes.exists()


def test_retiring_needs_a_reason(course, coordinator):
    with pytest.raises(CourseError, match="why") as error:
        services.change_status(actor=coordinator, course=course, to_status=Status.RETIRED, reason="  ")
    assert error.value.field == "reason"


def test_a_stale_status_change_fails_cleanly(course, coordinator):
    stale = Course.objects.get(pk=course.pk)
    services.change_status(actor=coordinator, course=course, to_status=Status.IN_COPRODUCTION)
    with pytest.raises(CourseError, match="just now"):
        services.change_status(actor=coordinator, course=stale, to_status=Status.RETIRED, reason="Duplicate")
    assert Course.objects.get(pk=course.pk).status == Status.IN_COPRODUCTION


def test_a_draft_is_saved_in_place(course, coordinator):
    draft = ready_draft(course, coordinator)
    assert draft.number == 1 and course.versions.count() == 1
    assert draft.outcomes == ["Describe psychosis in plain words", "Name three sources of support"]
    assert [(s.number, s.title, s.description) for s in draft.outline.all()] == [
        (1, "What is psychosis?", ""),
        (2, "What helps", "Treatment, support and recovery"),
    ]
    resaved = services.save_version(
        actor=coordinator, version=draft, details={**VERSION, "change_note": "Tidied"}, outline=OUTLINE[:1]
    )
    assert resaved.pk == draft.pk and resaved.outline.count() == 1 and resaved.change_note == "Tidied"


def test_staffing_cannot_be_empty(course, coordinator):
    with pytest.raises(CourseError, match="at least one"):
        services.save_version(
            actor=coordinator,
            version=course.versions.get(),
            details={**VERSION, "peer_trainers_required": 0, "professional_tutors_required": 0},
            outline=OUTLINE,
        )


def test_approval_lists_what_is_missing(course, coordinator):
    version = course.versions.get()
    assert services.approval_problems(version) == [
        "The course is idea: move it into co-production first",
        "Add at least one learning outcome",
        "The outline has 0 sessions but the course has 2: describe each session",
    ]
    with pytest.raises(CourseError):
        services.approve_version(actor=coordinator, version=version)
    assert CourseVersion.objects.get(pk=version.pk).status == CourseVersion.Status.DRAFT


def test_approving_a_version_approves_the_course(course, coordinator):
    draft = ready_draft(course, coordinator)
    services.approve_version(actor=coordinator, version=draft)
    draft.refresh_from_db()
    course.refresh_from_db()
    assert draft.status == CourseVersion.Status.APPROVED
    assert draft.approved_by == coordinator and draft.approved_at is not None
    assert course.status == Status.APPROVED
    assert list(course.status_changes.values_list("to_status", flat=True)) == [
        Status.APPROVED,
        Status.IN_COPRODUCTION,
        Status.IDEA,
    ]


def test_editing_an_approved_version_makes_a_new_draft_with_its_materials(course, coordinator):
    first = ready_draft(course, coordinator)
    services.add_material(actor=coordinator, version=first, title="Slides", upload=pdf_upload())
    services.approve_version(actor=coordinator, version=first)
    second = services.save_version(
        actor=coordinator, version=first, details={**VERSION, "change_note": "New session 2"}, outline=OUTLINE
    )
    assert (second.number, second.status, second.based_on_id) == (2, CourseVersion.Status.DRAFT, first.pk)
    first.refresh_from_db()
    assert first.status == CourseVersion.Status.APPROVED and first.outline.count() == 2  # untouched
    copied, original = second.materials.get(), first.materials.get()
    assert copied.pk != original.pk and copied.file.name == original.file.name
    # A second "edit" of the approved version must use the draft that exists.
    with pytest.raises(CourseError, match="already being edited"):
        services.save_version(actor=coordinator, version=first, details=VERSION, outline=OUTLINE)
    services.approve_version(actor=coordinator, version=second)
    first.refresh_from_db()
    assert first.status == CourseVersion.Status.SUPERSEDED
    assert course.versions.filter(status=CourseVersion.Status.APPROVED).get() == second


def test_approving_twice_approves_once(course, coordinator):
    draft = ready_draft(course, coordinator)
    stale = CourseVersion.objects.get(pk=draft.pk)
    services.approve_version(actor=coordinator, version=draft)
    with pytest.raises(CourseError, match="approved by someone else"):
        services.approve_version(actor=coordinator, version=stale)
    assert course.versions.filter(status=CourseVersion.Status.APPROVED).count() == 1
    assert AuditEvent.objects.filter(action="course_version.approved").count() == 1


def test_a_retired_course_cannot_be_edited(course, coordinator):
    services.change_status(actor=coordinator, course=course, to_status=Status.RETIRED, reason="Replaced")
    with pytest.raises(CourseError, match="retired"):
        services.update_course(actor=coordinator, course=course, details=DETAILS)
    with pytest.raises(CourseError, match="retired"):
        services.save_version(actor=coordinator, version=course.versions.get(), details=VERSION, outline=OUTLINE)


def pdf_upload(
    name: str = "slides.pdf", content: bytes = b"%PDF-1.7\n%fake but well-formed header\n"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def office_upload(name: str, part: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}document.xml", "<doc/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def odf_upload(name: str, mimetype: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype)
        archive.writestr("content.xml", "<doc/>")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize(
    ("upload", "content_type"),
    [
        (lambda: pdf_upload(), "application/pdf"),
        (lambda: SimpleUploadedFile("Photo.JPEG", b"\xff\xd8\xff\xe0rest"), "image/jpeg"),
        (lambda: SimpleUploadedFile("chart.png", b"\x89PNG\r\n\x1a\nrest"), "image/png"),
        (
            lambda: office_upload("guide.docx", "word/"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            lambda: odf_upload("notes.odt", "application/vnd.oasis.opendocument.text"),
            "application/vnd.oasis.opendocument.text",
        ),
    ],
)
def test_accepted_materials(course, coordinator, upload, content_type):
    material = services.add_material(actor=coordinator, version=course.versions.get(), title="", upload=upload())
    assert material.content_type == content_type
    assert material.title == material.original_name
    # The stored name is ours, never the uploader's.
    assert material.original_name not in material.file.name
    assert material.file.name.startswith(f"course-materials/{course.pk}/")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: SimpleUploadedFile("setup.exe", b"MZ\x90\x00rest"), "program or script"),
        (lambda: SimpleUploadedFile("slides.pdf", b"MZ\x90\x00rest"), "program or script"),
        (lambda: SimpleUploadedFile("run.sh", b"#!/bin/sh\nrm -rf /"), "program or script"),
        (lambda: SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script>"), "not a real PDF"),
        (lambda: SimpleUploadedFile("logo.svg", b"<svg onload='alert(1)'/>"), "must be a PDF"),
        (lambda: SimpleUploadedFile("page.html", b"<html></html>"), "must be a PDF"),
        (lambda: SimpleUploadedFile("macro.docm", b"PK\x03\x04rest"), "must be a PDF"),
        (lambda: office_upload("slides.pptx", "word/"), "not a real PowerPoint"),
        (lambda: odf_upload("sheet.ods", "application/vnd.oasis.opendocument.text"), "not a real OpenDocument"),
        (lambda: SimpleUploadedFile("broken.docx", b"PK\x03\x04not really a zip"), "not a real Word"),
        (lambda: SimpleUploadedFile("empty.pdf", b""), "empty"),
    ],
)
def test_rejected_materials(course, coordinator, upload, message):
    with pytest.raises(CourseError, match=message) as error:
        services.add_material(actor=coordinator, version=course.versions.get(), title="x", upload=upload())
    assert error.value.field == "file"
    assert not CourseMaterial.objects.exists()


@override_settings(PEERPATH_MATERIAL_MAX_BYTES=1024)
def test_oversized_materials_are_rejected(course, coordinator):
    with pytest.raises(CourseError, match=r"smaller than 1\.0"):
        services.add_material(
            actor=coordinator,
            version=course.versions.get(),
            title="x",
            upload=pdf_upload(content=b"%PDF-" + b"0" * 1024),
        )


def test_materials_only_change_on_drafts(coordinator, home_org):
    course = approved_course(home_org, coordinator)
    approved = course.versions.get()
    with pytest.raises(CourseError, match="draft"):
        services.add_material(actor=coordinator, version=approved, title="x", upload=pdf_upload())


def test_log_activity_records_every_contributor(course, coordinator):
    carer = PersonFactory()
    activity = services.log_activity(
        actor=coordinator,
        course=course,
        occurred_on=timezone.localdate(),
        stage=Stage.DESIGN_WORKSHOP,
        hours=Decimal("2.5"),
        decisions=" Agreed the session titles ",
        contributions=[
            NewContribution(Capacity.CARER, carer),
            NewContribution(Capacity.PROFESSIONAL, None, Decimal("1")),
            NewContribution(Capacity.PARTNER),
        ],
        version=course.versions.get(),
    )
    assert activity.decisions == "Agreed the session titles"
    assert sorted(activity.contributions.values_list("capacity", "hours", "person")) == sorted(
        [
            (Capacity.CARER, Decimal("2.50"), carer.pk),
            (Capacity.PROFESSIONAL, Decimal("1.00"), None),
            (Capacity.PARTNER, Decimal("2.50"), None),
        ]
    )
    assert AuditEvent.objects.get(action="coproduction_activity.logged").data["contributors"] == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"occurred_on": timezone.localdate() + datetime.timedelta(days=1)}, "today or in the past"),
        ({"contributions": []}, "at least one person"),
        ({"stage": "brainstorm"}, "stage"),
        ({"contributions": [NewContribution("volunteer")]}, "capacity"),
    ],
)
def test_log_activity_refuses_bad_input(course, coordinator, change, message):
    arguments = {
        "occurred_on": timezone.localdate(),
        "stage": Stage.REVIEW,
        "hours": Decimal("1"),
        "decisions": "",
        "contributions": [NewContribution(Capacity.CARER)],
        **change,
    }
    with pytest.raises(CourseError, match=message):
        services.log_activity(actor=coordinator, course=course, **arguments)
    assert not Contribution.objects.exists()


def test_the_same_person_is_listed_once(course, coordinator):
    carer = PersonFactory()
    with pytest.raises(CourseError, match="once"):
        services.log_activity(
            actor=coordinator,
            course=course,
            occurred_on=timezone.localdate(),
            stage=Stage.REVIEW,
            hours=Decimal("1"),
            decisions="",
            contributions=[NewContribution(Capacity.CARER, carer), NewContribution(Capacity.PROFESSIONAL, carer)],
        )


def test_a_version_of_another_course_is_refused(course, coordinator, home_org):
    other_version = CourseVersionFactory(course=CourseFactory(owner=home_org), created_by=coordinator)
    with pytest.raises(CourseError, match="version of this course"):
        services.log_activity(
            actor=coordinator,
            course=course,
            occurred_on=timezone.localdate(),
            stage=Stage.REVIEW,
            hours=Decimal("1"),
            decisions="",
            contributions=[NewContribution(Capacity.CARER)],
            version=other_version,
        )


def test_terms_offer_only_approved_courses(course, coordinator, home_org):
    today = timezone.localdate()
    details = {"name": "Spring 2027", "starts_on": today, "ends_on": today + datetime.timedelta(days=80)}
    with pytest.raises(CourseError, match="Only approved courses"):
        services.save_term(actor=coordinator, term=None, organisation=home_org, details=details, courses=[course])
    approved = approved_course(home_org, coordinator)
    term = services.save_term(actor=coordinator, term=None, organisation=home_org, details=details, courses=[approved])
    assert list(term.courses.all()) == [approved]
    assert term.slug == "south-west-london-recovery-college-spring-2027"
    with pytest.raises(CourseError, match="already has a term"):
        services.save_term(actor=coordinator, term=None, organisation=home_org, details=details, courses=[])
    with pytest.raises(CourseError, match="end on or after"):
        services.save_term(
            actor=coordinator,
            term=term,
            organisation=home_org,
            details={**details, "ends_on": today - datetime.timedelta(days=1)},
            courses=[],
        )


def test_status_history_is_kept_in_order(course, coordinator):
    ready_draft(course, coordinator)
    services.change_status(actor=coordinator, course=course, to_status=Status.RETIRED, reason="Merged")
    services.change_status(actor=coordinator, course=course, to_status=Status.IN_COPRODUCTION)
    moves = list(
        CourseStatusChange.objects.filter(course=course)
        .order_by("changed_at", "id")
        .values_list("to_status", flat=True)
    )
    assert moves == [Status.IDEA, Status.IN_COPRODUCTION, Status.RETIRED, Status.IN_COPRODUCTION]


def test_a_system_job_cannot_change_a_course(course):
    with pytest.raises(MissingActorError):
        services.change_status(actor=SystemActor("tidy-up"), course=course, to_status=Status.RETIRED, reason="Old")
    course.refresh_from_db()
    assert course.status == Status.IDEA


def test_an_unknown_status_is_refused_with_a_message(course, coordinator):
    with pytest.raises(CourseError, match="cannot become archived"):
        services.change_status(actor=coordinator, course=course, to_status="archived")
