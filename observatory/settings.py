"""Settings for the EU Industry Observatory: one file, read from the environment.

Safe defaults: DEBUG is off unless DJANGO_DEBUG is set. With DJANGO_ENV=production a missing
required variable stops start-up with a hint (see README "Configuration").
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


PRODUCTION = env("DJANGO_ENV", "development") == "production"
TESTING = env_bool("OBSERVATORY_TESTING")


def required(name: str, hint: str) -> str:
    """In production, refuse to start without NAME; elsewhere the caller supplies a dev default."""
    value = env(name)
    if value is None:
        raise ImproperlyConfigured(f"{name} is required when DJANGO_ENV=production. Hint: {hint}")
    return value


DEBUG = env_bool("DJANGO_DEBUG", default=False)

if PRODUCTION:
    SECRET_KEY = required(
        "DJANGO_SECRET_KEY",
        "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'",
    )
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or [
        required("DJANGO_ALLOWED_HOSTS", "a comma-separated list such as observatory.example.eu")
    ]
    DATABASE_URL = required("DATABASE_URL", "postgres://user:password@host:5432/observatory")
else:
    # A fixed development key: never used in production, where the variable is required.
    SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-not-for-production-use-0123456789")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    # The Makefile starts the embedded PostgreSQL and sets DATABASE_URL; this default only lets
    # settings import (e.g. for `ruff` or pure tests) without a database.
    DATABASE_URL = env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/observatory")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "observatory",
    "ecosystems",
    "indicators",
    "community",
]

MIDDLEWARE = [
    # Before SecurityMiddleware/CommonMiddleware: the container health check uses 127.0.0.1 as Host.
    "observatory.middleware.HealthzMiddleware",
    # NUL and other control characters answer 400 before any view reaches PostgreSQL.
    "observatory.middleware.RejectControlCharactersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff without a TOTP authenticator are sent to MFA setup before any admin page.
    "observatory.middleware.StaffMfaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: a page from the anonymous page cache is answered here without a snapshot transaction,
    # and still passes through every middleware above (indicators.selectors.GenerationMiddleware).
    "indicators.selectors.GenerationMiddleware",
]

ROOT_URLCONF = "observatory.urls"
WSGI_APPLICATION = "observatory.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                # LANGUAGE_CODE for templates: the fragment cache keys and the language switcher.
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
                "observatory.context_processors.site",
            ],
        },
    },
]

# Django's form and widget templates through Jinja2 (same markup, ~3x faster), admin widgets
# and any other Django-templates-only widget through Django templates (observatory/renderers.py).
FORM_RENDERER = "observatory.renderers.FormRenderer"

# Persistent connections only where the server is a fixed pool of workers (gunicorn in
# docker-compose sets DJANGO_CONN_MAX_AGE=60): the threaded dev server would hold one backend
# per kept-alive browser socket and run PostgreSQL out of connections.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("DJANGO_CONN_MAX_AGE", "0")))
}
# Model choice fields iterate their querysets with .iterator(), which on PostgreSQL opens a
# server-side cursor: DECLARE, FETCH and CLOSE, three round trips per <select> (a directory's
# filter form has four). The portal has no .iterator() over a big table (bulk reads go through
# COPY), so plain client-side cursors: one query each (also what a transaction-pooling
# pgbouncer needs). A future streaming read over millions of rows would open a named cursor.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DATABASES["default"]["TEST"] = {"NAME": env("DATABASE_TEST_NAME", "test_observatory")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "observatory.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing cost is not what the tests are about; the default hasher makes them slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# django-allauth: login by email, mandatory verification, email change, TOTP MFA.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# The public display name, asked at sign-up (observatory/accounts.py): e-mail stays private.
ACCOUNT_SIGNUP_FORM_CLASS = "observatory.forms.SignupForm"
# A registered address costs the same password hash as a new one (no enumeration by timing).
ACCOUNT_FORMS = {"signup": "observatory.signup.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[EU Industry Observatory] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_RATE_LIMITS = False if TESTING else {}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "EU Industry Observatory"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"

# Email: console in development, locmem in tests, SMTP from the environment in production.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "observatory@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Django 6.1 "mailers" (EMAIL_BACKEND is deprecated).
if PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": required("EMAIL_HOST", "the SMTP relay, e.g. smtp.example.eu"),
                "port": int(env("EMAIL_PORT", "587")),
                "username": env("EMAIL_HOST_USER", ""),
                "password": env("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}}

LANGUAGE_CODE = "en"
# The interface in English, French and German (Decision 28): chosen by the language cookie that
# the header's switcher sets, else Accept-Language; URLs stay the same in every language.
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "observatory.finders.PackageFileFinder",  # plotly.min.js from the plotly wheel
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env("OBSERVATORY_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"

# Where fetched raw files are kept (one file per release, named by sha256).
OBSERVATORY_RAW_DIR = Path(env("OBSERVATORY_RAW_DIR", str(BASE_DIR / "var" / "raw")))
# Offline mirror of the publishers (layout: ../shared/data/README.md). Unset: fetch from the web.
OBSERVATORY_DATA_MIRROR = env("OBSERVATORY_DATA_MIRROR")

# Cache: Redis when configured, else local memory. Pages cache by data generation.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "observatory.cache.RedisCache",  # Django's, one client per pool (observatory/cache.py)
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "observatory"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env("OBSERVATORY_CACHE") == "dummy":  # benchmarks: measure pages with no cache at all ("cold")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# After a refresh, pre-build every page at the new data generation before serving it
# (indicators/warming.py); the suite turns it off but in the tests that exercise it.
WARM_PAGES_AFTER_REFRESH = env_bool("OBSERVATORY_WARM_PAGES", not TESTING)
# Page fragments of a non-canonical query (a junk parameter value) are rendered, never stored.
CACHES["nocache"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}

# Celery: Redis broker and result backend when REDIS_URL is set, else tasks run inline (eager);
# observatory/celery.py logs one line saying which.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

# Security headers. CSP: Django 6's own middleware; scripts only from our origin, no inline.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # Exactly two inline style attributes are allowed, by hash: plotly.js sets an empty style=""
    # on colour-bar rectangles, and allauth's e-mail change page hides its pending-change form
    # with style="display: none" (blocked, the form showed).
    "style-src-attr": [
        "'unsafe-hashes'",
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        "'sha256-ZdHxw9eWtnxUb3mk6tBS+gIiVUPE3pGM470keHPDFlE='",
    ],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF, "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# The language switcher's cookie: read by LocaleMiddleware only, never by scripts.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # /healthz is probed over plain HTTP by the container orchestrator.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Periodic jobs (celery beat): re-check the publishers' update dates twice a day (Eurostat
# publishes twice daily), and fail + retry runs whose worker died, every five minutes.
# A run is dead when no database session holds its lock (indicators.refresh.start_run) and it has
# not reported for OBSERVATORY_REAP_AFTER seconds (the fault drills shorten it).
OBSERVATORY_REAP_AFTER = int(env("OBSERVATORY_REAP_AFTER", "60"))
# Background work yields the CPU to the web workers: the Celery worker and `manage.py refresh`
# lower their own priority to this niceness (0 leaves it, as the tests do; observatory.priority).
OBSERVATORY_BACKGROUND_NICE = int(env("OBSERVATORY_BACKGROUND_NICE", "0" if TESTING else "10"))
CELERY_BEAT_SCHEDULE = {
    "check-sources": {"task": "indicators.tasks.check_sources", "schedule": 12 * 60 * 60},
    "reap-stale-runs": {"task": "indicators.tasks.reap_stale_runs", "schedule": 5 * 60},
}

# --- publications ---
# Largest PDF attachment a curator may upload, in MB (checked by observatory.pdf.validate_pdf).
OBSERVATORY_PUBLICATION_PDF_MAX_MB = int(env("OBSERVATORY_PUBLICATION_PDF_MAX_MB", "20"))
# Largest cover image, in MB (observatory.covers.validate_cover).
OBSERVATORY_PUBLICATION_COVER_MAX_MB = int(env("OBSERVATORY_PUBLICATION_COVER_MAX_MB", "5"))
# --- end publications ---

# --- community ---
# The Industrial Forum (community app). Limits for new accounts (younger than
# COMMUNITY_NEW_ACCOUNT_DAYS, staff exempt); duplicates (same text within 24 h) are refused for all.
COMMUNITY_NEW_ACCOUNT_DAYS = int(env("COMMUNITY_NEW_ACCOUNT_DAYS", "7"))
COMMUNITY_NEW_ACCOUNT_THREADS_PER_DAY = int(env("COMMUNITY_NEW_ACCOUNT_THREADS_PER_DAY", "3"))
COMMUNITY_NEW_ACCOUNT_REPLIES_PER_DAY = int(env("COMMUNITY_NEW_ACCOUNT_REPLIES_PER_DAY", "20"))
COMMUNITY_NEW_ACCOUNT_LINKS_PER_POST = int(env("COMMUNITY_NEW_ACCOUNT_LINKS_PER_POST", "2"))
# Organisations (community/organisations): a new account's daily proposals, offers, events and
# interest messages; the links limit above applies to their texts too.
COMMUNITY_NEW_ACCOUNT_ORGANISATIONS_PER_DAY = int(env("COMMUNITY_NEW_ACCOUNT_ORGANISATIONS_PER_DAY", "1"))
COMMUNITY_NEW_ACCOUNT_OFFERS_PER_DAY = int(env("COMMUNITY_NEW_ACCOUNT_OFFERS_PER_DAY", "3"))
COMMUNITY_NEW_ACCOUNT_EVENTS_PER_DAY = int(env("COMMUNITY_NEW_ACCOUNT_EVENTS_PER_DAY", "3"))
COMMUNITY_NEW_ACCOUNT_INTERESTS_PER_DAY = int(env("COMMUNITY_NEW_ACCOUNT_INTERESTS_PER_DAY", "5"))
# Distinct members whose open flags hide a post pending review.
COMMUNITY_FLAGS_TO_HIDE = int(env("COMMUNITY_FLAGS_TO_HIDE", "3"))
# Absolute base for links in digest emails (no request there), e.g. https://observatory.example.eu
# Digest and unsubscribe links are built from it: a localhost default would send dead links.
COMMUNITY_SITE_URL = (
    required("COMMUNITY_SITE_URL", "the public base URL, e.g. https://observatory.example.eu")
    if PRODUCTION
    else env("COMMUNITY_SITE_URL", "http://127.0.0.1:8000")
)
# Digest emails: daily at 07:00 UTC-ish cadence handled by beat; weekly users are sent every 7 days.
CELERY_BEAT_SCHEDULE["forum-digests"] = {"task": "community.tasks.send_digests", "schedule": 60 * 60}
# Full-text search fields and GIN indexes need django.contrib.postgres.
if "django.contrib.postgres" not in INSTALLED_APPS:
    INSTALLED_APPS.insert(INSTALLED_APPS.index("community"), "django.contrib.postgres")
# Development/tests: EMAIL_BACKEND=...filebased.EmailBackend writes each email under EMAIL_FILE_PATH
# (the forum's real-worker digest test reads them back).
if not PRODUCTION and env("EMAIL_FILE_PATH"):
    MAILERS["default"]["OPTIONS"] = {"file_path": env("EMAIL_FILE_PATH")}
