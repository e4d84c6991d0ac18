"""A bundle adopted as a new programme of one organisation: first a preview, then one transaction.

``preview`` matches what the bundle holds against what this installation has and says what
an import would create, what it would reuse as it is, and which conflicts an administrator
must resolve first (docs/programme-bundles.md, "Importing"). ``import_bundle`` does it, in
one transaction, after the same checks: nothing is written while a conflict is unresolved,
and importing the same bundle again for the same organisation finds the earlier import and
writes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from peerpath.accreditation.models import Competency, CompetencyFramework, Scheme
from peerpath.bundles.format import Bundle, FrameworkSpec, InstrumentSpec, SchemeSpec
from peerpath.bundles.models import CourseOrigin, ProgrammeImport
from peerpath.bundles.reading import BundleError
from peerpath.core import audit
from peerpath.courses import materials
from peerpath.courses.models import (
    CoproductionRule,
    Course,
    CourseMaterial,
    CourseStatusChange,
    CourseVersion,
    OutlineSession,
)
from peerpath.evaluation import instruments as instrument_files
from peerpath.evaluation.models import InstrumentVersion, Schedule, ScheduleInstrument
from peerpath.people.models import Organisation
from peerpath.programmes.models import Programme
from peerpath.reports.filters import current_policy
from peerpath.reports.models import DisclosurePolicy

# The two answers every conflict offers; the second's wording depends on what conflicts.
KEEP = "keep"
USE_BUNDLE = "bundle"


class ImportRefusedError(ValueError):
    """The import cannot go ahead as asked; the message says why, fit to show."""


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


def _check_materials(bundle: Bundle) -> None:
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
    _check_materials(bundle)
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
                    bundle_label=f"Import the bundle's under the new code '{_copy_code(spec.code, plan.code)}'",
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
                    bundle_label=f"Import the bundle's under the new code '{_copy_code(spec.code, plan.code)}'",
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


def _copy_code(code: str, programme_code: str) -> str:
    return f"{code}-{programme_code}"[:60].strip("-")


@dataclass(frozen=True)
class Imported:
    record: ProgrammeImport
    created: bool

    @property
    def programme(self) -> Programme:
        return self.record.programme


def import_bundle(
    *,
    actor: User,
    bundle: Bundle,
    owner: Organisation,
    code: str = "",
    name: str = "",
    resolutions: dict[str, str] | None = None,
) -> Imported:
    """Create the programme the bundle describes for ``owner``, in one transaction.

    ``resolutions`` answers each conflict of the preview by its key (``keep`` or ``bundle``);
    an unanswered conflict refuses the import. Files of course materials are stored before
    the rows that name them and removed again if the transaction fails.
    """
    saved: list[str] = []
    try:
        return _import(actor, bundle, owner, code, name, dict(resolutions or {}), saved)
    except BaseException:
        for path in saved:
            default_storage.delete(path)
        raise


@transaction.atomic
def _import(
    actor: User,
    bundle: Bundle,
    owner: Organisation,
    code: str,
    name: str,
    resolutions: dict[str, str],
    saved: list[str],
) -> Imported:
    user = audit.person_actor(actor)
    plan = preview(bundle, owner=owner, code=code, name=name)
    if plan.earlier is not None:
        return Imported(record=plan.earlier, created=False)
    if plan.problems:
        raise ImportRefusedError(plan.problems[0])
    unanswered = [c for c in plan.conflicts if resolutions.get(c.key) not in (KEEP, USE_BUNDLE)]
    if unanswered:
        raise ImportRefusedError(
            f"Choose what to do about {unanswered[0].title.lower()}"
            + (f" and {len(unanswered) - 1} other conflicts" if len(unanswered) > 1 else "")
        )
    choice = {c.key: resolutions[c.key] for c in plan.conflicts}
    now = timezone.now()
    programme = Programme.objects.create(
        owner=owner,
        code=plan.code,
        name=plan.name,
        summary=bundle.programme.summary,
        **bundle.programme.terms.as_dict(),
    )
    codes = _instruments(bundle, plan, choice)
    frameworks = _frameworks(bundle, plan, choice)
    courses = _courses(bundle, programme, user, now, saved)
    schemes = _schemes(bundle, plan, choice, programme, frameworks, courses)
    schedules = _schedules(bundle, plan, choice, owner, codes)
    policies = _policies(bundle, choice)
    summary = {
        "courses": len(courses),
        "schemes": schemes,
        "instruments": codes,
        "frameworks": {f"{c}:{v}": f"{row.code}:{row.version}" for (c, v), row in frameworks.items()},
        "schedules": schedules,
        "policies": policies,
        "resolutions": choice,
    }
    try:
        with transaction.atomic():
            record = ProgrammeImport.objects.create(
                owner=owner,
                programme=programme,
                content_digest=bundle.content_digest or str(uuid.uuid4()),
                bundle_id=bundle.bundle_id,
                format_version=bundle.format_version,
                source_code=bundle.programme.code,
                source_name=bundle.programme.name,
                summary=summary,
                imported_by=user,
                imported_at=now,
            )
    except IntegrityError:
        raise ImportRefusedError(f"This bundle was imported for {owner} just now by someone else") from None
    CourseOrigin.objects.bulk_create(
        CourseOrigin(course=course, programme_import=record, key=spec.key, coproduction=spec.coproduction.as_json())
        for spec, course in ((spec, courses[spec.key]) for spec in bundle.courses)
    )
    audit.record(
        actor=actor,
        action="programme.imported",
        target=programme,
        data={
            "owner": str(owner.pk),
            "bundle": bundle.bundle_id,
            "content_digest": bundle.content_digest,
            "courses": len(courses),
        },
    )
    return Imported(record=record, created=True)


def _instruments(bundle: Bundle, plan: Preview, choice: dict[str, str]) -> dict[str, str]:
    """Store new instrument versions; the code each bundle code is asked under here."""
    codes: dict[str, str] = {}
    for spec in bundle.instruments:
        key = f"instrument:{spec.code}:{spec.version}"
        document = spec.document
        if choice.get(key) == USE_BUNDLE:
            document = {**spec.document, "code": _copy_code(spec.code, plan.code)}
            if InstrumentVersion.objects.filter(code=document["code"], version=spec.version).exists():
                raise ImportRefusedError(
                    f"The new code '{document['code']}' is taken too. Enter another programme code"
                )
        elif plan.instrument_rows.get(spec.code) is not None:
            codes[spec.code] = spec.code
            continue
        InstrumentVersion.objects.create(
            **instrument_files.row_fields(document),
            status=InstrumentVersion.Status.PUBLISHED,
            origin=InstrumentVersion.Origin.LOCAL,
        )
        codes[spec.code] = document["code"]
    return codes


def _frameworks(bundle: Bundle, plan: Preview, choice: dict[str, str]) -> dict[tuple[str, int], CompetencyFramework]:
    found: dict[tuple[str, int], CompetencyFramework] = {}
    for spec in bundle.frameworks:
        key = (spec.code, spec.version)
        row = plan.framework_rows.get(key)
        if row is not None and choice.get(f"framework:{spec.code}:{spec.version}") != USE_BUNDLE:
            found[key] = row
            continue
        version = spec.version
        if row is not None:
            highest = CompetencyFramework.objects.filter(code=spec.code).aggregate(n=Max("version"))["n"] or 0
            version = highest + 1
        framework = CompetencyFramework.objects.create(
            code=spec.code,
            version=version,
            name=spec.name,
            description=spec.description,
            source=spec.source,
            status=CompetencyFramework.Status.PUBLISHED,
        )
        Competency.objects.bulk_create(
            Competency(
                framework=framework,
                code=c.code,
                domain_number=c.domain_number,
                domain_name=c.domain_name,
                reference=c.reference,
                title=c.title,
                statement=c.statement,
                order=index,
            )
            for index, c in enumerate(spec.competencies, start=1)
        )
        found[key] = framework
    return found


def _courses(bundle: Bundle, programme: Programme, user: User, now: Any, saved: list[str]) -> dict[str, Course]:
    created: dict[str, Course] = {}
    note = f"Adopted from '{bundle.programme.name}' (programme bundle {bundle.bundle_id or 'without an id'})"
    for spec in bundle.courses:
        modes = set(spec.modes)
        course = Course.objects.create(
            title=spec.title,
            summary=spec.summary,
            category=spec.category,
            audience=spec.audience,
            session_count=spec.session_count,
            session_minutes=spec.session_minutes,
            in_person="in_person" in modes,
            online="online" in modes,
            blended="blended" in modes,
            owner=programme.owner,
            programme=programme,
            status=Course.Status.APPROVED,
            created_at=now,
            updated_at=now,
        )
        CourseStatusChange.objects.create(
            course=course, from_status="", to_status=Course.Status.APPROVED, changed_by=user, reason=note[:500]
        )
        version = CourseVersion.objects.create(
            course=course,
            number=spec.version.number,
            status=CourseVersion.Status.APPROVED,
            learning_outcomes="\n".join(spec.version.learning_outcomes),
            peer_trainers_required=spec.version.peer_trainers,
            professional_tutors_required=spec.version.professional_tutors,
            peer_facilitators_required=spec.version.peer_facilitators,
            change_note=note[:500],
            created_by=user,
            created_at=now,
            approved_by=user,
            approved_at=now,
        )
        OutlineSession.objects.bulk_create(
            OutlineSession(version=version, number=index, title=s.title, description=s.description)
            for index, s in enumerate(spec.version.outline, start=1)
        )
        for material in spec.version.materials:
            content = bundle.materials[material.path]
            file_name = material.path.rsplit("/", 1)[-1]
            kind = materials.check_upload(SimpleUploadedFile(file_name, content))
            row = CourseMaterial(
                version=version,
                title=material.title,
                original_name=file_name,
                extension=kind.extension,
                content_type=kind.content_type,
                size=len(content),
                uploaded_by=user,
                uploaded_at=now,
            )
            row.file.save(f"upload{kind.extension}", ContentFile(content), save=False)
            saved.append(row.file.name)
            row.save()
        created[spec.key] = course
    return created


def _schemes(
    bundle: Bundle,
    plan: Preview,
    choice: dict[str, str],
    programme: Programme,
    frameworks: dict[tuple[str, int], CompetencyFramework],
    courses: dict[str, Course],
) -> dict[str, str]:
    """Create or adopt the programme's schemes; what each bundle code became here (or "kept")."""
    outcome: dict[str, str] = {}
    for spec in bundle.schemes:
        row = plan.scheme_rows.get(spec.code)
        training = [courses[key] for key in spec.training_courses]
        if row is not None and spec in plan.adopted_schemes:
            Scheme.objects.filter(pk=row.pk, programme__isnull=True).update(programme=programme)
            row.training_courses.add(*training)
            outcome[spec.code] = spec.code
            continue
        if row is not None and choice.get(f"scheme:{spec.code}") != USE_BUNDLE:
            outcome[spec.code] = "kept"
            continue
        code = spec.code if row is None else _copy_code(spec.code, plan.code)
        if Scheme.objects.filter(code=code).exists():
            raise ImportRefusedError(f"The new scheme code '{code}' is taken too. Enter another programme code")
        scheme = Scheme.objects.create(
            code=code,
            name=spec.name,
            description=spec.description,
            grants=spec.grants,
            framework=frameworks[(spec.framework_code, spec.framework_version)],
            programme=programme,
            every_competency_evidenced=spec.every_competency_evidenced,
            validity_months=spec.validity_months,
            renewal_cpd_hours=spec.renewal_cpd_hours,
            **spec.numbers,
        )
        scheme.training_courses.set(training)
        outcome[spec.code] = code
    return outcome


def _schedules(
    bundle: Bundle, plan: Preview, choice: dict[str, str], owner: Organisation, codes: dict[str, str]
) -> dict[str, str]:
    outcome: dict[str, str] = {}
    for spec in bundle.schedules:
        key = f"schedule:{spec.category}:{spec.timepoint}"
        row = plan.schedule_rows.get((spec.category, spec.timepoint))
        if row is not None:
            if choice.get(key) != USE_BUNDLE:
                outcome[key] = "kept"
                continue
            row.days, row.open_days, row.active = spec.days, spec.open_days, spec.active
            row.save(update_fields=["days", "open_days", "active"])
            row.instruments.all().delete()
            schedule = row
        else:
            schedule = Schedule.objects.create(
                organisation=owner,
                category=spec.category,
                timepoint=spec.timepoint,
                days=spec.days,
                open_days=spec.open_days,
                active=spec.active,
            )
        ScheduleInstrument.objects.bulk_create(
            ScheduleInstrument(schedule=schedule, instrument_code=codes.get(code, code), position=index)
            for index, code in enumerate(spec.instruments)
        )
        outcome[key] = "bundle"
    return outcome


def _policies(bundle: Bundle, choice: dict[str, str]) -> dict[str, str]:
    outcome: dict[str, str] = {}
    wanted = bundle.coproduction_rule
    rule = CoproductionRule.objects.order_by("pk").first()
    if rule is None or choice.get("policy:coproduction_rule") == USE_BUNDLE:
        rule = rule or CoproductionRule()
        rule.lived_experience_stages = list(wanted.lived_experience_stages)
        rule.design_stages = list(wanted.design_stages)
        rule.minimum_lived_design_share = wanted.minimum_lived_design_share
        rule.updated_at = timezone.now()
        rule.save()
        outcome["coproduction_rule"] = "bundle"
    if choice.get("policy:disclosure_policy") == USE_BUNDLE:
        policy = bundle.disclosure_policy
        DisclosurePolicy.objects.create(
            **{name: getattr(policy, name) for name in DISCLOSURE_FIELDS},
            network_is_national=current_policy().network_is_national,
        )
        outcome["disclosure_policy"] = "bundle"
    return outcome
