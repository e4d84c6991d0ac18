"""An adopted course's page says where it came from and how it was co-produced there."""

from __future__ import annotations

import html
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from peerpath.bundles import services
from peerpath.courses import presenters
from peerpath.courses.models import Course
from peerpath.courses.tests.factories import CourseFactory
from peerpath.people.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_an_adopted_course_says_where_it_came_from_and_how_it_was_coproduced_there(actors) -> None:
    OrganisationFactory(name="Merton Dementia Carers' Partnership")
    call_command(
        "import_programme",
        "--model",
        "dementia-carers",
        "--organisation",
        "Merton Dementia Carers' Partnership",
        "--as",
        actors["administrator"].user.username,
        stdout=None,
    )
    bundle = services.shipped_model("dementia-carers")
    spec = next(c for c in bundle.courses if c.coproduction.co_produced)
    course = Course.objects.get(programme__code="dementia-carers", title=spec.title)

    page = text_of(actors["administrator"].client.get(reverse("courses:course_detail", args=[course.pk])))

    assert f"Adopted from {bundle.programme.name}" in page
    hours = presenters.format_hours(spec.coproduction.hours)
    assert f"There it was co-produced: {spec.coproduction.contributions} contributions, {hours} hours" in page
    # Locally it starts with no record of its own, and the page says how that is built up.
    assert "Not yet co-produced" in page and "as you adapt it with local carers" in page


def test_a_course_made_here_has_no_origin(actors, home_org) -> None:
    course = CourseFactory(owner=home_org)
    page = text_of(actors["coordinator"].client.get(reverse("courses:course_detail", args=[course.pk])))
    assert "Adopted from" not in page
