"""Jingli settings, read from the environment and refused when malformed.

No variables set gives the embedded default: SQLite under var/, Celery tasks executed in process, DEBUG
on. `DATABASE_URL` switches to PostgreSQL, `REDIS_URL` to a Redis broker and cache with real workers.
Every variable is documented in .env.example.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.env import (
    ImproperEnvironment,
    env_bool,
    env_choice,
    env_date,
    env_int,
    env_list,
    env_rate,
    env_str,
    parse_database_url,
    parse_redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("JINGLI_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-jingli-development-only-never-use-in-production"  # noqa: S105 - refused when DEBUG is off
SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperEnvironment("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperEnvironment("SECRET_KEY must be at least 50 random characters when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from our own static files, no CDN
    "stations",
    "personnel",
    "workload",
    "allocation",
    "rosters",
    "reports",
    "audit",
    "orgdata",
    "apikeys",
    "security",
]

MIDDLEWARE = [
    "security.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "security.middleware.RequestSizeLimitMiddleware",
    "security.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "reports.language.LanguageCookieMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "security.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "security.middleware.DatabaseUnavailableMiddleware",
]

if not DEBUG:
    # In production the app serves its own static files (no CDN, no separate web server needed).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "config.context_processors.scope",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------

_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": parse_database_url("DATABASE_URL", _database_url).as_django()}
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "jingli.sqlite3",
            "OPTIONS": {
                # WAL lets the web server read while a seeding or import job writes; IMMEDIATE takes the
                # write lock at BEGIN so two writers queue instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ------------------------------------------------------------------------------

_redis_url = env_str("REDIS_URL")
REDIS_URL = parse_redis_url("REDIS_URL", _redis_url) if _redis_url else None

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "jingli",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None  # progress and results live in the model rows, not in Celery
# Without a broker, tasks run in the calling process so the demo needs nothing but Python.
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 15 * 60, minimum=10)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
# acks_late redelivers an unacknowledged task after this long; it must exceed the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 300}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # Imports refresh the months they touch at once; this catches anything else, at night.
    "workload-recompute-nightly": {
        "task": "workload.recompute",
        "schedule": crontab(hour=18, minute=30),  # 02:30 in China (beat runs in UTC)
        "options": {"expires": 3600},
    },
    # A worker killed outright leaves its batch `running`; this ends it failed and unstaged.
    "workload-fail-stale-batches": {
        "task": "workload.fail_stale_batches",
        "schedule": 600.0,
        "options": {"expires": 300},
    },
    "audit-purge-nightly": {
        "task": "audit.purge",
        "schedule": crontab(hour=19, minute=0),
        "options": {"expires": 3600},
    },
    # Fails the allocation runs a killed worker left running (allocation.services.runs_recover).
    "allocation-runs-recover": {
        "task": "allocation.runs_recover",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 600},
    },
}

# --- Authentication -----------------------------------------------------------------------------

AUTH_USER_MODEL = "personnel.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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

# Lockout: this many failed logins within the window, per account or per address, block logging in
# until the oldest of them is older than the window (OWASP ASVS 2.2.1; CJIS 5.6.2.1.1 asks for 5).
JINGLI_LOCKOUT_ATTEMPTS = env_int("JINGLI_LOCKOUT_ATTEMPTS", 5, minimum=1, maximum=100)
JINGLI_LOCKOUT_MINUTES = env_int("JINGLI_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60)
# Sessions end after this long without a request, and this long after the login whatever happens.
JINGLI_SESSION_IDLE_MINUTES = env_int("JINGLI_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)
JINGLI_SESSION_ABSOLUTE_HOURS = env_int("JINGLI_SESSION_ABSOLUTE_HOURS", 12, minimum=1, maximum=7 * 24)
SESSION_COOKIE_AGE = JINGLI_SESSION_ABSOLUTE_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Roles whose accounts must use a second factor (TOTP): e.g. "planner,superuser". Single accounts can be
# required to in the admin (Security → second factors).
JINGLI_2FA_REQUIRED_ROLES = env_list("JINGLI_2FA_REQUIRED_ROLES", [])
_unknown_roles = sorted(set(JINGLI_2FA_REQUIRED_ROLES) - {"planner", "chief", "auditor", "superuser"})
if _unknown_roles:
    raise ImproperEnvironment(
        f"JINGLI_2FA_REQUIRED_ROLES names unknown roles {_unknown_roles}; use planner, chief, auditor, superuser."
    )

# Addresses of the reverse proxies in front of Jingli (comma-separated). Requests from them name the
# client in X-Forwarded-For; without this, lockout per address and the trail would see only the proxy.
JINGLI_TRUSTED_PROXIES = env_list("JINGLI_TRUSTED_PROXIES", [])

# Separation of duties: the planner who started an allocation run cannot approve its proposal.
JINGLI_SEPARATE_APPROVER = env_bool("JINGLI_SEPARATE_APPROVER", True)

# --- Internationalisation -----------------------------------------------------------------------

LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "zh-hans", tuple(code for code, _name in LANGUAGES))
# One catalogue per feature under locale/features/ (so parallel work does not collide in one file),
# then the main catalogue; the test in tests/i18n reads them all.
LOCALE_PATHS = [*sorted(p for p in (BASE_DIR / "locale" / "features").glob("*") if p.is_dir()), BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE") or "Asia/Shanghai"
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperEnvironment(f"TIME_ZONE={TIME_ZONE!r} is not a known IANA time zone.") from None
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (production values whenever DEBUG is off) ----------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The preload directive only matters if someone submits the domain to the browsers' list; internal
# bureau domains never are, and sending it is what `check --deploy` expects of a production site.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST framework -----------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Browsers: the session and its CSRF token. Machines: `Authorization: Api-Key <key>` (apikeys/).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "apikeys.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api_defaults.Pages",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.error_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["config.api_defaults.PerClientThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env_rate("API_KEY_RATE", "1200/minute"),
        "api_user": env_rate("API_USER_RATE", "600/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Jingli API",
    "DESCRIPTION": "Stations, people, workload, need and allocation proposals of a county bureau. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Deny by default: the schema and its page are for accounts with a role (session or API key), as the API.
    "SERVE_PERMISSIONS": ["config.api.ReadScope"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "allocation.models.RunStatus",
        "ProposalStatusEnum": "allocation.models.ProposalStatus",
        "MoveStatusEnum": "allocation.models.MoveStatus",
        "PersonStatusEnum": "personnel.models.PersonStatus",
        "IncidentBatchModeEnum": "workload.models.BatchMode",
        "OrgBatchModeEnum": "orgdata.models.OrgBatchMode",
    },
}

# --- Logging ------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))},
}

# --- Audit trail ----------------------------------------------------------------------------------

# How long audit records are kept; the nightly purge never keeps less than six months (MLPS 2.0).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365, minimum=183)

# --- Jingli -------------------------------------------------------------------------------------

# Largest incident or organisation file accepted for import, in megabytes.
JINGLI_IMPORT_MAX_MB = env_int("JINGLI_IMPORT_MAX_MB", 200, minimum=1, maximum=4096)
# No request body may be larger than the largest import plus room for the form around it; bigger
# requests are refused with 413 before Django reads them (security.middleware.RequestSizeLimitMiddleware).
JINGLI_REQUEST_MAX_BYTES = (JINGLI_IMPORT_MAX_MB + 1) * 1024 * 1024

# The date the demo county's data is generated up to; tests and the demo use it so that "12 months of
# incidents" means the same months on every machine.
JINGLI_DEMO_END_DATE = env_date("JINGLI_DEMO_END_DATE", dt.date(2026, 10, 31))
