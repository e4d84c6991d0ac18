"""Report filters read from the address, and programme report builds in the background."""

from __future__ import annotations

import datetime
import re

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from peerpath.courses.tests.factories import TermFactory
from peerpath.people.models import Area, Membership
from peerpath.people.tests.factories import MembershipFactory
from peerpath.reports import programme
from peerpath.reports.filters import DEFAULT_DAYS, MAX_YEARS, read_filters
from peerpath.reports.models import DisclosurePolicy, ReportBuild

pytestmark = pytest.mark.django_db


def query(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


def test_with_no_filters_a_report_covers_the_year_to_today_for_the_users_organisations(actors, home_org):
    filters = read_filters(actors["evaluator"].user, query())

    today = timezone.localdate()
    assert (filters.scope.start, filters.scope.end) == (today - datetime.timedelta(days=DEFAULT_DAYS), today)
    assert filters.scope.organisation_ids == {home_org.pk}
    assert not filters.scope.exact and not filters.scope.all_organisations
    assert filters.messages == []


def test_a_term_sets_the_period_and_stays_in_the_query_string(actors, home_org):
    term = TermFactory(organisation=home_org, starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 3, 27))

    filters = read_filters(actors["coordinator"].user, query(term=term.slug))

    assert (filters.scope.start, filters.scope.end, filters.scope.term) == (term.starts_on, term.ends_on, term)
    assert f"term={term.slug}" in filters.query
    assert ("Term", term.name) in filters.scope.describe()


def test_another_organisations_term_or_organisation_is_dropped_with_a_message(actors, other_org):
    theirs = TermFactory(organisation=other_org)

    filters = read_filters(actors["coordinator"].user, query(term=theirs.slug, organisation=str(other_org.pk)))

    assert filters.scope.term is None
    assert other_org.pk not in filters.scope.organisation_ids
    assert len(filters.messages) == 2
    assert "term=" not in filters.query and "organisation=" not in filters.query


def test_dates_out_of_order_are_swapped_and_too_long_a_period_is_cut(actors):
    swapped = read_filters(
        actors["coordinator"].user,
        query(start_day="1", start_month="6", start_year="2026", end_day="1", end_month="1", end_year="2026"),
    )
    assert (swapped.scope.start, swapped.scope.end) == (datetime.date(2026, 1, 1), datetime.date(2026, 6, 1))
    assert any("swapped" in message for message in swapped.messages)

    long = read_filters(actors["coordinator"].user, query(start_day="1", start_month="1", start_year="1990"))
    assert (long.scope.end - long.scope.start).days <= MAX_YEARS * 366
    assert any("at most" in message for message in long.messages)


@pytest.mark.parametrize(
    "values",
    [
        {"start_day": "x", "start_month": "1", "start_year": "2026"},
        {"end_day": "31", "end_month": "2", "end_year": "2026"},
        {"area": "E99999999"},
        {"category": "astrology"},
        {"course": "not-a-uuid"},
        {"organisation": ["\x00", "nonsense"]},
        {"term": "a" * 5000},
    ],
)
def test_bad_filter_values_are_dropped_with_a_message_never_an_error(actors, values):
    filters = read_filters(actors["evaluator"].user, query(**values))
    assert filters.messages


def test_only_coordinators_of_every_organisation_chosen_see_exact_figures(actors, home_org, other_org):
    both = actors["coordinator"].person
    MembershipFactory(person=both, organisation=other_org, role=Membership.Role.EVALUATOR)

    mine = read_filters(actors["coordinator"].user, query(organisation=str(home_org.pk)))
    mixed = read_filters(actors["coordinator"].user, query())
    assert mine.scope.exact
    assert mixed.scope.organisation_ids == {home_org.pk, other_org.pk}
    assert not mixed.scope.exact


def test_an_administrator_covers_every_organisation_and_counts_are_national_only_when_the_policy_says(
    actors, home_org, other_org
):
    assert not read_filters(actors["administrator"].user, query()).scope.national
    DisclosurePolicy.objects.create(network_is_national=True)

    scope = read_filters(actors["administrator"].user, query()).scope
    assert scope.all_organisations and scope.national
    assert {home_org.pk, other_org.pk} <= scope.organisation_ids
    narrowed = read_filters(actors["administrator"].user, query(organisation=str(home_org.pk))).scope
    assert not narrowed.national


def test_a_borough_filter_is_named_in_what_the_report_covers(actors):
    merton = Area.objects.get(name="Merton")
    scope = read_filters(actors["coordinator"].user, query(area=merton.code)).scope
    assert scope.area == merton and ("Borough", "Merton") in scope.describe()


# Programme report builds -------------------------------------------------------------------


def test_the_status_page_shows_progress_and_polls_while_the_report_is_built(actors, coordinator_client):
    build = ReportBuild.objects.create(
        requested_by=actors["coordinator"].user,
        title="Report",
        status=ReportBuild.Status.RUNNING,
        steps_done=3,
        steps_total=8,
        step_label="Outcomes for carers",
    )
    url = reverse("reports:programme_status", kwargs={"build_id": build.pk})

    page = coordinator_client.get(url).content.decode()
    fragment = coordinator_client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "38% done" in page and "Outcomes for carers" in page
    assert 'value="38"' in page and 'hx-trigger="every 2s"' in page
    assert "<html" not in fragment and 'hx-get="' + url + '"' in fragment


def test_a_finished_build_stops_polling_and_offers_its_downloads(actors, coordinator_client):
    build = ReportBuild.objects.create(
        requested_by=actors["coordinator"].user, title="Report", status=ReportBuild.Status.DONE, pdf=b"%PDF"
    )
    page = coordinator_client.get(reverse("reports:programme_status", kwargs={"build_id": build.pk})).content.decode()
    assert "hx-trigger" not in page
    assert len(re.findall(r'href="[^"]*/report\.(?:pdf|xlsx|html)"', page)) == 3


def test_a_build_whose_requester_lost_access_fails_saying_so(actors):
    user = actors["coordinator"].user
    build = ReportBuild.objects.create(requested_by=user, title="Report")
    Membership.objects.filter(person=actors["coordinator"].person).update(
        started_on=timezone.localdate() - datetime.timedelta(days=30),
        ended_on=timezone.localdate() - datetime.timedelta(days=1),
    )

    programme.build_report(build.pk)

    build.refresh_from_db()
    assert build.status == ReportBuild.Status.FAILED
    assert "no longer have access" in build.error
    assert not build.pdf


def test_building_again_leaves_a_finished_report_as_it_is(actors):
    build = ReportBuild.objects.create(
        requested_by=actors["coordinator"].user, title="Report", status=ReportBuild.Status.DONE, html="kept"
    )
    programme.build_report(build.pk)
    build.refresh_from_db()
    assert build.html == "kept"


def test_a_failure_inside_the_build_is_recorded_without_its_details(actors, monkeypatch):
    build = ReportBuild.objects.create(requested_by=actors["coordinator"].user, title="Report")

    def broken(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(programme, "render_document", broken)
    programme.build_report(build.pk)

    build.refresh_from_db()
    assert build.status == ReportBuild.Status.FAILED
    assert "hunter2" not in build.error and build.error
