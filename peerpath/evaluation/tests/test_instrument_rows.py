"""Shipped instrument files become published rows; a published version never changes; administrators add versions."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from peerpath.evaluation import instruments
from peerpath.evaluation.models import InstrumentVersion

pytestmark = pytest.mark.django_db


def small_document(code: str = "wellbeing-check", version: int = 1) -> dict:
    """A minimal valid peerpath-instrument document: two items rated 1-5, summed."""
    return {
        "format": "peerpath-instrument",
        "format_version": 1,
        "code": code,
        "version": version,
        "scoring_version": 1,
        "name": "A two-question wellbeing check",
        "short_name": "Wellbeing check",
        "description": "For tests of loading and versioning.",
        "respondent": "carer",
        "licence": {
            "class": "own",
            "ships_text": True,
            "attribution": "PeerPath tests",
            "source": "Written for PeerPath's tests",
            "decision": "Our own wording, so it ships.",
        },
        "response_sets": {
            "five": [
                {"value": value, "label": label}
                for value, label in enumerate(["Never", "Rarely", "Sometimes", "Often", "Always"], start=1)
            ]
        },
        "items": [
            {
                "id": "calm",
                "number": 1,
                "text": "I have felt calm",
                "kind": "choice",
                "response_set": "five",
                "required": True,
                "reverse": False,
            },
            {
                "id": "rested",
                "number": 2,
                "text": "I have felt rested",
                "kind": "choice",
                "response_set": "five",
                "required": True,
                "reverse": False,
            },
        ],
        "scales": [
            {
                "code": "total",
                "name": "Total",
                "items": ["calm", "rested"],
                "rule": {"type": "sum", "missing": {"type": "complete_only"}},
                "range": [2, 10],
                "direction": "higher_is_better",
            }
        ],
    }


def write(folder: Path, document: dict) -> Path:
    path = folder / f"{document['code']}-v{document['version']}.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def test_every_shipped_file_is_a_published_row_after_migrate():
    shipped = instruments.shipped_documents()
    rows = {(row.code, row.version): row for row in InstrumentVersion.objects.all()}
    for _path, document in shipped:
        row = rows[(document["code"], document["version"])]
        assert row.status == InstrumentVersion.Status.PUBLISHED
        assert row.origin == InstrumentVersion.Origin.SHIPPED
        assert row.checksum == instruments.checksum(document)
        assert row.ships_text == document["licence"]["ships_text"]


def test_loading_is_idempotent_and_a_changed_published_version_is_refused(tmp_path):
    document = small_document()
    write(tmp_path, document)
    first = instruments.sync_shipped(folder=tmp_path)
    again = instruments.sync_shipped(folder=tmp_path)
    assert (first.created, again.created, again.unchanged) == (
        ["wellbeing-check version 1"],
        [],
        ["wellbeing-check version 1"],
    )

    changed = copy.deepcopy(document)
    changed["scales"][0]["rule"]["missing"] = {"type": "prorate", "max_missing": 1}
    write(tmp_path, changed)
    refused = instruments.sync_shipped(folder=tmp_path)
    assert refused.created == [] and len(refused.refused) == 1
    assert "give the file a new version number" in refused.refused[0]
    row = InstrumentVersion.objects.get(code="wellbeing-check", version=1)
    assert row.definition == document  # the published version did not change

    # Reformatting the same content is not a change.
    (tmp_path / "wellbeing-check-v1.json").write_text(json.dumps(document, indent=None), encoding="utf-8")
    assert instruments.sync_shipped(folder=tmp_path).refused == []


def test_the_command_reports_refusals_as_an_error(tmp_path, capsys):
    write(tmp_path, small_document())
    call_command("load_instruments", folder=tmp_path)
    assert "1 loaded, 0 already there" in capsys.readouterr().out
    changed = small_document()
    changed["name"] = "Changed"
    write(tmp_path, changed)
    with pytest.raises(CommandError, match="already loaded with other content"):
        call_command("load_instruments", folder=tmp_path)


def test_a_broken_file_is_refused_with_the_reason(tmp_path):
    broken = small_document()
    broken["scales"][0]["items"].append("no-such-item")
    write(tmp_path, broken)
    with pytest.raises(CommandError, match="no-such-item"):
        call_command("load_instruments", folder=tmp_path)
    assert not InstrumentVersion.objects.filter(code="wellbeing-check").exists()


@pytest.fixture
def loaded(tmp_path) -> InstrumentVersion:
    write(tmp_path, small_document())
    instruments.sync_shipped(folder=tmp_path)
    return InstrumentVersion.objects.get(code="wellbeing-check")


def test_an_administrator_makes_a_new_draft_version_edits_and_publishes_it(admin_client, loaded):
    changelist = reverse("admin:evaluation_instrumentversion_changelist")
    admin_client.post(changelist, {"action": "new_draft_version", "_selected_action": [loaded.pk]})
    draft = InstrumentVersion.objects.get(code="wellbeing-check", version=2)
    assert draft.status == InstrumentVersion.Status.DRAFT and draft.origin == InstrumentVersion.Origin.LOCAL

    edited = copy.deepcopy(draft.definition)
    edited["name"] = "A two-question wellbeing check (revised)"
    change = reverse("admin:evaluation_instrumentversion_change", args=[draft.pk])
    response = admin_client.post(change, {"definition": json.dumps(edited)})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "A two-question wellbeing check (revised)"
    assert draft.checksum == instruments.checksum(edited)

    admin_client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == InstrumentVersion.Status.PUBLISHED
    loaded.refresh_from_db()
    assert loaded.version == 1 and loaded.status == InstrumentVersion.Status.PUBLISHED


def test_an_invalid_draft_is_refused_with_the_reason_and_a_published_version_is_read_only(admin_client, loaded):
    changelist = reverse("admin:evaluation_instrumentversion_changelist")
    admin_client.post(changelist, {"action": "new_draft_version", "_selected_action": [loaded.pk]})
    draft = InstrumentVersion.objects.get(code="wellbeing-check", version=2)
    broken = copy.deepcopy(draft.definition)
    broken["items"][0]["response_set"] = "seven"
    response = admin_client.post(
        reverse("admin:evaluation_instrumentversion_change", args=[draft.pk]), {"definition": json.dumps(broken)}
    )
    assert response.status_code == 200
    assert "seven" in response.content.decode()
    draft.refresh_from_db()
    assert draft.definition["items"][0]["response_set"] == "five"

    renumbered = copy.deepcopy(draft.definition)
    renumbered["version"] = 7
    response = admin_client.post(
        reverse("admin:evaluation_instrumentversion_change", args=[draft.pk]), {"definition": json.dumps(renumbered)}
    )
    assert "make a new draft version to change them" in response.content.decode()

    page = admin_client.get(reverse("admin:evaluation_instrumentversion_change", args=[loaded.pk])).content.decode()
    assert 'name="definition"' not in page
