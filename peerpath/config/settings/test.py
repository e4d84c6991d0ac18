"""Settings for the test suite: fast hashing, mail kept in memory."""

import secrets

from peerpath.config.settings.base import *  # noqa: F403

SECRET_KEY = SECRET_KEY or secrets.token_urlsafe(50)

# Argon2 is deliberately slow; the suite checks production hashing separately.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the finders; no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
