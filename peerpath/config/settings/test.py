"""Settings for the test suite: fast hashing, mail kept in memory."""

import atexit
import secrets
import shutil
import tempfile
from pathlib import Path

from peerpath.config.settings.base import *  # noqa: F403

SECRET_KEY = SECRET_KEY or secrets.token_urlsafe(50)

# Argon2 is deliberately slow; the suite checks production hashing separately.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Report sections are built afresh in tests: rolled-back test data can repeat the ids the
# cache keys are made of (peerpath.reports.versions). Tests of the cache switch it on.
PEERPATH_REPORT_CACHE_SECONDS = 0
# Serve static files from the finders; no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Credential signing keys: a fresh folder per test process, removed when it ends.
PEERPATH_CREDENTIAL_KEY_DIR = Path(tempfile.mkdtemp(prefix="peerpath-keys-"))
atexit.register(shutil.rmtree, PEERPATH_CREDENTIAL_KEY_DIR, ignore_errors=True)
