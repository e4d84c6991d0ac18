"""Competency frameworks and schemes as data files, loaded into the database.

The default one, ``data/carer_peer_trainer_framework.json``, is loaded by a data
migration. Its competences are the programme's own words, each referenced to a
domain (and sub-area) of the 2020 peer support worker competence framework by
number and short name only. Administrators edit them afterwards (a new version
of a framework is a new row, so awards keep the version they were granted on).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

DEFAULT_FRAMEWORK = Path(__file__).resolve().parent / "data" / "carer_peer_trainer_framework.json"
FORMAT = "peerpath-competency-framework"
SCHEME_NUMBERS = (
    "attendance_percent",
    "observations_required",
    "reflections_required",
    "supervisions_required",
    "validity_months",
    "grace_days",
    "expiring_soon_days",
    "renewal_sessions_delivered",
    "renewal_supervisions",
)


class FrameworkFileError(ValueError):
    """The file is not a framework PeerPath can load; the message says why."""


def read(path: Path = DEFAULT_FRAMEWORK) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT or data.get("format_version") != 1:
        raise FrameworkFileError(f"{path.name} is not a version 1 {FORMAT} file")
    codes = [item["code"] for item in data["competencies"]]
    if len(codes) != len(set(codes)):
        raise FrameworkFileError(f"{path.name} repeats a competency code")
    return data


def load(data: dict[str, Any], models: Any) -> Any:
    """Create the framework, its competencies and its schemes; ``models(name)`` returns a model class.

    Migrations pass ``lambda name: apps.get_model("accreditation", name)``, so this
    works against the historical models too. Loading a framework version that is
    already there changes nothing and returns it.
    """
    framework_model, competency_model, scheme_model = (
        models("CompetencyFramework"),
        models("Competency"),
        models("Scheme"),
    )
    existing = framework_model.objects.filter(code=data["code"], version=data["version"]).first()
    if existing is not None:
        return existing
    framework = framework_model.objects.create(
        code=data["code"],
        version=data["version"],
        name=data["name"],
        description=data.get("description", ""),
        source=data.get("source", ""),
        status="published",
    )
    competency_model.objects.bulk_create(
        competency_model(
            framework=framework,
            code=item["code"],
            domain_number=item["domain_number"],
            domain_name=item["domain_name"],
            reference=item.get("reference", ""),
            title=item["title"],
            statement=item["statement"],
            order=index,
        )
        for index, item in enumerate(data["competencies"], start=1)
    )
    for item in data.get("schemes", []):
        if scheme_model.objects.filter(code=item["code"]).exists():
            continue
        scheme_model.objects.create(
            code=item["code"],
            name=item["name"],
            description=item.get("description", ""),
            grants=item["grants"],
            framework=framework,
            every_competency_evidenced=item.get("every_competency_evidenced", True),
            renewal_cpd_hours=Decimal(str(item.get("renewal_cpd_hours", "0"))),
            **{name: item[name] for name in SCHEME_NUMBERS if name in item},
        )
    return framework


def ensure_default() -> Any:
    """The default framework and schemes, loaded again if a test emptied the tables (idempotent)."""
    from django.apps import apps

    return load(read(), lambda name: apps.get_model("accreditation", name))
