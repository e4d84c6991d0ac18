"""Venues: the places (and online rooms) a coordinator's organisations run courses in."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from peerpath.core.decorators import permission_required
from peerpath.core.forms import add_service_error, form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.delivery import access, services
from peerpath.delivery.forms import VenueForm
from peerpath.people import access as people_access


@require_safe
@permission_required("delivery.manage_venues")
def venue_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    venues = access.managed_venues(request.user).select_related("organisation", "area").order_by("name", "pk")
    return render(request, "delivery/venue_list.jinja", {"venues": venues})


@require_http_methods(["GET", "POST"])
@permission_required("delivery.manage_venues")
def venue_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _venue_form(request, None)


@require_http_methods(["GET", "POST"])
@permission_required("delivery.manage_venues")
def venue_edit(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    return _venue_form(request, access.access_venue(request.user, pk))


def _venue_form(request: AuthenticatedHttpRequest, venue: object | None) -> HttpResponse:
    organisations = list(people_access.coordinated_organisations(request.user).order_by("name"))
    form = VenueForm(request.POST if request.method == "POST" else None, instance=venue)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_venue(actor=request.user, form_venue=form.instance, organisations=organisations)
        except services.DeliveryError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{saved.name} has been saved")
            return redirect("delivery:venue_list")
    return render(request, "delivery/venue_form.jinja", {"form": form, "venue": venue}, status=form_status(form))
