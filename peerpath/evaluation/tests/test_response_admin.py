"""The admin shows responses read-only and closes safety alerts with a note, through the service."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from peerpath.core.models import AuditEvent
from peerpath.evaluation import instruments, responses
from peerpath.evaluation.models import InstrumentVersion, Response, SafetyAlert

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerted_response(actors) -> Response:
    """The participant's submitted PHQ-9 with item 9 answered 2: one open safety alert."""
    if not InstrumentVersion.objects.filter(code="phq9").exists():
        instruments.sync_shipped()
    carer = actors["participant"]
    response = responses.start_response(
        actor=carer.user,
        person=carer.person,
        instrument_version=InstrumentVersion.objects.get(code="phq9", version=1),
        mode="online",
    )
    answers = {f"q{number}": 1 for number in range(1, 9)} | {"q9": 2}
    responses.save_answers(actor=carer.user, response=response, answers=answers)
    responses.submit(actor=carer.user, response=response)
    return response


def test_a_response_is_shown_read_only_with_its_answers_scores_and_alerts(admin_client_, alerted_response):
    page = admin_client_.get(reverse("admin:evaluation_response_change", args=[alerted_response.pk]))

    assert page.status_code == 200
    content = page.content.decode()
    assert "Answers" in content
    assert "Scores" in content
    assert "Safety alerts" in content
    assert 'name="_save"' not in content  # view only
    # The rows themselves, not just the inline headings (shown even when empty).
    cells = re.sub(r">\s+<", "><", content)
    assert cells.count('<td class="field-item_id"><p>q') == 10  # nine answers and one alert
    assert '<td class="field-scale_code"><p>total</p></td>' in cells
    assert '<td class="field-band"><p>Moderate</p></td>' in cells
    assert '<td class="field-status"><p>Open</p></td>' in cells


def test_responses_cannot_be_added_or_deleted_in_the_admin(admin_client_, alerted_response):
    assert admin_client_.get(reverse("admin:evaluation_response_add")).status_code == 403
    assert admin_client_.get(reverse("admin:evaluation_response_delete", args=[alerted_response.pk])).status_code == 403


def test_the_response_list_shows_each_response(admin_client_, alerted_response):
    page = admin_client_.get(reverse("admin:evaluation_response_changelist"))

    assert page.status_code == 200
    assert str(alerted_response.pk) in page.content.decode()


def test_an_administrator_closes_an_alert_with_a_note(actors, admin_client_, alerted_response):
    alert = alerted_response.safety_alerts.get()
    url = reverse("admin:evaluation_safetyalert_change", args=[alert.pk])

    page = admin_client_.post(url, {"note": "Called them back the same day; GP informed"})

    assert page.status_code == 302
    alert.refresh_from_db()
    assert alert.status == SafetyAlert.Status.CLOSED
    assert alert.closed_by == actors["administrator"].user
    assert alert.note == "Called them back the same day; GP informed"
    assert AuditEvent.objects.filter(action="evaluation.safety_alert_closed", target_id=str(alert.pk)).exists()
    # Closed: the page is view-only now.
    assert admin_client_.post(url, {"note": "changed"}).status_code == 403
    alert.refresh_from_db()
    assert alert.note == "Called them back the same day; GP informed"


def test_an_alert_is_not_closed_without_a_note(admin_client_, alerted_response):
    alert = alerted_response.safety_alerts.get()

    page = admin_client_.post(reverse("admin:evaluation_safetyalert_change", args=[alert.pk]), {"note": ""})

    assert page.status_code == 200
    assert "Enter a note of how the alert was followed up" in page.content.decode()
    alert.refresh_from_db()
    assert alert.status == SafetyAlert.Status.OPEN
