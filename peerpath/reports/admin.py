"""Administrators configure reports here: the disclosure policy, population benchmarks and unit costs.

Each is configuration that every report names in its method notes, so a change shows in the
next report built. The policy in force is the newest row; saving a new one replaces it.
"""

from __future__ import annotations

from django.contrib import admin

from peerpath.reports.models import DisclosurePolicy, PopulationBenchmark, UnitCost


@admin.register(DisclosurePolicy)
class DisclosurePolicyAdmin(admin.ModelAdmin[DisclosurePolicy]):
    list_display = (
        "name",
        "suppress_from",
        "suppress_to",
        "rounding_base",
        "minimum_values",
        "secondary_suppression",
        "network_is_national",
        "updated_at",
    )
    readonly_fields = ("updated_at",)


@admin.register(PopulationBenchmark)
class PopulationBenchmarkAdmin(admin.ModelAdmin[PopulationBenchmark]):
    list_display = ("dimension", "category", "area", "share", "source", "year")
    list_filter = ("dimension", "area")
    search_fields = ("category", "source")


@admin.register(UnitCost)
class UnitCostAdmin(admin.ModelAdmin[UnitCost]):
    list_display = ("label", "instrument_code", "item_id", "unit", "cost", "source", "year")
    search_fields = ("label", "item_id", "source")
