"""Helpers the tests share across directories: the shipped real-data extracts, the national
files when they are there, points inside the session's counties, and the demo registry.

The extracts in fixtures/tests/ are made by fixtures/make_test_extract.py from ../shared/data
and committed, so the suite runs without ../shared; only the tests that take the
``national_data`` fixture read the national files, and they skip when those are absent.
"""

import gzip
import io
import json
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django.contrib.gis.geos import LineString, Point
from django.core.management import call_command
from django.db import connection, transaction

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = ROOT / "fixtures" / "tests"
CODES = TEST_DATA / "codes"
COUNTIES = TEST_DATA / "counties.geojson.gz"
CODE_FILES = ["provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv"]
# Real polygons of 六盘水 as named in the file; 水城县 is the 2023 水城区 520204.
LPS_POLYGONS = {"钟山区": "520201", "水城县": "520204"}
DEFAULT_SHARED = ROOT.parent / "shared" / "data"


def shared_data() -> Path | None:
    """The national files: $SHARED_DATA, else ../shared/data beside the checkout; None when
    they are absent. SHARED_DATA=none runs the suite as if they were."""
    configured = os.environ.get("SHARED_DATA", "")
    if configured.lower() == "none":
        return None
    path = Path(configured) if configured else DEFAULT_SHARED
    if (path / "china-division-2023").is_dir():
        return path
    if configured:
        raise RuntimeError(f"SHARED_DATA={configured}: no china-division-2023 there "
                           "(SHARED_DATA=none runs the suite without the national files)")
    return None


def write_code_extract(dest: Path, prefixes: list[str]) -> Path:
    """The shipped code tables restricted to the given codes, their ancestors and
    descendants, as plain CSV files in ``dest`` (lines copied verbatim)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in CODE_FILES:
        with gzip.open(CODES / f"{name}.gz", "rt", encoding="utf-8", newline="") as src:
            header, *lines = src.read().splitlines(keepends=True)
        kept = [line for line in lines
                if any(line.startswith(p) or p.startswith(line.split(",", 1)[0])
                       for p in prefixes)]
        (dest / name).write_text(header + "".join(kept), encoding="utf-8", newline="")
    return dest


def county_features(codes: set[str] | None = None, names: set[str] | None = None) -> list[dict]:
    """Real county polygons, selected by 2023 code or by name, from the shipped extract
    (which holds what the national file holds for each of its names and codes)."""
    with gzip.open(COUNTIES, "rt", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    shipped_codes = {f["properties"].get("county_code_2023") for f in features}
    shipped_names = {f["properties"].get("name") for f in features}
    missing = (codes or set()) - shipped_codes | (names or set()) - shipped_names
    if missing:
        raise LookupError(f"{', '.join(sorted(missing))}: not in {COUNTIES.name}; add them "
                          "to fixtures/make_test_extract.py and run it")
    return [
        f for f in features
        if (codes and f["properties"].get("county_code_2023") in codes)
        or (names and f["properties"].get("name") in names)
    ]


def inside(code: str) -> Point:
    """A point inside the current polygon of a county."""
    with connection.cursor() as cur:
        cur.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM "
                    "boundaries_divisionversion WHERE code = %s AND level = 3 "
                    "AND valid_to IS NULL) t", [code.ljust(12, "0")])
        x, y = cur.fetchone()
    return Point(x, y, srid=4490)


def short_line(code: str) -> LineString:
    """A 200 m street around a point inside the county."""
    p = inside(code)
    return LineString((p.x - 0.001, p.y), (p.x + 0.001, p.y), srid=4490)


@contextmanager
def demo_loaded(django_db_blocker, *, keep_lines: bool) -> Iterator[None]:
    """The demo registry inside a transaction that is rolled back on leaving.

    The demo loads only into an empty registry, and other modules leave the session's
    codes committed in the test database; so the tables are emptied inside the
    transaction first. The database stays blocked in between, as for any module.
    """
    with django_db_blocker.unblock(), ExitStack() as stack:
        stack.enter_context(transaction.atomic())
        # Nothing of this is kept, whether the load fails or the module ends.
        stack.callback(transaction.set_rollback, True)
        with connection.cursor() as cur:
            cur.execute("TRUNCATE boundaries_divisionversion, boundaries_divisionevent, "
                        "boundaries_divisionedition, boundaries_boundaryline, "
                        "boundaries_boundarymarker CASCADE")
        call_command("load_demo", "--no-progress", stdout=io.StringIO())
        if not keep_lines:
            with connection.cursor() as cur:
                # the demo's markers leave deferred foreign-key checks pending, and a table
                # with pending trigger events cannot be truncated: run them now
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute("TRUNCATE boundaries_boundaryline, boundaries_boundarymarker CASCADE")
        # Loaded: the transaction outlives this block, until the module ends.
        loaded = stack.pop_all()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            loaded.close()


def run_job(job_id: int):
    """Run a queued job here as the worker would (the one task, jobs.tasks.run_job), in the
    test's transaction where its row was made: the message to the broker goes only at
    commit, which a test's transaction never reaches. The job afterwards."""
    from jobs.models import Job
    from jobs.tasks import run_job as task

    task(job_id)
    return Job.objects.get(id=job_id)


def page_in(client, url: str, language: str, data: dict | None = None):
    """The page as a reader of ``language`` gets it (the language menu's cookie); a POST
    of ``data`` when given."""
    client.cookies["django_language"] = language
    return client.get(url) if data is None else client.post(url, data)
