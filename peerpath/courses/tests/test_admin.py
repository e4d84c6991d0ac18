"""Administrators change what "co-produced" means in the admin, and every verdict follows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from peerpath.courses import coproduction
from peerpath.courses.choices import Capacity, Stage
from peerpath.courses.models import CoproductionRule
from peerpath.courses.tests.factories import CourseFactory, log

pytestmark = pytest.mark.django_db


def test_the_rule_is_edited_in_the_admin_and_changes_the_verdict(admin_client_, home_org):
    course = CourseFactory(owner=home_org)
    log(course, Stage.DESIGN_WORKSHOP, (Capacity.CARER, "1"), (Capacity.PROFESSIONAL, "3"))
    log(course, Stage.PILOT, (Capacity.SERVICE_USER, "1"))
    assert not coproduction.profile_for(course.pk).is_coproduced  # 25% and no review
    rule = CoproductionRule.objects.get()
    url = reverse("admin:courses_coproductionrule_change", args=[rule.pk])
    before = rule.updated_at

    response = admin_client_.post(
        url,
        {
            "lived_experience_stages": [Stage.DESIGN_WORKSHOP, Stage.PILOT],
            "design_stages": [Stage.DESIGN_WORKSHOP],
            "minimum_lived_design_share": "0.25",
        },
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.lived_experience_stages == ["design_workshop", "pilot"]
    assert rule.minimum_lived_design_share == Decimal("0.25")
    assert rule.updated_at > before
    assert coproduction.profile_for(course.pk).is_coproduced


def test_the_admin_refuses_unknown_stages_and_shares_above_one(admin_client_):
    rule = CoproductionRule.objects.get()
    url = reverse("admin:courses_coproductionrule_change", args=[rule.pk])
    response = admin_client_.post(
        url, {"lived_experience_stages": ["brainstorm"], "design_stages": [], "minimum_lived_design_share": "1.5"}
    )
    assert response.status_code == 200  # the admin re-shows the form with its errors
    assert "Select a valid choice" in response.content.decode()
    rule.refresh_from_db()
    assert rule.lived_experience_stages == ["design_workshop", "review"]


def test_there_is_one_rule_and_it_cannot_be_deleted(admin_client_):
    assert admin_client_.get(reverse("admin:courses_coproductionrule_add")).status_code == 403
    rule = CoproductionRule.objects.get()
    assert admin_client_.get(reverse("admin:courses_coproductionrule_delete", args=[rule.pk])).status_code == 403
