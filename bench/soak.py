"""Step `soak`: what `make run` serves (gunicorn with config/gunicorn.conf.py, workers from
the core count) under 60 s of wrk at 8 connections over the public endpoints — code lookups,
division and place searches, reverse geocoding, children, the change feed — counting errors
(non-2xx answers, socket errors) and sampling the server's connections to the bench
database every second. Targets: no errors; connections never above the worker count.

The rate limit is off here (one client address sends everything); its own tests cover it.
"""

import os
import subprocess
import threading
import time

from . import web
from .common import DB_NAME, ROOT, WORK, Skipped, StepResult, env, psql, require_tool, say

SECONDS, CONNECTIONS = 60, 8


def _paths() -> list[str]:
    paths, _ = web.endpoints()
    keep = [p for name, ps in paths.items() if name not in ("ping", "sql1") for p in ps]
    return keep + ["/api/v1/divisions/5202/children", "/api/v1/changes?limit=20"]


def _start(port: int) -> subprocess.Popen:
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    log = (WORK / "soak-gunicorn.log").open("w")
    proc = subprocess.Popen(
        [str(gunicorn), "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
        cwd=ROOT, env=env(REGISTRY_BIND=f"127.0.0.1:{port}", REGISTRY_ACCESS_LOG="/dev/null"),
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    web._servers.append(proc)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if web.get(port, "/api/v1/divisions/52")[0] == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn (make run's configuration) did not answer within 60 s")


def _sample_connections(stop: threading.Event, seen: list[int]) -> None:
    while not stop.is_set():
        seen.append(int(psql("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                             f"'{DB_NAME}' AND backend_type = 'client backend' "
                             "AND pid <> pg_backend_pid()") or 0))
        stop.wait(1.0)


def step(inputs, quick: bool) -> StepResult:
    require_tool("wrk")
    if not web.reverse_point():
        raise Skipped("no polygons in the bench database (polygons step)")
    port = web.free_port(8790)
    workers = os.cpu_count() * 2 + 1
    seconds = 5 if quick else SECONDS
    try:
        _start(port)
        paths = _paths()
        web.wrk(port, paths, 2, 2)  # warm every worker
        seen, stop = [], threading.Event()
        sampler = threading.Thread(target=_sample_connections, args=(stop, seen), daemon=True)
        sampler.start()
        say(f"soak: {len(paths)} paths, {CONNECTIONS} connections, {seconds} s, "
            f"{workers} gunicorn workers")
        result = web.wrk(port, paths, CONNECTIONS, seconds)
        stop.set()
        sampler.join()
    finally:
        web.stop_servers()
    figures = {"seconds": seconds, "connections": CONNECTIONS, "workers": workers,
               "requests": result.get("requests"), "rps": result.get("rps"),
               "p50_ms": result.get("p50_ms"), "p99_ms": result.get("p99_ms"),
               "errors": result.get("errors"), "db_connections_max": max(seen, default=0),
               "target_errors": 0, "target_db_connections_max": workers}
    say(f"soak: {figures['rps']} req/s, p99 {figures['p99_ms']} ms, errors {figures['errors']}, "
        f"database connections at most {figures['db_connections_max']} ({workers} workers)")
    return StepResult("soak", figures)
