"""Place endpoints for the `http` step: search, names/check, plans, OGC items against pygeoapi.

pygeoapi gets its own venv under bench/.work (never the project's), a config for the
same table (PostgreSQL provider, id column id, geometry column geom, the properties our
facade serves) and gunicorn with 2 workers, like ours.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from . import web
from .common import DB_NAME, PG, PYTHON, ROOT, WORK, count, env, say

# Queries that exist in the generated data (village stems 钟山, 人民 …); checked before timing.
SEARCHES = {
    "places_1char": "钟", "places_2char": "钟山", "places_3char": "钟山路",
    "places_pinyin": "zhongshan", "places_initials": "zsl", "places_traditional": "鍾山路",
}
CHECK_BODIES = [
    {"name": "钟山路", "class": "road", "division_code": "520201"},
    {"name": "人民路", "class": "street", "division_code": "4419"},
    {"name": "凤凰花园", "class": "residential", "division_code": "520281"},
    {"name": "水城大桥", "class": "bridge", "division_code": "5202"},
]
SLOW_SECONDS = 20
PAGES = 20  # items pages, 100 features each, cycled by wrk
PYGEOAPI_VERSION = "0.21.0"  # the last release for Python 3.11
PYGEOAPI_VENV = WORK / "pygeoapi-venv"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
PROPERTIES = ["name", "romanization", "place_class_id", "status", "valid_from", "valid_to"]


def search_paths() -> dict[str, list[str]]:
    if not count("gazetteer_place"):
        return {}
    return {name: [web.quote(f"/api/v1/places?q={q}")] for name, q in SEARCHES.items()}


def query_plans() -> dict:
    """{query: {hits, statements: [{sql, seq_scans}]}} from bench.plans on bench_registry."""
    proc = subprocess.run([str(PYTHON), "-m", "bench.plans", *SEARCHES.values()], cwd=ROOT,
                          env=env(), capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"bench.plans exited {proc.returncode}: {proc.stderr[-800:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def check_plans(figures: dict) -> None:
    plans = query_plans()
    seq = {q: [s for st in p["statements"] for s in st["seq_scans"]] for q, p in plans.items()}
    figures["plans"] = {q: {"hits": p["hits"], "statements": len(p["statements"]),
                            "seq_scans": seq[q]} for q, p in plans.items()}
    figures["no_seq_scan"] = not any(seq.values())
    for q, p in figures["plans"].items():
        say(f"http: plans for {q}: {p['hits']} hits, {p['statements']} statements, "
            f"seq scans: {p['seq_scans'] or 'none'}")


def post(port: int, path: str, body: dict) -> tuple[int, bytes]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST",
                                 data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def measure_check(port: int, seconds: int, figures: dict, skipped: dict) -> None:
    """POST /api/v1/names/check with a few bodies, cycled, at 1 and 8 connections."""
    name, path = "names_check", "/api/v1/names/check"
    for body in CHECK_BODIES:
        status, answer = post(port, path, body)
        if status != 200:
            skipped[name] = f"HTTP {status} for {body}: {answer[:200]!r}"
            say(f"http: {name} skipped: {skipped[name]}")
            return
    args = ["POST", path, *(json.dumps(b, ensure_ascii=False) for b in CHECK_BODIES)]
    web.wrk(port, args, 2, 1)
    runs = {}
    for conns in web.CONNECTIONS:
        runs[f"c{conns}"] = r = web.wrk(port, args, conns, seconds)
        say(f"http: {name:<28} c={conns}: {r['rps']:8.1f} rps  p95 {r.get('p95_ms')} ms  "
            f"errors {r.get('errors')}")
    figures["endpoints"][name] = {"paths": [path], "bodies": CHECK_BODIES,
                                  "sample": answer.decode()[:300], **runs}


def items_paths(prefix: str, extra: str = "") -> list[str]:
    """Pages of our places-points (the bench's places are all points), or of pygeoapi's
    places (prefix "")."""
    collection = "places-points" if prefix else "places"
    return [f"{prefix}/collections/{collection}/items?limit=100&offset={k * 100}{extra}"
            for k in range(PAGES)]


def install_pygeoapi() -> str | None:
    """The pygeoapi venv (made once); the reason when it cannot be made."""
    if (PYGEOAPI_VENV / "bin" / "gunicorn").exists():
        return None
    say(f"http: installing pygeoapi {PYGEOAPI_VERSION} into {PYGEOAPI_VENV}")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PYGEOAPI_VENV)], check=True,
                       capture_output=True, timeout=300)
        subprocess.run([str(PYGEOAPI_VENV / "bin" / "pip"), "install", "-q",
                        f"pygeoapi=={PYGEOAPI_VERSION}", "psycopg2-binary", "sqlalchemy",
                        "geoalchemy2", "gunicorn"], check=True, capture_output=True,
                       text=True, timeout=900)
    except subprocess.CalledProcessError as exc:
        return f"pip install pygeoapi failed: {(exc.stderr or '')[-300:]}"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot make the pygeoapi venv: {exc}"
    return None


def provider(table: str, properties: list[str]) -> dict:
    # crs / storage_crs: Part 2 (pygeoapi ≥ 0.16 reprojects with pyproj, in Python). Stored
    # as CRS84, lon/lat (CGCS2000 4490 differs by centimetres): told EPSG:4490 it reads the
    # columns latitude first and answers inf.
    return {"type": "feature", "name": "PostgreSQL", "id_field": "id", "geom_field": "geom",
            "table": table, "properties": properties,
            "crs": [CRS84, f"{EPSG}4490", f"{EPSG}4523"], "storage_crs": CRS84,
            "data": {"host": PG["host"], "port": int(PG["port"]), "dbname": DB_NAME,
                     "user": PG["user"], "password": "", "search_path": ["public"]}}


def resource(name: str, table: str, properties: list[str]) -> dict:
    return {"type": "collection", "title": name, "description": table, "keywords": [name],
            "extents": {"spatial": {"bbox": [73, 3, 136, 54], "crs": CRS84}},
            "providers": [provider(table, properties)]}


def pygeoapi_config(port: int, extra: dict[str, str] | None = None) -> dict:
    """places (gazetteer_place), and extra resources {name: table or view}."""
    resources = {"places": resource("places", "gazetteer_place", PROPERTIES)} | {
        name: resource(name, table, [*PROPERTIES, "county"])
        for name, table in (extra or {}).items()}
    return {
        "server": {"bind": {"host": "127.0.0.1", "port": port},
                   "url": f"http://127.0.0.1:{port}", "mimetype": "application/json; charset=UTF-8",
                   "encoding": "utf-8", "languages": ["en-US"], "pretty_print": False,
                   "limits": {"default_items": 10, "max_items": 1000},
                   "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                           "attribution": "OpenStreetMap"}},
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "bench", "description": "bench", "keywords": ["bench"],
                               "keywords_type": "theme", "terms_of_service": "none",
                               "url": "http://127.0.0.1"},
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "bench", "url": "http://127.0.0.1"},
            "contact": {"name": "bench", "position": "bench", "address": "-", "city": "-",
                        "stateorprovince": "-", "postalcode": "-", "country": "-",
                        "phone": "-", "fax": "-", "email": "-", "url": "http://127.0.0.1",
                        "hours": "-", "instructions": "-", "role": "pointOfContact"}},
        "resources": resources,
    }


def start_pygeoapi(port: int, extra: dict[str, str] | None = None) -> subprocess.Popen:
    config, openapi = WORK / "pygeoapi-config.yml", WORK / "pygeoapi-openapi.yml"
    config.write_text(json.dumps(pygeoapi_config(port, extra)))  # JSON is YAML
    run_env = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    subprocess.run([str(PYGEOAPI_VENV / "bin" / "pygeoapi"), "openapi", "generate",
                    str(config), "--output-file", str(openapi)], env=run_env, check=True,
                   capture_output=True, timeout=300)
    log = (WORK / "pygeoapi.log").open("w")
    proc = subprocess.Popen(
        [str(PYGEOAPI_VENV / "bin" / "gunicorn"), "pygeoapi.flask_app:APP", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--timeout", "120"],
        cwd=WORK, env=run_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    web._servers.append(proc)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"pygeoapi exited {proc.returncode}; see {log.name}")
        try:
            if web.get(port, "/collections/places")[0] == 200:
                return proc
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    raise RuntimeError("pygeoapi did not answer within 90 s")


def measure_ogc(port: int, seconds: int, figures: dict, skipped: dict) -> None:
    """Our items pages, then pygeoapi's same pages of the same table."""
    web.measure(port, {"ogc_items": items_paths("/ogc")}, seconds, figures, skipped)
    why = install_pygeoapi()
    if why is None:
        other = web.free_port(port + 100)
        try:
            start_pygeoapi(other)
        except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
            why = f"pygeoapi did not start: {str(exc).splitlines()[0]}"
        else:
            # Its provider counts the whole table for numberMatched on every page (over a
            # second at 13M rows): a few seconds would time no request at all.
            web.measure(other, {"ogc_items_pygeoapi": items_paths("", "&f=json")},
                        max(seconds, SLOW_SECONDS), figures, skipped)
    if why:
        skipped["ogc_items_pygeoapi"] = why
        say(f"http: ogc_items_pygeoapi skipped: {why}")


def measure(port: int, seconds: int, figures: dict, skipped: dict) -> None:
    """Everything of the places beside the searches (which run with the others)."""
    if not count("gazetteer_place"):
        skipped["places"] = "no places in the bench database (places step)"
        return
    check_plans(figures)
    measure_check(port, seconds, figures, skipped)
    measure_ogc(port, seconds, figures, skipped)
