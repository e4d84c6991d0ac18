"""Administrators edit frameworks by version and schemes in the admin site."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerpath.accreditation.models import Competency, CompetencyFramework, Scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    return CompetencyFramework.objects.get(code="carer-peer-trainer")


def test_a_published_framework_cannot_be_edited_in_place(admin_client_, framework):
    page = admin_client_.get(reverse("admin:accreditation_competencyframework_change", args=[framework.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Working from peer values" in body
    assert 'name="competencies-0-title"' not in body  # the inline is read-only


def test_a_new_draft_version_copies_the_competencies_and_can_be_published(admin_client_, framework):
    url = reverse("admin:accreditation_competencyframework_changelist")
    admin_client_.post(url, {"action": "new_draft_version", "_selected_action": [str(framework.pk)]})
    draft = CompetencyFramework.objects.get(code=framework.code, version=2)
    assert draft.status == "draft"
    assert list(draft.competencies.values_list("code", "statement")) == list(
        framework.competencies.values_list("code", "statement")
    )
    page = admin_client_.get(reverse("admin:accreditation_competencyframework_change", args=[draft.pk]))
    assert 'name="competencies-0-title"' in page.content.decode()
    # A second draft of the same framework is not made while one is open.
    admin_client_.post(url, {"action": "new_draft_version", "_selected_action": [str(framework.pk)]})
    assert CompetencyFramework.objects.filter(code=framework.code).count() == 2
    admin_client_.post(url, {"action": "publish", "_selected_action": [str(draft.pk)]})
    draft.refresh_from_db()
    assert draft.status == "published"
    assert Competency.objects.filter(framework=draft).count() == 11


def test_schemes_point_only_at_published_frameworks(admin_client_, framework):
    CompetencyFramework.objects.create(code="draft-only", name="Draft only")
    scheme = Scheme.objects.get(code="carer-peer-trainer-rc")
    page = admin_client_.get(reverse("admin:accreditation_scheme_change", args=[scheme.pk])).content.decode()
    assert "Carer peer trainer and facilitator competences" in page
    assert "Draft only" not in page
