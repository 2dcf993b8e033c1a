"""Fixtures every test directory may use: real 2023 codes and real county polygons from the
shipped extracts (tests/support.py), the national files when they are there, and the demo.

The session fixture loads the codes of 六盘水 (5202) and 东莞 (4419, a city without
counties) once, through the real loader; each test runs in a transaction on top.
"""

import json
import os
from pathlib import Path

import pytest
from django.db import connection

from tests import support


@pytest.fixture(scope="session")
def national_data() -> Path:
    """The national files (../shared/data beside the checkout, or $SHARED_DATA)."""
    path = support.shared_data()
    if path is None:
        pytest.skip("reads the national files, and SHARED_DATA=none" if os.environ.get(
            "SHARED_DATA") else f"reads the national files, and {support.DEFAULT_SHARED} is "
            "absent (SHARED_DATA=/path/to/shared/data names them)")
    return path


@pytest.fixture(scope="session")
def codes_5202(tmp_path_factory) -> Path:
    return support.write_code_extract(tmp_path_factory.mktemp("codes") / "2023",
                                      ["5202", "4419"])


@pytest.fixture(scope="session")
def divisions_db(django_db_setup, django_db_blocker, codes_5202):
    """六盘水 and 东莞, all five levels, loaded once for the session."""
    from accounts.services import system_actor
    from importers import divisions

    with django_db_blocker.unblock():
        # Never the developer's registry: this writes, and commits.
        assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict
        divisions.run(codes_5202, commit=True, actor=system_actor())
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request through the test client leaves
    the language it chose (an English page's) active in this thread for the next test."""
    from django.utils import translation

    translation.activate(translation.get_supported_language_variant("zh-hans"))
    yield
    translation.deactivate()


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
    """The app's role exists and has its grants on the test database (ops.roles), made on a
    connection of its own: a test's transaction may already be open on the default one,
    and its rollback would take the grants with it."""
    from django.conf import settings
    from django.db import connections
    from psycopg2 import sql

    from ops import roles

    with django_db_blocker.unblock():
        own = connections.create_connection("default")
        try:
            with own.cursor() as cur:
                if not roles.role_exists(cur, settings.DATABASE_APP_ROLE):
                    cur.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB "
                                        "NOCREATEROLE").format(
                                            sql.Identifier(settings.DATABASE_APP_ROLE)))
                cur.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
                    sql.Identifier(own.settings_dict["NAME"]),
                    sql.Identifier(settings.DATABASE_APP_ROLE)))
                return roles.apply_grants(cursor=cur)
        finally:
            own.close()


@pytest.fixture(scope="session", autouse=True)
def _app_role_first(request):
    """Under TEST_AS_APP_ROLE=1, grant before anything else runs: a module's demo holds its
    tables locked in an open transaction, and granting on them later would wait for it."""
    if os.environ.get("TEST_AS_APP_ROLE"):
        request.getfixturevalue("app_role_granted")


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


@pytest.fixture(scope="session")
def lps_features() -> list[dict]:
    """The real polygons of 钟山区 and 水城县 (水城区 since 2020), read once."""
    return [f for f in support.county_features(names=set(support.LPS_POLYGONS))
            if f["properties"]["city_code"] == "5202"]


@pytest.fixture
def lps_polygons(divisions_db, lps_features) -> dict[str, str]:
    """The real polygons of 钟山区 and 水城区 on their current county versions."""
    with connection.cursor() as cur:
        for feature in lps_features:
            cur.execute(
                "UPDATE boundaries_divisionversion SET geom = ST_Multi(ST_CollectionExtract("
                "ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(%s), 4490)), 3)) "
                "WHERE code = %s AND level = 3 AND valid_to IS NULL",
                [json.dumps(feature["geometry"]),
                 support.LPS_POLYGONS[feature["properties"]["name"]].ljust(12, "0")])
    return dict(support.LPS_POLYGONS)


@pytest.fixture
def make_place(lps_polygons):
    """Create one place through the service, by default a street in 钟山区."""
    from accounts.services import system_actor
    from gazetteer import services
    from gazetteer.services import NewPlace

    def make(name, cls="road", geom=None, **kwargs):
        new = NewPlace(name=name, place_class=cls,
                       geom=geom if geom is not None else support.short_line("520201"),
                       **kwargs)
        return services.places_create(places=[new], actor=system_actor())[0]
    return make


@pytest.fixture(scope="module")
def demo_registry(django_db_setup, django_db_blocker):
    """The demo's divisions and polygons, without the lines it derives: these tests
    derive them themselves."""
    with support.demo_loaded(django_db_blocker, keep_lines=False):
        yield


def _database_url() -> str:
    """This test database's URL, for processes of their own (the job worker)."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def job_worker(django_db_setup):
    """A real Celery worker on a queue of its own, reading this test database; jobs queued
    by the test go there. Rows it must see are committed by the test and removed after."""
    import subprocess
    import sys
    import uuid

    from config.celery import app as celery_app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings_test",
                        "DATABASE_URL": _database_url(), "CELERY_QUEUE": queue}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", queue,
         "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=Path(__file__).resolve().parents[1], env=env)
    before = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    yield proc
    celery_app.conf.task_default_queue = before
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture
def ninja_runs(monkeypatch):
    """The requests (path and query) that reached a ninja operation."""
    from ninja.operation import Operation

    runs = []
    original = Operation.run

    def counted(self, request, **kw):
        runs.append(request.get_full_path())
        return original(self, request, **kw)

    monkeypatch.setattr(Operation, "run", counted)
    return runs
