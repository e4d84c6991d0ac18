"""Report sections kept in the cache by data version: served again while nothing changed,
built afresh as soon as something a report reads has changed."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from conftest import count_queries
from peerpath.core import audit
from peerpath.reports import versions
from peerpath.reports.presenting import build_section, shown_section
from peerpath.reports.tests.builders import asked_at_baseline, came, finished_run, participant, scope_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PEERPATH_REPORT_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(actors):
    return actors["coordinator"].user


def test_a_section_is_served_from_the_cache_in_one_query_while_nothing_changes(home_org, user):
    came(finished_run(home_org, user), user, [participant(home_org)])
    scope = scope_for(home_org)

    first = build_section("reach", scope)
    queries = count_queries(lambda: build_section("reach", scope))

    assert queries == 1  # the data version
    assert build_section("reach", scope).table("categories").total == first.table("categories").total


def test_a_new_attendance_mark_makes_the_figures_new(home_org, user):
    run = finished_run(home_org, user)
    came(run, user, [participant(home_org)])
    scope = scope_for(home_org)
    assert build_section("reach", scope).table("categories").total["people"] == 1

    came(run, user, [participant(home_org)])

    assert build_section("reach", scope).table("categories").total["people"] == 2


def test_any_audited_change_makes_a_new_data_version(actors):
    before = versions.data_version()
    with transaction.atomic():
        audit.record(actor=actors["administrator"].user, action="test.changed")
    assert versions.data_version() != before


def test_another_scope_or_other_options_are_never_served_each_others_figures(home_org, other_org, user, actors):
    came(finished_run(home_org, user), user, [participant(home_org), participant(home_org)])
    came(finished_run(other_org, actors["outsider"].user), actors["outsider"].user, [participant(other_org)])

    mine = build_section("reach", scope_for(home_org)).table("categories").total["people"]
    theirs = build_section("reach", scope_for(other_org)).table("categories").total["people"]
    narrow = build_section("reach", scope_for(home_org, days=1)).table("categories").total["people"]

    assert (mine, theirs, narrow) == (2, 1, 0)
    asked_at_baseline("swemwbs")
    summary = build_section("outcomes", scope_for(home_org))
    detail = build_section("outcomes", scope_for(home_org), instrument="swemwbs")
    assert summary.table_keys[0] == "summary" and detail.table_keys[0] == "change"


def test_the_protected_page_form_is_kept_apart_for_exact_and_controlled_readers(home_org, user):
    came(finished_run(home_org, user), user, [participant(home_org) for _ in range(3)])
    exact = scope_for(home_org)
    controlled = scope_for(home_org, exact=False)

    shown_exact = shown_section("reach", exact)
    shown_controlled = shown_section("reach", controlled)
    again = count_queries(lambda: shown_section("reach", controlled))

    def people(shown) -> str:
        table = next(table for table in shown.tables if table.key == "categories")
        return table.total[table.column_index("people")].text

    assert (people(shown_exact), people(shown_controlled)) == ("3", "*")
    assert again == 1
