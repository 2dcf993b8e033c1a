"""Step `merger`: carry out a 7-township merger (villages, lines, markers, places) and time it.

The work is bench/merger_run.py in a subprocess, inside one transaction that is rolled
back: the database is left as it was. It runs on bench_registry (on the whole load, where
the line derivation must stay within the affected area), or on the database named by
BENCH_MERGER_DATABASE_URL (e.g. a test database, where the demo is loaded for the run).
"""

import json
import os
import subprocess
import time

from .common import PYTHON, ROOT, Skipped, StepResult, env, module_exists, say
from .data import Inputs

TARGET_S = 10.0  # "seconds"


def step(inputs: Inputs, quick: bool) -> StepResult:
    if not module_exists("mergers.execution"):
        raise Skipped("mergers/execution.py is missing")
    extra = {}
    if os.environ.get("BENCH_MERGER_DATABASE_URL"):
        extra["DATABASE_URL"] = os.environ["BENCH_MERGER_DATABASE_URL"]
    say("merger: executing a 7-township merger in a transaction that is rolled back")
    t0 = time.perf_counter()
    proc = subprocess.run([str(PYTHON), "-m", "bench.merger_run"], cwd=ROOT, env=env(**extra),
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"bench.merger_run exited {proc.returncode}\n"
                           f"{(proc.stdout + proc.stderr)[-2000:]}")
    found = json.loads(proc.stdout)
    report = found["report"]
    say(f"merger: {found['townships']} townships of {found['county']}, {found['villages']} "
        f"villages, {found['places']} places, {found['markers_registered']} markers: "
        f"executed in {found['execute_s']:.2f}s (target ≤ {TARGET_S:g}s)")
    return StepResult("merger", {
        "county": found["county"], "townships": found["townships"],
        "villages": found["villages"], "places": found["places"],
        "markers": found["markers_registered"], "execute_s": found["execute_s"],
        "events": len(report["events"]), "versions_begun": report["begun"],
        "versions_ended": report["ended"], "lines": report["lines"],
        "markers_historical": report["markers_historical"],
        "places_rereferenced": report["places_rereferenced"],
        "target_s": TARGET_S, "met": found["execute_s"] <= TARGET_S,
        "process_s": round(time.perf_counter() - t0, 2)})
