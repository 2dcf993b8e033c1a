"""Shared test data: real 2023 codes and real county polygons, cut to what a test needs.

The session fixture loads the codes of 六盘水 (5202) and 东莞 (4419, a city without
counties) once, through the real loader; each test runs in a transaction on top.
"""

import csv
import gzip
import json
import os
from pathlib import Path

import pytest


def _shared_data() -> Path:
    """$SHARED_DATA, else ../shared/data beside the checkout, else the workplace's copy."""
    candidates = [os.environ.get("SHARED_DATA"),
                  Path(__file__).resolve().parents[1].parent / "shared" / "data",
                  "/work/shared/data"]
    for candidate in filter(None, candidates):
        if (Path(candidate) / "china-division-2023").is_dir():
            return Path(candidate)
    raise RuntimeError("the shared real data is missing: set SHARED_DATA=/path/to/shared/data")


SHARED = _shared_data()
CODES_DIR = SHARED / "china-division-2023"
COUNTIES_FILE = SHARED / "counties" / "counties-echarts.geojson.gz"
CODE_FILES = ["provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv"]


def write_code_extract(dest: Path, prefixes: list[str]) -> Path:
    """The code tables restricted to the given codes, their ancestors and descendants."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in CODE_FILES:
        with (CODES_DIR / name).open(encoding="utf-8", newline="") as src, \
                (dest / name).open("w", encoding="utf-8", newline="") as out:
            reader = csv.reader(src)
            writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL)
            writer.writerow(next(reader))
            for row in reader:
                code = row[0]
                if any(code.startswith(p) or p.startswith(code) for p in prefixes):
                    writer.writerow(row)
    return dest


def county_features(codes: set[str] | None = None, names: set[str] | None = None) -> list[dict]:
    """Real county polygons, selected by 2023 code or by name."""
    with gzip.open(COUNTIES_FILE, "rt", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return [
        f for f in features
        if (codes and f["properties"].get("county_code_2023") in codes)
        or (names and f["properties"].get("name") in names)
    ]


@pytest.fixture(scope="session")
def codes_5202(tmp_path_factory) -> Path:
    return write_code_extract(tmp_path_factory.mktemp("codes") / "2023", ["5202", "4419"])


@pytest.fixture(scope="session")
def divisions_db(django_db_setup, django_db_blocker, codes_5202):
    """六盘水 and 东莞, all five levels, loaded once for the session."""
    from django.db import connection

    from importers import divisions

    with django_db_blocker.unblock():
        # Never the developer's registry: this writes, and commits.
        assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict
        divisions.run(codes_5202, commit=True)
    yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty response cache (search answers are cached).

    Only this suite's keys: the cache is a shared Redis, and clear() would empty the whole
    database under another suite or a running server."""
    from django.conf import settings
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    yield


@pytest.fixture(scope="session")
def app_role_granted(django_db_setup, django_db_blocker):
    """The app's role exists and has its grants on the test database (ops.roles)."""
    from django.conf import settings
    from django.db import connection
    from psycopg2 import sql

    from ops import roles

    with django_db_blocker.unblock(), connection.cursor() as cur:
        if not roles.role_exists(cur, settings.DATABASE_APP_ROLE):
            cur.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
                        .format(sql.Identifier(settings.DATABASE_APP_ROLE)))
        cur.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
            sql.Identifier(connection.settings_dict["NAME"]),
            sql.Identifier(settings.DATABASE_APP_ROLE)))
        return roles.apply_grants()


@pytest.fixture(autouse=True)
def _as_app_role(request):
    """With TEST_AS_APP_ROLE=1, every database test runs as the app's role (SET LOCAL ROLE
    inside the test's transaction): a service needing more than the app may do fails."""
    wants_db = "db" in request.fixturenames or request.node.get_closest_marker("django_db")
    if not os.environ.get("TEST_AS_APP_ROLE") or not wants_db \
            or "transactional_db" in request.fixturenames \
            or request.node.get_closest_marker("as_owner"):
        yield
        return
    from django.conf import settings
    from django.db import connection

    request.getfixturevalue("app_role_granted")
    request.getfixturevalue("db")
    with connection.cursor() as cur:
        cur.execute(f'SET LOCAL ROLE "{settings.DATABASE_APP_ROLE}"')
    yield
