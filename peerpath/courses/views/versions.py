"""A course's versions: content, approval and materials.

Approval is checked against the rule itself (``rules.has_perm``), not
``user.has_perm``: a superuser passes every ``has_perm``, and only the owning
organisation's coordinators approve.
"""

from __future__ import annotations

from uuid import UUID

import rules
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerpath.core.decorators import require_object_permission
from peerpath.core.forms import form_status, summary_errors
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.courses import access, presenters, services
from peerpath.courses.forms.errors import add_service_error
from peerpath.courses.forms.versions import MaterialForm, VersionForm, outline_entries, outline_formset
from peerpath.courses.models import Course, CourseVersion

# Served files can never run script in the site's origin, whatever they contain.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def _may_approve(request: AuthenticatedHttpRequest, course: Course) -> bool:
    """The approval rule itself: ``user.has_perm`` is always true for a superuser, and
    approving is for the owner's coordinators alone (administrators included)."""
    return bool(rules.has_perm("courses.approve_version", request.user, course))


def _draft_number(course: Course) -> int | None:
    """The number of the course's draft version, if it has one."""
    return course.versions.filter(status=CourseVersion.Status.DRAFT).values_list("number", flat=True).first()


def _version_page(
    request: AuthenticatedHttpRequest, course: Course, version: CourseVersion, approve_error: str = ""
) -> HttpResponse:
    can_edit = request.user.has_perm("courses.edit_course", course)
    can_approve = _may_approve(request, course) and version.is_editable
    # An approving error goes in the layout's error summary, linked to the approval section.
    errors = [{"text": approve_error, "href": "#approval"}] if approve_error else []
    return render(
        request,
        "courses/version_detail.jinja",
        {
            "course": course,
            "version": version,
            "version_tag": presenters.version_status_tag(version),
            "approved_by": presenters.user_name(version.approved_by) if version.approved_by_id else "",
            "approved_on": presenters.format_day(version.approved_at),
            "outline": list(version.outline.all()),
            "materials": list(version.materials.all()),
            "can_edit": can_edit and course.status != Course.Status.RETIRED,
            "can_approve": can_approve,
            "problems": services.approval_problems(version) if can_approve else [],
            "errors": errors,
            "draft_number": version.number if version.is_editable else _draft_number(course),
            "format_size": filesizeformat,
        },
        status=400 if errors else 200,
    )


@require_safe
def version_detail(request: AuthenticatedHttpRequest, pk: UUID, number: int) -> HttpResponse:
    course = access.access_course(request.user, pk)
    require_object_permission(request, "courses.view_course", course)
    version = access.access_version(course, number)
    return _version_page(request, course, version)


@require_http_methods(["GET", "POST"])
def version_edit(request: AuthenticatedHttpRequest, pk: UUID, number: int) -> HttpResponse:
    """Edit a draft in place; editing an approved (or superseded) version saves a new draft."""
    course = access.access_course(request.user, pk)
    require_object_permission(request, "courses.edit_course", course)
    version = access.access_version(course, number)
    if not version.is_editable:
        existing = _draft_number(course)
        if existing is not None:
            messages.info(request, f"Version {existing} is already a draft: change that one instead")
            return redirect("courses:version_edit", pk=course.pk, number=existing)
    posted = request.POST if request.method == "POST" else None
    form = VersionForm(posted, initial=VersionForm.initial_for(version))
    outline = outline_formset(course.session_count, version.outline.all(), posted)
    if request.method == "POST" and form.is_valid() and outline.is_valid():
        try:
            draft = services.save_version(
                actor=request.user, version=version, details=form.cleaned_data, outline=outline_entries(outline)
            )
        except services.CourseError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"Version {draft.number} saved"
                if draft.pk == version.pk
                else f"Version {draft.number} started as a draft from version {version.number}",
            )
            return redirect("courses:version_detail", pk=course.pk, number=draft.number)
    errors = summary_errors(form, outline)
    return render(
        request,
        "courses/version_form.jinja",
        {"version_form": form, "outline": outline, "errors": errors, "course": course, "version": version},
        status=400 if errors else 200,
    )


@require_POST
def version_approve(request: AuthenticatedHttpRequest, pk: UUID, number: int) -> HttpResponse:
    """Approve a draft. When it cannot be approved, the version page says why (400) and nothing changes."""
    course = access.access_course(request.user, pk)
    if not _may_approve(request, course):
        raise PermissionDenied
    version = access.access_version(course, number)
    try:
        services.approve_version(actor=request.user, version=version)
    except services.CourseError as error:
        version = access.access_version(course, number)
        return _version_page(request, course, version, approve_error=str(error))
    messages.success(request, f"Version {version.number} approved. {course.title} is now approved")
    return redirect("courses:version_detail", pk=course.pk, number=version.number)


@require_http_methods(["GET", "POST"])
def material_add(request: AuthenticatedHttpRequest, pk: UUID, number: int) -> HttpResponse:
    course = access.access_course(request.user, pk)
    require_object_permission(request, "courses.edit_course", course)
    version = access.access_version(course, number)
    if not version.is_editable:
        messages.error(request, "Materials can only be added to a draft version")
        return redirect("courses:version_detail", pk=course.pk, number=version.number)
    form = MaterialForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            material = services.add_material(
                actor=request.user, version=version, title=form.cleaned_data["title"], upload=form.cleaned_data["file"]
            )
        except services.CourseError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{material.title} added to version {version.number}")
            return redirect("courses:version_detail", pk=course.pk, number=version.number)
    return render(
        request,
        "courses/material_form.jinja",
        {
            "form": form,
            "course": course,
            "version": version,
            "max_size": filesizeformat(settings.PEERPATH_MATERIAL_MAX_BYTES),
        },
        status=form_status(form),
    )


@require_POST
def material_remove(request: AuthenticatedHttpRequest, pk: UUID, number: int, material_id: UUID) -> HttpResponse:
    course = access.access_course(request.user, pk)
    require_object_permission(request, "courses.edit_course", course)
    material = access.access_material(course, material_id, version__number=number)
    try:
        services.remove_material(actor=request.user, material=material)
    except services.CourseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{material.title} removed from version {number}")
    return redirect("courses:version_detail", pk=course.pk, number=number)


@require_safe
def material_download(request: AuthenticatedHttpRequest, pk: UUID, material_id: UUID) -> FileResponse:
    """Send a material as an attachment, with a policy that keeps any script in it inert."""
    course = access.access_course(request.user, pk)
    require_object_permission(request, "courses.view_course", course)
    material = access.access_material(course, material_id)
    try:
        stored = material.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=material.original_name,
        content_type=material.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Set here, the CSP middleware leaves it alone (it only fills in a missing header).
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response
