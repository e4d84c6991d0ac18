"""Export the seeded programme, import it into an empty installation, export again: the same bundle."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from peerpath.accreditation.models import CompetencyFramework, Scheme
from peerpath.bundles import importing, reading, services, writing
from peerpath.bundles.models import CourseOrigin, ProgrammeImport
from peerpath.core import seeding
from peerpath.core.models import AuditEvent
from peerpath.courses import services as course_services
from peerpath.courses.models import Course, CourseMaterial, CourseVersion
from peerpath.evaluation.models import InstrumentVersion, Schedule
from peerpath.people.tests.factories import OrganisationFactory, UserFactory
from peerpath.programmes.models import Programme

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _files(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _manifest(files: dict[str, bytes]) -> dict[str, Any]:
    return json.loads(files["manifest.json"])


def _seed_and_export() -> bytes:
    """Seed the small demo, give one course a handout, export its college's programme."""
    seeding.autodiscover()
    seeding.run(scale="small", seed=2026, write=lambda message: None)
    programme = Programme.objects.get(owner__name="South West London Recovery College")
    course = Course.objects.filter(programme=programme, status=Course.Status.APPROVED).order_by("title").first()
    assert course is not None
    approved = course.versions.get(status=CourseVersion.Status.APPROVED)
    draft = course_services.save_version(
        actor=approved.created_by,
        version=approved,
        details={
            "learning_outcomes": approved.learning_outcomes,
            "peer_trainers_required": approved.peer_trainers_required,
            "professional_tutors_required": approved.professional_tutors_required,
            "peer_facilitators_required": approved.peer_facilitators_required,
        },
        outline=[course_services.OutlineEntry(s.title, s.description) for s in approved.outline.order_by("number")],
    )
    course_services.add_material(
        actor=approved.created_by, version=draft, title="Session 1 handout", upload=SimpleUploadedFile("h.pdf", PDF)
    )
    course_services.approve_version(actor=approved.created_by, version=draft)
    return services.export_programme(programme).content


@pytest.fixture
def exported(db: None) -> bytes:
    """A bundle of the seeded programme, exported before the seed is rolled back (the installation is empty again)."""
    with transaction.atomic():
        content = _seed_and_export()
        transaction.set_rollback(True)
    assert not Course.objects.exists() and not Programme.objects.exists()
    return content


def test_exporting_the_imported_programme_gives_back_the_same_bundle(exported: bytes) -> None:
    first = _files(exported)
    bundle = reading.read(exported)
    assert len(bundle.courses) > 10 and bundle.schemes and bundle.frameworks and bundle.instruments
    assert any(course.version.materials for course in bundle.courses)

    owner = OrganisationFactory(name="Northfield Recovery College")
    admin = UserFactory(username="northfield-admin", is_superuser=True, is_staff=True)
    plan = importing.preview(bundle, owner=owner)
    assert plan.can_import and not plan.conflicts, [c.key for c in plan.conflicts]
    imported = importing.import_bundle(actor=admin, bundle=bundle, owner=owner)
    assert imported.created

    again = _files(services.export_programme(imported.programme).content)
    # Identifiers and timestamps differ; every other byte of every file is the same.
    for name in set(first) | set(again):
        if name == "manifest.json" or name.startswith("guide/"):
            continue
        assert first.get(name) == again.get(name), name
    one, two = _manifest(first), _manifest(again)
    assert one["bundle_id"] != two["bundle_id"]
    assert one["content_digest"] == two["content_digest"]

    def without_ids_or_dates(manifest: dict[str, Any]) -> dict[str, Any]:
        # The guide carries the export's date, so its entries differ too.
        files = [entry for entry in manifest["files"] if not entry["path"].startswith("guide/")]
        return {**{k: v for k, v in manifest.items() if k not in ("bundle_id", "exported_at")}, "files": files}

    assert without_ids_or_dates(one) == without_ids_or_dates(two)
    assert {"guide/guide.html", "guide/guide.pdf"} <= set(first) & set(again)


def test_an_import_makes_approved_courses_of_a_new_programme_with_its_words(exported: bytes) -> None:
    bundle = reading.read(exported)
    owner = OrganisationFactory(name="Northfield Recovery College")
    admin = UserFactory(username="northfield-admin", is_superuser=True, is_staff=True)
    programme = importing.import_bundle(actor=admin, bundle=bundle, owner=owner).programme

    assert programme.owner == owner and programme.code == "carers-mental-health"
    assert programme.terms == bundle.programme.terms
    courses = Course.objects.filter(programme=programme)
    assert courses.count() == len(bundle.courses)
    assert set(courses.values_list("status", flat=True)) == {Course.Status.APPROVED}
    assert set(courses.values_list("owner", flat=True)) == {owner.pk}
    version = CourseVersion.objects.filter(course__programme=programme, status="approved").first()
    assert version is not None and version.approved_by == admin and "Adopted from" in version.change_note
    material = CourseMaterial.objects.get(version__course__programme=programme)
    assert material.file.read() == PDF and material.original_name == "session-1-handout.pdf"
    assert CourseOrigin.objects.filter(course__programme=programme).count() == len(bundle.courses)
    # The shipped schemes belonged to no programme in the empty installation: the new one adopts them.
    assert set(Scheme.objects.filter(programme=programme).values_list("code", flat=True)) == {
        s.code for s in bundle.schemes
    }
    assert Schedule.objects.filter(organisation=owner).count() == len(bundle.schedules)
    event = AuditEvent.objects.get(action="programme.imported")
    assert event.actor == admin and event.data["courses"] == len(bundle.courses)


def test_importing_the_same_bundle_again_changes_nothing(exported: bytes) -> None:
    bundle = reading.read(exported)
    owner = OrganisationFactory(name="Northfield Recovery College")
    admin = UserFactory(username="northfield-admin", is_superuser=True, is_staff=True)
    first = importing.import_bundle(actor=admin, bundle=bundle, owner=owner)
    counts = (Course.objects.count(), Programme.objects.count(), AuditEvent.objects.count())

    again = importing.import_bundle(actor=admin, bundle=reading.read(exported), owner=owner)

    assert not again.created and again.record == first.record
    assert (Course.objects.count(), Programme.objects.count(), AuditEvent.objects.count()) == counts
    assert ProgrammeImport.objects.count() == 1
    assert importing.preview(bundle, owner=owner).earlier == first.record


def test_a_second_organisation_gets_its_own_programme_and_meets_the_schemes_as_a_conflict(exported: bytes) -> None:
    bundle = reading.read(exported)
    admin = UserFactory(username="network-admin", is_superuser=True, is_staff=True)
    first_owner = OrganisationFactory(name="Northfield Recovery College")
    importing.import_bundle(actor=admin, bundle=bundle, owner=first_owner)
    second_owner = OrganisationFactory(name="Southfield Carers Centre")

    plan = importing.preview(bundle, owner=second_owner)
    scheme_conflicts = [c for c in plan.conflicts if c.key.startswith("scheme:")]
    assert {c.key for c in scheme_conflicts} == {f"scheme:{s.code}" for s in bundle.schemes}
    assert plan.same_instruments and not plan.new_instruments  # identical documents are reused, not copied
    with pytest.raises(importing.ImportRefusedError, match="Choose what to do about accreditation scheme"):
        importing.import_bundle(actor=admin, bundle=bundle, owner=second_owner)
    assert not Programme.objects.filter(owner=second_owner).exists()

    answers = {c.key: importing.USE_BUNDLE for c in scheme_conflicts}
    programme = importing.import_bundle(actor=admin, bundle=bundle, owner=second_owner, resolutions=answers).programme
    codes = set(Scheme.objects.filter(programme=programme).values_list("code", flat=True))
    assert codes == {f"{s.code}-carers-mental-health" for s in bundle.schemes}
    assert InstrumentVersion.objects.filter(code__endswith="-carers-mental-health").count() == 0


def test_a_different_instrument_under_the_same_code_is_kept_apart_under_a_new_code(exported: bytes) -> None:
    bundle = reading.read(exported)
    spec = bundle.instruments[0]
    changed = {**spec.document, "name": spec.document["name"] + " (local wording)"}
    row = InstrumentVersion.objects.get(code=spec.code, version=spec.version)
    row.definition, row.checksum = changed, "0" * 64
    row.save(update_fields=["definition", "checksum"])
    owner = OrganisationFactory(name="Northfield Recovery College")
    admin = UserFactory(username="northfield-admin", is_superuser=True, is_staff=True)

    plan = importing.preview(bundle, owner=owner)
    assert [c.key for c in plan.conflicts] == [f"instrument:{spec.code}:{spec.version}"]
    importing.import_bundle(
        actor=admin, bundle=bundle, owner=owner, resolutions={plan.conflicts[0].key: importing.USE_BUNDLE}
    )

    copy = InstrumentVersion.objects.get(code=f"{spec.code}-carers-mental-health")
    assert copy.definition["name"] == spec.document["name"]
    asked = Schedule.objects.filter(organisation=owner).values_list("instruments__instrument_code", flat=True)
    assert copy.code in set(asked) and spec.code not in set(asked)


def test_a_framework_with_other_competencies_can_come_in_as_its_next_version(exported: bytes) -> None:
    bundle = reading.read(exported)
    spec = bundle.frameworks[0]
    framework = CompetencyFramework.objects.get(code=spec.code, version=spec.version)
    competency = framework.competencies.order_by("order").first()
    assert competency is not None
    competency.statement = "Rewritten locally"
    competency.save(update_fields=["statement"])
    owner = OrganisationFactory(name="Northfield Recovery College")
    admin = UserFactory(username="northfield-admin", is_superuser=True, is_staff=True)

    plan = importing.preview(bundle, owner=owner)
    keys = {c.key for c in plan.conflicts}
    assert f"framework:{spec.code}:{spec.version}" in keys
    answers = dict.fromkeys(keys, importing.USE_BUNDLE)
    programme = importing.import_bundle(actor=admin, bundle=bundle, owner=owner, resolutions=answers).programme

    newest = CompetencyFramework.objects.filter(code=spec.code).order_by("-version").first()
    assert newest is not None and newest.version == spec.version + 1
    assert newest.competencies.order_by("order").first().statement == spec.competencies[0].statement
    assert set(Scheme.objects.filter(programme=programme).values_list("framework", flat=True)) == {newest.pk}


def test_writing_a_bundle_twice_gives_the_same_files_but_a_new_manifest(exported: bytes) -> None:
    bundle = reading.read(exported)
    now = timezone.now()
    once, twice = writing.write(bundle, exported_at=now), writing.write(bundle, exported_at=now)
    assert _files(once).keys() == _files(twice).keys()
    assert {k: v for k, v in _files(once).items() if k != "manifest.json"} == {
        k: v for k, v in _files(twice).items() if k != "manifest.json"
    }
    assert _manifest(_files(once))["bundle_id"] != _manifest(_files(twice))["bundle_id"]
