"""Fuzzing the course, term and prospectus screens with Hypothesis (T3).

Each view gets a valid submission with up to three keys replaced by hostile
text or removed (formset management keys included), or pure noise. It must
answer below 500, and a refused submission must change nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from peerpath.courses.models import CoproductionActivity, Course, CourseVersion, Term
from peerpath.courses.tests.factories import CourseFactory, CourseVersionFactory, TermFactory, approved_course
from tests.fuzzing import date_fields, spoiled, view_fuzz_settings

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, data: dict[str, str]) -> int:
    response = client.post(url, data)
    assert response.status_code < 500, f"{url} answered {response.status_code} to {data!r}"
    return response.status_code


COURSE = {
    "title": "Coping with a crisis",
    "summary": "What to do, who to call and how to look after yourself.",
    "category": "recovery_college",
    "audience": "carers",
    "session_count": "2",
    "session_minutes": "120",
    "delivery_modes": "in_person",
}


def test_the_baselines_are_accepted(coordinator_client, home_org, draft, offered):
    assert coordinator_client.post(reverse("courses:course_create"), COURSE).status_code == 302
    activity = reverse("courses:activity_add", kwargs={"pk": draft.course_id})
    assert coordinator_client.post(activity, _activity_data()).status_code == 302
    assert coordinator_client.post(reverse("terms:term_create"), _term_data(offered)).status_code == 302


@view_fuzz_settings
@given(data=spoiled(COURSE))
def test_course_create_answers_below_500_and_adds_at_most_one_course(coordinator_client, home_org, data):
    before = Course.objects.count()
    status = _post(coordinator_client, reverse("courses:course_create"), data)
    assert Course.objects.count() == before + (1 if status == 302 else 0)


def _version_data(sessions: int) -> dict[str, str]:
    data = {
        "learning_outcomes": "Name two sources of support",
        "change_note": "",
        "peer_trainers_required": "1",
        "professional_tutors_required": "1",
        "peer_facilitators_required": "0",
        "sessions-TOTAL_FORMS": str(sessions),
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": str(sessions),
    }
    for index in range(sessions):
        data[f"sessions-{index}-title"] = f"Session {index + 1}"
        data[f"sessions-{index}-description"] = ""
    return data


@pytest.fixture
def draft(home_org, actors) -> CourseVersion:
    course = CourseFactory(owner=home_org, status=Course.Status.IN_COPRODUCTION, session_count=2)
    return CourseVersionFactory(course=course, number=1, created_by=actors["coordinator"].user)


def test_the_version_baseline_is_accepted(coordinator_client, draft):
    url = reverse("courses:version_edit", kwargs={"pk": draft.course_id, "number": 1})
    assert coordinator_client.post(url, _version_data(2)).status_code == 302
    assert draft.outline.count() == 2


@view_fuzz_settings
@given(data=spoiled(_version_data(2)))
def test_version_edit_answers_below_500_and_keeps_the_outline_when_refused(coordinator_client, draft, data):
    before = list(draft.outline.values_list("number", "title"))
    url = reverse("courses:version_edit", kwargs={"pk": draft.course_id, "number": 1})
    if _post(coordinator_client, url, data) != 302:
        assert list(draft.outline.values_list("number", "title")) == before
    assert draft.course.versions.count() == 1


def _activity_data() -> dict[str, str]:
    today = timezone.localdate()
    data = {
        **date_fields("occurred_on", today.day, today.month, today.year),
        "stage": "review",
        "hours": "2",
        "decisions": "",
        "version": "",
        "contributors-TOTAL_FORMS": "6",
        "contributors-INITIAL_FORMS": "0",
        "contributors-MIN_NUM_FORMS": "0",
        "contributors-MAX_NUM_FORMS": "6",
    }
    for index in range(6):
        data.update({f"contributors-{index}-{name}": "" for name in ("capacity", "person", "hours")})
    data["contributors-0-capacity"] = "carer"
    return data


@view_fuzz_settings
@given(data=spoiled(_activity_data()))
def test_activity_add_answers_below_500_and_logs_at_most_one_activity(coordinator_client, draft, data):
    before = CoproductionActivity.objects.count()
    status = _post(coordinator_client, reverse("courses:activity_add", kwargs={"pk": draft.course_id}), data)
    assert CoproductionActivity.objects.count() == before + (1 if status == 302 else 0)


@pytest.fixture
def offered(home_org, actors) -> Course:
    return approved_course(home_org, actors["coordinator"].user, title="Friendly Wards")


def _term_data(course: Course) -> dict[str, str]:
    start = timezone.localdate()
    end = start + datetime.timedelta(days=80)
    return {
        "name": "Autumn 2027",
        **date_fields("starts_on", start.day, start.month, start.year),
        **date_fields("ends_on", end.day, end.month, end.year),
        "published": "on",
        "courses": str(course.pk),
    }


@view_fuzz_settings
@given(data=st.data())
def test_term_create_answers_below_500_and_adds_at_most_one_term(coordinator_client, offered, data):
    submitted = data.draw(spoiled(_term_data(offered)), label="term")
    before = Term.objects.count()
    status = _post(coordinator_client, reverse("terms:term_create"), submitted)
    assert Term.objects.count() == before + (1 if status == 302 else 0)


@pytest.fixture
def published(home_org, offered) -> Term:
    term = TermFactory(organisation=home_org, slug="spring-2027")
    term.courses.add(offered)
    return term


FILTERS = {"category": "recovery_college", "audience": "carers", "borough": "", "mode": "in_person"}


@view_fuzz_settings
@given(query=spoiled(FILTERS))
def test_prospectus_filters_answer_below_500(client, published, query: dict[str, Any]):
    for name in ("prospectus:term", "prospectus:pdf"):
        response = client.get(reverse(name, kwargs={"slug": published.slug}), query)
        assert response.status_code in (200, 400), f"{name} answered {response.status_code} to {query!r}"


@view_fuzz_settings
@given(query=spoiled({"q": "crisis", "category": "", "status": "approved", "organisation": ""}))
def test_course_list_filters_answer_below_500(coordinator_client, offered, query):
    response = coordinator_client.get(reverse("courses:course_list"), query)
    assert response.status_code in (200, 400)
