"""Logging a co-production activity, quick to fill in on a phone."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from peerpath.core.decorators import require_object_permission
from peerpath.core.forms import summary_errors
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.courses import access, services
from peerpath.courses.forms.activities import ActivityForm, contributor_formset
from peerpath.courses.forms.errors import add_formset_error, add_service_error
from peerpath.programmes.context import terms_of


@require_http_methods(["GET", "POST"])
def activity_add(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Log a co-production activity and who took part: quick to fill in on a phone."""
    course = access.access_course(request.user, pk)
    require_object_permission(request, "courses.log_activity", course)
    posted = request.POST if request.method == "POST" else None
    form = ActivityForm(posted, versions=course.versions.order_by("-number"))
    contributors = contributor_formset(
        access.likely_contributors(request.user, course), posted, terms=terms_of(course.programme)
    )
    if request.method == "POST" and form.is_valid() and contributors.is_valid():
        data = form.cleaned_data
        try:
            services.log_activity(
                actor=request.user,
                course=course,
                occurred_on=data["occurred_on"],
                stage=data["stage"],
                hours=data["hours"],
                decisions=data["decisions"],
                version=data["version"],
                contributions=contributors.contributions(),
            )
        except services.CourseError as error:
            if error.field == "contributions":
                add_formset_error(contributors, str(error))
            else:
                add_service_error(form, error)
        else:
            messages.success(request, "Co-production activity logged")
            return redirect("courses:course_detail", pk=course.pk)
    errors = summary_errors(form, contributors)
    # Rows 3 onwards sit behind "Add more people", opened when they hold anything.
    more_open = contributors.is_bound and any(row.has_changed() or row.errors for row in contributors.forms[2:])
    return render(
        request,
        "courses/activity_form.jinja",
        {
            "activity_form": form,
            "contributors": contributors,
            "more_open": more_open,
            "errors": errors,
            "course": course,
        },
        status=400 if errors else 200,
    )
