"""Portfolio entries: each rule of saving, submitting and reviewing, at its boundary."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import make_member
from peerpath.accreditation import portfolio
from peerpath.accreditation.awards import AccreditationError
from peerpath.accreditation.models import Competency, CompetencyFramework, PortfolioEntry, Scheme
from peerpath.accreditation.portfolio import EntryData
from peerpath.core.models import AuditEvent
from peerpath.people.models import Membership
from peerpath.people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Kind = PortfolioEntry.Kind
Status = PortfolioEntry.Status


@pytest.fixture
def candidate(actors):
    return actors["participant"]


@pytest.fixture
def assessor(actors):
    return actors["assessor"]


def data(**changes) -> EntryData:
    fields = {
        "kind": Kind.REFLECTION,
        "occurred_on": timezone.localdate(),
        "title": "Co-delivering session 2",
        "text": "I kept to time and shared my story when it helped.",
    }
    fields.update(changes)
    return EntryData(**fields)


def save(candidate, entry=None, **changes) -> PortfolioEntry:
    return portfolio.save_entry(actor=candidate.user, candidate=candidate.person, entry=entry, data=data(**changes))


def submitted(candidate, **changes) -> PortfolioEntry:
    return portfolio.submit_entry(actor=candidate.user, entry=save(candidate, **changes))


def docx(with_word_part: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if with_word_part else "other/part.xml", "<document/>")
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


# Saving ----------------------------------------------------------------------------


def test_a_candidate_saves_a_draft_with_competencies_and_it_is_audited(candidate):
    competencies = list(Competency.objects.filter(code__in=["CPT-6", "CPT-11"]))
    entry = save(candidate, competency_ids=[c.pk for c in competencies])
    assert entry.status == Status.DRAFT
    assert entry.candidate == candidate.person
    assert set(entry.competencies.all()) == set(competencies)
    assert AuditEvent.objects.filter(action="portfolio_entry.created", target_id=str(entry.pk)).exists()


def test_the_date_may_be_today_but_not_tomorrow(candidate):
    assert save(candidate, occurred_on=timezone.localdate()).pk
    with pytest.raises(AccreditationError) as error:
        save(candidate, occurred_on=timezone.localdate() + datetime.timedelta(days=1))
    assert error.value.field == "occurred_on"
    assert PortfolioEntry.objects.count() == 1


@pytest.mark.parametrize("kind", [Kind.SUPERVISION, Kind.CPD])
@pytest.mark.parametrize("hours", [None, Decimal(0)])
def test_supervision_and_development_need_more_than_zero_hours(candidate, kind, hours):
    with pytest.raises(AccreditationError) as error:
        save(candidate, kind=kind, hours=hours)
    assert error.value.field == "hours"
    assert save(candidate, kind=kind, hours=Decimal("0.5")).hours == Decimal("0.5")


@pytest.mark.parametrize("kind", [Kind.REFLECTION, Kind.PRIOR_LEARNING, Kind.TRAINING])
def test_hours_are_optional_for_other_kinds(candidate, kind):
    assert save(candidate, kind=kind, hours=None).hours == 0


def test_negative_hours_are_refused(candidate):
    with pytest.raises(AccreditationError) as error:
        save(candidate, kind=Kind.REFLECTION, hours=Decimal("-1"))
    assert error.value.field == "hours"


def test_a_candidate_cannot_write_an_observation_themselves(candidate):
    with pytest.raises(AccreditationError) as error:
        save(candidate, kind=Kind.OBSERVATION)
    assert error.value.field == "kind"


def test_competencies_must_belong_to_a_published_framework_of_an_active_scheme(candidate):
    draft = CompetencyFramework.objects.create(code="draft-framework", version=1, name="Draft", status="draft")
    unpublished = Competency.objects.create(
        framework=draft, code="D-1", domain_name="Draft", title="Not yet", statement="Not yet published"
    )
    with pytest.raises(AccreditationError) as error:
        save(candidate, competency_ids=[unpublished.pk])
    assert error.value.field == "competencies"
    offered = Competency.objects.get(code="CPT-1")
    assert list(save(candidate, competency_ids=[offered.pk]).competencies.all()) == [offered]
    Scheme.objects.update(active=False)
    with pytest.raises(AccreditationError):
        save(candidate, competency_ids=[offered.pk])


def test_only_the_candidate_writes_in_their_portfolio(candidate, assessor):
    with pytest.raises(AccreditationError):
        portfolio.save_entry(actor=assessor.user, candidate=candidate.person, data=data())
    assert not PortfolioEntry.objects.exists()


# Files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.pdf", b"%PDF-1.7 notes"),
        ("certificate.PNG", b"\x89PNG\r\n\x1a\n rest"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0 rest"),
        ("notes.docx", docx()),
        ("notes.odt", odt()),
    ],
)
def test_documents_and_images_are_stored_under_portfolio(candidate, name, content):
    entry = save(candidate, upload=SimpleUploadedFile(name, content))
    assert entry.file.name.startswith("portfolio/")
    assert entry.file.read() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.pdf", b"<html><script>alert(1)</script>", "not a real PDF"),
        ("notes.pdf", b"MZ\x90\x00 a program", "not a real PDF"),
        ("notes.docx", docx(with_word_part=False), "not a real Word"),
        ("photo.png", b"\xff\xd8\xff a jpeg named png", "not a real PNG"),
        ("notes.txt", b"plain text", "must be a PDF"),
        ("slides.pptx", docx(), "must be a PDF"),
        ("notes.pdf", b"", "empty"),
    ],
)
def test_files_are_checked_by_content_as_well_as_name(candidate, name, content, message):
    with pytest.raises(AccreditationError) as error:
        save(candidate, upload=SimpleUploadedFile(name, content))
    assert error.value.field == "file"
    assert message in str(error.value)
    assert not PortfolioEntry.objects.exists()


def test_files_may_be_up_to_10_mb(candidate):
    limit = 10 * 1024 * 1024
    assert save(candidate, upload=SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (limit - 5))).file
    with pytest.raises(AccreditationError) as error:
        save(candidate, upload=SimpleUploadedFile("bigger.pdf", b"%PDF-" + b"0" * (limit - 4)))
    assert "smaller than 10" in str(error.value)


def test_a_new_file_replaces_the_old_one_which_is_deleted(candidate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = save(candidate, upload=SimpleUploadedFile("one.pdf", b"%PDF-1 one"))
    old = entry.file.name
    storage = entry.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        entry = save(candidate, entry=entry, upload=SimpleUploadedFile("two.pdf", b"%PDF-1 two"))
    assert entry.file.read() == b"%PDF-1 two"
    assert not storage.exists(old)
    with django_capture_on_commit_callbacks(execute=True):
        entry = save(candidate, entry=entry, remove_file=True)
    entry.refresh_from_db()
    assert not entry.file


# Submitting and changing ------------------------------------------------------------


def test_a_submitted_entry_cannot_be_changed_or_submitted_again(candidate):
    entry = submitted(candidate)
    assert entry.status == Status.SUBMITTED
    with pytest.raises(AccreditationError, match="can no longer be changed"):
        save(candidate, entry=entry, title="Changed after submitting")
    with pytest.raises(AccreditationError, match="already been submitted"):
        portfolio.submit_entry(actor=candidate.user, entry=entry)
    entry.refresh_from_db()
    assert entry.title == "Co-delivering session 2"


def test_a_returned_entry_can_be_changed_and_submitted_again(candidate, assessor):
    entry = submitted(candidate)
    portfolio.review_entry(actor=assessor.user, entry=entry, decision="return", note="Say what you would change.")
    entry = save(candidate, entry=entry, text="Next time I would check in with the quieter carers.")
    assert entry.status == Status.RETURNED
    assert portfolio.submit_entry(actor=candidate.user, entry=entry).status == Status.SUBMITTED


# Reviewing --------------------------------------------------------------------------


def test_an_assessor_accepts_a_submitted_entry_and_the_candidate_is_told(
    candidate, assessor, django_capture_on_commit_callbacks
):
    entry = submitted(candidate)
    with django_capture_on_commit_callbacks(execute=True):
        portfolio.review_entry(actor=assessor.user, entry=entry, decision="accept")
    entry.refresh_from_db()
    assert (entry.status, entry.reviewed_by) == (Status.ACCEPTED, assessor.user)
    assert AuditEvent.objects.filter(action="portfolio_entry.accepted", target_id=str(entry.pk)).exists()
    assert [message.to for message in mail.outbox] == [[candidate.person.email]]
    assert "accepted" in mail.outbox[0].subject


def test_returning_an_entry_needs_a_note(candidate, assessor, django_capture_on_commit_callbacks):
    entry = submitted(candidate)
    with pytest.raises(AccreditationError) as error:
        portfolio.review_entry(actor=assessor.user, entry=entry, decision="return", note="   ")
    assert error.value.field == "note"
    with django_capture_on_commit_callbacks(execute=True):
        portfolio.review_entry(actor=assessor.user, entry=entry, decision="return", note="Add what you learned.")
    entry.refresh_from_db()
    assert (entry.status, entry.review_note) == (Status.RETURNED, "Add what you learned.")
    assert "Add what you learned." in mail.outbox[0].body


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ACCEPTED, Status.RETURNED])
def test_only_submitted_entries_are_reviewed(candidate, assessor, status):
    entry = save(candidate)
    PortfolioEntry.objects.filter(pk=entry.pk).update(status=status)
    entry.refresh_from_db()
    with pytest.raises(AccreditationError, match="Only a submitted entry"):
        portfolio.review_entry(actor=assessor.user, entry=entry, decision="accept")


def test_nobody_reviews_their_own_entry_not_even_an_assessor_or_administrator(home_org):
    own = make_member(home_org, Membership.Role.ASSESSOR)
    own.user.is_superuser = True
    own.user.save(update_fields=["is_superuser"])
    entry = portfolio.submit_entry(
        actor=own.user, entry=portfolio.save_entry(actor=own.user, candidate=own, data=data())
    )
    with pytest.raises(AccreditationError, match="your own"):
        portfolio.review_entry(actor=own.user, entry=entry, decision="accept")


def test_an_assessor_of_another_organisation_cannot_review(candidate, other_org):
    elsewhere = make_member(other_org, Membership.Role.ASSESSOR)
    entry = submitted(candidate)
    with pytest.raises(AccreditationError, match="assessor of the candidate's organisation"):
        portfolio.review_entry(actor=elsewhere.user, entry=entry, decision="accept")


def test_a_coordinator_or_a_past_assessor_cannot_review(candidate, actors, home_org):
    entry = submitted(candidate)
    with pytest.raises(AccreditationError, match="Only an assessor of the candidate's organisation"):
        portfolio.review_entry(actor=actors["coordinator"].user, entry=entry, decision="accept")
    former = make_member(home_org, Membership.Role.ASSESSOR)
    today = timezone.localdate()
    Membership.objects.filter(person=former).update(
        started_on=today - datetime.timedelta(days=90), ended_on=today - datetime.timedelta(days=1)
    )
    with pytest.raises(AccreditationError, match="Only an assessor of the candidate's organisation"):
        portfolio.review_entry(actor=former.user, entry=entry, decision="accept")
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED


def test_an_administrator_may_review_without_a_membership(candidate):
    administrator = UserFactory(is_superuser=True, is_staff=True)
    entry = portfolio.review_entry(actor=administrator, entry=submitted(candidate), decision="accept")
    assert entry.status == Status.ACCEPTED
