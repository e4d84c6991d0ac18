"""The models PeerPath ships as bundle folders read, are sealed, and hold together.

The dementia carers' model exists to show that nothing in a programme is hard-coded to
mental health: its courses, competences and words are its own, and it measures with
free-to-use instruments only.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from peerpath.bundles import format as fmt
from peerpath.bundles import reading, writing
from peerpath.bundles.format import Bundle
from peerpath.courses.choices import LIVED_EXPERIENCE

SHIPPED = Path(__file__).resolve().parents[1] / "shipped"
MODELS = sorted(path.parent.name for path in SHIPPED.glob("*/manifest.json"))
DEMENTIA = SHIPPED / "dementia-carers"
SHIPPED_INSTRUMENTS = Path(__file__).resolve().parents[2] / "evaluation" / "data" / "instruments"
FREE_CLASSES = {"free", "public_domain", "own"}


def _bundle(name: str) -> Bundle:
    return reading.parse(reading.read_folder(SHIPPED / name))


def _json(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def test_the_dementia_model_is_shipped() -> None:
    assert "dementia-carers" in MODELS


@pytest.mark.parametrize("name", MODELS)
def test_the_folder_reads_as_a_bundle(name: str) -> None:
    bundle = _bundle(name)
    assert bundle.programme.code == name
    assert bundle.courses
    assert not bundle.materials


@pytest.mark.parametrize("name", MODELS)
def test_the_manifest_is_current(name: str, tmp_path: Path) -> None:
    """Sealing a copy again, at the same time, writes the same manifest: nobody edited a file without re-sealing."""
    folder = SHIPPED / name
    manifest = (folder / fmt.MANIFEST).read_bytes()
    copy = tmp_path / name
    shutil.copytree(folder, copy)
    exported_at = datetime.fromisoformat(json.loads(manifest)["exported_at"])
    writing.seal_folder(copy, exported_at=exported_at)
    assert (copy / fmt.MANIFEST).read_bytes() == manifest


@pytest.mark.parametrize("name", MODELS)
def test_every_outline_describes_each_session(name: str) -> None:
    for course in _json(SHIPPED / name, fmt.COURSES)["courses"]:
        assert len(course["version"]["outline"]) == course["session_count"], course["key"]
        assert course["version"]["materials"] == [], course["key"]


@pytest.mark.parametrize("name", MODELS)
def test_coproduction_profiles_add_up_and_follow_the_rule(name: str) -> None:
    bundle = _bundle(name)
    rule = bundle.coproduction_rule
    for course in bundle.courses:
        profile = course.coproduction
        stages = {s.stage: s for s in profile.by_stage}
        assert len(stages) == len(profile.by_stage), course.key
        assert sum(c.contributions for c in profile.by_capacity) == profile.contributions, course.key
        assert sum(s.contributions for s in profile.by_stage) == profile.contributions, course.key
        assert sum((c.hours for c in profile.by_capacity), Decimal(0)) == profile.hours, course.key
        assert sum((s.hours for s in profile.by_stage), Decimal(0)) == profile.hours, course.key
        lived_by_capacity = sum((c.hours for c in profile.by_capacity if c.capacity in LIVED_EXPERIENCE), Decimal(0))
        assert sum((s.lived_experience_hours for s in profile.by_stage), Decimal(0)) == lived_by_capacity, course.key
        assert all(s.lived_experience_hours <= s.hours for s in profile.by_stage), course.key

        design = sum((stages[s].hours for s in rule.design_stages if s in stages), Decimal(0))
        lived_design = sum((stages[s].lived_experience_hours for s in rule.design_stages if s in stages), Decimal(0))
        share = lived_design / design if design else None
        expected_share = None if share is None else share.quantize(Decimal("0.0001"))
        assert profile.lived_experience_design_share == expected_share, course.key
        present = all(s in stages and stages[s].lived_experience_hours > 0 for s in rule.lived_experience_stages)
        meets_share = not rule.design_stages or (share is not None and share >= rule.minimum_lived_design_share)
        assert profile.co_produced == (present and meets_share), course.key


@pytest.mark.parametrize("name", MODELS)
def test_instruments_are_free_to_use_and_shipped_ones_are_unchanged(name: str) -> None:
    folder = SHIPPED / name
    documents = sorted((folder / fmt.INSTRUMENTS_DIR).glob("*.json"))
    assert documents
    for path in documents:
        document = json.loads(path.read_bytes())
        assert document["licence"]["class"] in FREE_CLASSES, path.name
        shipped = SHIPPED_INSTRUMENTS / path.name
        if shipped.exists():
            assert path.read_bytes() == shipped.read_bytes(), path.name
    asked = {code for schedule in _bundle(name).schedules for code in schedule.instruments}
    assert asked == {i.code for i in _bundle(name).instruments}, "every instrument shipped is asked somewhere"


def test_the_dementia_model_says_nothing_about_mental_health() -> None:
    for name in (fmt.PROGRAMME, fmt.COURSES, fmt.ACCREDITATION):
        assert "mental health" not in (DEMENTIA / name).read_text(encoding="utf-8").lower(), name


def test_the_dementia_model_has_its_own_words_courses_and_schemes() -> None:
    bundle = _bundle("dementia-carers")
    terms = bundle.programme.terms
    assert (terms.condition, terms.cared_for_group) == ("dementia", "people living with dementia")
    assert 8 <= len(bundle.courses) <= 12
    assert [c.key for c in bundle.courses] == sorted(c.key for c in bundle.courses)
    (training,) = [c for c in bundle.courses if c.category == "train_the_trainer"]
    assert (training.session_count, training.session_minutes) == (2, 360)
    for course in bundle.courses:
        version = course.version
        if course.category == "support_group":
            assert version.peer_facilitators and not version.peer_trainers, course.key
        else:
            assert version.peer_trainers and version.professional_tutors, course.key

    (framework,) = bundle.frameworks
    assert (framework.code, framework.version) == ("dementia-carer-peer-trainer", 1)
    assert 10 <= len(framework.competencies) <= 16
    assert {(s.code, s.grants) for s in bundle.schemes} == {
        ("dementia-carer-peer-trainer", "peer_trainer"),
        ("dementia-carer-peer-facilitator", "peer_facilitator"),
    }
    assert all(s.training_courses == (training.key,) for s in bundle.schemes)
    assert {(s.category, s.timepoint) for s in bundle.schedules} == {
        (category, timepoint)
        for category in ("recovery_college", "self_management", "support_group", "train_the_trainer")
        for timepoint in ("baseline", "end", "follow_up")
    }
