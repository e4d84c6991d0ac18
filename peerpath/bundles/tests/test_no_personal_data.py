"""An export of the fully seeded regional data set holds nothing about any person."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.db import models
from pypdf import PdfReader

from peerpath.bundles import services
from peerpath.core import seeding
from peerpath.people.models import Person
from peerpath.programmes.models import Programme

# Models that define the programme itself: their text is what a bundle is for.
DEFINITIONS = {
    "programmes.programme",
    "courses.course",
    "courses.courseversion",
    "courses.outlinesession",
    "courses.coursematerial",
    "courses.coproductionrule",
    "accreditation.competencyframework",
    "accreditation.competency",
    "accreditation.scheme",
    "evaluation.instrumentversion",
    "evaluation.schedule",
    "reports.disclosurepolicy",
    "reports.populationbenchmark",
    "reports.unitcost",
    "people.organisation",
    "people.area",
}
# Text copied from a definition, not written about anyone: a safety alert keeps the message the
# instrument showed, which is part of the instrument's document.
COPIED = {("evaluation.safetyalert", "message")}
# Free text shorter than this is too likely to be a common phrase ("Unwell", "Running late").
NOTE_LENGTH = 25


def _text_of_bundle(content: bytes) -> str:
    parts = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if name.endswith(".pdf") and data.startswith(b"%PDF") and name.startswith("guide/"):
                parts.append("\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))
            if name.endswith(".json"):
                # Undo JSON escapes, so a name with an apostrophe or accent is found as written.
                parts.append(json.dumps(json.loads(data), ensure_ascii=False))
            parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts).casefold()


def _notes() -> set[str]:
    """Every longer free-text value recorded about or by people: notes, feedback, reflections, decisions."""
    found: set[str] = set()
    for model in apps.get_models():
        if model._meta.label_lower in DEFINITIONS or model._meta.app_label in ("auth", "admin", "sessions"):
            continue
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.TextField) and (model._meta.label_lower, f.name) not in COPIED
        ]
        for name in fields:
            values = model._default_manager.exclude(**{name: ""}).values_list(name, flat=True).distinct()
            found |= {value.casefold() for value in values if isinstance(value, str) and len(value) >= NOTE_LENGTH}
    return found


@pytest.mark.django_db
def test_an_export_of_the_regional_data_set_holds_no_name_contact_detail_or_note_of_anyone() -> None:
    seeding.autodiscover()
    seeding.run(scale="regional", seed=seeding.DEFAULT_SEED, write=lambda message: None)
    programme = Programme.objects.get(owner__name="South West London Recovery College")
    text = _text_of_bundle(services.export_programme(programme).content)
    assert programme.name.casefold() in text  # the haystack is the bundle's real text

    people = list(Person.objects.values_list("given_name", "family_name", "email", "phone", "postcode"))
    assert len(people) > 3_000
    leaks = []
    for given, family, email, phone, postcode in people:
        for needle in (f"{given} {family}", email, phone, postcode):
            if needle and needle.casefold() in text:
                leaks.append(needle)
    notes = _notes()
    assert len(notes) > 100  # the seed writes reflections, feedback and notes the bundle must not carry
    leaks += [note[:60] for note in notes if note in text]
    assert leaks == []
