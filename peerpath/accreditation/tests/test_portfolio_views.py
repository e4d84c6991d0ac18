"""The portfolio screens: writing, submitting and reviewing entries, files, and the portfolio page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from peerpath.accreditation import portfolio, portfolio_views
from peerpath.accreditation.models import Competency, Observation, PortfolioEntry
from peerpath.delivery.tests.factories import open_run

pytestmark = pytest.mark.django_db
Status = PortfolioEntry.Status

PORTFOLIO = reverse("accreditation:portfolio")
ADD = reverse("accreditation:entry_add")


def url(name, entry):
    return reverse(f"accreditation:{name}", kwargs={"entry_id": entry.pk})


@pytest.fixture
def candidate(actors):
    return actors["participant"]


def typed(**changes):
    today = timezone.localdate()
    posted = {
        "kind": "supervision",
        "title": "Supervision with Sam",
        "occurred_on_day": str(today.day),
        "occurred_on_month": str(today.month),
        "occurred_on_year": str(today.year),
        "hours": "1.5",
        "text": "We talked about keeping boundaries when a carer is upset.",
        "competencies": [str(Competency.objects.get(code="CPT-11").pk)],
        "action": "draft",
    }
    posted.update(changes)
    return posted


def make_entry(person_actor, **changes):
    fields = {"kind": "reflection", "occurred_on": timezone.localdate(), "title": "My reflection"}
    fields.update(changes)
    return portfolio.save_entry(
        actor=person_actor.user, candidate=person_actor.person, data=portfolio.EntryData(**fields)
    )


def test_add_change_and_submit_round_trip(candidate):
    blank = candidate.client.get(ADD)
    assert blank.status_code == 200
    assert f"{portfolio.FILE_DESCRIPTION}, smaller than 10 MB" in blank.content.decode()
    response = candidate.client.post(ADD, typed())
    entry = PortfolioEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == url("entry_detail", entry)
    assert (entry.status, entry.hours, entry.candidate) == (Status.DRAFT, Decimal("1.5"), candidate.person)
    page = candidate.client.get(url("entry_detail", entry)).content.decode()
    assert "saved as a draft" in page and "CPT-11" in page and url("entry_edit", entry) in page

    form = candidate.client.get(url("entry_edit", entry)).content.decode()
    assert "Supervision with Sam" in form and "keeping boundaries" in form
    response = candidate.client.post(
        url("entry_edit", entry), typed(title="Supervision with Sam (March)", action="submit")
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.title, entry.status) == ("Supervision with Sam (March)", Status.SUBMITTED)
    # Submitted: no longer changeable, by page or by post.
    assert candidate.client.get(url("entry_edit", entry)).status_code == 403
    assert candidate.client.post(url("entry_edit", entry), typed(title="Sneaky")).status_code == 403
    assert url("entry_edit", entry) not in candidate.client.get(url("entry_detail", entry)).content.decode()


def test_a_bad_form_is_400_and_keeps_what_was_typed(candidate):
    response = candidate.client.post(ADD, typed(hours="", title="Supervision about endings"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter how many hours of supervision" in text
    assert "Supervision about endings" in text and "keeping boundaries" in text
    assert "There is a problem" in text
    assert not PortfolioEntry.objects.exists()


def test_a_future_date_or_a_fake_file_is_refused_beside_the_field(candidate):
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    response = candidate.client.post(
        ADD,
        typed(
            occurred_on_day=str(tomorrow.day),
            occurred_on_month=str(tomorrow.month),
            occurred_on_year=str(tomorrow.year),
        ),
    )
    assert response.status_code == 400
    assert "today or in the past" in response.content.decode()
    fake = SimpleUploadedFile("notes.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    response = candidate.client.post(ADD, {**typed(), "file": fake})
    assert response.status_code == 400
    assert "not a real PDF" in response.content.decode()
    assert not PortfolioEntry.objects.exists()


def test_submitting_a_returned_entry_again_after_changing_it(candidate, actors):
    entry = portfolio.submit_entry(actor=candidate.user, entry=make_entry(candidate))
    portfolio.review_entry(actor=actors["assessor"].user, entry=entry, decision="return", note="Add what you learned.")
    form = candidate.client.get(url("entry_edit", entry)).content.decode()
    assert "Add what you learned." in form
    response = candidate.client.post(url("entry_edit", entry), typed(kind="reflection", hours="", action="submit"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED


def test_a_candidate_cannot_see_another_candidates_entry(candidate, actors):
    theirs = make_entry(actors["peer_tutor"])
    assert candidate.client.get(url("entry_detail", theirs)).status_code == 404
    assert candidate.client.get(url("entry_edit", theirs)).status_code == 404
    assert candidate.client.post(url("entry_edit", theirs), typed()).status_code == 404
    assert "My reflection" not in actors["participant"].client.get(PORTFOLIO).content.decode()


def test_files_download_for_the_owner_and_the_assessor_and_are_404_for_others(candidate, actors):
    entry = make_entry(candidate, upload=SimpleUploadedFile("notes.pdf", b"%PDF-1.7 my notes"), title="Notes")
    response = candidate.client.get(url("entry_file", entry))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 my notes"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment") and "notes.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert actors["assessor"].client.get(url("entry_file", entry)).status_code == 200
    for role in ("peer_tutor", "evaluator", "outsider"):
        assert actors[role].client.get(url("entry_file", entry)).status_code == 404, role
    assert actors["anonymous"].client.get(url("entry_file", entry)).status_code == 302
    without_file = make_entry(candidate)
    assert candidate.client.get(url("entry_file", without_file)).status_code == 404


def test_an_assessor_reviews_from_the_entry_page(candidate, actors):
    assessor = actors["assessor"]
    entry = portfolio.submit_entry(actor=candidate.user, entry=make_entry(candidate))
    page = assessor.client.get(url("entry_detail", entry)).content.decode()
    assert url("entry_review", entry) in page
    assert url("entry_review", entry) not in candidate.client.get(url("entry_detail", entry)).content.decode()
    assert candidate.client.post(url("entry_review", entry), {"decision": "accept"}).status_code == 403

    response = assessor.client.post(url("entry_review", entry), {"decision": "return", "note": ""})
    assert response.status_code == 400
    assert "Enter what the candidate needs to add or change" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED

    response = assessor.client.post(url("entry_review", entry), {"decision": "accept"}, follow=True)
    assert "has been accepted" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.status, entry.reviewed_by) == (Status.ACCEPTED, assessor.user)
    # Reviewed already: a second review is refused with a message, not a 500.
    again = assessor.client.post(url("entry_review", entry), {"decision": "return", "note": "More please"})
    assert again.status_code == 400


def test_the_portfolio_groups_entries_and_filters_by_kind(candidate):
    make_entry(candidate, title="A reflection")
    make_entry(candidate, kind="cpd", hours=Decimal(2), title="A conference")
    page = candidate.client.get(PORTFOLIO).content.decode()
    assert "A reflection" in page and "A conference" in page and "Continuing development (1)" in page
    only = candidate.client.get(PORTFOLIO + "?kind=cpd").content.decode()
    assert "A conference" in only and "A reflection" not in only
    assert "A reflection" in candidate.client.get(PORTFOLIO + "?kind=nonsense").content.decode()


def test_the_portfolio_page_costs_the_same_queries_however_many_entries(
    candidate, actors, home_org, assert_flat_query_count
):
    competencies = list(Competency.objects.filter(code__in=["CPT-1", "CPT-2"]))
    run = open_run(home_org, actors["coordinator"].user, session_count=2)
    sessions = iter(run.sessions.order_by("number"))

    def grow(count):
        Observation.objects.create(
            candidate=candidate.person,
            assessor=actors["assessor"].person,
            session=next(sessions),
            observed_on=timezone.localdate(),
            outcome="competent",
            feedback="Good",
        )
        for index in range(count):
            entry = make_entry(candidate, title=f"Entry {index}", competency_ids=[c.pk for c in competencies])
            if index % 2:
                portfolio.submit_entry(actor=candidate.user, entry=entry)

    def fetch():
        response = candidate.client.get(PORTFOLIO)
        assert response.status_code == 200

    # session, user, principal, person, entries, their competencies, observations, and the
    # navigation's user and group permissions
    assert_flat_query_count(fetch, grow, expected=9)


def test_the_link_back_from_someone_elses_entry_goes_to_the_candidates_page():
    candidate_id = "00000000-0000-4000-8000-000000000000"
    expected = reverse("accreditation:candidate_detail", kwargs={"candidate_id": candidate_id})
    assert portfolio_views.back_to_candidate(candidate_id) == {"href": expected, "text": "Back to the candidate"}
