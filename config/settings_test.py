"""Settings for the test suite: production settings (DEBUG off) on plain http.

The test client speaks http, so the TLS redirect and secure cookies are off; static files
come from the finders (no collectstatic). Cache keys carry the test database's name, so
two suites running at once on one Redis keep apart.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-000")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("DJANGO_COLLECTED_STATIC", "0")
# The suite sends thousands of requests a minute from one address; the limit has its tests.
os.environ.setdefault("RATE_LIMIT_ENABLED", "0")
# The suite creates its database and extensions: the administrator's URL (scripts/ensure_db.sh);
# the tests of ops.roles log in as the app's role themselves.
_admin = Path(__file__).resolve().parent.parent / ".local" / "database_admin_url"
if "DATABASE_URL" not in os.environ and _admin.exists():
    os.environ["DATABASE_URL"] = _admin.read_text().strip()
os.environ.setdefault("CACHE_KEY_PREFIX", "test-" + os.environ.get("TEST_DB_NAME", "registry"))

from .settings import *  # noqa: E402,F403

# The archives' files: a directory of this test database's own, never .local/archives.
ARCHIVE_ROOT = Path(tempfile.gettempdir()) / ("registry-archives-"
                                              + os.environ.get("TEST_DB_NAME", "test"))
STORAGES = {**STORAGES, "archives": archive_storage("filesystem", ARCHIVE_ROOT, {})}  # noqa: F405

# Served from the apps' static directories (WHITENOISE_USE_FINDERS): nothing is collected.
STATIC_ROOT = None
