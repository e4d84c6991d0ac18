"""Copy the front-end packages from node_modules into peerpath/static/vendor/.

No bundler is needed: nhsuk-frontend ships compiled CSS and JS. Run after
``npm ci``; ``make assets`` does both.

Two edits on the way:
- the ``@font-face`` rules go: they load Frutiger from the NHS's own asset host,
  which our Content Security Policy forbids and whose licence covers NHS services;
  the design system's fallback (Arial) is used instead;
- source-map comments go, because the maps are not shipped (and hashed static
  storage would refuse to collect a file that names a missing map).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "peerpath" / "static" / "vendor"

COPIES = [
    ("nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css", "nhsuk-frontend/nhsuk-frontend.min.css"),
    ("nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js", "nhsuk-frontend/nhsuk-frontend.min.js"),
    ("nhsuk-frontend/dist/nhsuk/assets", "nhsuk-frontend/assets"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
]


FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
SOURCE_MAP = re.compile(r"^\s*(/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S+)\s*$", re.MULTILINE)


def clean(text: str) -> str:
    return SOURCE_MAP.sub("", FONT_FACE.sub("", text))


def main() -> int:
    if not MODULES.is_dir():
        print("node_modules is missing: run `npm ci` first.", file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for source, target in COPIES:
        src, dst = MODULES / source, VENDOR / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        elif dst.suffix in {".css", ".js"}:
            dst.write_text(clean(src.read_text(encoding="utf-8")), encoding="utf-8")
        else:
            shutil.copy2(src, dst)
    print(f"Front-end assets copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
