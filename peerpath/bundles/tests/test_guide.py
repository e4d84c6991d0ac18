"""The guide a bundle carries: every section, in the programme's words, self-contained and repeatable."""

from __future__ import annotations

import html
import io
import os
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from peerpath.bundles import guide
from peerpath.bundles.format import (
    GUIDE_HTML,
    GUIDE_PDF,
    Bundle,
    CapacityHours,
    CompetencySpec,
    CoproductionSpec,
    CourseSpec,
    DisclosureSpec,
    FrameworkSpec,
    InstrumentSpec,
    OutlineSpec,
    ProgrammeSpec,
    RuleSpec,
    ScheduleSpec,
    SchemeSpec,
    StageHours,
    VersionSpec,
)
from peerpath.programmes.terms import Terms

DEMENTIA = Terms(
    person="carer",
    people="carers",
    cared_for="the person you care for",
    cared_for_third="the person they care for",
    condition="dementia",
    cared_for_group="people living with dementia",
    served="carers of people living with dementia",
)


def _instrument_document() -> dict[str, Any]:
    return {
        "format": "peerpath-instrument",
        "format_version": 1,
        "code": "worry",
        "version": 1,
        "name": "Everyday Worry Scale",
        "short_name": "EWS",
        "description": "How much everyday worries get in the way: two questions, each scored 0 to 3.",
        "respondent": "carer",
        "licence": {
            "class": "public_domain",
            "ships_text": True,
            "attribution": "Everyday Worry Scale, written for these tests.",
            "source": "Made up for the tests.",
            "decision": "Ship the wording: it is in the public domain.",
        },
        "response_sets": {
            "often": [
                {"value": 0, "label": "Never"},
                {"value": 1, "label": "Sometimes"},
                {"value": 2, "label": "Often"},
                {"value": 3, "label": "Always"},
            ]
        },
        "items": [
            {
                "id": "q1",
                "number": 1,
                "text": "Worry stops me sleeping",
                "kind": "choice",
                "response_set": "often",
                "required": True,
                "reverse": False,
            },
            {
                "id": "q2",
                "number": 2,
                "text": "Worry stops me going out",
                "kind": "choice",
                "response_set": "often",
                "required": True,
                "reverse": False,
            },
        ],
        "scales": [
            {
                "code": "total",
                "name": "EWS total",
                "items": ["q1", "q2"],
                "rule": {"type": "sum", "missing": {"type": "complete_only"}},
                "range": [0, 6],
                "direction": "higher_is_worse",
                "reliable_change": {"sd": 2, "reliability": 0.5, "source": "Test norms."},
                "clinical_cutoff": {"value": 4, "source": "Test cut-off."},
            }
        ],
        "scoring_version": 1,
    }


def _course(key: str, title: str, category: str, *, co_produced: bool = True) -> CourseSpec:
    return CourseSpec(
        key=key,
        title=title,
        summary=f"What {title} is about.",
        category=category,
        audience="carers",
        session_count=4,
        session_minutes=120,
        modes=("in_person", "online"),
        version=VersionSpec(
            number=2,
            learning_outcomes=(f"Outcome one of {title}", f"Outcome two of {title}"),
            peer_trainers=1,
            professional_tutors=1,
            peer_facilitators=0,
            outline=(
                OutlineSpec(title="Getting started", description="Introductions and hopes."),
                OutlineSpec(title="Next steps", description="A plan to take away."),
            ),
            materials=(),
        ),
        coproduction=CoproductionSpec(
            co_produced=co_produced,
            contributions=9,
            hours=Decimal("23.50"),
            by_capacity=(
                CapacityHours(capacity="carer", contributions=6, hours=Decimal("17.25")),
                CapacityHours(capacity="professional", contributions=3, hours=Decimal("6.25")),
            ),
            by_stage=(
                StageHours(
                    stage="design_workshop", contributions=5, hours=Decimal("12"), lived_experience_hours=Decimal("9")
                ),
                StageHours(
                    stage="review", contributions=4, hours=Decimal("11.5"), lived_experience_hours=Decimal("8.25")
                ),
            ),
            lived_experience_design_share=Decimal("0.75") if co_produced else Decimal("0.2"),
        ),
    )


def _bundle(terms: Terms = Terms(), name: str = "Carers' peer trainer programme") -> Bundle:  # noqa: B008
    return Bundle(
        programme=ProgrammeSpec(
            code="carers-peer-trainers",
            name=name,
            summary=f"{terms.people.capitalize()} of {terms.cared_for_group} become peer trainers.",
            terms=terms,
        ),
        courses=(
            _course("coping-with-a-crisis", "Coping with a crisis", "recovery_college"),
            _course("looking-after-yourself", "Looking after yourself", "self_management", co_produced=False),
            _course("train-the-trainer", "Train the Trainer: two days", "train_the_trainer"),
        ),
        frameworks=(
            FrameworkSpec(
                code="peer-competences",
                version=1,
                name="Peer trainer competences",
                description="What a peer trainer shows in practice.",
                source="Written by the programme.",
                competencies=(
                    CompetencySpec(
                        code="PT-1",
                        domain_number=1,
                        domain_name="Values of peer support",
                        reference="1.1",
                        title="Working from peer values",
                        statement="Shows hope and respect.",
                    ),
                    CompetencySpec(
                        code="PT-2",
                        domain_number=None,
                        domain_name="Group work",
                        reference="",
                        title="Keeping the group safe",
                        statement="Agrees ground rules with the group.",
                    ),
                ),
            ),
        ),
        schemes=(
            SchemeSpec(
                code="peer-trainer",
                name="Accredited peer trainer",
                description="Co-delivers courses beside a professional tutor.",
                grants="peer_trainer",
                framework_code="peer-competences",
                framework_version=1,
                training_courses=("train-the-trainer",),
                numbers={
                    "attendance_percent": 80,
                    "observations_required": 3,
                    "reflections_required": 4,
                    "supervisions_required": 2,
                    "grace_days": 45,
                    "expiring_soon_days": 60,
                    "renewal_sessions_delivered": 6,
                    "renewal_supervisions": 4,
                },
                every_competency_evidenced=True,
                validity_months=24,
                renewal_cpd_hours=Decimal("6.5"),
            ),
        ),
        schedules=(
            ScheduleSpec(
                category="recovery_college",
                timepoint="baseline",
                days=7,
                open_days=14,
                active=True,
                instruments=("worry",),
            ),
            ScheduleSpec(
                category="recovery_college", timepoint="follow_up", days=182, open_days=28, active=True, instruments=()
            ),
        ),
        instruments=(InstrumentSpec(code="worry", version=1, document=_instrument_document()),),
        coproduction_rule=RuleSpec(
            lived_experience_stages=("design_workshop", "review"),
            design_stages=("design_workshop",),
            minimum_lived_design_share=Decimal("0.40"),
        ),
        disclosure_policy=DisclosureSpec(
            name="NHS method",
            suppress_from=1,
            suppress_to=7,
            rounding_base=5,
            minimum_values=8,
            secondary_suppression=True,
        ),
        exported_at="2026-11-26T14:05:00+00:00",
        content_digest="0" * 64,
    )


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return _bundle()


@pytest.fixture(scope="module")
def page(bundle: Bundle) -> str:
    return guide.render_html(bundle).decode("utf-8")


@pytest.fixture(scope="module")
def text(page: str) -> str:
    """The guide's words without tags, one space between each."""
    body = page[page.index("<body") :]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_about_the_model(text: str) -> None:
    assert "Carers' peer trainer programme: a guide to the model" in text
    assert "About the model" in text
    assert "Carers of people with mental health problems" in text
    assert "format version 1" in text
    assert "Exported 26 November 2026" in text
    assert "3 courses" in text and "1 questionnaire" in text
    assert "No personal data." in text


def test_courses(text: str) -> None:
    assert "Courses in the programme" in text
    assert "Coping with a crisis" in text
    assert "Outcome one of Coping with a crisis" in text and "Outcome two of Coping with a crisis" in text
    assert "Recovery College course" in text
    assert "Carers' self-management course" in text
    assert "4 sessions of 120 minutes" in text
    assert "In person or online" in text
    assert "1 peer trainer and 1 professional tutor" in text
    assert "Getting started : Introductions and hopes." in text


def test_coproduction(text: str) -> None:
    assert "How the courses were co-produced" in text
    assert (
        "A course counts as co-produced when people with lived experience took part in the design workshop"
        " and review stages, and gave at least 40% of the hours spent in the design workshop stage." in text
    )
    assert "2 of 3 courses were co-produced" in text
    assert "Lived experience as a carer 6 17.25" in text
    assert "Professional 3 6.25" in text
    assert "Design workshop 5 12 9" in text
    assert "People with lived experience gave 75% of the design hours" in text
    assert "It did not meet the rule." in text


def test_training_and_accreditation(text: str) -> None:
    assert "How peer trainers and facilitators are trained and accredited" in text
    assert "Train the Trainer: two days" in text
    assert "Complete Train the Trainer: two days, attending at least 80% of its sessions." in text
    assert "Be observed by someone else co-delivering 3 sessions, and be rated competent each time." in text
    assert "Show evidence of every competency in Peer trainer competences" in text
    assert "Write 4 reflections" in text and "2 supervision sessions" in text
    assert "The accreditation lasts 24 months." in text
    assert "deliver 6 sessions, take part in 4 supervision sessions and complete 6.5 hours" in text
    assert "For 45 days after it ends it can still be renewed" in text
    # The framework, grouped by domain.
    assert "Domain 1: Values of peer support 1.1 Working from peer values Shows hope and respect." in text
    assert "The programme's own competences: Group work" in text


def test_measurement(page: str, text: str) -> None:
    assert "What is measured and how" in text
    assert "7 days before the first session 14 days EWS" in text
    assert "182 days after the last session ends (about 6 months) 28 days None" in text
    assert "Everyday Worry Scale (EWS)" in text
    assert "Answered by The carer, about themselves" in text
    assert "Questions 2" in text
    assert "Licence Public domain" in text
    assert "Everyday Worry Scale, written for these tests." in text
    assert "Wording included Yes" in text
    assert "0 to 6" in text and "A higher score is worse" in text
    # 1.96 x 2 x sqrt(2 x (1 - 0.5)) = 3.92
    assert "A change of more than 3.92 points (SD 2, reliability 0.5)" in text
    assert "Clinical cut-off, EWS total: Test cut-off." in text
    assert 'href="#instrument-worry-v1"' in page


def test_disclosure(text: str) -> None:
    assert "Disclosure control: how published figures are protected" in text
    assert "NHS method" in text
    assert "Counts from 1 to 7 are hidden" in text
    assert "rounded to the nearest 5" in text
    assert "fewer than 8 values" in text
    assert "Secondary suppression" in text


def test_the_programme_says_its_own_words() -> None:
    bundle = _bundle(DEMENTIA, name="Dementia carers' peer trainer programme")
    page = guide.render_html(bundle).decode("utf-8")
    assert "dementia" in page
    assert "people living with dementia" in page
    assert "mental health" not in page.lower()

    members = Terms(
        person="member",
        people="members",
        condition="diabetes",
        cared_for_group="people with diabetes",
        served="people living with diabetes",
    )
    text = html.unescape(guide.render_html(_bundle(members)).decode("utf-8"))
    assert "Members' self-management course" in text
    assert "Lived experience as a member" in text
    assert "Carers' self-management course" not in text


def test_the_page_is_self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in page
    assert "<style>" in page and "<link" not in page
    assert "<script" not in page.lower()
    assert "http" not in page.lower()
    assert "src=" not in page
    assert "@import" not in page
    # Every link stays inside the document, and every link has somewhere to go.
    anchors = re.findall(r'href="([^"]*)"', page)
    assert anchors and all(anchor.startswith("#") for anchor in anchors)
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert {anchor[1:] for anchor in anchors} <= ids
    # Tables say what they are and which way their headers read.
    assert page.count("<table") == page.count("<caption")
    assert '<th scope="col"' in page and '<th scope="row"' in page


def test_the_page_is_the_same_every_time(bundle: Bundle, page: str) -> None:
    assert guide.render_html(bundle).decode("utf-8") == page
    assert guide.render_html(replace(bundle)).decode("utf-8") == page


def test_a_bundle_without_an_export_date_or_schedules() -> None:
    bundle = replace(_bundle(), exported_at="", content_digest="", schedules=(), schemes=(), frameworks=())
    text = guide.render_html(bundle).decode("utf-8")
    assert "Exported" not in text
    assert "The bundle holds no evaluation schedule." in text
    assert "The bundle holds no accreditation scheme." in text


def test_the_pdf(bundle: Bundle) -> None:
    environment = os.environ.get("SOURCE_DATE_EPOCH")
    found = guide.files(bundle)
    assert os.environ.get("SOURCE_DATE_EPOCH") == environment  # the fixed font date is put back
    assert set(found) == {GUIDE_HTML, GUIDE_PDF}
    assert found[GUIDE_HTML] == guide.render_html(bundle)
    document = found[GUIDE_PDF]
    assert document.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(document))
    words = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "Carers' peer trainer programme" in words
    assert "Coping with a crisis" in words
    assert reader.metadata is not None
    assert reader.metadata.title == "Carers' peer trainer programme: a guide to the model"
    assert str(reader.metadata.get("/CreationDate", "")).startswith("D:20261126140500")
    # Same bundle, same bytes.
    assert guide.render_pdf(bundle) == document
