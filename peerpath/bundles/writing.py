"""A :class:`~peerpath.bundles.format.Bundle` written out as files and as a zip archive."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from peerpath.bundles import format as fmt
from peerpath.bundles.format import Bundle, CourseSpec, SchemeSpec

# Entries carry this date, so the same files always make the same archive bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def dump(document: Any) -> bytes:
    """JSON as the format writes it: two-space indents, keys in the order built, UTF-8, a final newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _course(course: CourseSpec) -> dict[str, Any]:
    version = course.version
    return {
        "key": course.key,
        "title": course.title,
        "summary": course.summary,
        "category": course.category,
        "audience": course.audience,
        "session_count": course.session_count,
        "session_minutes": course.session_minutes,
        "modes": list(course.modes),
        "version": {
            "number": version.number,
            "learning_outcomes": list(version.learning_outcomes),
            "staffing": {
                "peer_trainers": version.peer_trainers,
                "professional_tutors": version.professional_tutors,
                "peer_facilitators": version.peer_facilitators,
            },
            "outline": [{"title": s.title, "description": s.description} for s in version.outline],
            "materials": [
                {"title": m.title, "path": m.path, "content_type": m.content_type} for m in version.materials
            ],
        },
        "coproduction": course.coproduction.as_json(),
    }


def _scheme(scheme: SchemeSpec) -> dict[str, Any]:
    return {
        "code": scheme.code,
        "name": scheme.name,
        "description": scheme.description,
        "grants": scheme.grants,
        "framework": {"code": scheme.framework_code, "version": scheme.framework_version},
        "training_courses": list(scheme.training_courses),
        "attendance_percent": scheme.numbers["attendance_percent"],
        "observations_required": scheme.numbers["observations_required"],
        "every_competency_evidenced": scheme.every_competency_evidenced,
        "reflections_required": scheme.numbers["reflections_required"],
        "supervisions_required": scheme.numbers["supervisions_required"],
        "validity_months": scheme.validity_months,
        "grace_days": scheme.numbers["grace_days"],
        "expiring_soon_days": scheme.numbers["expiring_soon_days"],
        "renewal_sessions_delivered": scheme.numbers["renewal_sessions_delivered"],
        "renewal_supervisions": scheme.numbers["renewal_supervisions"],
        "renewal_cpd_hours": str(scheme.renewal_cpd_hours),
    }


def data_files(bundle: Bundle) -> dict[str, bytes]:
    """Every file of the bundle but the manifest and the guide, by path."""
    programme = bundle.programme
    rule, policy = bundle.coproduction_rule, bundle.disclosure_policy
    files = {
        fmt.PROGRAMME: dump(
            {
                "code": programme.code,
                "name": programme.name,
                "summary": programme.summary,
                "terms": programme.terms.as_dict(),
            }
        ),
        fmt.COURSES: dump({"courses": [_course(course) for course in bundle.courses]}),
        fmt.ACCREDITATION: dump(
            {
                "frameworks": [
                    {
                        "code": framework.code,
                        "version": framework.version,
                        "name": framework.name,
                        "description": framework.description,
                        "source": framework.source,
                        "competencies": [
                            {
                                "code": c.code,
                                "domain_number": c.domain_number,
                                "domain_name": c.domain_name,
                                "reference": c.reference,
                                "title": c.title,
                                "statement": c.statement,
                            }
                            for c in framework.competencies
                        ],
                    }
                    for framework in bundle.frameworks
                ],
                "schemes": [_scheme(scheme) for scheme in bundle.schemes],
            }
        ),
        fmt.EVALUATION: dump(
            {
                "schedules": [
                    {
                        "category": s.category,
                        "timepoint": s.timepoint,
                        "days": s.days,
                        "open_days": s.open_days,
                        "active": s.active,
                        "instruments": list(s.instruments),
                    }
                    for s in bundle.schedules
                ]
            }
        ),
        fmt.POLICIES: dump(
            {
                "coproduction_rule": {
                    "lived_experience_stages": list(rule.lived_experience_stages),
                    "design_stages": list(rule.design_stages),
                    "minimum_lived_design_share": str(rule.minimum_lived_design_share),
                },
                "disclosure_policy": {
                    "name": policy.name,
                    "suppress_from": policy.suppress_from,
                    "suppress_to": policy.suppress_to,
                    "rounding_base": policy.rounding_base,
                    "minimum_values": policy.minimum_values,
                    "secondary_suppression": policy.secondary_suppression,
                },
            }
        ),
    }
    for instrument in bundle.instruments:
        files[instrument.path] = dump(instrument.document)
    files.update(bundle.materials)
    return files


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def content_digest(digests: Mapping[str, str]) -> str:
    """The digest of a bundle's content: every file's SHA-256 and path but the guide's, in path order."""
    lines = "".join(f"{digests[path]}  {path}\n" for path in sorted(digests) if path not in fmt.GUIDE_FILES)
    return sha256(lines.encode("utf-8"))


def manifest(
    bundle: Bundle, files: Mapping[str, bytes], *, bundle_id: str | None = None, exported_at: datetime
) -> dict[str, Any]:
    digests = {path: sha256(content) for path, content in files.items()}
    return {
        "format": fmt.FORMAT,
        "format_version": fmt.FORMAT_VERSION,
        "bundle_id": bundle_id or str(uuid.uuid4()),
        "exported_at": exported_at.isoformat(timespec="seconds"),
        "programme": {"code": bundle.programme.code, "name": bundle.programme.name},
        "content_digest": content_digest(digests),
        "files": [{"path": path, "bytes": len(files[path]), "sha256": digests[path]} for path in sorted(files)],
    }


def archive(files: Mapping[str, bytes]) -> bytes:
    """The files as a zip, manifest first and the rest in path order, each with a fixed date."""
    buffer = io.BytesIO()
    order = sorted(files, key=lambda path: (path != fmt.MANIFEST, path))
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in order:
            info = zipfile.ZipInfo(path, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[path])
    return buffer.getvalue()


def write(bundle: Bundle, *, exported_at: datetime, guide: Mapping[str, bytes] | None = None) -> bytes:
    """The bundle as a zip archive, with a new bundle id and its manifest."""
    files = data_files(bundle) | dict(guide or {})
    files[fmt.MANIFEST] = dump(manifest(bundle, files, exported_at=exported_at))
    return archive(files)


def seal_folder(folder: Path, *, exported_at: datetime) -> dict[str, Any]:
    """Write ``manifest.json`` for a bundle kept unpacked in a folder (the shipped models).

    The bundle id comes from the content digest, so it stays the same while the files do; the
    files themselves are read as they are, never rewritten.
    """
    files = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != fmt.MANIFEST
    }
    digests = {name: sha256(content) for name, content in files.items()}
    programme = json.loads(files[fmt.PROGRAMME])
    document = {
        "format": fmt.FORMAT,
        "format_version": fmt.FORMAT_VERSION,
        "bundle_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"peerpath-bundle:{content_digest(digests)}")),
        "exported_at": exported_at.isoformat(timespec="seconds"),
        "programme": {"code": programme["code"], "name": programme["name"]},
        "content_digest": content_digest(digests),
        "files": [{"path": name, "bytes": len(files[name]), "sha256": digests[name]} for name in sorted(files)],
    }
    (folder / fmt.MANIFEST).write_bytes(dump(document))
    return document
