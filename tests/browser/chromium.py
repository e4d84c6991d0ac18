"""How PeerPath starts Debian's Chromium, for the browser tests and scripts/screenshots.py.

No Django here, so the screenshot script can import it without settings.
"""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Headless as root, and quiet on a machine without internet: no background
# networking, updates, sync or QUIC attempts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
