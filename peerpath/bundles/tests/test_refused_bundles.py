"""Invalid or tampered bundles are refused with a message that says what is wrong, and nothing is written."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from peerpath.bundles import importing, reading, writing
from peerpath.bundles.format import (
    Bundle,
    CapacityHours,
    CompetencySpec,
    CoproductionSpec,
    CourseSpec,
    DisclosureSpec,
    FrameworkSpec,
    InstrumentSpec,
    MaterialSpec,
    OutlineSpec,
    ProgrammeSpec,
    RuleSpec,
    ScheduleSpec,
    SchemeSpec,
    StageHours,
    VersionSpec,
)
from peerpath.bundles.reading import BundleError
from peerpath.courses.coproduction import DEFAULT_RULE
from peerpath.courses.models import Course
from peerpath.evaluation.instruments import SHIPPED_DIR
from peerpath.people.tests.factories import OrganisationFactory, UserFactory
from peerpath.programmes.models import Programme
from peerpath.programmes.terms import Terms

WHEN = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n%%EOF\n"


def small_bundle(material: bytes = PDF) -> Bundle:
    phq9 = json.loads((SHIPPED_DIR / "phq9-v1.json").read_text(encoding="utf-8"))
    return Bundle(
        programme=ProgrammeSpec(
            code="diabetes-peers",
            name="Diabetes peer educators",
            summary="People living with diabetes trained to co-deliver self-management courses.",
            terms=Terms(
                person="member",
                people="members",
                cared_for="your family",
                cared_for_third="their family",
                condition="diabetes",
                cared_for_group="people living with diabetes",
                served="people living with diabetes",
            ),
        ),
        courses=(
            CourseSpec(
                key="living-well-with-diabetes",
                title="Living well with diabetes",
                summary="Food, activity and medicines, from people who live with it.",
                category="self_management",
                audience="everyone",
                session_count=2,
                session_minutes=120,
                modes=("in_person",),
                version=VersionSpec(
                    number=3,
                    learning_outcomes=("Plan a week of meals", "Know when to ask for help"),
                    peer_trainers=1,
                    professional_tutors=1,
                    peer_facilitators=0,
                    outline=(OutlineSpec("Food", "Planning meals"), OutlineSpec("Help", "Who to call")),
                    materials=(
                        MaterialSpec("Meal planner", "materials/living-well-with-diabetes/meal-planner.pdf", "x"),
                    ),
                ),
                coproduction=CoproductionSpec(
                    co_produced=True,
                    contributions=4,
                    hours=Decimal("10.0"),
                    by_capacity=(
                        CapacityHours("carer", 2, Decimal("6.0")),
                        CapacityHours("professional", 2, Decimal("4.0")),
                    ),
                    by_stage=(StageHours("design_workshop", 4, Decimal("10.0"), Decimal("6.0")),),
                    lived_experience_design_share=Decimal("0.6"),
                ),
            ),
        ),
        frameworks=(
            FrameworkSpec(
                code="diabetes-peer-educator",
                version=1,
                name="Diabetes peer educator competences",
                description="",
                source="",
                competencies=(
                    CompetencySpec("DPE-1", None, "Sharing experience", "", "Share safely", "Share it well"),
                ),
            ),
        ),
        schemes=(
            SchemeSpec(
                code="diabetes-peer-educator",
                name="Accredited diabetes peer educator",
                description="",
                grants="peer_trainer",
                framework_code="diabetes-peer-educator",
                framework_version=1,
                training_courses=("living-well-with-diabetes",),
                numbers={
                    "attendance_percent": 100,
                    "observations_required": 2,
                    "reflections_required": 4,
                    "supervisions_required": 2,
                    "grace_days": 30,
                    "expiring_soon_days": 60,
                    "renewal_sessions_delivered": 4,
                    "renewal_supervisions": 2,
                },
                every_competency_evidenced=True,
                validity_months=24,
                renewal_cpd_hours=Decimal("6.0"),
            ),
        ),
        schedules=(ScheduleSpec("self_management", "baseline", 7, 28, True, ("phq9",)),),
        instruments=(InstrumentSpec(code="phq9", version=1, document=phq9),),
        coproduction_rule=RuleSpec(
            DEFAULT_RULE.lived_experience_stages, DEFAULT_RULE.design_stages, DEFAULT_RULE.minimum_lived_design_share
        ),
        disclosure_policy=DisclosureSpec("NHS method (HES, from September 2018)", 1, 7, 5, 8, True),
        materials={"materials/living-well-with-diabetes/meal-planner.pdf": material},
    )


def unpack(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pack(files: dict[str, bytes], *, reseal: bool = True) -> bytes:
    """An archive of these files; with ``reseal`` its manifest is made to vouch for them again."""
    files = dict(files)
    if reseal:
        manifest = json.loads(files["manifest.json"])
        data = {path: content for path, content in files.items() if path != "manifest.json"}
        digests = {path: writing.sha256(content) for path, content in data.items()}
        manifest["files"] = [{"path": path, "bytes": len(data[path]), "sha256": digests[path]} for path in sorted(data)]
        manifest["content_digest"] = writing.content_digest(digests)
        files["manifest.json"] = writing.dump(manifest)
    return writing.archive(files)


@pytest.fixture
def good() -> dict[str, bytes]:
    return unpack(writing.write(small_bundle(), exported_at=WHEN))


def refused(content: bytes, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        reading.read(content)


def test_the_small_bundle_reads_back_as_it_was_written(good: dict[str, bytes]) -> None:
    bundle = reading.read(pack(good, reseal=False))
    assert bundle.courses == small_bundle().courses and bundle.programme.terms.condition == "diabetes"


def test_a_file_that_is_not_a_zip_archive_is_refused() -> None:
    refused(b"%PDF-1.4 not a bundle", "not a zip archive")
    refused(b"PK\x03\x04 broken", "cannot be opened as a zip archive")


def test_an_archive_without_a_manifest_is_refused(good: dict[str, bytes]) -> None:
    del good["manifest.json"]
    refused(pack(good, reseal=False), "has no manifest.json")


def test_a_manifest_that_is_not_json_or_not_ours_is_refused(good: dict[str, bytes]) -> None:
    refused(pack({**good, "manifest.json": b"{not json"}, reseal=False), "manifest.json is not valid JSON")
    other = {**json.loads(good["manifest.json"]), "format": "moodle-backup"}
    refused(pack({**good, "manifest.json": writing.dump(other)}, reseal=False), "not a programme bundle")


@pytest.mark.parametrize(
    ("version", "message"),
    [(2, "format version 2; this PeerPath reads version 1. Update PeerPath"), ("1", "must be a whole number")],
)
def test_a_format_version_this_peerpath_does_not_read_is_refused(
    good: dict[str, bytes], version: object, message: str
) -> None:
    manifest = {**json.loads(good["manifest.json"]), "format_version": version}
    refused(pack({**good, "manifest.json": writing.dump(manifest)}, reseal=False), message)


def test_a_missing_file_is_refused(good: dict[str, bytes]) -> None:
    del good["accreditation.json"]
    refused(pack(good, reseal=False), "missing 'accreditation.json'")


def test_a_file_the_manifest_does_not_list_is_refused(good: dict[str, bytes]) -> None:
    refused(pack({**good, "notes.txt": b"hello"}, reseal=False), "'notes.txt', which its manifest does not list")


def test_a_file_changed_after_export_is_refused(good: dict[str, bytes]) -> None:
    tampered = good["courses.json"].replace(b"Living well with diabetes", b"Living well with diabetes!!")
    refused(pack({**good, "courses.json": tampered}, reseal=False), "'courses.json' is not the file the manifest lists")


def test_a_manifest_resealed_by_hand_without_its_digest_is_refused(good: dict[str, bytes]) -> None:
    tampered = good["programme.json"].replace(b"Diabetes peer educators", b"Another name")
    manifest = json.loads(good["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == "programme.json":
            entry["bytes"], entry["sha256"] = len(tampered), writing.sha256(tampered)
    files = {**good, "programme.json": tampered, "manifest.json": writing.dump(manifest)}
    refused(pack(files, reseal=False), "content_digest does not match")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../outside.json", "climbs out of its folder"),
        ("materials/../../etc/passwd", "climbs out of its folder"),
        ("/etc/passwd", "absolute path"),
        ("C:/Windows/win.ini", "absolute path"),
        ("materials\\x.pdf", "not a plain relative path"),
    ],
)
def test_a_path_that_escapes_the_bundle_is_refused(good: dict[str, bytes], name: str, message: str) -> None:
    refused(pack({**good, name: b"x"}, reseal=False), message)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(good: dict[str, bytes]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in good.items():
            archive.writestr(name, content)
        archive.writestr("materials/living-well-with-diabetes/big.pdf", b"\0" * (30 * 1024 * 1024))
    assert len(buffer.getvalue()) < 200_000
    refused(buffer.getvalue(), "possible zip bomb")


def test_an_archive_of_too_many_files_is_refused(good: dict[str, bytes]) -> None:
    many = {**good, **{f"materials/x/{n}.pdf": b"%PDF" for n in range(2_001)}}
    refused(pack(many, reseal=False), "at most 2,000")


def test_a_file_that_is_not_json_is_refused_naming_it(good: dict[str, bytes]) -> None:
    refused(pack({**good, "evaluation.json": b"schedules: []"}), "evaluation.json is not valid JSON")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["courses"][0].update(colour="blue"), r"courses\[0\].colour is not a key this format version has"),
        (lambda c: c["courses"][0].pop("title"), r"courses\[0\].title is missing"),
        (lambda c: c["courses"][0].update(category="gardening"), r"courses\[0\].category must be one of"),
        (lambda c: c["courses"][0].update(session_count=3), r"must describe each of the course's 3 sessions"),
        (lambda c: c["courses"][0]["coproduction"].update(hours=10.5), r"hours must be a decimal written as text"),
    ],
)
def test_json_that_breaks_the_format_is_refused_naming_the_file_and_key(
    good: dict[str, bytes], change, message
) -> None:
    courses = json.loads(good["courses.json"])
    change(courses)
    refused(pack({**good, "courses.json": writing.dump(courses)}), message)


def test_a_schedule_asking_an_instrument_the_bundle_lacks_is_refused(good: dict[str, bytes]) -> None:
    evaluation = json.loads(good["evaluation.json"])
    evaluation["schedules"][0]["instruments"].append("zarit")
    refused(pack({**good, "evaluation.json": writing.dump(evaluation)}), "asks 'zarit'")


def test_a_broken_instrument_document_is_refused(good: dict[str, bytes]) -> None:
    document = json.loads(good["instruments/phq9-v1.json"])
    del document["items"]
    refused(pack({**good, "instruments/phq9-v1.json": writing.dump(document)}), "instruments/phq9-v1.json: phq9")


@pytest.mark.django_db
def test_a_material_that_is_not_what_its_name_says_is_refused_and_nothing_is_written() -> None:
    bundle = reading.read(writing.write(small_bundle(material=b"MZ\x90\x00 a program"), exported_at=WHEN))
    owner = OrganisationFactory(name="Northfield Diabetes Centre")
    admin = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(BundleError, match=r"meal-planner\.pdf: The selected file is a program or script"):
        importing.import_bundle(actor=admin, bundle=bundle, owner=owner)
    assert not Programme.objects.exists() and not Course.objects.exists()


@pytest.mark.django_db
def test_a_programme_code_the_organisation_already_uses_is_refused_and_nothing_is_written() -> None:
    bundle = reading.read(writing.write(small_bundle(), exported_at=WHEN))
    owner = OrganisationFactory(name="Northfield Diabetes Centre")
    Programme.objects.create(owner=owner, code="diabetes-peers", name="Ours already")
    admin = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(importing.ImportRefusedError, match="already has a programme with the code 'diabetes-peers'"):
        importing.import_bundle(actor=admin, bundle=bundle, owner=owner)
    assert Programme.objects.count() == 1 and not Course.objects.exists()
    imported = importing.import_bundle(actor=admin, bundle=bundle, owner=owner, code="diabetes-peers-2")
    assert imported.programme.code == "diabetes-peers-2" and imported.programme.terms.people == "members"


def test_a_shipped_folder_with_a_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "programme.json").write_text("{}")
    (tmp_path / "link.json").symlink_to(tmp_path / "programme.json")
    with pytest.raises(BundleError, match="has a link"):
        reading.read_folder(tmp_path)
