"""Production settings: HTTPS only, secrets from the environment.

``manage.py check --deploy --fail-level WARNING`` passes with these (tested in CI).
"""

from peerpath.config.env import env_choice, env_int, env_list, env_str
from peerpath.config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set ALLOWED_HOSTS for production.")

SECURE_SSL_REDIRECT = True
# Only behind a proxy that overwrites this header; set TRUSTED_PROXY_COUNT to match.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
# HSTS preload is an irreversible opt-in that belongs to whoever owns the domain.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Emails and reminders wait in the database for `manage.py db_worker`, so a slow mail server
# never holds up a page and a failed send is retried by running the job again.
TASKS = {"default": {"BACKEND": TASK_BACKENDS[env_choice("PEERPATH_TASKS", "database", frozenset(TASK_BACKENDS))]}}
