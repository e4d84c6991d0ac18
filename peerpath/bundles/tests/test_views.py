"""The programme pages, exporting a programme and importing a bundle through the preview."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Actor
from peerpath.accreditation.frameworks import ensure_default
from peerpath.accreditation.models import Scheme
from peerpath.bundles import access, importing, reading, services, tasks, writing
from peerpath.bundles.models import ProgrammeExport, ProgrammeImport
from peerpath.core.models import AuditEvent
from peerpath.courses.models import Course
from peerpath.courses.tests.factories import approved_course
from peerpath.people.models import Organisation
from peerpath.people.tests.factories import OrganisationFactory, UserFactory
from peerpath.programmes.models import Programme

DEMENTIA = "dementia-carers"
LIST = reverse("programmes:programme_list")
START = reverse("programmes:import_start")


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def dementia_zip() -> bytes:
    """The shipped dementia model as the zip an administrator would upload (same manifest, same digest)."""
    return writing.archive(reading.read_folder(services.SHIPPED / DEMENTIA))


def make_programme(owner: Organisation, user: Any, *, code: str, courses: int = 1, schemes: int = 0) -> Programme:
    programme = Programme.objects.create(
        owner=owner,
        code=code,
        name=f"Programme {code}",
        summary="Carers trained as peer trainers.",
        condition="dementia",
        cared_for_group="people living with dementia",
        served="carers of people living with dementia",
    )
    for n in range(courses):
        approved_course(owner, user, title=f"{code} course {n}", programme=programme)
    framework = ensure_default()
    for n in range(schemes):
        Scheme.objects.create(
            code=f"{code}-scheme-{n}",
            name=f"Scheme {n}",
            grants="peer_trainer",
            framework=framework,
            programme=programme,
        )
    return programme


def uploads(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "bundle-uploads"
    return sorted(folder.glob("*")) if folder.exists() else []


def start(client: Client, owner: Organisation, *, content: bytes | None = None, shipped: str = "") -> Any:
    data: dict[str, Any] = {"source": shipped or "upload", "owner": str(owner.pk)}
    if content is not None:
        data["bundle"] = SimpleUploadedFile("bundle.zip", content, content_type="application/zip")
    return client.post(START, data)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def conflict_fields(response: Any) -> list[str]:
    """The names of the conflict radios on a preview page, in page order."""
    return list(dict.fromkeys(re.findall(r'name="(conflict-[^"]+)"', response.content.decode())))


def answers(response: Any, choice: str) -> dict[str, str]:
    return dict.fromkeys(conflict_fields(response), choice)


def programme_links(response: Any) -> list[str]:
    return re.findall(r'href="/programmes/([0-9a-f-]{36})/"', response.content.decode())


# -- the list and the programme page ------------------------------------------------------------


def test_administrators_see_every_programme_with_counts_and_whom_it_serves(actors, home_org, other_org):
    admin = actors["administrator"]
    make_programme(home_org, actors["coordinator"].user, code="home", courses=2, schemes=1)
    make_programme(other_org, actors["outsider"].user, code="other", courses=1)

    response = admin.client.get(LIST)

    assert response.status_code == 200
    page = text(response)
    assert "Programme home" in page and "Programme other" in page
    assert "Carers of people living with dementia" in page
    assert re.search(r"Courses </span>2</td>\s*<td[^>]*><span[^>]*>Schemes </span>1</td>", page)
    assert "Import a programme" in page


def test_coordinators_see_only_their_organisations_programmes_and_cannot_import(actors, home_org, other_org):
    make_programme(home_org, actors["coordinator"].user, code="home")
    other = make_programme(other_org, actors["outsider"].user, code="other")
    client = actors["coordinator"].client

    response = client.get(LIST)

    assert programme_links(response) == [str(Programme.objects.get(code="home").pk)]
    assert "Import a programme" not in text(response)
    assert client.get(reverse("programmes:programme_detail", kwargs={"pk": other.pk})).status_code == 404
    assert client.get(START).status_code == 403


@pytest.mark.parametrize("role", ["peer_tutor", "assessor", "evaluator", "participant"])
def test_other_roles_are_refused_the_list(actors, role: str):
    assert actors[role].client.get(LIST).status_code == 403


def test_the_programme_page_shows_its_words_courses_schemes_and_origin(actors, home_org):
    admin: Actor = actors["administrator"]
    assert admin.user is not None
    imported = importing.import_bundle(
        actor=admin.user,
        bundle=services.shipped_model(DEMENTIA),
        owner=home_org,
        resolutions=dict.fromkeys(
            (c.key for c in importing.preview(services.shipped_model(DEMENTIA), owner=home_org).conflicts), "keep"
        ),
    )
    url = reverse("programmes:programme_detail", kwargs={"pk": imported.programme.pk})

    page = admin.client.get(url).content.decode()
    assert "Courses for carers of people living with dementia" in page
    assert "Understanding dementia: types and what to expect" in page
    assert "Accredited dementia carer peer trainer" in page
    assert "Imported by" in page and admin.user.get_username() in page
    assert "Export this programme" in page

    seen_by_coordinator = actors["coordinator"].client.get(url).content.decode()
    assert "Understanding dementia: types and what to expect" in seen_by_coordinator
    assert "Imported from" in seen_by_coordinator
    assert "Imported by" not in seen_by_coordinator
    assert "Export this programme" not in seen_by_coordinator


@pytest.mark.parametrize("size", [1, 5])
def test_the_list_costs_the_same_queries_however_many_programmes(actors, django_assert_num_queries, size: int):
    admin = actors["administrator"]
    for n in range(size):
        owner = OrganisationFactory()
        make_programme(owner, admin.user, code=f"p{n}", courses=2, schemes=1)
    with django_assert_num_queries(4):  # session, user, the user's roles, programmes with owners and counts
        response = admin.client.get(LIST)
    assert len(programme_links(response)) == size


@pytest.mark.parametrize("size", [1, 6])
def test_the_programme_page_costs_the_same_queries_however_many_courses(
    actors, home_org, django_assert_num_queries, size: int
):
    coordinator = actors["coordinator"]
    programme = make_programme(home_org, coordinator.user, code="home", courses=size, schemes=size)
    url = reverse("programmes:programme_detail", kwargs={"pk": programme.pk})
    # session, user, the coordinator's roles, programme with owner, its import, courses, schemes,
    # and Django's own permission tables (user, groups) for the export rule a coordinator lacks
    with django_assert_num_queries(9):
        response = coordinator.client.get(url)
    assert len(re.findall(r'href="/courses/[0-9a-f-]{36}/"', response.content.decode())) == size


# -- export ---------------------------------------------------------------------------------


def export_url(name: str, export: ProgrammeExport) -> str:
    return reverse(f"programmes:{name}", kwargs={"pk": export.pk})


def test_exporting_builds_the_bundle_in_the_background_then_downloads_it_and_audits_once(
    actors, home_org, django_capture_on_commit_callbacks
):
    admin = actors["administrator"]
    programme = make_programme(home_org, actors["coordinator"].user, code="home-programme", courses=2, schemes=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.client.post(reverse("programmes:programme_export", kwargs={"pk": programme.pk}))

    export = ProgrammeExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == export_url("export_status", export)
    assert export.status == ProgrammeExport.Status.DONE, export.error
    assert export.requested_by == admin.user and export.programme == programme
    status = text(admin.client.get(response["Location"]))
    assert "The bundle is ready" in status and "2 courses, 1 scheme," in status
    assert "hx-trigger" not in status
    assert f'href="{export_url("export_download", export)}"' in status

    download = admin.client.get(export_url("export_download", export))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"] == f'attachment; filename="{export.filename}"'
    assert export.filename.startswith("home-programme-") and export.filename.endswith(".zip")
    bundle = reading.read(download.content)
    assert bundle.programme.code == "home-programme"
    assert sorted(c.title for c in bundle.courses) == ["home-programme course 0", "home-programme course 1"]
    assert AuditEvent.objects.filter(action="programme.exported", actor=admin.user).count() == 1
    # The programme's page links to its requester's recent exports.
    detail = admin.client.get(reverse("programmes:programme_detail", kwargs={"pk": programme.pk}))
    assert export_url("export_status", export) in detail.content.decode()


def test_the_status_page_polls_itself_while_the_bundle_is_built(actors, home_org):
    admin = actors["administrator"]
    programme = make_programme(home_org, admin.user, code="home")
    export = ProgrammeExport.objects.create(
        programme=programme, requested_by=admin.user, status=ProgrammeExport.Status.RUNNING
    )
    url = export_url("export_status", export)

    page = text(admin.client.get(url))
    fragment = admin.client.get(url, headers={"HX-Request": "true"})

    assert "Building the bundle and its guide…" in page and "Programme home" in page
    assert 'hx-trigger="every 2s"' in page and f'hx-get="{url}"' in page
    assert f'<a href="{url}">Check again</a>' in page
    assert "<html" not in fragment.content.decode() and f'hx-get="{url}"' in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]
    assert admin.client.get(export_url("export_download", export)).status_code == 404


def test_an_export_is_its_requesters_alone_even_among_administrators(actors, home_org):
    programme = make_programme(home_org, actors["coordinator"].user, code="home")
    other_admin = UserFactory(is_superuser=True, is_staff=True)
    export = ProgrammeExport.objects.create(
        programme=programme,
        requested_by=other_admin,
        status=ProgrammeExport.Status.DONE,
        content=b"PK",
        filename="home.zip",
    )
    admin = actors["administrator"].client
    assert admin.get(export_url("export_status", export)).status_code == 404
    assert admin.get(export_url("export_download", export)).status_code == 404
    assert (
        export_url("export_status", export)
        not in admin.get(reverse("programmes:programme_detail", kwargs={"pk": programme.pk})).content.decode()
    )
    coordinator = actors["coordinator"].client
    assert coordinator.get(export_url("export_status", export)).status_code == 403
    assert coordinator.get(export_url("export_download", export)).status_code == 403


def test_a_failed_export_shows_the_safe_message_and_a_form_to_try_again(
    actors, home_org, monkeypatch, django_capture_on_commit_callbacks
):
    admin = actors["administrator"]
    programme = make_programme(home_org, admin.user, code="home")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(services, "export_programme", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.client.post(reverse("programmes:programme_export", kwargs={"pk": programme.pk}))

    export = ProgrammeExport.objects.get()
    assert export.status == ProgrammeExport.Status.FAILED
    assert export.error == "Something went wrong while building it."
    assert export.finished_at is not None and not bytes(export.content)
    page = text(admin.client.get(response["Location"]))
    assert "The bundle could not be built" in page and "Something went wrong while building it." in page
    assert "hunter2" not in page and "hx-trigger" not in page
    assert f'action="{reverse("programmes:programme_export", kwargs={"pk": programme.pk})}"' in page
    assert re.search(r">\s*Try again\s*<", page)
    assert admin.client.get(export_url("export_download", export)).status_code == 404
    assert not AuditEvent.objects.filter(action="programme.exported").exists()


def test_an_export_whose_requester_may_no_longer_export_fails_saying_so(actors, home_org):
    coordinator = actors["coordinator"].user
    export = ProgrammeExport.objects.create(
        programme=make_programme(home_org, coordinator, code="home"), requested_by=coordinator
    )

    tasks.build_export(export.pk)

    export.refresh_from_db()
    assert export.status == ProgrammeExport.Status.FAILED
    assert export.error == "You may no longer export programmes."


def test_building_again_leaves_a_finished_export_as_it_is(actors, home_org, monkeypatch):
    admin = actors["administrator"].user
    export = ProgrammeExport.objects.create(
        programme=make_programme(home_org, admin, code="home"),
        requested_by=admin,
        status=ProgrammeExport.Status.DONE,
        content=b"kept",
    )
    monkeypatch.setattr(services, "export_programme", lambda *args, **kwargs: pytest.fail("built again"))

    tasks.build_export(export.pk)

    export.refresh_from_db()
    assert bytes(export.content) == b"kept"


def test_asking_for_an_export_keeps_only_the_requesters_newest_finished_ones(actors, home_org, monkeypatch):
    admin, other = actors["administrator"].user, UserFactory(is_superuser=True, is_staff=True)
    programme = make_programme(home_org, admin, code="home")
    start = timezone.now() - timedelta(days=10)

    def made(user: Any, days: int, status: str) -> ProgrammeExport:
        return ProgrammeExport.objects.create(
            programme=programme, requested_by=user, status=status, requested_at=start + timedelta(days=days)
        )

    oldest, old = made(admin, 0, "done"), made(admin, 1, "failed")
    still_running = made(admin, 2, "running")
    newer, newest = made(admin, 3, "done"), made(admin, 4, "done")
    theirs = made(other, 0, "done")
    monkeypatch.setattr(tasks, "_queue", lambda export_id: None)

    asked = tasks.request_export(programme, actor=admin)

    left = set(ProgrammeExport.objects.values_list("pk", flat=True))
    assert {asked.pk, newest.pk, newer.pk, still_running.pk, theirs.pk} <= left
    assert oldest.pk not in left and old.pk not in left


@pytest.mark.parametrize("size", [1, 4])
def test_the_status_page_costs_the_same_queries_however_many_exports(
    actors, home_org, django_assert_num_queries, size: int
):
    admin = actors["administrator"]
    programme = make_programme(home_org, admin.user, code="home", courses=size)
    exports = [
        ProgrammeExport.objects.create(
            programme=programme, requested_by=admin.user, status=ProgrammeExport.Status.DONE, content=b"PK" * 1000
        )
        for _ in range(size)
    ]
    with django_assert_num_queries(4):  # session, user, the user's roles, the export with its programme
        response = admin.client.get(export_url("export_status", exports[-1]))
    assert "The bundle is ready" in text(response)


def test_coordinators_may_not_export(actors, home_org):
    programme = make_programme(home_org, actors["coordinator"].user, code="home")
    url = reverse("programmes:programme_export", kwargs={"pk": programme.pk})
    assert actors["coordinator"].client.post(url).status_code == 403
    assert actors["administrator"].client.get(url).status_code == 405
    assert not ProgrammeExport.objects.exists()


# -- import ---------------------------------------------------------------------------------


def test_a_file_that_is_not_a_bundle_is_refused_with_its_message_and_nothing_kept(
    admin_client_: Client, home_org, tmp_path: Path
):
    response = start(admin_client_, home_org, content=b"this is not a zip archive")

    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert re.search(r'id="id_bundle-error"><span[^>]*>Error:</span> [^<]*zip', response.content.decode())
    assert uploads(tmp_path) == []
    assert access.SESSION_KEY not in admin_client_.session
    assert not Programme.objects.exists()


def test_an_upload_needs_a_file_a_source_and_an_owner(admin_client_: Client, home_org):
    response = admin_client_.post(START, {"source": "upload"})
    assert response.status_code == 400
    assert "Select a programme bundle" in text(response)
    assert "Select the organisation that will own the programme" in text(response)

    response = admin_client_.post(START, {})
    assert response.status_code == 400
    assert "Choose where the programme comes from" in text(response)


def test_a_file_over_the_limit_is_refused(admin_client_: Client, home_org, monkeypatch):
    monkeypatch.setattr("peerpath.bundles.views.upload_limit", lambda: 2 * 1024 * 1024)
    response = start(admin_client_, home_org, content=b"0" * (2 * 1024 * 1024 + 1))
    assert response.status_code == 400
    assert "The selected file must be smaller than 2 MB" in text(response)


def test_the_start_page_offers_the_shipped_models_by_programme_name(admin_client_: Client):
    assert "Dementia carers' peer trainer programme (a model that comes with PeerPath)" in text(
        admin_client_.get(START)
    )


def test_a_second_organisation_imports_an_uploaded_bundle_after_answering_its_conflicts(
    actors, home_org, other_org, tmp_path: Path
):
    admin = actors["administrator"]
    # The first college adopted the dementia model from the shipped folder.
    first = start(admin.client, home_org, shipped=DEMENTIA)
    preview_url = first["Location"]
    shown = admin.client.get(preview_url)
    assert shown.status_code == 200
    imported = admin.client.post(preview_url, {"code": DEMENTIA, "name": "Dementia carers", **answers(shown, "keep")})
    assert imported.status_code == 302
    home_programme = Programme.objects.get(owner=home_org)

    # A carers' centre uploads the same model as a file.
    response = start(admin.client, other_org, content=dementia_zip())
    assert response.status_code == 302
    assert len(uploads(tmp_path)) == 1
    preview_url = response["Location"]
    page = admin.client.get(preview_url)
    content = text(page)
    assert "Understanding dementia: types and what to expect" in content
    assert "Import programme" in content
    # Its schemes now belong to the first college's programme: each is a conflict to answer.
    assert len([name for name in conflict_fields(page) if name.startswith("conflict-scheme-")]) == 2

    unanswered = admin.client.post(preview_url, {"code": "dementia-carers", "name": "Dementia carers (centre)"})
    assert unanswered.status_code == 400
    assert "Choose what to do about accreditation scheme 'Accredited dementia carer peer trainer'" in text(unanswered)
    assert not Programme.objects.filter(owner=other_org).exists()

    done = admin.client.post(
        preview_url,
        {"code": "dementia-carers", "name": "Dementia carers (centre)", **answers(page, "bundle")},
        follow=True,
    )

    programme = Programme.objects.get(owner=other_org)
    assert done.redirect_chain[-1][0] == reverse("programmes:programme_detail", kwargs={"pk": programme.pk})
    assert programme.name == "Dementia carers (centre)"
    assert programme.courses.count() == 11
    assert set(programme.schemes.values_list("code", flat=True)) == {
        "dementia-carer-peer-trainer-dementia-carers",
        "dementia-carer-peer-facilitator-dementia-carers",
    }
    assert "Dementia carers (centre) imported: 11 courses, 2 schemes" in text(done)
    assert home_programme.schemes.count() == 2
    assert uploads(tmp_path) == []
    assert access.SESSION_KEY not in admin.client.session


def test_the_same_bundle_again_for_the_same_organisation_says_it_was_already_imported(actors, home_org):
    admin = actors["administrator"]
    bundle = services.shipped_model(DEMENTIA)
    conflicts = importing.preview(bundle, owner=home_org).conflicts
    assert admin.user is not None
    earlier = importing.import_bundle(
        actor=admin.user, bundle=bundle, owner=home_org, resolutions=dict.fromkeys((c.key for c in conflicts), "keep")
    )
    counts = (Programme.objects.count(), Course.objects.count(), ProgrammeImport.objects.count())

    response = start(admin.client, home_org, content=dementia_zip())
    page = admin.client.get(response["Location"])

    content = text(page)
    assert f"This bundle was already imported for {home_org.name} as" in content
    assert reverse("programmes:programme_detail", kwargs={"pk": earlier.programme.pk}) in content
    assert "Import programme" not in content
    again = admin.client.post(response["Location"], {"code": "another-code", "name": "Again"})
    assert again["Location"] == reverse("programmes:programme_detail", kwargs={"pk": earlier.programme.pk})
    assert (Programme.objects.count(), Course.objects.count(), ProgrammeImport.objects.count()) == counts


def test_a_code_the_owner_already_uses_is_asked_again(actors, home_org):
    admin = actors["administrator"]
    make_programme(home_org, admin.user, code=DEMENTIA)
    response = start(admin.client, home_org, shipped=DEMENTIA)
    page = admin.client.get(response["Location"])
    assert "already has a programme with the code" in text(page)

    again = admin.client.post(response["Location"], {"code": DEMENTIA, "name": "Dementia", **answers(page, "keep")})
    assert again.status_code == 400
    # In the error summary and beside the code field.
    assert text(again).count("already has a programme with the code 'dementia-carers'. Enter another code") == 2
    bad = admin.client.post(response["Location"], {"code": "Not A Slug", "name": "Dementia", **answers(page, "keep")})
    assert bad.status_code == 400
    assert "Programme code must only include lower case letters, numbers and hyphens" in text(bad)
    assert Programme.objects.filter(owner=home_org).count() == 1


def test_a_new_upload_replaces_the_last_and_only_its_session_can_see_it(actors, home_org, tmp_path: Path):
    admin = actors["administrator"]
    first = start(admin.client, home_org, content=dementia_zip())["Location"]
    second = start(admin.client, home_org, content=dementia_zip())["Location"]
    assert len(uploads(tmp_path)) == 1
    assert admin.client.get(first).status_code == 404
    assert admin.client.get(second).status_code == 200

    other_session = Client()
    assert admin.user is not None
    other_session.force_login(admin.user)
    assert other_session.get(second).status_code == 404


def test_the_preview_needs_an_administrator(actors, home_org):
    response = start(actors["administrator"].client, home_org, shipped=DEMENTIA)
    assert actors["coordinator"].client.get(response["Location"]).status_code == 403


def test_a_bundle_refused_by_the_importer_re_shows_the_preview_with_its_message(actors, home_org, monkeypatch):
    admin = actors["administrator"]
    response = start(admin.client, home_org, shipped=DEMENTIA)
    page = admin.client.get(response["Location"])

    def refuse(**kwargs: Any) -> Any:
        raise importing.ImportRefusedError("This bundle was imported for someone just now by someone else")

    monkeypatch.setattr("peerpath.bundles.views.importing.import_bundle", refuse)
    refused = admin.client.post(response["Location"], {"code": "dementia-carers", "name": "D", **answers(page, "keep")})
    assert refused.status_code == 400
    assert "imported for someone just now" in text(refused)
    assert not Programme.objects.exists()


def test_the_zip_helper_reads_as_the_shipped_model():
    assert reading.read(dementia_zip()).content_digest == services.shipped_model(DEMENTIA).content_digest
    assert io.BytesIO(dementia_zip()).read(2) == b"PK"


def test_a_file_chosen_without_the_radio_is_taken_as_an_upload(admin_client_: Client, home_org):
    response = admin_client_.post(
        START,
        {"owner": str(home_org.pk), "bundle": SimpleUploadedFile("b.zip", dementia_zip(), "application/zip")},
    )
    assert response.status_code == 302
    assert admin_client_.get(response["Location"]).status_code == 200


def test_a_kept_upload_that_no_longer_reads_is_refused_on_the_preview_and_forgotten(
    admin_client_: Client, home_org, tmp_path: Path
):
    preview_url = start(admin_client_, home_org, content=dementia_zip())["Location"]
    (kept,) = uploads(tmp_path)
    kept.write_bytes(b"damaged")

    response = admin_client_.get(preview_url)

    assert response.status_code == 400
    assert "The bundle cannot be imported" in text(response)
    assert uploads(tmp_path) == []
    assert admin_client_.get(preview_url).status_code == 404


def test_the_import_page_takes_bundles_larger_than_other_uploads_may_be(actors, home_org, settings):
    content = dementia_zip()
    settings.PEERPATH_MAX_REQUEST_BYTES = len(content) // 2
    settings.PEERPATH_BUNDLE_MAX_BYTES = len(content) * 2
    admin = actors["administrator"].client

    # Another page refuses a request this size before reading it ...
    refused = admin.post(
        reverse("people:person_create"), {"given_name": "Ada", "file": SimpleUploadedFile("b.zip", content)}
    )
    assert refused.status_code == 400 and "The file is too large" in refused.content.decode()
    # ... the import page reads it, up to its own ceiling.
    response = start(admin, home_org, content=content)
    assert response.status_code == 302 and len(uploads(settings.DATA_DIR)) == 1

    settings.PEERPATH_BUNDLE_MAX_BYTES = len(content) // 2
    too_big = start(admin, home_org, content=content)
    assert too_big.status_code == 400 and "The file is too large" in too_big.content.decode()
