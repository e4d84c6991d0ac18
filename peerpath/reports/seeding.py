"""Demo report configuration: the disclosure policy, population benchmarks and unit costs.

Registers the ``reports`` step with ``peerpath.core.seeding``, after evaluation (50).

The benchmark shares and unit costs are **illustrative demo values**, not census figures or
published unit costs, and their source says so: a college replaces them with its own
(ONS Census 2021 tables for its boroughs; a current edition of the PSSRU Unit Costs of
Health and Social Care) in the admin before publishing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from peerpath.core import seeding
from peerpath.core.seeding import SeedContext
from peerpath.people import choices
from peerpath.people.models import Area
from peerpath.reports.models import DisclosurePolicy, PopulationBenchmark, UnitCost

ORDER = 60
BENCHMARK_SOURCE = "Illustrative demo values, not census figures: replace with ONS Census 2021 shares for the area"
COST_SOURCE = "Illustrative demo value, not a published unit cost: replace with a current PSSRU Unit Costs edition"
YEAR = 2021
PRICE_YEAR = 2025

# Adult population shares for the network; each borough leans a little from them (below).
AGE = {"18_24": 9, "25_34": 19, "35_44": 19, "45_54": 17, "55_64": 14, "65_74": 12, "75_plus": 10}
SEX = {"female": 51, "male": 49}
DISABILITY = {"yes_a_lot": 6, "yes_a_little": 8, "no": 86}
ETHNICITY = {
    "white_british": 48, "white_irish": 2, "white_gypsy_traveller": 0.2, "white_roma": 0.3, "white_other": 13,
    "mixed_white_black_caribbean": 1.2, "mixed_white_black_african": 0.8, "mixed_white_asian": 1.5, "mixed_other": 1.5,
    "asian_indian": 5, "asian_pakistani": 3, "asian_bangladeshi": 1, "asian_chinese": 2, "asian_other": 6,
    "black_caribbean": 3, "black_african": 6, "black_other": 1.5, "other_arab": 1, "other_any": 3.4,
}  # fmt: skip

# (instrument, question, label, unit, cost in pounds)
UNIT_COSTS = [
    ("service-use-carer", "crisis_contacts", "Crisis team contact (carer)", "contact", "260"),
    ("service-use-carer", "ae_attendances", "A&E attendance (carer)", "attendance", "280"),
    ("service-use-carer", "bed_days", "Mental health bed day (carer)", "bed day", "520"),
    ("service-use-carer", "community_contacts", "Community team contact (carer)", "contact", "140"),
    ("service-use-carer", "gp_mental_health_contacts", "GP mental health appointment (carer)", "appointment", "45"),
    ("service-use-carer", "respite_days", "Day of respite care", "day", "160"),
    ("service-use-cared-for", "crisis_contacts", "Crisis team contact (person cared for)", "contact", "260"),
    ("service-use-cared-for", "ae_attendances", "A&E attendance (person cared for)", "attendance", "280"),
    ("service-use-cared-for", "bed_days", "Mental health bed day (person cared for)", "bed day", "520"),
    ("service-use-cared-for", "community_contacts", "Community team contact (cared-for)", "contact", "140"),
]  # fmt: skip


def _shares(base: Mapping[str, float], lean: int) -> dict[str, Decimal]:
    """``base`` percentages leaned by ``lean`` (a borough's index): a little more of every third
    category, renormalised to fractions that add up to 1."""
    leaned = {code: value * (1 + 0.15 * ((index + lean) % 3 - 1)) for index, (code, value) in enumerate(base.items())}
    total = sum(leaned.values())
    return {code: Decimal(value / total).quantize(Decimal("0.00001")) for code, value in leaned.items()}


def _benchmarks(area: Area | None, lean: int) -> list[PopulationBenchmark]:
    dimension = PopulationBenchmark.Dimension
    rows: list[PopulationBenchmark] = []
    ethnicity = _shares(ETHNICITY, lean)
    groups: dict[str, Decimal] = {}
    for code, share in ethnicity.items():
        group = choices.ethnic_group(code)
        if group is None:
            continue
        groups[group.value] = groups.get(group.value, Decimal(0)) + share
    for kind, shares in (
        (dimension.AGE_BAND, _shares(AGE, lean)),
        (dimension.SEX, _shares(SEX, 0)),
        (dimension.DISABILITY, _shares(DISABILITY, lean)),
        (dimension.ETHNICITY, ethnicity),
        (dimension.ETHNIC_GROUP, groups),
    ):
        rows.extend(
            PopulationBenchmark(
                area=area, dimension=kind, category=code, share=share, source=BENCHMARK_SOURCE, year=YEAR
            )
            for code, share in shares.items()
        )
    return rows


def seed_reports(context: SeedContext) -> None:
    if not DisclosurePolicy.objects.exists():
        context.save_chunk([DisclosurePolicy()])
    if not PopulationBenchmark.objects.exists():
        rows = _benchmarks(None, 0)
        for index, area in enumerate(Area.objects.order_by("code")):
            rows.extend(_benchmarks(area, index + 1))
        context.save_chunk(rows)
    if not UnitCost.objects.exists():
        context.save_chunk(
            [
                UnitCost(
                    instrument_code=code,
                    item_id=item,
                    label=label,
                    unit=unit,
                    cost=Decimal(cost),
                    source=COST_SOURCE,
                    year=PRICE_YEAR,
                )
                for code, item, label, unit, cost in UNIT_COSTS
            ]
        )


seeding.register("reports", ORDER, seed_reports)
