"""Exporting a programme to a bundle file, and the models PeerPath ships as bundles."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from peerpath.bundles import exporting, guide, reading, writing
from peerpath.bundles.format import Bundle
from peerpath.bundles.importing import Preview
from peerpath.core import audit
from peerpath.core.audit import Actor
from peerpath.programmes.models import Programme

SHIPPED = Path(__file__).resolve().parent / "shipped"


@dataclass(frozen=True)
class Exported:
    content: bytes
    filename: str
    summary: str


def export_programme(programme: Programme, *, actor: Actor | None = None) -> Exported:
    """The programme as a bundle file, with its guide (HTML and PDF); audited when someone asked for it.

    Laying out the guide's PDF takes a few seconds for a programme of a hundred courses.
    """
    now = timezone.now().replace(microsecond=0)
    # The guide is dated by the export, so the same bundle always lays out the same PDF.
    bundle = dataclasses.replace(exporting.export(programme), exported_at=now.isoformat(timespec="seconds"))
    content = writing.write(bundle, exported_at=now, guide=guide.files(bundle))
    if actor is not None:
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="programme.exported",
                target=programme,
                data={"courses": len(bundle.courses), "bytes": len(content)},
            )
    return Exported(
        content=content,
        filename=f"{slugify(programme.code)}-{now:%Y-%m-%d}.zip",
        summary=", ".join(
            _count(len(found), noun)
            for found, noun in (
                (bundle.courses, "course"),
                (bundle.schemes, "scheme"),
                (bundle.frameworks, "framework"),
                (bundle.instruments, "questionnaire"),
                (bundle.schedules, "schedule"),
            )
        ),
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def shipped_models() -> list[str]:
    """The models shipped with PeerPath, by folder name."""
    if not SHIPPED.is_dir():
        return []
    return sorted(path.parent.name for path in SHIPPED.glob("*/manifest.json"))


def shipped_model(name: str) -> Bundle:
    """A model shipped with PeerPath, read and checked once per process (its files are part of
    the release, so the import page does not read and hash them on every visit)."""
    if name not in shipped_models():
        raise reading.BundleError(f"PeerPath ships no model called '{name}'")
    return _read_shipped(name)


@functools.cache
def _read_shipped(name: str) -> Bundle:
    return reading.parse(reading.read_folder(SHIPPED / name))


def describe(plan: Preview) -> list[str]:
    """The preview in lines of text, for the command line."""
    bundle = plan.bundle
    lines = [f"Bundle: {bundle.programme.name} (format version {bundle.format_version})"]
    if plan.earlier is not None:
        lines.append(f"Already imported for {plan.owner} as '{plan.earlier.programme}'.")
        return lines
    lines += [f"Problem: {problem}" for problem in plan.problems]
    lines.append(f"Will create programme '{plan.name}' ({plan.code}) for {plan.owner}")
    lines.append(f"  {len(bundle.courses)} courses: " + ", ".join(c.title for c in bundle.courses))
    lines.append(
        f"  instruments: {len(plan.new_instruments)} new, {len(plan.same_instruments)} already here; "
        f"frameworks: {len(plan.new_frameworks)} new, {len(plan.same_frameworks)} already here; "
        f"schemes: {len(plan.new_schemes)} new, {len(plan.adopted_schemes)} adopted; "
        f"schedules: {len(plan.new_schedules)} new"
    )
    for conflict in plan.conflicts:
        lines.append(f"Conflict {conflict.key}: {conflict.title}. {conflict.problem}")
        lines += [f"    --resolve {conflict.key}={value}: {label}" for value, label in conflict.choices]
    return lines
