"""Copy the front-end packages from node_modules into peerpath/static/vendor/.

No bundler is needed: nhsuk-frontend ships compiled CSS and JS. Run after
``npm ci``; ``make assets`` does both.
"""

from __future__ import annotations

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
        else:
            shutil.copy2(src, dst)
    print(f"Front-end assets copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
