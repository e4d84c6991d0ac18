"""The import itself: one transaction that writes what the preview promised.

Nothing is written while a conflict is unanswered, and importing the same bundle again for
the same organisation finds the earlier import and writes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from peerpath.accreditation.models import Competency, CompetencyFramework, Scheme
from peerpath.bundles.format import Bundle
from peerpath.bundles.importing.matching import (
    DISCLOSURE_FIELDS,
    KEEP,
    USE_BUNDLE,
    ImportRefusedError,
    Preview,
    copy_code,
    preview,
)
from peerpath.bundles.models import CourseOrigin, ProgrammeImport
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
        raise ImportRefusedError(plan.problems[0], field="code")
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
            document = {**spec.document, "code": copy_code(spec.code, plan.code)}
            if InstrumentVersion.objects.filter(code=document["code"], version=spec.version).exists():
                raise ImportRefusedError(
                    f"The new code '{document['code']}' is taken too. Enter another programme code", field="code"
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
    """Every course, its status change, approved version and outline: one insert per table, not per course."""
    note = f"Adopted from '{bundle.programme.name}' (programme bundle {bundle.bundle_id or 'without an id'})"[:500]
    created: dict[str, Course] = {}
    versions: dict[str, CourseVersion] = {}
    for spec in bundle.courses:
        modes = set(spec.modes)
        created[spec.key] = Course(
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
        versions[spec.key] = CourseVersion(
            course=created[spec.key],
            number=spec.version.number,
            status=CourseVersion.Status.APPROVED,
            learning_outcomes="\n".join(spec.version.learning_outcomes),
            peer_trainers_required=spec.version.peer_trainers,
            professional_tutors_required=spec.version.professional_tutors,
            peer_facilitators_required=spec.version.peer_facilitators,
            change_note=note,
            created_by=user,
            created_at=now,
            approved_by=user,
            approved_at=now,
        )
    Course.objects.bulk_create(created.values())
    CourseStatusChange.objects.bulk_create(
        CourseStatusChange(
            course=course, from_status="", to_status=Course.Status.APPROVED, changed_by=user, reason=note
        )
        for course in created.values()
    )
    CourseVersion.objects.bulk_create(versions.values())
    OutlineSession.objects.bulk_create(
        OutlineSession(version=versions[spec.key], number=index, title=s.title, description=s.description)
        for spec in bundle.courses
        for index, s in enumerate(spec.version.outline, start=1)
    )
    for spec in bundle.courses:
        for material in spec.version.materials:
            content = bundle.materials[material.path]
            file_name = material.path.rsplit("/", 1)[-1]
            kind = materials.check_upload(SimpleUploadedFile(file_name, content))
            row = CourseMaterial(
                version=versions[spec.key],
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
        code = spec.code if row is None else copy_code(spec.code, plan.code)
        if Scheme.objects.filter(code=code).exists():
            raise ImportRefusedError(
                f"The new scheme code '{code}' is taken too. Enter another programme code", field="code"
            )
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
