"""Step `mergers`: simulate (2, 7 and a whole-prefecture scenario of ~90 townships) against
the SQL their answer needs run directly (bench/mergers_direct.py: the union, area and
border SQL of the issue and the rest the answer must hold), and suggest 六盘水 → 87 units.

It works on a database of its own, bench_mergers, holding the demo (六盘水's 92 synthetic
townships with their border lines, which bench_registry's whole-country load does not
derive at township level); made once with migrate + load_demo, then reused (and migrated).
"""

import json
import subprocess

from .common import (
    ADMIN_URL,
    PG,
    PYTHON,
    ROOT,
    Skipped,
    StepResult,
    command_exists,
    env,
    module_exists,
    psql,
    say,
)
from .data import Inputs

DB = "bench_mergers"
URL = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{DB}"
RATIO_TARGET = 1.5


def _env() -> dict:
    return env(DATABASE_URL=URL, DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1")


def _ensure_database() -> None:
    """The demo database, made once; migrated on every run (the code measured may have
    changed its schema since)."""
    steps = [["migrate", "--no-input", "-v0"]]
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'", db=ADMIN_URL) != "1":
        say(f"mergers: creating {DB} and loading the demo (once)")
        psql(f"CREATE DATABASE \"{DB}\" TEMPLATE template0 ENCODING 'UTF8' "
             "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'", db=ADMIN_URL)
        steps.append(["load_demo", "--no-progress"])
    for args in steps:
        proc = subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=_env(),
                              capture_output=True, text=True, timeout=3600)
        if proc.returncode != 0:
            raise RuntimeError(f"{args[0]} on {DB}: {(proc.stdout + proc.stderr)[-2000:]}")


def step(inputs: Inputs, quick: bool) -> StepResult:
    if not (module_exists("mergers.simulation") and command_exists("simulate_merger")):
        raise Skipped("mergers/simulation.py or the simulate_merger command is missing")
    _ensure_database()
    say("mergers: simulate 2 / 7 / whole prefecture against the direct SQL, suggest 5202 → 87")
    proc = subprocess.run([str(PYTHON), "-m", "bench.mergers_probe", "3" if quick else "15"],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"mergers probe exited {proc.returncode}\n"
                           f"{(proc.stdout + proc.stderr)[-2000:]}")
    figures = json.loads(proc.stdout)
    for name in ("simulate_2", "simulate_7", "simulate_prefecture"):
        f = figures[name]
        f["status"] = "PASS" if f["ratio"] <= RATIO_TARGET else "SHORT"
        say(f"mergers: {name}: {f['ours_ms']:.1f} ms vs {f['sql_ms']:.1f} ms direct "
            f"({f['ratio']:.2f}×, target ≤ {RATIO_TARGET}×; {f['narrow_ratio']:.2f}× the "
            f"union, area and border SQL alone, {f['narrow_sql_ms']:.1f} ms)")
    s = figures["suggest"]
    say(f"mergers: suggest 5202 → {s['units_after']} in {s['seconds']:.2f} s "
        f"(search {s['search_seconds']:.2f} s), reached {s['reached']}, worst "
        f"{s['worst_seat_distance_m']:.0f} m, seed {s['seed']}")
    return StepResult("mergers", figures)
