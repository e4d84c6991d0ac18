"""People screens. Views parse, authorise, call a service and render; nothing more."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerpath.core.decorators import permission_required, require_object_permission
from peerpath.core.forms import form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.people import access, hooks, services
from peerpath.people.forms import (
    CaringRoleForm,
    ConsentForm,
    EqualityMonitoringForm,
    MembershipForm,
    NewPersonForm,
    OwnConsentForm,
    PeopleFilterForm,
    PersonDetailsForm,
)
from peerpath.people.models import Consent, Membership
from peerpath.people.presenters import person_summary_rows


@require_safe
@permission_required("people.list_people")
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = access.coordinated_organisations(request.user)
    form = PeopleFilterForm(request.GET, organisations=organisations)
    people = access.visible_people(request.user)
    people = people.matching(**form.cleaned_data) if form.is_valid() else people.none()
    # Staff see only the roles people hold in their own organisations.
    shown_organisations = None if access.principal_for(request.user).is_administrator else organisations
    people = people.select_related("area").with_current_memberships(shown_organisations)
    searching = form.is_valid() and bool(form.cleaned_data["q"])
    paginator = Paginator(people.by_name(searching=searching), settings.PEERPATH_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/person_list.jinja",
        {
            "filter_form": form,
            "page": page,
            "query": query.urlencode(),
            "can_add": request.user.has_perm("people.add_person_record"),
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@permission_required("people.add_person_record")
def person_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = access.coordinated_organisations(request.user)
    form = NewPersonForm(
        request.POST if request.method == "POST" else None, organisations=organisations, words=hooks.words_for(request)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.create_person(
                actor=request.user,
                details=data,
                membership=form.new_membership(),
                relationship=data["relationship"],
            )
        except services.PeopleError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, f"{person.full_name} has been added")
            return redirect("people:person_detail", pk=person.pk)
    return render(request, "people/person_form.jinja", {"form": form, "creating": True}, status=form_status(form))


@require_safe
def person_detail(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    person = access.access_person(request.user, pk)
    require_object_permission(request, "people.view_person_record", person)
    memberships = (
        Membership.objects.current().filter(person=person).select_related("organisation").order_by("organisation__name")
    )
    return render(
        request,
        "people/person_detail.jinja",
        {
            "person": person,
            "rows": person_summary_rows(person),
            "memberships": list(memberships),
            "caring_roles": list(person.caring_roles.all()),
            "consents": services.current_consents(person),
            "purposes": Consent.Purpose,
            # A missing one-to-one raises an AttributeError subclass, which getattr's default covers.
            "equality": getattr(person, "equality_monitoring", None),
            "can_edit": request.user.has_perm("people.edit_person_record", person),
        },
    )


@require_safe
def me(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = access.own_person(request.user)
    return redirect("people:person_detail", pk=person.pk)


@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    person = access.access_person(request.user, pk)
    require_object_permission(request, "people.edit_person_record", person)
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    form = PersonDetailsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(actor=request.user, person=person, details=form.cleaned_data)
        except services.PeopleError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, "Details saved")
            return redirect("people:person_detail", pk=person.pk)
    return render(
        request,
        "people/person_form.jinja",
        {"form": form, "person": person, "creating": False},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def membership_add(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    person = access.access_person(request.user, pk)
    require_object_permission(request, "people.edit_person_record", person)
    organisations = access.coordinated_organisations(request.user)
    form = MembershipForm(request.POST if request.method == "POST" else None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_membership(actor=request.user, person=person, membership=form.new_membership())
        except services.PeopleError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, "Role added")
            return redirect("people:person_detail", pk=person.pk)
    return render(request, "people/membership_form.jinja", {"form": form, "person": person}, status=form_status(form))


@require_http_methods(["GET", "POST"])
def caring_role_add(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    person = access.access_person(request.user, pk)
    require_object_permission(request, "people.edit_person_record", person)
    form = CaringRoleForm(request.POST if request.method == "POST" else None, words=hooks.words_for(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_caring_role(actor=request.user, carer=person, **form.cleaned_data)
        except services.PeopleError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, "Caring relationship added")
            return redirect("people:person_detail", pk=person.pk)
    return render(request, "people/caring_role_form.jinja", {"form": form, "person": person}, status=form_status(form))


@require_POST
def person_grant_login(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Create a login for the person and email them a link to set their password."""
    person = access.access_person(request.user, pk)
    require_object_permission(request, "people.edit_person_record", person)
    try:
        services.grant_login(actor=request.user, person=person, site_url=request.build_absolute_uri("/"))
    except services.PeopleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"We have emailed {person.email} a link to set a password")
    return redirect("people:person_detail", pk=person.pk)


@require_http_methods(["GET", "POST"])
def consent_list(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Consent history for one person, with the form to record a new decision."""
    person = access.access_person(request.user, pk)
    require_object_permission(request, "people.view_consents", person)
    by_self = person.viewer_is_self and not person.viewer_coordinates and not request.user.is_superuser  # type: ignore[attr-defined]
    form_class = OwnConsentForm if by_self else ConsentForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require_object_permission(request, "people.record_consent", person)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_consent(
                    actor=request.user,
                    person=person,
                    purpose=data["purpose"],
                    decision=data["decision"],
                    method=Consent.Method.ONLINE if by_self else data["method"],
                    decided_on=timezone.localdate() if by_self else data["decided_on"],
                )
            except services.PeopleError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(request, "Consent decision recorded")
                return redirect("people:consent_list", pk=person.pk)
    history = person.consents.select_related("recorded_by").order_by("-recorded_at")
    return render(
        request,
        "people/consent_list.jinja",
        {"person": person, "form": form, "history": list(history), "by_self": by_self},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def equality_monitoring(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """The person fills in their own answers; staff may type in a paper form, never reading earlier answers."""
    person = access.access_person(request.user, pk)
    # Not has_perm: it is always true for a superuser, who must not read anyone's answers.
    by_self = bool(person.viewer_is_self)  # type: ignore[attr-defined]
    if not by_self:
        require_object_permission(request, "people.record_equality_monitoring_for", person)
    existing = getattr(person, "equality_monitoring", None) if by_self else None
    initial = {field: getattr(existing, field) for field in EqualityMonitoringForm.base_fields} if existing else None
    form = EqualityMonitoringForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_equality_monitoring(actor=request.user, person=person, answers=form.cleaned_data, by_self=by_self)
        messages.success(
            request, "Thank you. Your answers have been saved" if by_self else "Equality monitoring form recorded"
        )
        return redirect("people:person_detail", pk=person.pk)
    return render(
        request,
        "people/equality_form.jinja",
        {"form": form, "person": person, "by_self": by_self},
        status=form_status(form),
    )
