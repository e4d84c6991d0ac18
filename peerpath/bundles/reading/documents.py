"""The bundle's JSON files parsed into the typed values of ``format``, strictly: a key this
format version does not define, a missing key or a value out of range is refused, naming the
file and the key."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

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
from peerpath.bundles.reading.archive import check_manifest, load_json
from peerpath.bundles.reading.errors import BundleError, Reader
from peerpath.courses.choices import Audience, Capacity, Category, DeliveryMode, Stage
from peerpath.evaluation import definitions
from peerpath.evaluation.models import SCHEDULED_TIMEPOINTS
from peerpath.programmes.terms import MAX_LENGTH, NAMES, Terms

GRANTS = ("peer_trainer", "peer_facilitator")
TIMEPOINTS = tuple(t.value for t in SCHEDULED_TIMEPOINTS)


def _programme(data: Any) -> ProgrammeSpec:
    r = Reader(fmt.PROGRAMME)
    r.keys(r.mapping(data, ""), "", ("code", "name", "summary", "terms"))
    terms = r.mapping(data["terms"], "terms")
    r.keys(terms, "terms", NAMES)
    return ProgrammeSpec(
        code=r.slug(data["code"], "code"),
        name=r.text(data["name"], "name", limit=200),
        summary=r.text(data["summary"], "summary", empty=True, limit=4000),
        terms=Terms(**{name: r.text(terms[name], f"terms.{name}", limit=MAX_LENGTH) for name in NAMES}),
    )


def coproduction(r: Reader, data: Any, where: str) -> CoproductionSpec:
    """A course's co-production profile as the format writes it (also how an adopted course keeps it)."""
    keys = ("co_produced", "contributions", "hours", "by_capacity", "by_stage", "lived_experience_design_share")
    r.keys(r.mapping(data, where), where, keys)
    capacities, stages = [], []
    for i, item in enumerate(r.listing(data["by_capacity"], f"{where}.by_capacity")):
        at = f"{where}.by_capacity[{i}]"
        r.keys(r.mapping(item, at), at, ("capacity", "contributions", "hours"))
        capacities.append(
            CapacityHours(
                capacity=r.choice(item["capacity"], f"{at}.capacity", Capacity.values),
                contributions=r.whole(item["contributions"], f"{at}.contributions"),
                hours=r.decimal(item["hours"], f"{at}.hours"),
            )
        )
    for i, item in enumerate(r.listing(data["by_stage"], f"{where}.by_stage")):
        at = f"{where}.by_stage[{i}]"
        r.keys(r.mapping(item, at), at, ("stage", "contributions", "hours", "lived_experience_hours"))
        stages.append(
            StageHours(
                stage=r.choice(item["stage"], f"{at}.stage", Stage.values),
                contributions=r.whole(item["contributions"], f"{at}.contributions"),
                hours=r.decimal(item["hours"], f"{at}.hours"),
                lived_experience_hours=r.decimal(item["lived_experience_hours"], f"{at}.lived_experience_hours"),
            )
        )
    share = data["lived_experience_design_share"]
    return CoproductionSpec(
        co_produced=r.boolean(data["co_produced"], f"{where}.co_produced"),
        contributions=r.whole(data["contributions"], f"{where}.contributions"),
        hours=r.decimal(data["hours"], f"{where}.hours"),
        by_capacity=tuple(capacities),
        by_stage=tuple(stages),
        lived_experience_design_share=(
            None if share is None else r.decimal(share, f"{where}.lived_experience_design_share", maximum=Decimal(1))
        ),
    )


def _version(r: Reader, data: Any, where: str, key: str, files: Mapping[str, bytes]) -> VersionSpec:
    r.keys(r.mapping(data, where), where, ("number", "learning_outcomes", "staffing", "outline", "materials"))
    staffing = r.mapping(data["staffing"], f"{where}.staffing")
    r.keys(staffing, f"{where}.staffing", ("peer_trainers", "professional_tutors", "peer_facilitators"))
    people = {name: r.whole(staffing[name], f"{where}.staffing.{name}", maximum=6) for name in staffing}
    if not any(people.values()):
        r.fail(f"{where}.staffing", "must ask for at least one trainer, tutor or facilitator")
    outcomes = tuple(
        r.text(line, f"{where}.learning_outcomes[{i}]", limit=500)
        for i, line in enumerate(r.listing(data["learning_outcomes"], f"{where}.learning_outcomes"))
    )
    if not outcomes:
        r.fail(f"{where}.learning_outcomes", "must hold at least one learning outcome")
    outline = []
    for i, item in enumerate(r.listing(data["outline"], f"{where}.outline")):
        at = f"{where}.outline[{i}]"
        r.keys(r.mapping(item, at), at, ("title", "description"))
        outline.append(
            OutlineSpec(
                title=r.text(item["title"], f"{at}.title", limit=150),
                description=r.text(item["description"], f"{at}.description", empty=True, limit=2000),
            )
        )
    materials = []
    for i, item in enumerate(r.listing(data["materials"], f"{where}.materials")):
        at = f"{where}.materials[{i}]"
        r.keys(r.mapping(item, at), at, ("title", "path", "content_type"))
        path = r.text(item["path"], f"{at}.path", limit=255)
        if not path.startswith(f"{fmt.MATERIALS_DIR}{key}/") or path not in files:
            r.fail(f"{at}.path", f"must name a file of the bundle under {fmt.MATERIALS_DIR}{key}/")
        materials.append(
            MaterialSpec(
                title=r.text(item["title"], f"{at}.title", limit=150),
                path=path,
                content_type=r.text(item["content_type"], f"{at}.content_type", limit=100),
            )
        )
    return VersionSpec(
        number=r.whole(data["number"], f"{where}.number", minimum=1),
        learning_outcomes=outcomes,
        peer_trainers=people["peer_trainers"],
        professional_tutors=people["professional_tutors"],
        peer_facilitators=people["peer_facilitators"],
        outline=tuple(outline),
        materials=tuple(materials),
    )


COURSE_KEYS = (
    "key",
    "title",
    "summary",
    "category",
    "audience",
    "session_count",
    "session_minutes",
    "modes",
    "version",
    "coproduction",
)


def _courses(data: Any, files: Mapping[str, bytes]) -> tuple[CourseSpec, ...]:
    r = Reader(fmt.COURSES)
    r.keys(r.mapping(data, ""), "", ("courses",))
    courses: list[CourseSpec] = []
    for i, item in enumerate(r.listing(data["courses"], "courses")):
        at = f"courses[{i}]"
        r.keys(r.mapping(item, at), at, COURSE_KEYS)
        key = r.slug(item["key"], f"{at}.key")
        if any(course.key == key for course in courses):
            r.fail(f"{at}.key", f"repeats the key '{key}'")
        modes = tuple(
            r.choice(mode, f"{at}.modes[{j}]", DeliveryMode.values)
            for j, mode in enumerate(r.listing(item["modes"], f"{at}.modes"))
        )
        if not modes:
            r.fail(f"{at}.modes", "must name at least one way the course is delivered")
        session_count = r.whole(item["session_count"], f"{at}.session_count", minimum=1, maximum=52)
        version = _version(r, item["version"], f"{at}.version", key, files)
        if len(version.outline) != session_count:
            r.fail(f"{at}.version.outline", f"must describe each of the course's {session_count} sessions")
        courses.append(
            CourseSpec(
                key=key,
                title=r.text(item["title"], f"{at}.title", limit=150),
                summary=r.text(item["summary"], f"{at}.summary", limit=2000),
                category=r.choice(item["category"], f"{at}.category", Category.values),
                audience=r.choice(item["audience"], f"{at}.audience", Audience.values),
                session_count=session_count,
                session_minutes=r.whole(item["session_minutes"], f"{at}.session_minutes", minimum=15, maximum=480),
                modes=modes,
                version=version,
                coproduction=coproduction(r, item["coproduction"], f"{at}.coproduction"),
            )
        )
    return tuple(courses)


FRAMEWORK_KEYS = ("code", "version", "name", "description", "source", "competencies")
COMPETENCY_KEYS = ("code", "domain_number", "domain_name", "reference", "title", "statement")
SCHEME_KEYS = (
    "code",
    "name",
    "description",
    "grants",
    "framework",
    "training_courses",
    "attendance_percent",
    "observations_required",
    "every_competency_evidenced",
    "reflections_required",
    "supervisions_required",
    "validity_months",
    "grace_days",
    "expiring_soon_days",
    "renewal_sessions_delivered",
    "renewal_supervisions",
    "renewal_cpd_hours",
)


def _accreditation(data: Any, course_keys: set[str]) -> tuple[tuple[FrameworkSpec, ...], tuple[SchemeSpec, ...]]:
    r = Reader(fmt.ACCREDITATION)
    r.keys(r.mapping(data, ""), "", ("frameworks", "schemes"))
    frameworks: list[FrameworkSpec] = []
    for i, item in enumerate(r.listing(data["frameworks"], "frameworks")):
        at = f"frameworks[{i}]"
        r.keys(r.mapping(item, at), at, FRAMEWORK_KEYS)
        competencies = []
        for j, c in enumerate(r.listing(item["competencies"], f"{at}.competencies")):
            where = f"{at}.competencies[{j}]"
            r.keys(r.mapping(c, where), where, COMPETENCY_KEYS)
            competencies.append(
                CompetencySpec(
                    code=r.text(c["code"], f"{where}.code", limit=20),
                    domain_number=(
                        None
                        if c["domain_number"] is None
                        else r.whole(c["domain_number"], f"{where}.domain_number", minimum=1, maximum=99)
                    ),
                    domain_name=r.text(c["domain_name"], f"{where}.domain_name", limit=150),
                    reference=r.text(c["reference"], f"{where}.reference", empty=True, limit=20),
                    title=r.text(c["title"], f"{where}.title", limit=150),
                    statement=r.text(c["statement"], f"{where}.statement", limit=2000),
                )
            )
        if not competencies:
            r.fail(f"{at}.competencies", "must hold at least one competency")
        if len({c.code for c in competencies}) != len(competencies):
            r.fail(f"{at}.competencies", "repeats a competency code")
        framework = FrameworkSpec(
            code=r.slug(item["code"], f"{at}.code"),
            version=r.whole(item["version"], f"{at}.version", minimum=1, maximum=32_767),
            name=r.text(item["name"], f"{at}.name", limit=200),
            description=r.text(item["description"], f"{at}.description", empty=True, limit=4000),
            source=r.text(item["source"], f"{at}.source", empty=True, limit=300),
            competencies=tuple(competencies),
        )
        if any((f.code, f.version) == (framework.code, framework.version) for f in frameworks):
            r.fail(at, f"repeats framework {framework.label}")
        frameworks.append(framework)
    schemes: list[SchemeSpec] = []
    for i, item in enumerate(r.listing(data["schemes"], "schemes")):
        at = f"schemes[{i}]"
        r.keys(r.mapping(item, at), at, SCHEME_KEYS)
        ref = r.mapping(item["framework"], f"{at}.framework")
        r.keys(ref, f"{at}.framework", ("code", "version"))
        code, version = r.slug(ref["code"], f"{at}.framework.code"), r.whole(ref["version"], f"{at}.framework.version")
        if not any((f.code, f.version) == (code, version) for f in frameworks):
            r.fail(f"{at}.framework", f"names framework {code} version {version}, which the bundle does not hold")
        training = tuple(
            r.slug(key, f"{at}.training_courses[{j}]")
            for j, key in enumerate(r.listing(item["training_courses"], f"{at}.training_courses"))
        )
        unknown = [key for key in training if key not in course_keys]
        if unknown:
            r.fail(f"{at}.training_courses", f"names a course the bundle does not hold ('{unknown[0]}')")
        validity = item["validity_months"]
        scheme = SchemeSpec(
            code=r.slug(item["code"], f"{at}.code"),
            name=r.text(item["name"], f"{at}.name", limit=200),
            description=r.text(item["description"], f"{at}.description", empty=True, limit=4000),
            grants=r.choice(item["grants"], f"{at}.grants", GRANTS),
            framework_code=code,
            framework_version=version,
            training_courses=training,
            numbers={
                name: r.whole(item[name], f"{at}.{name}", maximum=100 if name == "attendance_percent" else 3650)
                for name in fmt.SCHEME_NUMBERS
            },
            every_competency_evidenced=r.boolean(
                item["every_competency_evidenced"], f"{at}.every_competency_evidenced"
            ),
            validity_months=None if validity is None else r.whole(validity, f"{at}.validity_months", minimum=1),
            renewal_cpd_hours=r.decimal(item["renewal_cpd_hours"], f"{at}.renewal_cpd_hours", maximum=Decimal(9999)),
        )
        if any(s.code == scheme.code for s in schemes):
            r.fail(f"{at}.code", f"repeats the scheme '{scheme.code}'")
        schemes.append(scheme)
    return tuple(frameworks), tuple(schemes)


def _schedules(data: Any) -> tuple[ScheduleSpec, ...]:
    r = Reader(fmt.EVALUATION)
    r.keys(r.mapping(data, ""), "", ("schedules",))
    schedules: list[ScheduleSpec] = []
    for i, item in enumerate(r.listing(data["schedules"], "schedules")):
        at = f"schedules[{i}]"
        r.keys(r.mapping(item, at), at, ("category", "timepoint", "days", "open_days", "active", "instruments"))
        schedule = ScheduleSpec(
            category=r.choice(item["category"], f"{at}.category", Category.values),
            timepoint=r.choice(item["timepoint"], f"{at}.timepoint", TIMEPOINTS),
            days=r.whole(item["days"], f"{at}.days", maximum=730),
            open_days=r.whole(item["open_days"], f"{at}.open_days", minimum=1, maximum=365),
            active=r.boolean(item["active"], f"{at}.active"),
            instruments=tuple(
                r.slug(code, f"{at}.instruments[{j}]")
                for j, code in enumerate(r.listing(item["instruments"], f"{at}.instruments"))
            ),
        )
        if any((s.category, s.timepoint) == (schedule.category, schedule.timepoint) for s in schedules):
            r.fail(at, f"repeats the {schedule.category} schedule at {schedule.timepoint}")
        schedules.append(schedule)
    return tuple(schedules)


def _instruments(files: Mapping[str, bytes]) -> tuple[InstrumentSpec, ...]:
    found = []
    for path in sorted(p for p in files if p.startswith(fmt.INSTRUMENTS_DIR)):
        document = load_json(path, files[path], decimals=False)
        if not isinstance(document, dict):
            raise BundleError(f"{path} is not an instrument document")
        try:
            instrument = definitions.parse(document)
        except definitions.DefinitionError as error:
            raise BundleError(f"{path}: {error}") from None
        spec = InstrumentSpec(code=instrument.code, version=instrument.version, document=document)
        if spec.path != path:
            raise BundleError(f"{path} holds {spec.label}, so it must be named {spec.path}")
        found.append(spec)
    return tuple(found)


def _policies(data: Any) -> tuple[RuleSpec, DisclosureSpec]:
    r = Reader(fmt.POLICIES)
    r.keys(r.mapping(data, ""), "", ("coproduction_rule", "disclosure_policy"))
    rule = r.mapping(data["coproduction_rule"], "coproduction_rule")
    r.keys(rule, "coproduction_rule", ("lived_experience_stages", "design_stages", "minimum_lived_design_share"))
    policy = r.mapping(data["disclosure_policy"], "disclosure_policy")
    keys = ("name", "suppress_from", "suppress_to", "rounding_base", "minimum_values", "secondary_suppression")
    r.keys(policy, "disclosure_policy", keys)

    def stages(key: str) -> tuple[str, ...]:
        where = f"coproduction_rule.{key}"
        return tuple(r.choice(s, f"{where}[{i}]", Stage.values) for i, s in enumerate(r.listing(rule[key], where)))

    disclosure = DisclosureSpec(
        name=r.text(policy["name"], "disclosure_policy.name", limit=150),
        suppress_from=r.whole(policy["suppress_from"], "disclosure_policy.suppress_from", minimum=1, maximum=100),
        suppress_to=r.whole(policy["suppress_to"], "disclosure_policy.suppress_to", minimum=1, maximum=100),
        rounding_base=r.whole(policy["rounding_base"], "disclosure_policy.rounding_base", minimum=1, maximum=100),
        minimum_values=r.whole(policy["minimum_values"], "disclosure_policy.minimum_values", minimum=1, maximum=100),
        secondary_suppression=r.boolean(policy["secondary_suppression"], "disclosure_policy.secondary_suppression"),
    )
    if disclosure.suppress_to < disclosure.suppress_from:
        r.fail("disclosure_policy.suppress_to", "must be at least suppress_from")
    return (
        RuleSpec(
            lived_experience_stages=stages("lived_experience_stages"),
            design_stages=stages("design_stages"),
            minimum_lived_design_share=r.decimal(
                rule["minimum_lived_design_share"], "coproduction_rule.minimum_lived_design_share", maximum=Decimal(1)
            ),
        ),
        disclosure,
    )


def parse(files: Mapping[str, bytes]) -> Bundle:
    """The bundle the files hold, once the manifest vouches for every one of them."""
    manifest = check_manifest(files)
    for path in files:
        known = (
            path == fmt.MANIFEST
            or path in fmt.DATA_FILES
            or path in fmt.GUIDE_FILES
            or re.match(r"^instruments/[a-z0-9-]+-v[0-9]+\.json$", path)
            or re.match(r"^materials/[a-z0-9-]+/[^/]+$", path)
        )
        if not known:
            raise BundleError(f"The bundle holds '{path}', which is not a file this format version has")
    courses = _courses(load_json(fmt.COURSES, files[fmt.COURSES]), files)
    frameworks, schemes = _accreditation(
        load_json(fmt.ACCREDITATION, files[fmt.ACCREDITATION]), {course.key for course in courses}
    )
    schedules = _schedules(load_json(fmt.EVALUATION, files[fmt.EVALUATION]))
    instruments = _instruments(files)
    held = {i.code for i in instruments}
    for schedule in schedules:
        missing = [code for code in schedule.instruments if code not in held]
        if missing:
            raise BundleError(
                f"{fmt.EVALUATION}: a schedule asks '{missing[0]}', whose document the bundle does not hold"
            )
    named = {m.path for course in courses for m in course.version.materials}
    stray = [p for p in files if p.startswith(fmt.MATERIALS_DIR) and p not in named]
    if stray:
        raise BundleError(f"The bundle holds '{stray[0]}', which no course names as a material")
    rule, policy = _policies(load_json(fmt.POLICIES, files[fmt.POLICIES]))
    return Bundle(
        programme=_programme(load_json(fmt.PROGRAMME, files[fmt.PROGRAMME])),
        courses=courses,
        frameworks=frameworks,
        schemes=schemes,
        schedules=schedules,
        instruments=instruments,
        coproduction_rule=rule,
        disclosure_policy=policy,
        materials={path: files[path] for path in sorted(named)},
        bundle_id=manifest["bundle_id"],
        exported_at=manifest["exported_at"],
        content_digest=manifest["content_digest"],
        format_version=manifest["format_version"],
    )
