"""The course list, creating and changing a course, its page and its status."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from peerpath.core.decorators import permission_required, require_object_permission
from peerpath.core.forms import form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.courses import access, coproduction, hooks, presenters, services
from peerpath.courses.forms.courses import (
    COURSE_ERROR_FIELDS,
    STATUS_ERROR_FIELDS,
    CourseFilterForm,
    CourseForm,
    StatusForm,
)
from peerpath.courses.forms.errors import add_service_error
from peerpath.courses.models import Course, CourseVersion
from peerpath.people import access as people_access
from peerpath.people.models import Organisation
from peerpath.programmes.context import terms_for_request, terms_of

RECENT_ACTIVITIES = 10


@require_safe
@permission_required("courses.list_courses")
def course_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    courses = access.visible_courses(request.user)
    # Offer the organisations that own a course the user can see: their own and their partners'.
    owners = Organisation.objects.filter(pk__in=courses.values("owner_id")).order_by("name")
    form = CourseFilterForm(request.GET, organisations=owners, terms=terms_for_request(request))
    matching = form.filter(courses).with_counts().select_related("owner", "programme").order_by("title", "pk")
    page = Paginator(matching, settings.PEERPATH_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    profiles = coproduction.profiles_for([course.pk for course in rows])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "courses/course_list.jinja",
        {
            "filter_form": form,
            "page": page,
            "rows": [
                {
                    "course": course,
                    "category": presenters.category_label(course.category, terms_of(course.programme)),
                    "status": presenters.course_status_tag(course),
                    "coproduced": presenters.coproduced_tag(profiles[course.pk]),
                }
                for course in rows
            ],
            "query": query.urlencode(),
            "can_add": request.user.has_perm("courses.add_course"),
            "can_manage_terms": request.user.has_perm("courses.manage_terms"),
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@permission_required("courses.add_course")
def course_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = people_access.coordinated_organisations(request.user)
    form = CourseForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        terms=terms_for_request(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            course = services.create_course(
                actor=request.user,
                owner=form.chosen_owner(),
                details=form.details(),
                partners=form.cleaned_data["partners"],
            )
        except services.CourseError as error:
            add_service_error(form, error, COURSE_ERROR_FIELDS)
        else:
            messages.success(request, f"{course.title} has been added as an idea, with a first draft version")
            return redirect("courses:course_detail", pk=course.pk)
    return render(request, "courses/course_form.jinja", {"form": form, "creating": True}, status=form_status(form))


@require_safe
def course_detail(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    course = access.access_course(request.user, pk)
    require_object_permission(request, "courses.view_course", course)
    versions = list(course.versions.select_related("approved_by").order_by("-number"))
    approved = next((v for v in versions if v.status == CourseVersion.Status.APPROVED), None)
    draft = next((v for v in versions if v.status == CourseVersion.Status.DRAFT), None)
    activities = access.recent_activities(course, RECENT_ACTIVITIES)
    profile = coproduction.profile_for(course.pk)
    can_edit = request.user.has_perm("courses.edit_course", course)
    retired = course.status == Course.Status.RETIRED
    terms = terms_of(course.programme)
    origin = hooks.origin_of(course.pk)
    capacity_rows = presenters.capacity_rows(profile, terms)
    stage_rows = presenters.stage_rows(profile)
    return render(
        request,
        "courses/course_detail.jinja",
        {
            "course": course,
            "terms": terms,
            "category": presenters.category_label(course.category, terms),
            "status": presenters.course_status_tag(course),
            "rows": presenters.course_summary_rows(course, terms),
            "history": presenters.history_rows(course.status_changes.select_related("changed_by")),
            "versions": presenters.version_rows(versions),
            "approved": approved,
            "draft": draft,
            "profile": profile,
            "origin": origin,
            "origin_hours": presenters.format_hours(origin.hours) if origin else "",
            "origin_share": presenters.format_percent(origin.lived_design_share) if origin else "",
            "origin_day": presenters.format_day(origin.adopted_on) if origin else "",
            "coproduced": presenters.coproduced_tag(profile),
            "lived_design_share": presenters.format_percent(profile.lived_design_share),
            "capacity_rows": capacity_rows,
            "stage_rows": stage_rows,
            "total_hours": presenters.format_hours(profile.total_hours),
            "capacity_chart_label": presenters.capacity_chart_label(capacity_rows),
            "stage_chart_label": presenters.stage_chart_label(stage_rows),
            "activities": presenters.activity_rows(activities, terms),
            "activity_count": course.activities.count(),
            "can_edit": can_edit,
            "can_change_details": can_edit and not retired,
            "can_log": request.user.has_perm("courses.log_activity", course) and not retired,
            "can_change_status": can_edit and bool(services.allowed_transitions(course)),
        },
    )


@require_http_methods(["GET", "POST"])
def course_edit(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    course = access.access_course(request.user, pk)
    require_object_permission(request, "courses.edit_course", course)
    form = CourseForm(
        request.POST if request.method == "POST" else None,
        organisations=None,
        exclude_partner=course.owner_id,
        initial=CourseForm.initial_for(course),
        terms=terms_of(course.programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_course(
                actor=request.user, course=course, details=form.details(), partners=form.cleaned_data["partners"]
            )
        except services.CourseError as error:
            add_service_error(form, error, COURSE_ERROR_FIELDS)
        else:
            messages.success(request, "Course details saved")
            return redirect("courses:course_detail", pk=course.pk)
    return render(
        request,
        "courses/course_form.jinja",
        {"form": form, "course": course, "creating": False},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def course_status(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Confirm a move to another status (GET), then make it (POST)."""
    course = access.access_course(request.user, pk)
    require_object_permission(request, "courses.edit_course", course)
    allowed = services.allowed_transitions(course)
    initial = {"to_status": request.GET["to"]} if request.GET.get("to") in allowed else None
    form = StatusForm(request.POST if request.method == "POST" else None, allowed=allowed, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_status(
                actor=request.user, course=course, to_status=data["to_status"], reason=data["reason"]
            )
        except services.CourseError as error:
            add_service_error(form, error, STATUS_ERROR_FIELDS)
        else:
            messages.success(request, f"{course.title} is now {course.get_status_display().lower()}")
            return redirect("courses:course_detail", pk=course.pk)
    return render(
        request,
        "courses/course_status.jinja",
        {"form": form, "course": course, "status": presenters.course_status_tag(course)},
        status=form_status(form),
    )
