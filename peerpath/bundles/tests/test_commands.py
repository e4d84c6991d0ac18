"""The shipped dementia carers' model loads with one command; a programme exports with another."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from peerpath.accreditation.models import Scheme
from peerpath.bundles import reading
from peerpath.core.models import AuditEvent
from peerpath.courses.models import Course
from peerpath.people.tests.factories import OrganisationFactory, UserFactory
from peerpath.programmes.models import Programme

pytestmark = pytest.mark.django_db


def load(*extra: str) -> str:
    out = StringIO()
    call_command(
        "import_programme",
        "--model",
        "dementia-carers",
        "--organisation",
        "Merton Dementia Carers' Partnership",
        "--as",
        "admin",
        *extra,
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture
def owner() -> None:
    OrganisationFactory(name="Merton Dementia Carers' Partnership")
    UserFactory(username="admin", is_superuser=True, is_staff=True)


def test_the_dementia_model_loads_with_one_command_in_its_own_words(owner: None) -> None:
    output = load()

    programme = Programme.objects.get(code="dementia-carers")
    assert "Imported" in output and programme.owner.name == "Merton Dementia Carers' Partnership"
    assert programme.terms.condition == "dementia" and programme.terms.cared_for_group == "people living with dementia"
    courses = Course.objects.filter(programme=programme)
    assert courses.count() >= 8 and courses.filter(category="train_the_trainer").exists()
    assert set(Scheme.objects.filter(programme=programme).values_list("code", flat=True)) == {
        "dementia-carer-peer-trainer",
        "dementia-carer-peer-facilitator",
    }
    text = " ".join(f"{c.title} {c.summary}" for c in courses).casefold()
    assert "dementia" in text and "mental health" not in text


def test_a_dry_run_shows_the_preview_and_writes_nothing(owner: None) -> None:
    output = load("--dry-run")
    assert "Will create programme" in output and "courses:" in output
    assert not Programme.objects.exists() and not Course.objects.exists()


def test_loading_it_again_changes_nothing(owner: None) -> None:
    load()
    courses = Course.objects.count()
    assert "nothing changed" in load()
    assert Course.objects.count() == courses and Programme.objects.count() == 1


def test_an_unknown_organisation_or_user_is_refused_with_a_message(owner: None) -> None:
    with pytest.raises(CommandError, match="No organisation is called 'Nowhere'"):
        call_command("import_programme", "--model", "dementia-carers", "--organisation", "Nowhere", "--as", "admin")
    with pytest.raises(CommandError, match="No active user is called 'nobody'"):
        call_command(
            "import_programme",
            "--model",
            "dementia-carers",
            "--organisation",
            "Merton Dementia Carers' Partnership",
            "--as",
            "nobody",
        )


def test_a_programme_exports_to_a_file_that_reads_back(owner: None, tmp_path: Path) -> None:
    load()
    target = tmp_path / "dementia.zip"
    out = StringIO()
    call_command("export_programme", "Merton Dementia Carers' Partnership", "dementia-carers", str(target), stdout=out)
    bundle = reading.read(target.read_bytes())
    assert bundle.programme.terms.condition == "dementia"
    assert len(bundle.frameworks) == 1
    assert f"{len(bundle.courses)} courses, {len(bundle.schemes)} schemes, 1 framework, " in out.getvalue()
    event = AuditEvent.objects.get(action="programme.exported")
    assert event.actor_label == "system:export_programme command"
    assert len(bundle.courses) == Course.objects.filter(programme__code="dementia-carers").count()
    with pytest.raises(CommandError, match="has no programme with the code 'nope'"):
        call_command("export_programme", "Merton Dementia Carers' Partnership", "nope", str(target))


def test_a_broken_bundle_file_is_refused_with_its_reason(owner: None, tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="not a zip archive"):
        call_command(
            "import_programme",
            "--file",
            str(broken),
            "--organisation",
            "Merton Dementia Carers' Partnership",
            "--as",
            "admin",
        )
    assert not Programme.objects.exists()
