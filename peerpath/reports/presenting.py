"""From a section's exact tables to what a page, an export or the programme report shows.

``show`` puts every table of a section through the disclosure policy (exact only where the
scope allows it) and draws the section's charts from the protected cells, so a chart can
never show what its table hides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from markupsafe import Markup

from peerpath.reports import charts, disclosure, presenters, versions
from peerpath.reports.filters import Scope
from peerpath.reports.sections import Chart, Section, accreditation, coproduction, outcomes, reach, service_use
from peerpath.reports.tables import ProtectedTable

# The report pages, in the order the dashboard and the programme report list them.
SECTIONS: dict[str, tuple[str, Callable[..., Section]]] = {
    "reach": ("Reach: people trained and served", reach.build),
    "outcomes": ("Outcomes for {people}", outcomes.build),
    "service-use": ("Mental health service use", service_use.build),
    "coproduction": ("Co-production and fidelity", coproduction.build),
    "accreditation": ("Accreditation", accreditation.build),
}


@dataclass(kw_only=True)
class ShownChart:
    chart: Chart
    svg: Markup
    table: ProtectedTable


@dataclass(kw_only=True)
class ShownSection:
    section: Section
    tables: list[ProtectedTable]
    charts: list[ShownChart]
    rule: str
    exact: bool

    @property
    def suppressed_cells(self) -> int:
        return sum(table.suppressed_cells for table in self.tables)


def show(section: Section, scope: Scope, *, id_prefix: str = "") -> ShownSection:
    policy = disclosure.Policy.from_model(scope.policy)
    protected = [
        disclosure.protect(table, policy, exact=scope.exact, national=scope.national) for table in section.tables
    ]
    by_key = {table.key: table for table in protected}
    shown = [
        ShownChart(
            chart=chart,
            svg=charts.render(chart, by_key[chart.table], id_prefix=f"{id_prefix}{section.key}-{index}"),
            table=by_key[chart.table],
        )
        for index, chart in enumerate(section.charts)
        if chart.table in by_key and by_key[chart.table].rows
    ]
    rule = (
        protected[0].rule
        if protected
        else disclosure.EXACT_RULE
        if scope.exact
        else policy.describe(national=scope.national)
    )
    return ShownSection(section=section, tables=protected, charts=shown, rule=rule, exact=scope.exact)


def figure(shown: ShownSection, table_key: str, column: str, row: int | None = None) -> str:
    """One protected figure as its page shows it: a row's cell, or the total's (``row`` None)."""
    for table in shown.tables:
        if table.key == table_key:
            cells = table.total if row is None else (table.rows[row] if row < len(table.rows) else None)
            return cells[table.column_index(column)].text if cells else presenters.NO_VALUE
    return presenters.NO_VALUE


def about_rows(scope: Scope, shown: ShownSection | None = None) -> list[tuple[str, str]]:
    """What an export or report covers and which rules applied: its first rows or sheet."""
    rows = list(scope.describe())
    if shown is not None:
        rows.append(("Disclosure control", shown.rule))
    return rows


def build_section(key: str, scope: Scope, **options: Any) -> Section:
    """A section's exact figures, from the cache while nothing they were built from has changed.

    The key holds everything the figures depend on: the section and its options, the scope's
    organisations, period and narrowing (not who looks: disclosure control comes after), and
    the data version (``versions.data_version``). ``known`` (parsed instruments passed along
    to save work) is not part of it: the instruments come from the same data.
    """
    return _cached(("section", key), scope, options, lambda: SECTIONS[key][1](scope, **options))


def shown_section(key: str, scope: Scope, *, id_prefix: str = "", **options: Any) -> ShownSection:
    """A section as a page shows it (its protected tables and charts), from the cache likewise.

    Protecting a long table costs more than building it (secondary suppression's null-space
    test on a breakdown by course), so the protected form is kept too, keyed also by how it
    is shown: exact or not, national or not, and the policy in force.
    """
    policy = scope.policy
    shown_as = (
        scope.exact,
        scope.national,
        id_prefix,
        policy.name,
        policy.suppress_from,
        policy.suppress_to,
        policy.rounding_base,
        policy.minimum_values,
        policy.secondary_suppression,
    )
    return _cached(
        ("shown", key, shown_as),
        scope,
        options,
        lambda: show(SECTIONS[key][1](scope, **options), scope, id_prefix=id_prefix),
    )


def _cached(what: tuple[Any, ...], scope: Scope, options: dict[str, Any], make: Callable[[], Any]) -> Any:
    seconds = settings.PEERPATH_REPORT_CACHE_SECONDS
    if not seconds:
        return make()
    keyed = {name: value for name, value in options.items() if name != "known"}
    cache_key = versions.cache_key(repr(what), scope.cache_key, keyed, versions.data_version())
    found = versions.cached(cache_key)
    if found is None:
        found = make()
        versions.keep(cache_key, found, seconds)
    return found
