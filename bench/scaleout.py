"""Step `scaleout`: two app servers against the primary and a streaming replica, against
one app server on the primary alone (issue 13).

The replica is a real one: ``pg_basebackup -R`` of the bench's server into a directory
under /tmp, started on another port (ops.replica). The same number of gunicorn workers in
both set-ups (one server of two workers; two servers of one), on the same cores: the ratio
of throughputs is the ratio per core, and says what the routing costs. While wrk loads both
servers, a client makes tokens through one and lists them through the other at once: each
must see the token it just made (read-your-writes by WAL position, config.replicas). The
share of reads the replica served is read from its pg_stat_database. A cached GET (a search
answered from Redis) is measured against ping on the same server.
"""

import json
import os
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from ops import replica as pgreplica

from .common import DB_NAME, PG, PYTHON, ROOT, Skipped, StepResult, count, env, require_tool, say
from .web import CODES, free_port, quote, start_server, stop_servers, wrk

CONNECTIONS = 8
CACHED_SEARCH = "钟山"
TARGET_THROUGHPUT = 0.95
TARGET_CACHED = 0.8


def _bench_token(database: str) -> str:
    """A user of the bench database and a read-write token of theirs (the real service)."""
    code = ("import django; django.setup()\n"
            "from django.contrib.auth import get_user_model\n"
            "from accounts.services import token_create\n"
            "u, _ = get_user_model().objects.get_or_create(username='bench-scaleout')\n"
            "print(token_create(user=u, name='bench-scaleout')[1])")
    done = subprocess.run([str(PYTHON), "-c", code], cwd=ROOT, env=env(DATABASE_URL=database),
                          capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"making the bench token: {done.stderr[-800:]}")
    return done.stdout.strip().splitlines()[-1]


def _request(port: int, path: str, token: str, body: dict | None = None) -> dict | list:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def _read_your_writes(ports: list[int], token: str, stop: threading.Event, out: dict) -> None:
    """Make a token through one server, list through the other at once, until stopped."""
    checked = missed = 0
    while not stop.is_set():
        name = f"ryw-{checked}"
        _request(ports[checked % 2], "/api/v1/tokens", token, {"name": name})
        listed = _request(ports[(checked + 1) % 2], "/api/v1/tokens", token)
        missed += name not in {row["name"] for row in listed}
        checked += 1
    out.update(checks=checked, missed=missed)


def _xacts(server: pgreplica.Replica) -> int:
    """Transactions committed in the bench database of that server (on a standby: its own
    reads)."""
    return int(server.sql(DB_NAME, "SELECT xact_commit FROM pg_stat_database "
                                   f"WHERE datname = '{DB_NAME}'")[0])


def _concurrent_wrk(ports: list[int], paths: list[str], seconds: int) -> dict:
    """wrk against every server at once, the connections split between them."""
    results: list[dict] = [{} for _ in ports]

    def one(i: int) -> None:
        results[i] = wrk(ports[i], paths, CONNECTIONS // len(ports), seconds)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(ports))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"rps": round(sum(r["rps"] or 0 for r in results), 1),
            "p95_ms": max(r.get("p95_ms") or 0 for r in results),
            "errors": sum(r.get("errors") or 0 for r in results), "per_server": results}


def _median_run(runs: list[dict]) -> dict:
    ordered = sorted(runs, key=lambda r: r["rps"] or 0)
    return ordered[len(ordered) // 2] | {"rps_runs": [r["rps"] for r in runs]}


def _measure(seconds: int, rounds: int, paths: list[str], database: str, replica_url: str,
             servers: tuple, figures: dict) -> list[int]:
    """All three servers up at once, the runs interleaved (one, two, one, two...): the
    other work on this shared machine then weighs on both alike; the median run of each."""
    primary, replica = servers
    single = free_port()
    start_server(single, DATABASE_URL=database)  # two workers, the primary alone
    ports = [free_port(8800), free_port(8850)]
    for port in ports:  # one worker each: the same number of workers on the same cores
        start_server(port, workers=1, DATABASE_URL=database, DATABASE_REPLICA_URLS=replica_url)
    wrk(single, paths, 2, 1)
    _concurrent_wrk(ports, paths, 1)  # warm
    one_runs, two_runs = [], []
    for _ in range(rounds):
        # two wrk processes here too: on a shared machine more processes get more CPU
        one_runs.append(_concurrent_wrk([single, single], paths, seconds))
        before = (_xacts(primary), _xacts(replica))
        run = _concurrent_wrk(ports, paths, seconds)
        primary_x, replica_x = _xacts(primary) - before[0], _xacts(replica) - before[1]
        run["replica_share"] = round(replica_x / max(1, replica_x + primary_x), 3)
        two_runs.append(run)
        say(f"scaleout: codes, one server {one_runs[-1]['rps']:7.1f} rps, two servers + "
            f"replica {run['rps']:7.1f} rps (replica share {run['replica_share']:.0%})")
    figures["one_server"]["codes"] = _median_run(one_runs)
    figures["two_servers"]["codes"] = _median_run(two_runs)
    # each round's pair ran back to back: their ratios show the spread the machine adds
    figures["two_servers"]["codes"]["paired_ratios"] = [
        round(t["rps"] / o["rps"], 3) for o, t in zip(one_runs, two_runs, strict=True)]
    cached = [quote(f"/api/v1/divisions?q={CACHED_SEARCH}")]
    wrk(single, cached, 2, 1)
    ping_runs, cached_runs = [], []
    for _ in range(rounds):
        ping_runs.append(wrk(single, ["/api/v1/ping"], CONNECTIONS, seconds))
        cached_runs.append(wrk(single, cached, CONNECTIONS, seconds))
        say(f"scaleout: ping {ping_runs[-1]['rps']:7.1f} rps, cached search "
            f"{cached_runs[-1]['rps']:7.1f} rps")
    figures["one_server"]["ping"] = _median_run(ping_runs)
    figures["one_server"]["cached_search"] = _median_run(cached_runs)
    figures["one_server"]["cached_search"]["paired_ratios"] = [
        round(c["rps"] / p["rps"], 3) for p, c in zip(ping_runs, cached_runs, strict=True)]
    return ports


def _under_load(ports: list[int], paths: list[str], seconds: int, token: str,
                figures: dict) -> None:
    """Read-your-writes while wrk loads both servers (apart from the throughput runs: the
    checking client's own requests and CPU would weigh on them)."""
    stop, ryw = threading.Event(), {}
    checker = threading.Thread(target=_read_your_writes, args=(ports, token, stop, ryw))
    checker.start()
    ryw["load"] = _concurrent_wrk(ports, paths, seconds)
    stop.set()
    checker.join()
    figures["read_your_writes"] = ryw
    say(f"scaleout: read-your-writes under {ryw['load']['rps']:.0f} rps of reads: "
        f"{ryw['checks'] - ryw['missed']}/{ryw['checks']} saw their write")


def _clusters(root: Path, figures: dict) -> tuple:
    """A clone of the bench's server as the primary (quiet: the shared server's other
    clients neither load it nor hold its standby back), and a streaming replica of it."""
    say(f"scaleout: pg_basebackup of {PG['host']}:{PG['port']} (primary) into {root}")
    started = time.monotonic()
    try:
        clone = pgreplica.start_replica({**PG, "password": ""}, root / "primary",
                                        dbname=DB_NAME, standby=False)
    except RuntimeError as exc:
        raise Skipped(f"{exc} (the server must allow replication from 127.0.0.1: "
                      "'host replication all 127.0.0.1/32 trust' in pg_hba.conf)") from exc
    say("scaleout: pg_basebackup -R of that primary (replica)")
    own = {"host": "127.0.0.1", "port": str(clone.port), "user": PG["user"], "password": ""}
    try:
        replica = pgreplica.start_replica(own, root / "replica", dbname=DB_NAME)
        replica.wait_replayed(DB_NAME, timeout=300)
    except Exception:
        clone.remove()
        raise
    figures["setup_s"] = round(time.monotonic() - started, 1)
    return clone, replica


def step(inputs, quick: bool) -> StepResult:
    require_tool("wrk")
    if pgreplica.pg_bin() is None:
        raise Skipped("no PostgreSQL server binaries (pg_basebackup, pg_ctl)")
    if not count("boundaries_divisionversion"):
        raise Skipped("no divisions in the bench database (run the load step)")
    seconds, rounds = (3, 1) if quick else (5, 5)
    paths = [f"/api/v1/divisions/{c}" for c in CODES]
    figures: dict = {"duration_s": seconds, "connections": CONNECTIONS, "cpus": os.cpu_count(),
                     "paths": paths, "one_server": {}, "two_servers": {}}
    root = Path(tempfile.mkdtemp(prefix="bench-replica-"))
    root.chmod(0o711)
    clone = replica = None
    try:
        clone, replica = _clusters(root, figures)
        database = f"postgres://{PG['user']}@127.0.0.1:{clone.port}/{DB_NAME}"
        token = _bench_token(database)
        replica_url = f"postgres://{PG['user']}@127.0.0.1:{replica.port}/{DB_NAME}"
        ports = _measure(seconds, rounds, paths, database, replica_url, (clone, replica),
                         figures)
        _under_load(ports, paths, seconds, token, figures)
    finally:
        stop_servers()
        for server in (replica, clone):
            if server is not None:
                server.remove()
        subprocess.run(["rm", "-rf", str(root)], check=False)
    one, two = figures["one_server"], figures["two_servers"]
    figures["ratios"] = {
        "two_servers_vs_one_per_core": round(two["codes"]["rps"] / one["codes"]["rps"], 3),
        "cached_search_vs_ping": round(one["cached_search"]["rps"] / one["ping"]["rps"], 3)}
    figures["targets"] = {"two_servers_vs_one_per_core": TARGET_THROUGHPUT,
                          "cached_search_vs_ping": TARGET_CACHED,
                          "read_your_writes_missed": 0}
    say(f"scaleout: ratios {figures['ratios']} (targets {figures['targets']})")
    return StepResult("scaleout", figures)
