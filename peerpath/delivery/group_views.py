"""Support groups: the list, adding and changing a group, its page, and recording its meetings.

Every view first checks the role rule (403 for participants, assessors and
evaluators), then fetches through ``group_access`` (404 outside the user's
organisations), then checks the object rule.
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from peerpath.core.decorators import permission_required, require_object_permission
from peerpath.core.forms import add_service_error, form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.courses.presenters import format_day
from peerpath.delivery import group_access, group_presenters, groups
from peerpath.delivery.group_forms import GroupFilterForm, GroupForm, MeetingForm
from peerpath.delivery.models import GroupMeeting, SupportGroup
from peerpath.delivery.services import DeliveryError
from peerpath.people.access import coordinated_organisations, principal_for

# The group form asks "how is attendance kept?" where the service speaks of ``anonymous``.
GROUP_FIELDS = {"anonymous": "attendance"}


@require_safe
@permission_required("delivery.list_groups")
def group_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    visible = group_access.visible_groups(request.user)
    form = GroupFilterForm(
        request.GET,
        organisations=group_access.group_organisations(visible),
        areas=group_access.group_areas(visible),
    )
    matching = group_access.with_meeting_summary(form.filter(visible)).select_related("organisation", "area")
    page = Paginator(matching.order_by("name", "pk"), settings.PEERPATH_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "groups/group_list.jinja",
        {
            "filter_form": form,
            "page": page,
            "rows": [
                {
                    "group": group,
                    "status": group_presenters.group_status_tag(group),
                    "last_met": format_day(group.last_met_on) or "Not yet",
                }
                for group in page.object_list
            ],
            "query": query.urlencode(),
            "can_add": request.user.has_perm("delivery.add_group"),
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@permission_required("delivery.add_group")
def group_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = GroupForm(
        request.POST if request.method == "POST" else None,
        organisations=coordinated_organisations(request.user),
        venues=group_access.venue_choices(request.user),
        initial={"attendance": "named"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            group = groups.save_group(
                actor=request.user,
                group=None,
                organisation=form.chosen_organisation(),
                details=form.details(),
                partners=form.cleaned_data["partners"],
            )
        except DeliveryError as error:
            add_service_error(form, error, GROUP_FIELDS)
        else:
            messages.success(request, f"{group.name} has been added")
            return redirect("groups:group_detail", pk=group.pk)
    return render(request, "groups/group_form.jinja", {"form": form, "creating": True}, status=form_status(form))


@require_safe
@permission_required("delivery.list_groups")
def group_detail(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    group = group_access.access_group(request.user, pk)
    page = Paginator(group_access.group_meetings(group), settings.PEERPATH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/group_detail.jinja",
        {
            "group": group,
            "status": group_presenters.group_status_tag(group),
            "rows": group_presenters.group_summary_rows(group),
            "page": page,
            "meetings": group_presenters.meeting_rows(page.object_list, group),
            "can_edit": request.user.has_perm("delivery.edit_group", group),
            "can_record": request.user.has_perm("delivery.record_meeting", group),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("delivery.list_groups")
def group_edit(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    group = group_access.access_group(request.user, pk)
    require_object_permission(request, "delivery.edit_group", group)
    form = GroupForm(
        request.POST if request.method == "POST" else None,
        organisations=None,
        venues=group_access.venue_choices(request.user, group),
        exclude_partner=group.organisation_id,
        initial=GroupForm.initial_for(group),
    )
    if request.method == "POST" and form.is_valid():
        try:
            groups.save_group(
                actor=request.user,
                group=group,
                organisation=group.organisation,
                details=form.details(),
                partners=form.cleaned_data["partners"],
            )
        except DeliveryError as error:
            add_service_error(form, error, GROUP_FIELDS)
        else:
            messages.success(request, "Group details saved")
            return redirect("groups:group_detail", pk=group.pk)
    return render(
        request,
        "groups/group_form.jinja",
        {"form": form, "group": group, "creating": False},
        status=form_status(form),
    )


def _meeting_form(
    request: AuthenticatedHttpRequest, group: SupportGroup, meeting: GroupMeeting | None = None
) -> MeetingForm:
    if meeting is not None:
        initial = MeetingForm.initial_for(meeting)
    else:
        # Usually recorded the same day, by one of the facilitators.
        person_id = principal_for(request.user).person_id
        initial = {"met_on": timezone.localdate(), "facilitators": [person_id] if person_id else []}
    return MeetingForm(
        request.POST if request.method == "POST" else None,
        group=group,
        facilitators=group_access.facilitator_choices(request.user, group, meeting),
        attendees=None if group.anonymous else group_access.attendee_choices(request.user, group, meeting),
        initial=initial,
    )


def _meeting_page(
    request: AuthenticatedHttpRequest, form: MeetingForm, group: SupportGroup, meeting_date: str = ""
) -> HttpResponse:
    """The meeting form; ``meeting_date`` (as it was before any change) names the meeting being changed."""
    # Coordinators may name their organisations' carers; tutors only the group's regulars.
    viewer = (group.viewer_coordinates, group.viewer_partners)  # type: ignore[attr-defined]
    coordinates = principal_for(request.user).is_administrator or any(viewer)
    return render(
        request,
        "groups/meeting_form.jinja",
        {
            "form": form,
            "group": group,
            "meeting_date": meeting_date,
            "coordinates": coordinates,
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@permission_required("delivery.list_groups")
def meeting_create(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    group = group_access.access_group(request.user, pk)
    require_object_permission(request, "delivery.record_meeting", group)
    form = _meeting_form(request, group)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = groups.record_meeting(actor=request.user, group=group, **form.record())
        except DeliveryError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Meeting on {format_day(meeting.met_on)} recorded")
            return redirect("groups:group_detail", pk=group.pk)
    return _meeting_page(request, form, group)


@require_http_methods(["GET", "POST"])
@permission_required("delivery.list_groups")
def meeting_edit(request: AuthenticatedHttpRequest, pk: UUID, meeting_id: UUID) -> HttpResponse:
    group = group_access.access_group(request.user, pk)
    require_object_permission(request, "delivery.record_meeting", group)
    meeting = group_access.access_meeting(group, meeting_id)
    meeting_date = format_day(meeting.met_on)
    form = _meeting_form(request, group, meeting)
    if request.method == "POST" and form.is_valid():
        try:
            groups.update_meeting(actor=request.user, meeting=meeting, **form.record())
        except DeliveryError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Meeting on {format_day(meeting.met_on)} saved")
            return redirect("groups:group_detail", pk=group.pk)
    return _meeting_page(request, form, group, meeting_date)
