"""Settings for one machine: the demo, a laptop, a single Recovery College server on SQLite.

Identical to base, except that without SECRET_KEY in the environment a random key
is created once in the data folder, so nobody has to invent one.
"""

import secrets

from peerpath.config.settings.base import *  # noqa: F403


def _local_secret_key() -> str:
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _local_secret_key()
