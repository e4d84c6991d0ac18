"""Programme pages, exporting a programme as a bundle and importing one (namespace ``programmes``).

Importing takes two steps: the start page reads the bundle (an upload or a model PeerPath
ships) and remembers it for the session (``access.start_import``); the preview page says what
the import would create and reuse, asks about each conflict, and imports in one transaction
(``importing.import_bundle``). A bundle that cannot be read, or an import the service refuses,
re-shows the page with the message and writes nothing.

Exporting lays out the guide's PDF, which takes seconds, so it is built in the background
(``tasks.request_export``): the status page polls itself with HTMX until the bundle is ready to
download. Each export is its requester's alone: anyone else, administrators included, gets 404.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerpath.bundles import access, importing, presenters, reading, services, tasks
from peerpath.bundles.forms import ImportPreviewForm, ImportStartForm, megabytes, upload_limit
from peerpath.bundles.importing import ImportRefusedError
from peerpath.bundles.models import ProgrammeExport
from peerpath.bundles.reading import BundleError
from peerpath.core.decorators import permission_required
from peerpath.core.forms import form_status
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.core.uploads import upload_ceiling
from peerpath.people.access import principal_for
from peerpath.people.models import Membership


@require_safe
@permission_required("programmes.view_programme")
def programme_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    programmes = access.programme_list(request.user)
    rows = [
        {
            "programme": programme,
            "serves": presenters.serves(programme.terms),
            "courses": programme.course_count,  # type: ignore[attr-defined]
            "schemes": programme.scheme_count,  # type: ignore[attr-defined]
        }
        for programme in programmes
    ]
    return render(
        request,
        "bundles/programme_list.jinja",
        {"rows": rows, "can_import": request.user.has_perm("programmes.import_programme")},
    )


@require_safe
@permission_required("programmes.view_programme")
def programme_detail(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    programme = access.access_programme(request.user, pk)
    terms = programme.terms
    principal = principal_for(request.user)
    coordinated = principal.organisations(Membership.Role.COORDINATOR)
    origin = access.programme_origin(programme)
    courses = access.programme_courses(programme)
    can_export = request.user.has_perm("programmes.export_programme")
    exports = (
        list(ProgrammeExport.objects.requested_by_user(request.user).without_content().filter(programme=programme)[:3])
        if can_export
        else []
    )
    return render(
        request,
        "bundles/programme_detail.jinja",
        {
            "programme": programme,
            "terms": terms,
            "word_rows": presenters.word_rows(terms),
            "courses": presenters.course_rows(
                courses, terms, linked=lambda course: principal.is_administrator or course.owner_id in coordinated
            ),
            "schemes": presenters.scheme_rows(access.programme_schemes(programme)),
            "origin_rows": presenters.origin_rows(origin, show_who=principal.is_administrator) if origin else [],
            "can_export": can_export,
            "exports": [{"export": export, "requested": presenters.when(export.requested_at)} for export in exports],
        },
    )


@require_POST
@permission_required("programmes.export_programme")
def programme_export(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Ask for the programme as a bundle file; it is built in the background."""
    programme = access.access_programme(request.user, pk)
    export = tasks.request_export(programme, actor=request.user)
    return redirect("programmes:export_status", pk=export.pk)


def _own_export(request: AuthenticatedHttpRequest, pk: UUID) -> ProgrammeExport:
    """One of the user's own exports, without its file; anyone else's is a 404, like one that does not exist."""
    mine = ProgrammeExport.objects.requested_by_user(request.user).without_content().select_related("programme")
    export = mine.filter(pk=pk).first()
    if export is None:
        raise Http404("No such export")
    return export


@require_safe
@permission_required("programmes.export_programme")
def export_status(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """Progress while the bundle is built (the page polls itself with HTMX), then its download."""
    export = _own_export(request, pk)
    template = "bundles/_export_progress.jinja" if request.headers.get("HX-Request") else "bundles/export_status.jinja"
    context = {"export": export, "programme": export.programme, "requested": presenters.when(export.requested_at)}
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@permission_required("programmes.export_programme")
def export_download(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """The finished bundle file, as an attachment; 404 until it is ready."""
    found = ProgrammeExport.objects.requested_by_user(request.user).filter(pk=pk, status=ProgrammeExport.Status.DONE)
    export = found.only("content", "filename").first()
    if export is None:
        raise Http404("No such export, or it is not ready")
    response = HttpResponse(bytes(export.content), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


def _shipped_choices() -> list[tuple[str, str]]:
    """The models PeerPath ships, as radio choices labelled with their programme's name."""
    choices = []
    for name in services.shipped_models():
        try:
            label = services.shipped_model(name).programme.name
        except BundleError:
            continue  # a broken shipped folder is a test failure (test_shipped_models), not a page error
        choices.append((name, f"{label} (a model that comes with PeerPath)"))
    return choices


@upload_ceiling("PEERPATH_BUNDLE_MAX_BYTES")
@require_http_methods(["GET", "POST"])
@permission_required("programmes.import_programme")
def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    limit = upload_limit()
    form = ImportStartForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        models=_shipped_choices(),
        organisations=access.importing_organisations(),
        max_bytes=limit,
    )
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data["owner"]
        shipped = form.shipped
        content = b"" if shipped else form.cleaned_data["bundle"].read()
        try:
            bundle = services.shipped_model(shipped) if shipped else reading.read(content)
            # A course material that is not the kind its name says is refused here, before it is kept.
            importing.check_materials(bundle)
        except BundleError as error:
            form.add_error("source" if shipped else "bundle", str(error))
        else:
            key = access.start_import(request, owner=owner, upload=None if shipped else [content], shipped=shipped)
            return redirect("programmes:import_preview", pk=key)
    return render(
        request,
        "bundles/import_start.jinja",
        {"form": form, "max_size": megabytes(limit)},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@permission_required("programmes.import_programme")
def import_preview(request: AuthenticatedHttpRequest, pk: UUID) -> HttpResponse:
    """``pk`` is the id of the import in progress in this session (``access.start_import``)."""
    pending = access.pending_import(request, pk)
    try:
        bundle = pending.bundle()
        plan = importing.preview(bundle, owner=pending.owner)
    except BundleError as error:
        access.forget_import(request)
        errors = [{"text": str(error), "href": "#maincontent"}]
        return render(request, "bundles/import_refused.jinja", {"errors": errors}, status=400)

    if plan.earlier is not None and request.method == "POST":
        access.forget_import(request)
        messages.info(request, f"This bundle was already imported for {pending.owner}. Nothing was changed")
        return redirect("programmes:programme_detail", pk=plan.earlier.programme_id)

    form = ImportPreviewForm(request.POST if request.method == "POST" else None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            imported = importing.import_bundle(
                actor=request.user,
                bundle=bundle,
                owner=pending.owner,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                resolutions=form.resolutions(),
            )
        except ImportRefusedError as error:
            form.add_error(error.field, str(error))
        except BundleError as error:
            form.add_error(None, str(error))
        else:
            access.forget_import(request)
            programme = imported.programme
            schemes = len(access.programme_schemes(programme))
            counts = presenters.courses_and_schemes(int(imported.record.summary.get("courses", 0)), schemes)
            messages.success(request, f"{programme.name} imported: {counts}")
            return redirect("programmes:programme_detail", pk=programme.pk)
    return render(
        request,
        "bundles/import_preview.jinja",
        {
            "form": form,
            "plan": plan,
            "terms": bundle.programme.terms,
            "summary_rows": presenters.preview_summary(plan),
            "courses": presenters.preview_courses(bundle),
            "sections": presenters.preview_sections(plan),
        },
        status=form_status(form),
    )
