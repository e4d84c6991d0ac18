"""Terms: coordinators set a term's dates, the approved courses it offers and whether its prospectus is public."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from peerpath.core.decorators import permission_required, require_object_permission
from peerpath.core.forms import form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.courses import access, prospectus, services
from peerpath.courses.models import Course, Term
from peerpath.courses.term_forms import TermForm
from peerpath.people.access import coordinated_organisations
from peerpath.people.models import Organisation


def _offerable(request: AuthenticatedHttpRequest) -> list[Course]:
    return list(access.visible_courses(request.user).approved().select_related("owner").order_by("title"))


def _saved(request: AuthenticatedHttpRequest, form: TermForm, term: Term | None, organisation: Organisation) -> bool:
    """Save a valid form (``term`` None adds one) and say so; False with the refusal on the form otherwise."""
    try:
        saved = services.save_term(
            actor=request.user,
            term=term,
            organisation=organisation,
            details=form.details(),
            courses=form.chosen_courses(),
        )
    except services.CourseError as error:
        form.add_error(error.field, str(error))
        return False
    messages.success(request, f"{saved.name} has been {'added' if term is None else 'saved'}")
    return True


@require_safe
@permission_required("courses.manage_terms")
def term_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    terms = (
        access.managed_terms(request.user)
        .select_related("organisation")
        .annotate(course_count=prospectus.offered_count())
        .order_by("-starts_on", "organisation__name", "name")
    )
    rows = [(term, prospectus.format_dates(term.starts_on, term.ends_on)) for term in terms]
    several = len({term.organisation_id for term, _ in rows}) > 1
    return render(request, "courses/terms/term_list.jinja", {"rows": rows, "show_organisation": several})


@require_http_methods(["GET", "POST"])
@permission_required("courses.manage_terms")
def term_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = list(coordinated_organisations(request.user).order_by("name"))
    form = TermForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        courses=_offerable(request),
    )
    if request.method == "POST" and form.is_valid() and _saved(request, form, None, form.chosen_organisation()):
        return redirect("terms:term_list")
    return render(
        request,
        "courses/terms/term_form.jinja",
        {
            "form": form,
            "creating": True,
            "organisation_name": organisations[0].name if form.single_organisation else "",
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@permission_required("courses.manage_terms")
def term_edit(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    term = access.access_term(request.user, pk)
    require_object_permission(request, "courses.edit_term", term)
    heading = term.name
    offered = list(term.courses.order_by("title").values_list("pk", "title"))
    initial = {
        "name": term.name,
        "starts_on": term.starts_on,
        "ends_on": term.ends_on,
        "published": term.published,
        "courses": [str(course_pk) for course_pk, _ in offered],
    }
    form = TermForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        organisations=None,
        courses=_offerable(request),
    )
    # Courses retired (or otherwise no longer approved) since they were offered: saving drops them.
    leaving = [title for course_pk, title in offered if str(course_pk) not in form.offerable]
    if request.method == "POST" and form.is_valid() and _saved(request, form, term, term.organisation):
        return redirect("terms:term_list")
    return render(
        request,
        "courses/terms/term_form.jinja",
        {
            "form": form,
            "creating": False,
            "term": term,
            "heading": heading,
            "organisation_name": term.organisation.name,
            "leaving": leaving,
        },
        status=form_status(form),
    )
