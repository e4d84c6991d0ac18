"""A programme read out of the database as a :class:`~peerpath.bundles.format.Bundle`.

Only the fields the format lists are read, so nothing about a person can reach a
bundle: course versions are read without who wrote or approved them, materials without
who uploaded them or the names their files had, and co-production as hours and counts
per capacity and stage (``courses.coproduction``), never the contributors or the notes
of what was decided. The queries are a fixed number however large the programme.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q
from django.utils.text import slugify

from peerpath.accreditation.models import Competency, CompetencyFramework, Scheme
from peerpath.bundles import format as fmt
from peerpath.bundles.format import (
    Bundle,
    CapacityHours,
    CompetencySpec,
    CoproductionSpec,
    CourseSpec,
    DisclosureSpec,
    FrameworkSpec,
    InstrumentSpec,
    MaterialSpec,
    OutlineSpec,
    ProgrammeSpec,
    RuleSpec,
    ScheduleSpec,
    SchemeSpec,
    StageHours,
    VersionSpec,
)
from peerpath.bundles.models import CourseOrigin
from peerpath.bundles.reading import documents
from peerpath.bundles.reading.errors import Reader
from peerpath.courses import coproduction
from peerpath.courses.choices import DeliveryMode
from peerpath.courses.models import Course, CourseMaterial, CourseVersion, OutlineSession
from peerpath.evaluation.models import Schedule, ScheduleInstrument
from peerpath.evaluation.schedules import newest_published
from peerpath.programmes.models import Programme
from peerpath.reports.filters import current_policy

ZERO = Decimal(0)


def _key(text: str, taken: set[str]) -> str:
    base = slugify(text)[:50].strip("-") or "course"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    taken.add(key)
    return key


def _profile(profile: coproduction.Profile) -> CoproductionSpec:
    return CoproductionSpec(
        co_produced=profile.is_coproduced,
        contributions=profile.total_contributions,
        hours=profile.total_hours,
        by_capacity=tuple(
            CapacityHours(capacity=share.capacity, contributions=share.contributions, hours=share.hours)
            for share in profile.by_capacity
            if share.contributions
        ),
        by_stage=tuple(
            StageHours(
                stage=stage.stage,
                contributions=stage.contributions,
                hours=stage.hours,
                lived_experience_hours=stage.lived_hours,
            )
            for stage in profile.by_stage
            if stage.contributions
        ),
        lived_experience_design_share=(
            None if profile.lived_design_share is None else profile.lived_design_share.quantize(Decimal("0.0001"))
        ),
    )


def _approved(course: Course) -> list[CourseVersion]:
    """The course's approved version (none or one), prefetched by ``_courses``."""
    found: list[CourseVersion] = getattr(course, "approved")  # noqa: B009 - set by Prefetch(to_attr=...)
    return found


def _courses(programme: Programme) -> tuple[list[CourseSpec], dict[str, bytes], dict[Any, str]]:
    """The programme's approved courses, their material files, and each course id's key."""
    approved = CourseVersion.objects.filter(status=CourseVersion.Status.APPROVED).prefetch_related(
        Prefetch("outline", queryset=OutlineSession.objects.order_by("number")),
        Prefetch("materials", queryset=CourseMaterial.objects.order_by("uploaded_at", "title")),
    )
    courses = list(
        Course.objects.filter(programme=programme)
        .exclude(status=Course.Status.RETIRED)
        .prefetch_related(Prefetch("versions", queryset=approved, to_attr="approved"))
    )
    courses = [course for course in courses if _approved(course)]
    # Keys repeat from one export to the next: titles first, then what else tells courses apart.
    courses.sort(key=lambda c: (c.title, c.category, c.audience, c.session_count, c.session_minutes, c.summary))
    rule = coproduction.current_rule()
    profiles = coproduction.profiles_for([course.pk for course in courses], rule)
    origins = dict(
        CourseOrigin.objects.filter(course__in=[course.pk for course in courses]).values_list(
            "course_id", "coproduction"
        )
    )
    specs: list[CourseSpec] = []
    files: dict[str, bytes] = {}
    keys: dict[Any, str] = {}
    taken: set[str] = set()
    for course in courses:
        version = _approved(course)[0]
        key = keys[course.pk] = _key(course.title, taken)
        materials = []
        names: set[str] = set()
        for material in version.materials.all():
            stem = slugify(material.title)[:60].strip("-") or "material"
            name, n = f"{stem}{material.extension}", 1
            while name in names:
                n += 1
                name = f"{stem}-{n}{material.extension}"
            names.add(name)
            path = f"{fmt.MATERIALS_DIR}{key}/{name}"
            with material.file.open("rb") as stream:
                files[path] = stream.read()
            materials.append(MaterialSpec(title=material.title, path=path, content_type=material.content_type))
        profile = profiles[course.pk]
        origin = origins.get(course.pk)
        specs.append(
            CourseSpec(
                key=key,
                title=course.title,
                summary=course.summary,
                category=course.category,
                audience=course.audience,
                session_count=course.session_count,
                session_minutes=course.session_minutes,
                modes=tuple(mode.value for mode in DeliveryMode if getattr(course, mode.value)),
                version=VersionSpec(
                    number=version.number,
                    learning_outcomes=tuple(version.outcomes),
                    peer_trainers=version.peer_trainers_required,
                    professional_tutors=version.professional_tutors_required,
                    peer_facilitators=version.peer_facilitators_required,
                    outline=tuple(OutlineSpec(title=s.title, description=s.description) for s in version.outline.all()),
                    materials=tuple(materials),
                ),
                coproduction=(
                    documents.coproduction(Reader("course origin"), origin, "coproduction")
                    if origin is not None and profile.is_empty
                    else _profile(profile)
                ),
            )
        )
    return specs, files, keys


def _accreditation(programme: Programme, keys: dict[Any, str]) -> tuple[list[FrameworkSpec], list[SchemeSpec]]:
    schemes = list(
        Scheme.objects.filter(programme=programme, active=True)
        .select_related("framework")
        .prefetch_related("training_courses")
        .order_by("code")
    )
    framework_ids = {scheme.framework_id for scheme in schemes}
    frameworks = list(
        CompetencyFramework.objects.filter(pk__in=framework_ids)
        .prefetch_related(Prefetch("competencies", queryset=Competency.objects.order_by("order", "code")))
        .order_by("code", "version")
    )
    framework_specs = [
        FrameworkSpec(
            code=f.code,
            version=f.version,
            name=f.name,
            description=f.description,
            source=f.source,
            competencies=tuple(
                CompetencySpec(
                    code=c.code,
                    domain_number=c.domain_number,
                    domain_name=c.domain_name,
                    reference=c.reference,
                    title=c.title,
                    statement=c.statement,
                )
                for c in f.competencies.all()
            ),
        )
        for f in frameworks
    ]
    scheme_specs = [
        SchemeSpec(
            code=s.code,
            name=s.name,
            description=s.description,
            grants=s.grants,
            framework_code=s.framework.code,
            framework_version=s.framework.version,
            training_courses=tuple(sorted(keys[c.pk] for c in s.training_courses.all() if c.pk in keys)),
            numbers={name: getattr(s, name) for name in fmt.SCHEME_NUMBERS},
            every_competency_evidenced=s.every_competency_evidenced,
            validity_months=s.validity_months,
            renewal_cpd_hours=Decimal(s.renewal_cpd_hours).quantize(Decimal("0.1")),
        )
        for s in schemes
    ]
    return framework_specs, scheme_specs


def _schedules(programme: Programme) -> tuple[list[ScheduleSpec], list[InstrumentSpec]]:
    """The owner's schedule in force for each category and timepoint: its own, else the network's."""
    chosen: dict[tuple[str, str], Schedule] = {}
    rows = (
        Schedule.objects.filter(run__isnull=True)
        .filter(Q(organisation_id=programme.owner_id) | Q(organisation__isnull=True))
        .prefetch_related(Prefetch("instruments", queryset=ScheduleInstrument.objects.order_by("position", "pk")))
        .order_by("category", "timepoint", "organisation_id")
    )
    for schedule in rows:
        slot = (schedule.category, schedule.timepoint)
        if slot not in chosen or schedule.organisation_id == programme.owner_id:
            chosen[slot] = schedule
    specs = [
        ScheduleSpec(
            category=s.category,
            timepoint=s.timepoint,
            days=s.days,
            open_days=s.open_days,
            active=s.active,
            instruments=tuple(i.instrument_code for i in s.instruments.all()),
        )
        for _, s in sorted(chosen.items())
    ]
    codes = dict.fromkeys(code for spec in specs for code in spec.instruments)
    published = newest_published(codes)
    missing = [code for code in codes if code not in published]
    if missing:
        # A schedule naming an instrument with no published version asks nothing: leave it out of the model.
        specs = [
            ScheduleSpec(**{**spec.__dict__, "instruments": tuple(c for c in spec.instruments if c in published)})
            for spec in specs
        ]
    instruments = [
        InstrumentSpec(code=v.code, version=v.version, document=v.definition)
        for v in sorted(published.values(), key=lambda v: v.code)
    ]
    return specs, instruments


def export(programme: Programme) -> Bundle:
    """Everything reusable about the programme, and nothing about anyone in it."""
    courses, materials, keys = _courses(programme)
    frameworks, schemes = _accreditation(programme, keys)
    schedules, instruments = _schedules(programme)
    rule = coproduction.current_rule()
    policy = current_policy()
    return Bundle(
        programme=ProgrammeSpec(
            code=programme.code, name=programme.name, summary=programme.summary, terms=programme.terms
        ),
        courses=tuple(courses),
        frameworks=tuple(frameworks),
        schemes=tuple(schemes),
        schedules=tuple(schedules),
        instruments=tuple(instruments),
        coproduction_rule=RuleSpec(
            lived_experience_stages=tuple(rule.lived_experience_stages),
            design_stages=tuple(rule.design_stages),
            minimum_lived_design_share=Decimal(rule.minimum_lived_design_share).quantize(Decimal("0.01")),
        ),
        disclosure_policy=DisclosureSpec(
            name=policy.name,
            suppress_from=policy.suppress_from,
            suppress_to=policy.suppress_to,
            rounding_base=policy.rounding_base,
            minimum_values=policy.minimum_values,
            secondary_suppression=policy.secondary_suppression,
        ),
        materials=materials,
    )
