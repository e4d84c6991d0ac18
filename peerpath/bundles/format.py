"""What a programme bundle holds, as typed values (docs/programme-bundles.md).

``reading`` turns an archive into a :class:`Bundle`, refusing anything that breaks the
format; ``writing`` turns a :class:`Bundle` back into an archive. The exporter builds
a Bundle from the database and the importer writes one into it, so neither deals with
JSON or zip files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from peerpath.programmes.terms import Terms

FORMAT = "peerpath-programme-bundle"
FORMAT_VERSION = 1
# Every format version this PeerPath reads (see the version rule in docs/programme-bundles.md).
READABLE_VERSIONS = frozenset({1})

MANIFEST = "manifest.json"
PROGRAMME = "programme.json"
COURSES = "courses.json"
ACCREDITATION = "accreditation.json"
EVALUATION = "evaluation.json"
POLICIES = "policies.json"
INSTRUMENTS_DIR = "instruments/"
MATERIALS_DIR = "materials/"
GUIDE_HTML = "guide/guide.html"
GUIDE_PDF = "guide/guide.pdf"
GUIDE_FILES = (GUIDE_HTML, GUIDE_PDF)
DATA_FILES = (PROGRAMME, COURSES, ACCREDITATION, EVALUATION, POLICIES)

# Limits on an archive, checked before anything is unpacked and again while unpacking.
MAX_FILES = 2_000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_JSON_BYTES = 5 * 1024 * 1024
MAX_RATIO = 100  # unpacked size over packed size, per file: more is a zip bomb


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    name: str
    summary: str
    terms: Terms


@dataclass(frozen=True)
class OutlineSpec:
    title: str
    description: str


@dataclass(frozen=True)
class MaterialSpec:
    title: str
    path: str
    content_type: str


@dataclass(frozen=True)
class VersionSpec:
    number: int
    learning_outcomes: tuple[str, ...]
    peer_trainers: int
    professional_tutors: int
    peer_facilitators: int
    outline: tuple[OutlineSpec, ...]
    materials: tuple[MaterialSpec, ...]


@dataclass(frozen=True)
class CapacityHours:
    capacity: str
    contributions: int
    hours: Decimal


@dataclass(frozen=True)
class StageHours:
    stage: str
    contributions: int
    hours: Decimal
    lived_experience_hours: Decimal


@dataclass(frozen=True)
class CoproductionSpec:
    """A course's co-production profile in hours and counts: never who took part."""

    co_produced: bool
    contributions: int
    hours: Decimal
    by_capacity: tuple[CapacityHours, ...]
    by_stage: tuple[StageHours, ...]
    lived_experience_design_share: Decimal | None

    def as_json(self) -> dict[str, Any]:
        return {
            "co_produced": self.co_produced,
            "contributions": self.contributions,
            "hours": str(self.hours),
            "by_capacity": [
                {"capacity": c.capacity, "contributions": c.contributions, "hours": str(c.hours)}
                for c in self.by_capacity
            ],
            "by_stage": [
                {
                    "stage": s.stage,
                    "contributions": s.contributions,
                    "hours": str(s.hours),
                    "lived_experience_hours": str(s.lived_experience_hours),
                }
                for s in self.by_stage
            ],
            "lived_experience_design_share": (
                None if self.lived_experience_design_share is None else str(self.lived_experience_design_share)
            ),
        }


@dataclass(frozen=True)
class CourseSpec:
    key: str
    title: str
    summary: str
    category: str
    audience: str
    session_count: int
    session_minutes: int
    modes: tuple[str, ...]
    version: VersionSpec
    coproduction: CoproductionSpec


@dataclass(frozen=True)
class CompetencySpec:
    code: str
    domain_number: int | None  # None: the programme's own competence, not from a source framework
    domain_name: str
    reference: str
    title: str
    statement: str


@dataclass(frozen=True)
class FrameworkSpec:
    code: str
    version: int
    name: str
    description: str
    source: str
    competencies: tuple[CompetencySpec, ...]

    @property
    def label(self) -> str:
        return f"{self.code} version {self.version}"


# A scheme's whole-number requirements, in the order the file gives them.
SCHEME_NUMBERS = (
    "attendance_percent",
    "observations_required",
    "reflections_required",
    "supervisions_required",
    "grace_days",
    "expiring_soon_days",
    "renewal_sessions_delivered",
    "renewal_supervisions",
)


@dataclass(frozen=True)
class SchemeSpec:
    code: str
    name: str
    description: str
    grants: str
    framework_code: str
    framework_version: int
    training_courses: tuple[str, ...]
    numbers: dict[str, int]
    every_competency_evidenced: bool
    validity_months: int | None
    renewal_cpd_hours: Decimal


@dataclass(frozen=True)
class ScheduleSpec:
    category: str
    timepoint: str
    days: int
    open_days: int
    active: bool
    instruments: tuple[str, ...]


@dataclass(frozen=True)
class InstrumentSpec:
    code: str
    version: int
    document: dict[str, Any]

    @property
    def path(self) -> str:
        return f"{INSTRUMENTS_DIR}{self.code}-v{self.version}.json"

    @property
    def label(self) -> str:
        return f"{self.code} version {self.version}"


@dataclass(frozen=True)
class RuleSpec:
    lived_experience_stages: tuple[str, ...]
    design_stages: tuple[str, ...]
    minimum_lived_design_share: Decimal


@dataclass(frozen=True)
class DisclosureSpec:
    name: str
    suppress_from: int
    suppress_to: int
    rounding_base: int
    minimum_values: int
    secondary_suppression: bool


@dataclass(frozen=True)
class Bundle:
    programme: ProgrammeSpec
    courses: tuple[CourseSpec, ...]
    frameworks: tuple[FrameworkSpec, ...]
    schemes: tuple[SchemeSpec, ...]
    schedules: tuple[ScheduleSpec, ...]
    instruments: tuple[InstrumentSpec, ...]
    coproduction_rule: RuleSpec
    disclosure_policy: DisclosureSpec
    materials: dict[str, bytes] = field(default_factory=dict)
    # Set when read from an archive; a freshly exported bundle gets them when written.
    bundle_id: str = ""
    exported_at: str = ""
    content_digest: str = ""
    format_version: int = FORMAT_VERSION
