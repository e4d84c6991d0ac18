"""The preview of an import: the bundle matched against what this installation already has.

Writes nothing. Identical things are reused; anything that differs under the same identity
is a :class:`Conflict` with two answers (docs/programme-bundles.md, "Importing").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from peerpath.accreditation.models import CompetencyFramework, Scheme
from peerpath.bundles.format import Bundle, FrameworkSpec, InstrumentSpec, SchemeSpec
from peerpath.bundles.models import ProgrammeImport
from peerpath.bundles.reading import BundleError
from peerpath.courses import materials
from peerpath.courses.models import (
    CoproductionRule,
)
from peerpath.evaluation import instruments as instrument_files
from peerpath.evaluation.models import InstrumentVersion, Schedule
from peerpath.people.models import Organisation
from peerpath.programmes.models import Programme
from peerpath.reports.filters import current_policy

KEEP = "keep"
USE_BUNDLE = "bundle"


class ImportRefusedError(ValueError):
    """The import cannot go ahead as asked; the message says why, fit to show, and ``field``
    names the form field it is about (``None``: the import as a whole)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Conflict:
    key: str
    title: str
    problem: str
    keep_label: str
    bundle_label: str

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(KEEP, self.keep_label), (USE_BUNDLE, self.bundle_label)]


@dataclass
class Preview:
    """What importing the bundle for ``owner`` as programme ``code`` would do."""

    bundle: Bundle
    owner: Organisation
    code: str
    name: str
    earlier: ProgrammeImport | None = None
    problems: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    new_instruments: list[InstrumentSpec] = field(default_factory=list)
    same_instruments: list[InstrumentSpec] = field(default_factory=list)
    new_frameworks: list[FrameworkSpec] = field(default_factory=list)
    same_frameworks: list[FrameworkSpec] = field(default_factory=list)
    new_schemes: list[SchemeSpec] = field(default_factory=list)
    adopted_schemes: list[SchemeSpec] = field(default_factory=list)
    new_schedules: list[str] = field(default_factory=list)
    # What the database holds for each thing the bundle names, for the import itself.
    instrument_rows: dict[str, InstrumentVersion | None] = field(default_factory=dict)
    framework_rows: dict[tuple[str, int], CompetencyFramework | None] = field(default_factory=dict)
    scheme_rows: dict[str, Scheme | None] = field(default_factory=dict)
    schedule_rows: dict[tuple[str, str], Schedule | None] = field(default_factory=dict)

    @property
    def can_import(self) -> bool:
        return self.earlier is None and not self.problems


def _competencies(framework: CompetencyFramework) -> list[tuple[Any, ...]]:
    return [
        (c.code, c.domain_number, c.domain_name, c.reference, c.title, c.statement)
        for c in sorted(framework.competencies.all(), key=lambda c: (c.order, c.code))
    ]


def _same_framework(spec: FrameworkSpec, row: CompetencyFramework) -> bool:
    wanted = [(c.code, c.domain_number, c.domain_name, c.reference, c.title, c.statement) for c in spec.competencies]
    return row.name == spec.name and _competencies(row) == wanted


def _same_scheme(spec: SchemeSpec, row: Scheme) -> bool:
    return (
        row.name == spec.name
        and row.description == spec.description
        and row.grants == spec.grants
        and (row.framework.code, row.framework.version) == (spec.framework_code, spec.framework_version)
        and all(getattr(row, name) == value for name, value in spec.numbers.items())
        and row.every_competency_evidenced == spec.every_competency_evidenced
        and row.validity_months == spec.validity_months
        and Decimal(row.renewal_cpd_hours) == spec.renewal_cpd_hours
    )


def _framework_reused(plan: Preview, spec: SchemeSpec) -> bool:
    """Whether the scheme's framework is here as the bundle has it (so the scheme here can be adopted)."""
    return any((f.code, f.version) == (spec.framework_code, spec.framework_version) for f in plan.same_frameworks)


def check_materials(bundle: Bundle) -> None:
    """Every material is the kind of file its name says, as an upload would be checked."""
    for course in bundle.courses:
        for material in course.version.materials:
            upload = SimpleUploadedFile(material.path.rsplit("/", 1)[-1], bundle.materials[material.path])
            try:
                materials.check_upload(upload)
            except materials.MaterialRejectedError as error:
                raise BundleError(f"{material.path}: {error}") from None


def preview(bundle: Bundle, *, owner: Organisation, code: str = "", name: str = "") -> Preview:
    """Match the bundle against this installation; writes nothing."""
    check_materials(bundle)
    plan = Preview(bundle=bundle, owner=owner, code=code or bundle.programme.code, name=name or bundle.programme.name)
    plan.earlier = (
        ProgrammeImport.objects.filter(owner=owner, content_digest=bundle.content_digest)
        .select_related("programme")
        .first()
        if bundle.content_digest
        else None
    )
    if Programme.objects.filter(owner=owner, code=plan.code).exists():
        plan.problems.append(
            f"{owner} already has a programme with the code '{plan.code}'. Enter another code for this one"
        )

    _match_instruments(plan)
    _match_frameworks(plan)
    _match_schemes(plan)
    _match_schedules(plan)
    _match_policies(plan)
    return plan


def _match_instruments(plan: Preview) -> None:
    stored = {
        (row.code, row.version): row
        for row in InstrumentVersion.objects.filter(code__in={i.code for i in plan.bundle.instruments})
    }
    for spec in plan.bundle.instruments:
        row = stored.get((spec.code, spec.version))
        plan.instrument_rows[spec.code] = row
        if row is None:
            plan.new_instruments.append(spec)
        elif row.checksum == instrument_files.checksum(spec.document):
            plan.same_instruments.append(spec)
        else:
            plan.conflicts.append(
                Conflict(
                    key=f"instrument:{spec.code}:{spec.version}",
                    title=f"Instrument {spec.label}",
                    problem="This installation has a different definition under the same code and version.",
                    keep_label="Use the definition already here",
                    bundle_label=f"Import the bundle's under the new code '{copy_code(spec.code, plan.code)}'",
                )
            )


def _match_frameworks(plan: Preview) -> None:
    frameworks = {
        (row.code, row.version): row
        for row in CompetencyFramework.objects.filter(
            code__in={f.code for f in plan.bundle.frameworks}
        ).prefetch_related("competencies")
    }
    for spec in plan.bundle.frameworks:
        row = frameworks.get((spec.code, spec.version))
        plan.framework_rows[(spec.code, spec.version)] = row
        if row is None:
            plan.new_frameworks.append(spec)
        elif _same_framework(spec, row):
            plan.same_frameworks.append(spec)
        else:
            plan.conflicts.append(
                Conflict(
                    key=f"framework:{spec.code}:{spec.version}",
                    title=f"Competency framework {spec.label}",
                    problem="This installation has other competencies under the same code and version.",
                    keep_label="Use the framework already here",
                    bundle_label="Import the bundle's as the next version of the framework",
                )
            )


def _match_schemes(plan: Preview) -> None:
    schemes = {
        row.code: row
        for row in Scheme.objects.filter(code__in={s.code for s in plan.bundle.schemes}).select_related("framework")
    }
    for spec in plan.bundle.schemes:
        row = schemes.get(spec.code)
        plan.scheme_rows[spec.code] = row
        if row is None:
            plan.new_schemes.append(spec)
        elif row.programme_id is None and _same_scheme(spec, row) and _framework_reused(plan, spec):
            plan.adopted_schemes.append(spec)
        else:
            plan.conflicts.append(
                Conflict(
                    key=f"scheme:{spec.code}",
                    title=f"Accreditation scheme '{spec.name}'",
                    problem=(
                        "A scheme with this code already belongs to another programme."
                        if row.programme_id
                        else "A scheme with this code is already here, with other requirements or competencies."
                    ),
                    keep_label="Use the scheme already here (this programme will not have its own)",
                    bundle_label=f"Import the bundle's under the new code '{copy_code(spec.code, plan.code)}'",
                )
            )


def _match_schedules(plan: Preview) -> None:
    own = {
        (row.category, row.timepoint): row
        for row in Schedule.objects.filter(organisation=plan.owner, run__isnull=True).prefetch_related("instruments")
    }
    for spec in plan.bundle.schedules:
        row = own.get((spec.category, spec.timepoint))
        plan.schedule_rows[(spec.category, spec.timepoint)] = row
        label = f"{_category_label(spec.category)} at {spec.timepoint.replace('_', '-')}"
        if row is None:
            plan.new_schedules.append(label)
        elif (row.days, row.open_days, row.active) != (spec.days, spec.open_days, spec.active) or [
            i.instrument_code for i in sorted(row.instruments.all(), key=lambda i: i.position)
        ] != list(spec.instruments):
            plan.conflicts.append(
                Conflict(
                    key=f"schedule:{spec.category}:{spec.timepoint}",
                    title=f"Questionnaire schedule: {label}",
                    problem=(f"{plan.owner} has its own schedule here, asking other questionnaires or at other times."),
                    keep_label=f"Keep {plan.owner}'s schedule",
                    bundle_label="Use the bundle's schedule",
                )
            )


def _match_policies(plan: Preview) -> None:
    rule = CoproductionRule.objects.order_by("pk").first()
    wanted_rule = plan.bundle.coproduction_rule
    if rule is not None and (
        list(rule.lived_experience_stages) != list(wanted_rule.lived_experience_stages)
        or list(rule.design_stages) != list(wanted_rule.design_stages)
        or Decimal(rule.minimum_lived_design_share) != wanted_rule.minimum_lived_design_share
    ):
        plan.conflicts.append(
            Conflict(
                key="policy:coproduction_rule",
                title="Co-production rule",
                problem="The bundle's rule for what counts as co-produced differs from this installation's.",
                keep_label="Keep this installation's rule",
                bundle_label="Use the bundle's rule for the whole installation",
            )
        )
    policy, wanted_policy = current_policy(), plan.bundle.disclosure_policy
    if any(getattr(policy, name) != getattr(wanted_policy, name) for name in DISCLOSURE_FIELDS):
        plan.conflicts.append(
            Conflict(
                key="policy:disclosure_policy",
                title="Disclosure control",
                problem="The bundle's rules for hiding and rounding small numbers differ from this installation's.",
                keep_label="Keep this installation's rules",
                bundle_label="Use the bundle's rules for the whole installation",
            )
        )


DISCLOSURE_FIELDS = (
    "name",
    "suppress_from",
    "suppress_to",
    "rounding_base",
    "minimum_values",
    "secondary_suppression",
)


def _category_label(category: str) -> str:
    from peerpath.courses.choices import Category

    return str(Category(category).label)


def copy_code(code: str, programme_code: str) -> str:
    return f"{code}-{programme_code}"[:60].strip("-")
