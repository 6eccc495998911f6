"""Settings shared by every mode, read from the environment with safe local defaults."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name)
    try:
        return default if value is None else int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in (env(name, default) or "").split(",") if part.strip()]


SECRET_KEY = env("SECRET_KEY", "local-development-only-not-a-secret-7f3b1c9e2a")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

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
    "drf_spectacular_sidecar",
    "ecrs_hub",
    "items",
    "scales",
    "coupons",
    "cognition",
    "labels",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
            ],
            # The shell is not an app: its template tags are named here.
            "libraries": {"hub_dashboard": "config.templatetags.hub_dashboard"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails the connection after this many seconds (libpq's
    # minimum is 2) instead of holding a POS call past its 5 s deadline: 503, retried.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the admin read while a push writes; the busy timeout turns a short write
    # lock into a wait rather than an immediate "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

# File storage: the local file system unless an S3-compatible bucket is configured
# (django-storages reads AWS_* settings; AWS_S3_ENDPOINT_URL points at MinIO, R2, ...).
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL")
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME")
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID")
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY")
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_S3_FILE_OVERWRITE = False
    DEFAULT_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Push bodies are checked against these limits from Content-Length before they are read
# (CONTRACT 2.2); Django's own limit would answer 400, so it is lifted above ours.
ECRS_MAX_JSON_BYTES = env_int("ECRS_MAX_JSON_BYTES", 64 * 1024 * 1024)
ECRS_MAX_IMAGE_BYTES = env_int("ECRS_MAX_IMAGE_BYTES", 100 * 1024 * 1024)
ECRS_MAX_IMAGE_FILES = 10
ECRS_PUSH_RETENTION_DAYS = env_int("ECRS_PUSH_RETENTION_DAYS", 30)
ECRS_LOCK_TIMEOUT_MS = env_int("ECRS_LOCK_TIMEOUT_MS", 10_000)
# Where POS terminals and shopper apps reach the hub ("https://hub.example.com"): the absolute
# image URLs of sites with useExternalImages start with it. Empty: the request's own host.
PUBLIC_BASE_URL = (env("PUBLIC_BASE_URL", "") or "").rstrip("/")
# Bound on any one statement of a push's ingest transaction (a database that hangs): 503.
ECRS_STATEMENT_TIMEOUT_MS = env_int("ECRS_STATEMENT_TIMEOUT_MS", 60_000)
# A push still "received" this long after it arrived was never finished: its worker was killed
# or its database stopped mid-push. Longer than the request timeout (gunicorn --timeout 120),
# so a live worker has always finished or failed it by then; safe with many nodes.
ECRS_PUSH_INTERRUPTED_AFTER = env_int("ECRS_PUSH_INTERRUPTED_AFTER", 300)
# POS coupons (CONTRACT 3.5.1): a coupon pending on a transaction longer than this is
# abandoned and may be reclaimed by another transaction. Seconds; default 4 h.
POS_PENDING_ABANDON_AFTER = env_int("POS_PENDING_ABANDON_AFTER", 4 * 3600)
# Row-lock wait bound for POS writes: far below the POS's 5 s deadline.
POS_LOCK_TIMEOUT_MS = env_int("POS_LOCK_TIMEOUT_MS", 3_000)
# Bound on any one statement of a POS write transaction (a database that hangs): the POS is
# answered 503 UNAVAILABLE well inside its 5 s deadline, and retries.
POS_STATEMENT_TIMEOUT_MS = env_int("POS_STATEMENT_TIMEOUT_MS", 2_000)
# The largest POS request body (a basket is a few kilobytes): 413 REQUEST_TOO_LARGE, from
# Content-Length before the body is read (a chunked body: as soon as it passes the cap).
POS_MAX_BODY_BYTES = env_int("POS_MAX_BODY_BYTES", 1024 * 1024)
# Machine secrets (integration keys, API tokens, POS passwords) are stored as HMAC-SHA-256
# under this key (ecrs_hub.machine_secrets). Empty: a key derived from SECRET_KEY, so rotating
# SECRET_KEY invalidates them unless the old one stays in SECRET_KEY_FALLBACKS. Set it (50+
# random characters) to keep them apart; old keys go in ECRS_SECRET_HASH_KEY_FALLBACKS.
ECRS_SECRET_HASH_KEY = env("ECRS_SECRET_HASH_KEY", "")
ECRS_SECRET_HASH_KEY_FALLBACKS = env_list("ECRS_SECRET_HASH_KEY_FALLBACKS", "")
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
# Failed authentications, counted in the default cache (ecrs_hub.throttle): past a limit within
# the window, 429 with Retry-After. A POS username that authenticated from an address before
# (within POS_AUTH_TRUST_SECONDS) is still checked from there, so a flood does not lock out
# the real Transaction Server.
POS_AUTH_FAILURE_WINDOW = env_int("POS_AUTH_FAILURE_WINDOW", 60)
POS_AUTH_FAILURES_PER_ADDRESS = env_int("POS_AUTH_FAILURES_PER_ADDRESS", 30)
POS_AUTH_FAILURES_PER_USERNAME = env_int("POS_AUTH_FAILURES_PER_USERNAME", 10)
POS_AUTH_TRUST_SECONDS = env_int("POS_AUTH_TRUST_SECONDS", 7 * 24 * 3600)
ECRS_AUTH_FAILURE_WINDOW = env_int("ECRS_AUTH_FAILURE_WINDOW", 60)
ECRS_AUTH_FAILURES_PER_ADDRESS = env_int("ECRS_AUTH_FAILURES_PER_ADDRESS", 30)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(ECRS_MAX_JSON_BYTES, ECRS_MAX_IMAGE_BYTES) + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 100

# The staff API (/api/): staff only, and the user's Django model permissions (view for
# reads); sessions for the browsable API, hashed API tokens (ecrs_hub.models.ApiToken) for scripts.
# Shopper apps authenticate with their own key and are throttled per key (coupons/shopper_api.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ecrs_hub.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["ecrs_hub.api.permissions.StaffModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "ecrs_hub.api.filters.ApiFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "ecrs_hub.api.pagination.PagePagination",
    # JSON bodies bounded in depth, without lone surrogates or non-finite numbers (400, never a 500)
    "DEFAULT_PARSER_CLASSES": [
        "ecrs_hub.api.parsers.BoundedJsonParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"shopper_app": env("SHOPPER_API_RATE", "120/min")},
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ECRS Hub",
    "DESCRIPTION": "Partner-side hub for ECRS CATAPULT: item, scale and coupon integrations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operation ids and tags of /api/ are named after the path below /api, even beside /pos/.
    "SCHEMA_PATH_PREFIX": "/api",
    "PREPROCESSING_HOOKS": ["config.schema.add_pos_endpoints"],
    "ENUM_NAME_OVERRIDES": {
        "PosErrorIdEnum": "coupons.pos_schema.ERROR_IDS",
        "PosReceiptLineTypeEnum": "coupons.pos_schema.RECEIPT_LINE_TYPES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.add_push_and_pos_endpoints",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Production hardening is switched on by the environment (CONTRACT 7), never by default:
# a TLS proxy sits in front and the app serves plain HTTP behind it.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind the TLS proxy, which sets X-Forwarded-Proto and appends X-Forwarded-For.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /ecrs/ and /pos/ paths never redirect (a redirected POST loses its body).
SECURE_REDIRECT_EXEMPT = [r"^ecrs/", r"^pos/", r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# ECRS Cognition (CONTRACT 4): where the hub pulls transaction history, forecasts and
# recommendations from.
COGNITION_BASE_URL = env("COGNITION_BASE_URL", "https://cognition.ecrs.com/api/v1")
COGNITION_ACCOUNT = env("COGNITION_ACCOUNT")
COGNITION_API_KEY = env("COGNITION_API_KEY")
COGNITION_TIMEOUT = float(env("COGNITION_TIMEOUT", "120"))
COGNITION_RETRIES = env_int("COGNITION_RETRIES", 5)
COGNITION_BACKOFF = float(env("COGNITION_BACKOFF", "2"))
COGNITION_BACKOFF_MAX = float(env("COGNITION_BACKOFF_MAX", "120"))
COGNITION_DF3_PATH = env("COGNITION_DF3_PATH", "/predictive/df3")
COGNITION_FORMAT = env("COGNITION_FORMAT", "json")
COGNITION_SYNC_FIRST_HOURS = env_int("COGNITION_SYNC_FIRST_HOURS", 26)
