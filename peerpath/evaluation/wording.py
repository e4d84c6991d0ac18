"""Item wording for a questionnaire page: shipped in the definition, or installed by the site.

Licensed instruments ship without their wording (ADR 016). A site that holds a licence puts
the wording in ``PEERPATH_INSTRUMENT_WORDING_DIR`` as ``<code>-v<version>.json``::

    {"instructions": "...",
     "items": {"<item id>": "<item text>", ...},
     "response_sets": {"<set name>": ["<label of the first option>", ...]}}

Every item and every option of every set the definition has must be worded; a file that
does not fit its definition is refused with a ``WordingError`` naming the file and the key,
and the questionnaire is not offered online until it is fixed. Without wording a
questionnaire can still be typed in from its licensed paper form by staff (by item number
and value), so scoring never depends on wording.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from peerpath.evaluation.definitions import Instrument
from peerpath.evaluation.models import InstrumentVersion
from peerpath.evaluation.responses import instrument_for


class WordingError(ValueError):
    """A local wording file that does not fit its instrument version."""


@dataclass(frozen=True)
class Wording:
    """The words to show: instructions, each item's text and each response set's labels."""

    instructions: str
    items: dict[str, str]
    response_sets: dict[str, tuple[str, ...]]
    source: str  # "shipped" or "local"

    def item_text(self, item_id: str) -> str:
        return self.items[item_id]

    def option_label(self, response_set: str, index: int) -> str:
        return self.response_sets[response_set][index]


def wording_dir() -> Path:
    return Path(settings.PEERPATH_INSTRUMENT_WORDING_DIR)


def local_path(instrument: Instrument) -> Path:
    return wording_dir() / f"{instrument.code}-v{instrument.version}.json"


def shipped_wording(instrument: Instrument) -> Wording | None:
    if not instrument.licence.ships_text:
        return None
    return Wording(
        instructions=instrument.instructions,
        items={item.id: item.text or "" for item in instrument.items},
        response_sets={
            name: tuple(option.label or "" for option in options) for name, options in instrument.response_sets.items()
        },
        source="shipped",
    )


def _fail(path: Path, problem: str) -> WordingError:
    return WordingError(f"{path.name}: {problem}")


def parse_local(instrument: Instrument, data: Any, path: Path) -> Wording:
    """Check a local wording document against its instrument version."""
    if not isinstance(data, dict):
        raise _fail(path, "must hold one JSON object")
    unknown = sorted(set(data) - {"instructions", "items", "response_sets"})
    if unknown:
        raise _fail(path, f"{unknown[0]} is not a known key")
    instructions = data.get("instructions", "")
    if not isinstance(instructions, str):
        raise _fail(path, "instructions must be a string")
    items = data.get("items")
    if not isinstance(items, dict):
        raise _fail(path, "items must be an object of item id to text")
    wanted = [item.id for item in instrument.items]
    for item_id in wanted:
        text = items.get(item_id)
        if not isinstance(text, str) or not text.strip():
            raise _fail(path, f"items.{item_id} must be the item's text")
    extra = sorted(set(items) - set(wanted))
    if extra:
        raise _fail(path, f"items.{extra[0]} is not an item of {instrument.code} version {instrument.version}")
    sets = data.get("response_sets", {})
    if not isinstance(sets, dict):
        raise _fail(path, "response_sets must be an object of set name to a list of labels")
    labels: dict[str, tuple[str, ...]] = {}
    for name, options in instrument.response_sets.items():
        given = sets.get(name)
        if (
            not isinstance(given, list)
            or len(given) != len(options)
            or not all(isinstance(label, str) and label.strip() for label in given)
        ):
            raise _fail(path, f"response_sets.{name} must list {len(options)} labels, one per option in order")
        labels[name] = tuple(given)
    extra_sets = sorted(set(sets) - set(instrument.response_sets))
    if extra_sets:
        raise _fail(path, f"response_sets.{extra_sets[0]} is not a response set of {instrument.code}")
    return Wording(instructions=instructions, items=dict(items), response_sets=labels, source="local")


def local_wording(instrument: Instrument) -> Wording | None:
    """The site's installed wording for this version, None when there is no file (``WordingError`` when bad)."""
    path = local_path(instrument)
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise _fail(path, f"cannot be read as JSON ({error})") from error
    return parse_local(instrument, data, path)


def wording_for(instrument: Instrument) -> Wording | None:
    """The wording a questionnaire page shows: shipped, else installed locally, else None."""
    return shipped_wording(instrument) or local_wording(instrument)


def can_answer_online(version: InstrumentVersion) -> bool:
    """Whether people can answer this version on a page: it has wording, shipped or installed
    and valid (a broken local file counts as none, so no invitation asks it)."""
    instrument = instrument_for(version)
    try:
        return wording_for(instrument) is not None
    except WordingError:
        return False
