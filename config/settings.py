"""Settings for the place-name and administrative-boundary registry."""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret-change-in-production")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

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
    "boundaries",
    "gazetteer",
    "proposals",
    "inspections",
    "importers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RejectNulMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.PublicGetCacheMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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
        "CONN_MAX_AGE": 60,
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
# Parallel test runs (several checkouts, CI beside a dev server) each name their own.
if os.environ.get("TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".local" / "static"

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (26.6, 104.8),
    "DEFAULT_ZOOM": 7,
}

# The benchmark baselines /api/v1/ping and /api/v1/sql1 exist only with BENCH=1 (bench/).
BENCH = os.environ.get("BENCH", "0") == "1"

# Public GET responses may be cached this long by clients and proxies.
API_CACHE_SECONDS = int(os.environ.get("API_CACHE_SECONDS", "300"))
# Search answers are kept as long as clients and proxies may keep them (Cache-Control
# above): planning the ranking statement costs more than running it. 0 turns it off.
SEARCH_CACHE_SECONDS = int(os.environ.get("SEARCH_CACHE_SECONDS", str(API_CACHE_SECONDS)))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}

# Debian 12 ships GDAL 3.6; the registry never resolves remote SRS definitions.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Joint inspections (inspections.reconcile): how far, in metres in the line's
# Gauss-Krüger zone, a surveyed marker or line may lie from the registered one (and the
# two sides' surveys from each other), per line level (1 province … 4 township).
INSPECTION_TOLERANCE_M = {1: 1.0, 2: 1.0, 3: 1.0, 4: 2.0}
# A difference between surveyed and registered line enclosing less than this is a
# digitising correction; a larger one is a candidate boundary change (边界调整).
INSPECTION_CORRECTION_MAX_AREA_M2 = 10_000.0
