"""Settings for the place-name and administrative-boundary registry.

Production is the default: DEBUG is off unless DJANGO_DEBUG=1, and with DEBUG off the
server refuses to start without a secret key (DJANGO_SECRET_KEY, or a file named by
DJANGO_SECRET_KEY_FILE; `make run` makes one under .local/). Behind a TLS proxy (nginx,
deploy/) DJANGO_HTTPS=1 (the default with DEBUG off) turns on secure cookies, HSTS and the
redirect to https; `make run` on loopback serves plain http with DJANGO_HTTPS=0.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes")


DEBUG = _flag("DJANGO_DEBUG", False)


def _secret_key() -> str:
    if os.environ.get("DJANGO_SECRET_KEY"):
        return os.environ["DJANGO_SECRET_KEY"]
    if os.environ.get("DJANGO_SECRET_KEY_FILE"):
        path = Path(os.environ["DJANGO_SECRET_KEY_FILE"])
        if not path.is_file() or not path.read_text().strip():
            raise ImproperlyConfigured(f"DJANGO_SECRET_KEY_FILE={path}: no key in that file")
        return path.read_text().strip()
    if DEBUG:
        return "dev-only-not-secret"
    # Never a fixed fallback in production: sessions and tokens would be forgeable.
    raise ImproperlyConfigured("DEBUG is off and no secret key is set: set DJANGO_SECRET_KEY "
                               "or DJANGO_SECRET_KEY_FILE (make run writes .local/secret_key)")


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
                        if o]

# TLS is terminated by the proxy in front (deploy/nginx): trust its X-Forwarded-Proto only.
HTTPS = _flag("DJANGO_HTTPS", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.gis",
    "leaflet",
    # ninja's own copy of Swagger UI (static/ninja): /api/docs works offline, no CDN
    "ninja",
    # htmx served from the package's own static files (no CDN)
    "django_htmx",
    "accounts",
    "boundaries",
    "gazetteer",
    "proposals",
    "inspections",
    "mergers",
    "archives",
    "campaigns",
    "importers",
    "jobs",
    "ops",
    "ogc",  # its templates (f=html); it has no models
    "tiles",  # vector tiles of the map layers; no models
    # last: the demo loads every app's data through its services
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.uploads.BodyLimitMiddleware",
    "config.middleware.RejectNulMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # before the session: the write position is read after the session is saved
    "config.replicas.ReadYourWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # zh-hans unless the visitor chose English (the language cookie) or asks for it
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.ratelimit.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.PublicGetCacheMiddleware",
    "config.middleware.RegistryErrorPageMiddleware",
    # innermost: kept search answers and plain code lookups skip only routing and
    # validation, not the headers
    "config.answers.CachedAnswerMiddleware",
    "boundaries.middleware.DivisionLookupMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # the pages' shared layout (base.html), below every app's templates
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"


def database_from_url(url: str) -> dict:
    parts = urlparse(url)
    return {
        "ENGINE": "config.db",
        "NAME": unquote(parts.path.lstrip("/")) or "registry",
        "USER": unquote(parts.username or "postgres"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        # gunicorn's sync workers serve one request at a time on one thread, so a kept
        # connection is one per worker (bounded); the dev server's thread per client
        # would leak one per thread, hence 0 there.
        "CONN_MAX_AGE": int(os.environ.get("DJANGO_CONN_MAX_AGE", "0" if DEBUG else "60")),
        "CONN_HEALTH_CHECKS": True,
        # The API's statements take milliseconds; JIT compiling a large one (the search
        # union passes jit_above_cost) takes longer than running it.
        "OPTIONS": {"options": "-c jit=off"},
    }


def configured_database_url() -> str:
    """$DATABASE_URL, else what `make` found or started (.local/database_url)."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    found = BASE_DIR / ".local" / "database_url"
    if found.exists():
        return found.read_text().strip()
    return "postgres://postgres@127.0.0.1:5432/registry"


DATABASES = {"default": database_from_url(configured_database_url())}
# Streaming replicas (zero or more, comma-separated URLs): reads inside a request go to one
# of them, writes and migrations to the primary (config.dbrouter, config.replicas).
DATABASE_REPLICA_URLS = [u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",")
                         if u.strip()]
# A replica whose replay lags the primary's WAL by more than this is skipped.
DATABASE_REPLICA_MAX_LAG_BYTES = int(os.environ.get("DATABASE_REPLICA_MAX_LAG_BYTES",
                                                    str(16 * 1024 * 1024)))
# How long one process trusts a replica's measured replay position and lag; a replica found
# down is left alone this many times longer before it is tried again.
DATABASE_REPLICA_HEALTH_SECONDS = float(os.environ.get("DATABASE_REPLICA_HEALTH_SECONDS", "1"))
DATABASE_REPLICA_DOWN_SECONDS = float(os.environ.get("DATABASE_REPLICA_DOWN_SECONDS", "5"))
# Read-your-writes: a client's last write position is kept this long (cookie, and per token
# in Redis); longer than any replay lag the threshold above lets through.
DATABASE_READ_YOUR_WRITES_SECONDS = int(os.environ.get("DATABASE_READ_YOUR_WRITES_SECONDS", "300"))
for _i, _url in enumerate(DATABASE_REPLICA_URLS, 1):
    _replica = database_from_url(_url)
    # A replica that does not answer must not hold a request long: the router skips it.
    _replica["OPTIONS"] = {**_replica["OPTIONS"], "connect_timeout": int(
        os.environ.get("DATABASE_REPLICA_CONNECT_TIMEOUT", "2"))}
    # Tests: a replica shows the test database (no database of its own is created).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_i}"] = _replica
DATABASE_ROUTERS = ["config.dbrouter.PrimaryReplicaRouter"]
# The roles of ops.roles: migrations run as the owner, the app logs in as the app role.
DATABASE_OWNER_ROLE = os.environ.get("DATABASE_OWNER_ROLE", "registry_owner")
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "registry_app")
# Parallel test runs (several checkouts, CI beside a dev server) each name their own.
if os.environ.get("TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LOGIN_URL = "login"
# The user and their roles in one statement; Django's own backend after it only for the
# sessions signed in before it was listed (accounts.backends says why).
AUTHENTICATION_BACKENDS = ["accounts.backends.RolesBackend",
                           "django.contrib.auth.backends.ModelBackend"]
LOGIN_REDIRECT_URL = "profile"
LOGOUT_REDIRECT_URL = "map"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# the pages' shared stylesheet (config is not an app)
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / ".local" / "static"))
# WhiteNoise serves the collected files from the app server, compressed, with far-future
# caching for the hashed names; tests and DEBUG use the finders (no collectstatic needed).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Uploads waiting for the job worker (config.jobfiles): shared by every app server and
    # worker, a mounted directory (JOB_FILES_DIR) or another storage (JOB_FILES_STORAGE).
    "jobfiles": {"BACKEND": os.environ.get("JOB_FILES_STORAGE",
                                           "django.core.files.storage.FileSystemStorage"),
                 "OPTIONS": {"location": os.environ.get("JOB_FILES_DIR",
                                                        str(BASE_DIR / ".local" / "jobs"))}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if not DEBUG and _flag("DJANGO_COLLECTED_STATIC", True)
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def archive_storage(kind: str, root: Path, env: dict) -> dict:
    """The archives' storage (archives.storage): the filesystem under ``root`` by default;
    ``s3`` an S3-compatible object store (django-storages), named by ARCHIVE_S3_* variables.
    Files are never overwritten: a second file under one key gets another name."""
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(root), "file_permissions_mode": 0o640,
                            "directory_permissions_mode": 0o750}}
    if kind == "s3":
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": env.get("ARCHIVE_S3_BUCKET", "registry-archives"),
            "endpoint_url": env.get("ARCHIVE_S3_ENDPOINT_URL") or None,
            "region_name": env.get("ARCHIVE_S3_REGION") or None,
            "access_key": env.get("ARCHIVE_S3_ACCESS_KEY_ID") or None,
            "secret_key": env.get("ARCHIVE_S3_SECRET_ACCESS_KEY") or None,
            "location": env.get("ARCHIVE_S3_PREFIX", ""),
            "file_overwrite": False, "default_acl": None, "querystring_auth": True}}
    raise ImproperlyConfigured(f"ARCHIVE_STORAGE={kind!r}: expected filesystem or s3")


# Archive documents (archives app): where their files are kept, how large one may be.
ARCHIVE_ROOT = Path(os.environ.get("ARCHIVE_ROOT", BASE_DIR / ".local" / "archives"))
ARCHIVE_STORAGE = os.environ.get("ARCHIVE_STORAGE", "filesystem")
STORAGES["archives"] = archive_storage(ARCHIVE_STORAGE, ARCHIVE_ROOT, dict(os.environ))
ARCHIVE_MAX_BYTES = int(os.environ.get("ARCHIVE_MAX_BYTES", str(100 * 1024 * 1024)))
# Paths whose file parts have a lower limit than MAX_UPLOAD_BYTES, by the setting that
# holds it: refused from Content-Length like the global one (config.uploads).
UPLOAD_PATH_LIMITS = {"/api/v1/archives": "ARCHIVE_MAX_BYTES", "/archives/": "ARCHIVE_MAX_BYTES"}
# ClamAV's daemon socket (Debian's clamav-daemon); clamdscan on the PATH is the fallback.
ARCHIVE_CLAMD_SOCKET = os.environ.get("ARCHIVE_CLAMD_SOCKET", "/run/clamav/clamd.ctl")
WHITENOISE_USE_FINDERS = DEBUG or not _flag("DJANGO_COLLECTED_STATIC", True)

# A base-map tile URL ({z}/{x}/{y}) for deployments that can reach one (e.g. 天地图 with its
# key); without it the map draws only the registry's own layers, which always works offline.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (26.6, 104.8),
    "DEFAULT_ZOOM": 7,
    # django-leaflet's default is OpenStreetMap's tile server, which an office network
    # cannot reach: no tiles unless the deployment names its own.
    "TILES": [("base", MAP_TILE_URL, {"attribution": MAP_TILE_ATTRIBUTION})] if MAP_TILE_URL
    else [],
    "ATTRIBUTION_PREFIX": "",
    # django-leaflet's reset-view button sets its icon from a bare URL, not url(...): the
    # browser drops it and the button is an empty white box. The maps fit their data.
    "RESET_VIEW": False,
}

# The benchmark baselines /api/v1/ping and /api/v1/sql1 exist only with BENCH=1 (bench/).
BENCH = os.environ.get("BENCH", "0") == "1"

# Public GET responses may be cached this long by clients and proxies.
API_CACHE_SECONDS = int(os.environ.get("API_CACHE_SECONDS", "300"))
# Search answers are kept as long as clients and proxies may keep them (Cache-Control
# above): planning the ranking statement costs more than running it. 0 turns it off.
SEARCH_CACHE_SECONDS = int(os.environ.get("SEARCH_CACHE_SECONDS", str(API_CACHE_SECONDS)))
# Rendered vector tiles are kept this long in the shared cache (tiles app); a write that
# changes a layer makes its tiles unreachable at once (a new generation), so this only
# bounds the memory they hold. 0 renders every request.
TILE_CACHE_SECONDS = int(os.environ.get("TILE_CACHE_SECONDS", "86400"))
# One cache shared by every worker and server (Redis): search answers, sessions and
# rate-limit counters must hold across workers. `make` finds or starts the server and
# writes its URL to .local/redis_url.
def configured_redis_url() -> str:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    found = BASE_DIR / ".local" / "redis_url"
    if found.exists():
        return found.read_text().strip()
    return "redis://127.0.0.1:6379/0"


REDIS_URL = configured_redis_url()
CACHES = {
    "default": {
        # Django's RedisCache, one client per pool (config.cache)
        "BACKEND": "config.cache.SharedClientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "registry"),
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Background jobs (jobs app): Celery with Redis as its broker. Results live in the Job rows.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "registry")
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Uploads waiting for the worker (a directory every app server and worker shares): the
# location of the "jobfiles" storage above.
JOB_FILES_DIR = Path(STORAGES["jobfiles"]["OPTIONS"]["location"])

# Debian 12 ships GDAL 3.6; the registry never resolves remote SRS definitions.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Rate limits on /api/ and /ogc/ (config.ratelimit), "requests/seconds", counted in Redis.
RATE_LIMIT_ENABLED = _flag("RATE_LIMIT_ENABLED", True)
RATE_LIMIT_ANON = os.environ.get("RATE_LIMIT_ANON", "300/60")
RATE_LIMIT_TOKEN = os.environ.get("RATE_LIMIT_TOKEN", "3000/60")
RATE_LIMIT_TRUSTED_PROXIES = os.environ.get("RATE_LIMIT_TRUSTED_PROXIES", "127.0.0.1").split(",")

# Uploads: a file part up to this (survey files, archive scans); other bodies up to Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB). Both are refused from Content-Length, before reading.
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))
# A survey upload larger than this is read by the job worker (202 and a job to follow).
SURVEY_INLINE_MAX_BYTES = int(os.environ.get("SURVEY_INLINE_MAX_BYTES", str(5 * 1024 * 1024)))
# A survey file holding more features than this is refused before they are all read.
SURVEY_MAX_FEATURES = int(os.environ.get("SURVEY_MAX_FEATURES", "1000000"))
FILE_UPLOAD_HANDLERS = [
    "config.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# API tokens expire after this many days unless made with another expiry
# (manage.py create_api_token --expires, or "expires_at" in POST /api/v1/tokens).
API_TOKEN_LIFETIME_DAYS = int(os.environ.get("API_TOKEN_LIFETIME_DAYS", "365"))

# Joint inspections (inspections.reconcile): how far, in metres in the line's
# Gauss-Krüger zone, a surveyed marker or line may lie from the registered one (and the
# two sides' surveys from each other), per line level (1 province … 4 township).
INSPECTION_TOLERANCE_M = {1: 1.0, 2: 1.0, 3: 1.0, 4: 2.0}
# A difference between surveyed and registered line enclosing less than this is a
# digitising correction; a larger one is a candidate boundary change (边界调整).
INSPECTION_CORRECTION_MAX_AREA_M2 = 10_000.0
