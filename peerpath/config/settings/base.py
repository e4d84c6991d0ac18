"""Settings shared by every environment.

Values that differ between deployments come from the environment through the
typed readers in ``peerpath.config.env``; ``.env.example`` lists them.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from peerpath.config.env import env_bool, env_choice, env_int, env_list, env_optional_str, env_str

BASE_DIR = Path(__file__).resolve().parents[3]
DATA_DIR = Path(env_str("PEERPATH_DATA_DIR", str(BASE_DIR / "data")))


# Empty here: Django refuses to start without it. settings.local supplies one for a
# laptop; settings.production insists on the environment.
SECRET_KEY = env_optional_str("SECRET_KEY") or ""
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "axes",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "peerpath.core",
    "peerpath.people",
    "peerpath.programmes",
    "peerpath.courses",
    "peerpath.delivery",
    "peerpath.accreditation",
    "peerpath.evaluation",
    "peerpath.reports",
    "peerpath.bundles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "peerpath.core.middleware.IdleSessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "peerpath.core.middleware.NoStoreForAuthenticatedMiddleware",
    # Last, so that it sees the final response of a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "peerpath.config.urls"
WSGI_APPLICATION = "peerpath.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "peerpath.config.jinja2_env.environment"},
    },
    {
        # The Django template language is kept for the admin site only.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]
FORM_RENDERER = "peerpath.core.forms.NHSFormRenderer"

# Databases -----------------------------------------------------------------
# SQLite by default; PostgreSQL when DATABASE_URL is set. See docs/adr/002.
SQLITE_TIMEOUT_SECONDS = env_int("SQLITE_TIMEOUT_SECONDS", 30, minimum=5, maximum=600)
_database_url = env_optional_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
else:
    # SQLite cannot create the folder its file lives in.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "peerpath.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE: writers queue on the busy timeout instead of failing with
                # "database is locked" (RELIABILITY.md, key fact 1).
                "transaction_mode": "IMMEDIATE",
                "timeout": SQLITE_TIMEOUT_SECONDS,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
            },
            # A file, not memory: threads in concurrency tests need a shared database.
            "TEST": {"NAME": str(DATA_DIR / "test_peerpath.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Authentication ------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60

# Lockout: five failures for the same username from the same address lock that
# pair only, so nobody can lock a carer out from somewhere else.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The page promises a fixed wait; retrying during it must not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.jinja"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "peerpath.core.net.client_ip"
AXES_VERBOSE = False

# Sessions: idle expiry (refreshed at most once a minute) inside an absolute cap.
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1) * 60
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Security headers ----------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Uploads (Django defaults, stated so tests can hold them).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "peerpath" / "static"]
# Uploaded files live outside the web root and are never served from a URL of
# their own: views check access and send them as attachments.
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Email: the console by default; a file folder or SMTP by environment.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PeerPath <no-reply@peerpath.invalid>")

# Background work runs through the Django tasks API (docs/adr/007): inline ("immediate", for
# tests and the demo) or queued in the database for `manage.py db_worker` ("database").
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[env_choice("PEERPATH_TASKS", "immediate", frozenset(TASK_BACKENDS))]}}

# Service ---------------------------------------------------------------------
PEERPATH_SERVICE_NAME = "PeerPath"
PEERPATH_PAGE_SIZE = env_int("PEERPATH_PAGE_SIZE", 25, minimum=5, maximum=200)
# How long a report section's figures are kept in the cache, keyed by the data they were built
# from (peerpath.reports.versions): any recorded change makes a new key. 0 turns it off.
PEERPATH_REPORT_CACHE_SECONDS = env_int("PEERPATH_REPORT_CACHE_SECONDS", 900, minimum=0, maximum=86_400)
# Largest course material (slides, handouts) a coordinator may upload.
PEERPATH_MATERIAL_MAX_BYTES = env_int("PEERPATH_MATERIAL_MAX_MB", 20, minimum=1, maximum=200) * 1024 * 1024
# Any request with files larger than this is refused before it is read (a 400 page);
# between the two limits, the form says which file was too large.
PEERPATH_MAX_REQUEST_BYTES = 2 * PEERPATH_MATERIAL_MAX_BYTES
# Largest programme bundle (a .zip with its course materials) an administrator may upload;
# the import page alone takes requests this large (peerpath.core.uploads.upload_ceiling).
PEERPATH_BUNDLE_MAX_BYTES = env_int("PEERPATH_BUNDLE_MAX_MB", 100, minimum=1, maximum=200) * 1024 * 1024
# The address links in emails and calendar feeds start with (no request behind a background job).
PEERPATH_SITE_URL = env_str("PEERPATH_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Open Badges signing keys (Ed25519): kept out of the database and its backups (docs/adr/015).
PEERPATH_CREDENTIAL_KEY_DIR = Path(env_str("PEERPATH_CREDENTIAL_KEY_DIR", str(DATA_DIR / "keys")))
# Delivery: how long an offered place is held, and the share of sessions a participant must
# attend to complete a course (percent).
PEERPATH_OFFER_HOURS = env_int("PEERPATH_OFFER_HOURS", 48, minimum=1, maximum=24 * 14)
PEERPATH_COMPLETION_PERCENT = env_int("PEERPATH_COMPLETION_PERCENT", 80, minimum=1, maximum=100)
# Session reminders go out this many hours before a session starts.
PEERPATH_REMINDER_HOURS = env_int("PEERPATH_REMINDER_HOURS", 24, minimum=1, maximum=24 * 7)
# Evaluation (ADR 018): licensed instruments' wording, installed by a site that holds a
# licence; and how invitations to answer questionnaires are reminded.
PEERPATH_INSTRUMENT_WORDING_DIR = Path(env_str("PEERPATH_INSTRUMENT_WORDING_DIR", str(DATA_DIR / "instrument-wording")))
PEERPATH_INVITATION_REMINDERS = env_int("PEERPATH_INVITATION_REMINDERS", 2, minimum=0, maximum=5)
PEERPATH_INVITATION_REMIND_DAYS = env_int("PEERPATH_INVITATION_REMIND_DAYS", 7, minimum=1, maximum=60)
FILE_UPLOAD_HANDLERS = [
    "peerpath.core.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Invitation tokens never reach the log, whatever logs a path (peerpath/config/secret_logging.py).
    "filters": {"mask_secrets": {"()": "peerpath.config.secret_logging.MaskSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})),
    },
    # WeasyPrint narrates every render at INFO; only its problems belong in the log.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "peerpath.core.views.csrf_failure"
