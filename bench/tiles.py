"""Step `tiles`: vector tiles of townships through gunicorn against ``ST_AsMVT`` run directly.

Two tiles: the z8 tile at the centre of 贵州's township polygons and the z12 tile at a point
in 钟山区 (bench/tiles_probe.py picks them and times the statement the app runs, directly,
on one connection). The app is timed under wrk at 1 and 8 connections: uncached (a server
with TILE_CACHE_SECONDS=0, every request rendered) and cached (the shared Redis cache, as
served). The ratio is the app's p95 at 1 connection over the direct p95; target ≤ 1.5×.
``/api/v1/ping`` (no database, no cache) is timed on the same server: the floor of any
answer through gunicorn and Django, which a sub-millisecond statement cannot go below.

It runs on bench_registry when that holds township polygons in 贵州 (the synthetic step),
else on bench_mergers (migrate + load_demo, made once by the mergers step or here): the
figures say which.
"""

import json
import subprocess

from . import mergers, web
from .common import (
    DATABASE_URL,
    DB_NAME,
    PYTHON,
    ROOT,
    Skipped,
    StepResult,
    database_exists,
    env,
    module_exists,
    psql,
    require_tool,
    say,
)

RATIO_TARGET = 1.5
TOWNSHIPS_52 = ("SELECT count(*) FROM boundaries_divisionversion WHERE level = 4 "
                "AND code LIKE '52%' AND geom IS NOT NULL AND valid_to IS NULL")


def database() -> tuple[str, str]:
    """(URL, why this one): bench_registry with 贵州's townships drawn, else the demo."""
    if database_exists():
        try:
            if int(psql(TOWNSHIPS_52) or 0):
                return DATABASE_URL, f"{DB_NAME} (whole-country load, synthetic townships)"
        except RuntimeError:
            pass  # not migrated yet
    mergers._ensure_database()
    return mergers.URL, f"bench_mergers (the demo: {DB_NAME} has no township polygons in 52)"


def probe(url: str, seconds: int) -> dict:
    proc = subprocess.run([str(PYTHON), "-m", "bench.tiles_probe", str(seconds)], cwd=ROOT,
                          env=env(DATABASE_URL=url), capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"tiles probe exited {proc.returncode}\n"
                           f"{(proc.stdout + proc.stderr)[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ratios(figures: dict) -> None:
    """App p95 (1 connection) over the direct p95, and what the app adds above ping's p95
    (the HTTP and Django floor): the part of the ratio the tile's own code is answerable for."""
    figures["ratios"] = out = {}
    ping = figures["endpoints"].get("ping", {}).get("c1", {}).get("p95_ms")
    for name, tile in figures["tiles"].items():
        direct = tile.get("direct", {}).get("p95_ms")
        for served in ("uncached", "cached"):
            run = figures["endpoints"].get(f"{name}_{served}", {}).get("c1")
            if direct and run and run.get("p95_ms"):
                ratio = round(run["p95_ms"] / direct, 2)
                out[f"{name}_{served}"] = {
                    "app_p95_ms": run["p95_ms"], "direct_p95_ms": direct, "ratio": ratio,
                    "ping_p95_ms": ping, "status": "PASS" if ratio <= RATIO_TARGET else "SHORT",
                    # p95 of a sub-millisecond answer on two shared cores is mostly the
                    # scheduler's: the medians say what each side costs
                    "p50_ratio": round(run["p50_ms"] / tile["direct"]["p50_ms"], 2),
                    "above_ping_ms": round(run["p95_ms"] - ping, 3) if ping else None}
                say(f"tiles: {name} {served}: app p95 {run['p95_ms']} ms vs ST_AsMVT direct "
                    f"{direct} ms: {ratio}× (target ≤ {RATIO_TARGET}×; p50 "
                    f"{out[f'{name}_{served}']['p50_ratio']}×, ping p95 {ping} ms)")


def step(inputs, quick: bool) -> StepResult:
    require_tool("wrk")
    if not module_exists("tiles.selectors"):
        raise Skipped("tiles/selectors.py is missing")
    url, which = database()
    seconds = 2 if quick else 6
    say(f"tiles: on {which}")
    figures: dict = {"database": which, "duration_s": seconds, "endpoints": {},
                     "tiles": probe(url, seconds)}
    paths = {name: [tile["path"]] for name, tile in figures["tiles"].items() if "path" in tile}
    if not paths:
        raise Skipped("no township polygons to draw")
    for name, tile in figures["tiles"].items():
        say(f"tiles: {name}: {tile.get('path')} ({tile.get('features')} townships), direct "
            f"p95 {tile.get('direct', {}).get('p95_ms')} ms")
    skipped: dict = {}
    port = web.free_port()
    try:
        for served, extra in (("uncached", {"TILE_CACHE_SECONDS": "0"}), ("cached", {})):
            web.start_server(port, DATABASE_URL=url, **extra)
            web.measure(port, paths, seconds, figures, skipped, suffix=f"_{served}")
            if served == "cached":  # the floor of any answer through this server
                web.measure(port, {"ping": ["/api/v1/ping"]}, seconds, figures, skipped)
            web.stop_servers()
    finally:
        web.stop_servers()
    ratios(figures)
    figures["skipped"] = skipped
    return StepResult("tiles", figures)
