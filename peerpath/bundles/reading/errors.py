"""Why a bundle cannot be read, and typed reads of its JSON that say where it went wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class BundleError(ValueError):
    """The bundle cannot be read; the message says why, fit to show."""


class Reader:
    """Typed reads of one JSON file; every failure names the file and the key."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, path: str, problem: str) -> NoReturn:
        raise BundleError(f"{self.name}: {path} {problem}" if path else f"{self.name}: {problem}")

    def mapping(self, value: object, path: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(path, "must be an object")
        return value

    def keys(self, obj: Mapping[str, Any], path: str, required: Sequence[str]) -> None:
        for key in required:
            if key not in obj:
                self.fail(f"{path}.{key}" if path else key, "is missing")
        for key in obj:
            if key not in required:
                self.fail(f"{path}.{key}" if path else str(key), "is not a key this format version has")

    def text(self, value: object, path: str, *, empty: bool = False, limit: int = 10_000) -> str:
        if not isinstance(value, str) or (not empty and not value.strip()):
            self.fail(path, "must be text" if empty else "must be text that is not empty")
        if len(value) > limit:
            self.fail(path, f"must be at most {limit:,} characters")
        return value

    def slug(self, value: object, path: str) -> str:
        if not isinstance(value, str) or len(value) > 60 or not SLUG.match(value):
            self.fail(path, "must be a short code of lower-case letters, digits and hyphens")
        return value

    def whole(self, value: object, path: str, *, minimum: int = 0, maximum: int = 1_000_000) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self.fail(path, f"must be a whole number from {minimum} to {maximum:,}")
        return value

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, "must be true or false")
        return value

    def decimal(self, value: object, path: str, *, maximum: Decimal = Decimal(100_000)) -> Decimal:
        try:
            number = Decimal(value) if isinstance(value, str) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not Decimal(0) <= number <= maximum:
            self.fail(path, f'must be a decimal written as text, such as "12.5", from 0 to {maximum}')
        return number

    def choice(self, value: object, path: str, allowed: Sequence[str]) -> str:
        if not isinstance(value, str) or value not in allowed:
            self.fail(path, "must be one of " + ", ".join(f'"{a}"' for a in allowed))
        return value

    def listing(self, value: object, path: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, "must be a list")
        return value
