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
from peerpath.evaluation import definitions, scoring

SHIPPED = Path(__file__).resolve().parents[1] / "shipped"
MODELS = sorted(path.parent.name for path in SHIPPED.glob("*/manifest.json"))
DEMENTIA = SHIPPED / "dementia-carers"
SHIPPED_INSTRUMENTS = Path(__file__).resolve().parents[2] / "evaluation" / "data" / "instruments"
FREE_CLASSES = {"free", "public_domain", "own"}
# CarerQol's published dimension "problems with own mental health": the one place the
# dementia model's instruments may name mental health.
CARERQOL_DIMENSION = ("carerqol", "mental_health_problems")
DEMENTIA_SERVICE_USE = ("service-use-dementia-carer", "service-use-living-with-dementia")


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


def _mentions_mental_health(text: str | None) -> bool:
    return text is not None and "mental health" in text.replace("_", " ").casefold()


def test_the_dementia_model_instruments_say_nothing_about_mental_health() -> None:
    """Item texts and ids, option labels and scale names, except CarerQol's own dimension."""
    documents = sorted((DEMENTIA / fmt.INSTRUMENTS_DIR).glob("*.json"))
    assert {path.name for path in documents} >= {f"{code}-v1.json" for code in DEMENTIA_SERVICE_USE}
    assert not (DEMENTIA / fmt.INSTRUMENTS_DIR / "service-use-carer-v1.json").exists()
    for path in documents:
        document = json.loads(path.read_bytes())
        code = document["code"]
        for item in document["items"]:
            assert not _mentions_mental_health(item["text"]), (path.name, item["id"])
            if (code, item["id"]) != CARERQOL_DIMENSION:
                assert not _mentions_mental_health(item["id"]), (path.name, item["id"])
        for name, options in document["response_sets"].items():
            for option in options:
                assert not _mentions_mental_health(option["label"]), (path.name, name)
        for scale in document["scales"]:
            assert not _mentions_mental_health(scale["name"]), (path.name, scale["code"])
            assert not _mentions_mental_health(scale["code"]), (path.name, scale["code"])


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for child in value.values() for text in _strings(child)]
    if isinstance(value, list):
        return [text for child in value for text in _strings(child)]
    return []


@pytest.mark.parametrize("code", DEMENTIA_SERVICE_USE)
def test_the_dementia_service_use_documents_are_free_csri_adaptations(code: str) -> None:
    """Written for the bundle: only the cited book's title names mental health."""
    document = json.loads((DEMENTIA / fmt.INSTRUMENTS_DIR / f"{code}-v1.json").read_bytes())
    licence = document["licence"]
    assert (licence["class"], licence["ships_text"], document["own_measure"]) == ("free", True, False)
    assert "Beecham J, Knapp M" in licence["attribution"]
    assert "Beecham and Knapp 2001" in licence["decision"]
    assert "own adaptation" in licence["decision"]
    assert document["recall_period"] == "In the last 3 months"
    assert not document["respondent_feedback"]["allowed"]
    without_citation = {**document, "licence": {**licence, "attribution": ""}}
    assert not any(_mentions_mental_health(text) for text in _strings(without_citation))
    for scale in document["scales"]:
        assert scale["direction"] == "none", scale["code"]
        assert scale["rule"] == {"type": "sum", "missing": {"type": "complete_only"}}, scale["code"]


def test_the_dementia_schedules_ask_both_service_use_documents_together() -> None:
    schedules = _bundle("dementia-carers").schedules
    asking = [s for s in schedules if set(DEMENTIA_SERVICE_USE) & set(s.instruments)]
    assert {(s.category, s.timepoint) for s in asking} == {
        (category, timepoint)
        for category in ("recovery_college", "self_management")
        for timepoint in ("baseline", "follow_up")
    }
    assert all(s.instruments[-2:] == DEMENTIA_SERVICE_USE for s in asking)
    assert all("service-use-carer" not in s.instruments for s in schedules)


# A complete sample answer set for each new document, and the sums it gives by category.
SAMPLES: dict[str, tuple[str, dict[str, Any], dict[str, Decimal]]] = {
    "service-use-dementia-carer": (
        "carer",
        {
            "gp_contacts": 3,
            "ae_attendances": 1,
            "hospital_admissions": 1,
            "bed_days": 4,
            "counselling_sessions": 6,
            "carers_support_contacts": 5,
            "carers_assessments": 1,
            "work_days_lost": 10,
        },
        {
            "gp_contacts": Decimal(3),
            "hospital_use": Decimal(2),
            "bed_days": Decimal(4),
            "support_contacts": Decimal(11),
            "community_contacts": Decimal(14),
            "carers_assessments": Decimal(1),
            "work_days_lost": Decimal(10),
        },
    ),
    "service-use-living-with-dementia": (
        "carer_about_cared_for",
        {
            "gp_contacts": 4,
            "memory_service_contacts": 2,
            "ae_attendances": 2,
            "emergency_admissions": 1,
            "bed_days": 9,
            "day_centre_days": 24,
            "respite_nights": 7,
            "home_care_hours": Decimal("10.5"),
            "moved_to_care_home": 1,
        },
        {
            "gp_contacts": Decimal(4),
            "memory_service_contacts": Decimal(2),
            "community_contacts": Decimal(6),
            "urgent_care": Decimal(3),
            "bed_days": Decimal(9),
            "day_centre_days": Decimal(24),
            "respite_nights": Decimal(7),
            "home_care_hours": Decimal("10.5"),
            "moved_to_care_home": Decimal(1),
        },
    ),
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_the_dementia_service_use_documents_parse_and_sum_by_category(code: str) -> None:
    respondent, answers, expected = SAMPLES[code]
    instrument = definitions.parse(json.loads((DEMENTIA / fmt.INSTRUMENTS_DIR / f"{code}-v1.json").read_bytes()))
    assert (instrument.code, instrument.version, instrument.respondent) == (code, 1, respondent)
    assert 6 <= len(instrument.items) <= 9
    assert set(answers) == {item.id for item in instrument.items}, "the sample answers every item"

    scores = scoring.score_all(instrument, answers)
    assert {scale: score.value for scale, score in scores.items() if score is not None} == expected
    assert all(score is not None and not score.prorated and score.missing == 0 for score in scores.values())

    # A blank is "not known": every category holding that item goes unscored, the others stand.
    blank = next(iter(answers))
    partial = scoring.score_all(instrument, {**answers, blank: None})
    for scale in instrument.scales:
        if blank in scale.items:
            assert partial[scale.code] is None, scale.code
        else:
            assert partial[scale.code] == scores[scale.code], scale.code


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
