"""Step `http`: gunicorn (2 sync workers) under wrk at 1 and 8 connections."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .common import (
    ROOT,
    WORK,
    Skipped,
    StepResult,
    count,
    env,
    psql,
    require_tool,
    say,
)

LUA = Path(__file__).resolve().parent / "wrk_report.lua"
CONNECTIONS = (1, 8)
CODES = ["520201", "52", "5202", "520201011", "520201011001", "520281", "5201", "520102"]
SEARCHES = {
    "search_1char": "钟", "search_2char": "钟山", "search_3char": "钟山区",
    "search_pinyin": "zhongshan", "search_initials": "lps", "search_traditional": "鍾山區",
}
_servers: list[subprocess.Popen] = []


def free_port(preferred: int = 8765) -> int:
    for port in [preferred, *range(preferred + 1, preferred + 50), 0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port")


def start_server(port: int, workers: int = 2, **extra_env: str) -> subprocess.Popen:
    """gunicorn in its own process group, so stopping it stops both workers; BENCH=1
    mounts the baselines /api/v1/ping and /api/v1/sql1."""
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        raise Skipped("gunicorn is not in the venv")
    log = (WORK / ("gunicorn.log" if port == 8765 else f"gunicorn-{port}.log")).open("w")
    proc = subprocess.Popen(
        [str(gunicorn), "config.wsgi:application", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--timeout", "120"],
        cwd=ROOT, env=env(BENCH="1", **extra_env), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    _servers.append(proc)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited {proc.returncode}; see {log.name}")
        try:
            get(port, "/api/v1/ping")
            return proc
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_servers() -> None:
    """Stop the gunicorn process groups this bench started (and nothing else)."""
    while _servers:
        proc = _servers.pop()
        if proc.poll() is not None:
            continue
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def quote(path: str) -> str:
    return urllib.parse.quote(path, safe="/?=&")


def reverse_point() -> tuple[float, float, str] | None:
    """A point inside a township polygon (the deepest level with polygons), 钟山区 first."""
    for where, depth in [
        ("level = 4 AND parent_code = '520201000000'", "township in 钟山区"),
        ("level = 4", "township"),
        ("level = 3 AND code = '520201000000'", "county 钟山区 (no township polygons)"),
        ("level = 3", "county (no township polygons)"),
    ]:
        row = psql("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p "
                   f"FROM boundaries_divisionversion WHERE {where} AND geom IS NOT NULL "
                   "AND valid_to IS NULL ORDER BY code LIMIT 1) s")
        if row:
            lon, lat = (float(v) for v in row.split("|"))
            return lon, lat, depth
    return None


def endpoints() -> tuple[dict[str, list[str]], dict[str, str]]:
    """name → request paths (cycled by the lua script); name → why it is skipped."""
    paths = {"ping": ["/api/v1/ping"], "sql1": ["/api/v1/sql1"],
             "code": ["/api/v1/divisions/520201"],
             "codes": [f"/api/v1/divisions/{c}" for c in CODES]}
    skipped = {}
    point = reverse_point()
    if point is None:
        skipped["reverse"] = "no polygons in the bench database (polygons step)"
    else:
        lon, lat, depth = point
        paths["reverse"] = [f"/api/v1/reverse?lon={lon:.6f}&lat={lat:.6f}"]
        say(f"http: reverse point {lon:.5f},{lat:.5f} inside a {depth}")
    for name, q in SEARCHES.items():
        paths[name] = [quote(f"/api/v1/divisions?q={q}")]
    from . import placeweb  # it builds on this module
    paths |= placeweb.search_paths()
    return paths, skipped


def check(port: int, paths: list[str]) -> tuple[str | None, str]:
    """One request per path before timing: a 4xx/5xx would time an error page."""
    sample = ""
    for path in paths:
        status, body = get(port, path)
        if status != 200:
            return f"HTTP {status} for {urllib.parse.unquote(path)}: {body[:200]!r}", ""
        sample = sample or body.decode("utf-8", "replace")
    return None, sample


_LATENCY_LINE = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_RPS_LINE = re.compile(r"Requests/sec:\s+([\d.]+)")
_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse_wrk(text: str) -> dict:
    """wrk's --latency distribution (ms) and Requests/sec, plus the lua script's JSON line."""
    out = {f"p{pct}_ms": round(float(v) * _UNIT[u], 3) for pct, v, u in _LATENCY_LINE.findall(text)}
    rps = _RPS_LINE.search(text)
    out["rps"] = float(rps.group(1)) if rps else None
    line = next((ln for ln in text.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line:
        lua = json.loads(line.removeprefix("BENCH_JSON "))
        out["p95_ms"] = round(lua["p95_us"] / 1000, 3)
        out["requests"] = lua["requests"]
        out["errors"] = sum(lua[k] for k in ("connect_errors", "read_errors", "write_errors",
                                             "status_errors", "timeouts"))
    return out


def wrk(port: int, paths: list[str], connections: int, seconds: int) -> dict:
    url = paths[1] if paths[0] == "POST" else paths[0]  # POST: path, then the JSON bodies
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency",
           "-s", str(LUA), f"http://127.0.0.1:{port}{url}", "--", *paths]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk exited {proc.returncode}: {proc.stderr[-500:]}")
    return parse_wrk(proc.stdout)


def measure(port: int, paths: dict[str, list[str]], seconds: int, figures: dict,
            skipped: dict, suffix: str = "") -> None:
    for name, endpoint_paths in paths.items():
        name += suffix
        problem, sample = check(port, endpoint_paths)
        if problem:
            skipped[name] = problem
            say(f"http: {name} skipped: {problem}")
            continue
        wrk(port, endpoint_paths, 2, 1)  # warm both workers (imports, caches, pools)
        runs = {}
        for conns in CONNECTIONS:
            runs[f"c{conns}"] = r = wrk(port, endpoint_paths, conns, seconds)
            say(f"http: {name:<28} c={conns}: {r['rps']:8.1f} rps  p50 {r.get('p50_ms')} "
                f"p95 {r.get('p95_ms')} p99 {r.get('p99_ms')} ms  errors {r.get('errors')}")
            settle(r)
        figures["endpoints"][name] = {
            "paths": [urllib.parse.unquote(p) for p in endpoint_paths],
            "sample": sample[:300], **runs}


def settle(run: dict) -> None:
    """Let the requests a wrk run left queued drain before the next run starts.

    A sync worker goes on serving the connections wrk left in its listen queue; those drain
    in about a request's latency under that load. Without the wait, the next run (the other
    server's, in the OGC step) shared the cores with them: run after pygeoapi's 2 s pages at
    8 connections, our filter at 1 connection had a p95 of 12 ms; run alone, 3 ms.
    """
    time.sleep(min((run.get("p99_ms") or 0) / 1000 * 1.5, 30))


def step(inputs, quick: bool) -> StepResult:
    require_tool("wrk")
    if not count("boundaries_divisionversion"):
        raise Skipped("no divisions in the bench database (run the load step)")
    seconds = 2 if quick else 6
    paths, skipped = endpoints()
    figures: dict = {"duration_s": seconds, "endpoints": {}}
    port = free_port()
    say(f"http: gunicorn (2 workers) on 127.0.0.1:{port}; wrk {seconds}s per run")
    try:
        start_server(port)
        measure(port, paths, seconds, figures, skipped)
        from . import placeweb
        placeweb.measure(port, seconds, figures, skipped)
        stop_servers()
        # Searches repeat one query, so the server answers from its search cache after
        # the first request; measure the statements themselves too, with the cache off.
        say("http: again with the search cache off (SEARCH_CACHE_SECONDS=0)")
        start_server(port, SEARCH_CACHE_SECONDS="0")
        searches = {name: p for name, p in paths.items() if name.startswith(("search_", "places_"))}
        measure(port, searches, seconds, figures, skipped, suffix="_uncached")
    finally:
        stop_servers()
    figures["skipped"] = skipped
    return StepResult("http", figures)
