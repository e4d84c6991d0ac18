"""Administrators keep the category schedules in the admin: a schedule with its instruments,
refused with a clear message (never an IntegrityError) when it breaks a rule."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from peerpath.courses.choices import Category
from peerpath.delivery.tests.factories import open_run
from peerpath.evaluation.models import Schedule, ScheduleInstrument
from peerpath.evaluation.tests.test_responses import shipped

pytestmark = pytest.mark.django_db

ADD = reverse("admin:evaluation_schedule_add")


def posted(*codes: str, **fields: str) -> dict[str, str]:
    """The add form as a browser sends it: the schedule's fields and one inline row per code."""
    data = {
        "category": Category.RECOVERY_COLLEGE,
        "organisation": "",
        "run": "",
        "timepoint": "baseline",
        "days": "7",
        "open_days": "28",
        "active": "on",
        "instruments-TOTAL_FORMS": str(len(codes)),
        "instruments-INITIAL_FORMS": "0",
        "instruments-MIN_NUM_FORMS": "0",
        "instruments-MAX_NUM_FORMS": "1000",
    }
    for index, code in enumerate(codes):
        data[f"instruments-{index}-instrument_code"] = code
        data[f"instruments-{index}-position"] = str(index + 1)
    data.update(fields)
    return data


def errors_of(response) -> str:
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), flags=re.S)
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", block) for block in found))


@pytest.fixture(autouse=True)
def instruments() -> None:
    for code in ("gse", "phq9", "recollect"):
        shipped(code)


def test_an_administrator_adds_a_network_schedule_with_its_instruments(admin_client_):
    response = admin_client_.post(ADD, posted("gse", "phq9"))

    assert response.status_code == 302, errors_of(response)
    schedule = Schedule.objects.get()
    assert (schedule.category, schedule.organisation, schedule.run, schedule.days) == (
        Category.RECOVERY_COLLEGE,
        None,
        None,
        7,
    )
    assert list(schedule.instruments.values_list("instrument_code", "position")) == [("gse", 1), ("phq9", 2)]
    listed = admin_client_.get(reverse("admin:evaluation_schedule_changelist")).content.decode()
    assert "Recovery College course: Baseline" in listed


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("no-such-thing", "There is no published instrument with the code 'no-such-thing': publish it first"),
        ("recollect", "RECOLLECT fidelity is answered by the college about itself, not by participants"),
    ],
)
def test_an_instrument_participants_cannot_be_asked_is_refused(admin_client_, code, message):
    response = admin_client_.post(ADD, posted("gse", code))

    assert response.status_code == 200
    assert message in errors_of(response)
    assert not Schedule.objects.exists() and not ScheduleInstrument.objects.exists()


def test_a_schedule_is_for_a_category_or_a_run_never_both_nor_neither(admin_client_, home_org, actors):
    run = open_run(home_org, actors["coordinator"].user)

    both = admin_client_.post(ADD, posted("gse", run=str(run.pk)))
    neither = admin_client_.post(ADD, posted("gse", category=""))
    run_with_organisation = admin_client_.post(
        ADD, posted("gse", category="", run=str(run.pk), organisation=str(home_org.pk))
    )

    assert "Choose a course category or a run, not both" in errors_of(both)
    assert "Choose the course category this schedule is for" in errors_of(neither)
    assert "Leave the organisation empty for a run's own schedule" in errors_of(run_with_organisation)
    # Only the clear message: not the model's generic "constraint violated" as well.
    assert "Constraint" not in errors_of(both) + errors_of(neither)
    assert not Schedule.objects.exists()

    for_the_run = admin_client_.post(ADD, posted("gse", category="", run=str(run.pk)))

    assert for_the_run.status_code == 302, errors_of(for_the_run)
    assert Schedule.objects.get().run == run
    again = admin_client_.post(ADD, posted("phq9", category="", run=str(run.pk)))
    assert "This run already has its own schedule at baseline: change that one" in errors_of(again)


def test_a_second_schedule_for_the_same_category_and_timepoint_is_refused_clearly(admin_client_):
    assert admin_client_.post(ADD, posted("gse")).status_code == 302

    again = admin_client_.post(ADD, posted("phq9"))

    assert again.status_code == 200
    assert "The network's Recovery College course schedules already include baseline: change that one" in errors_of(
        again
    )
    assert "Constraint" not in errors_of(again)
    assert Schedule.objects.count() == 1
