"""Report sections: each builds exact ``Table``s for a ``Scope`` in a fixed number of queries.

A section never formats, suppresses or renders: ``disclosure.protect`` controls its tables,
``charts`` draws them and the views and the programme report lay them out. Every section
module has one entry point, ``build(scope) -> Section``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from peerpath.reports.tables import Table

ChartKind = Literal["bars", "paired", "funnel", "trend"]


@dataclass(frozen=True, kw_only=True)
class Chart:
    """A chart drawn from one of the section's tables, from its protected cells only.

    ``label`` is the TEXT column naming each bar; ``values`` the columns drawn (one for
    plain bars and a funnel, two for a before-and-after pair, one or more for a trend).
    """

    table: str
    kind: ChartKind
    title: str
    label: str
    values: tuple[str, ...]
    # The unit under the axis, e.g. "people", "points on SWEMWBS", "contacts per person-month".
    unit: str = ""


@dataclass(kw_only=True)
class Section:
    key: str
    title: str
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    # How the figures were worked out: sources, instruments' SD and reliability, unit costs.
    method: list[str] = field(default_factory=list)
    # Shown instead of the tables when there is nothing to report, e.g. "No runs started in this period".
    empty: str = ""

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    @property
    def table_keys(self) -> Sequence[str]:
        return [table.key for table in self.tables]
