"""Step `campaigns`: a clean-up campaign over the bench places (bench_registry, the places
step's ≥ 13M names; --quick: 贵州 52 only) against the same checks as one plain set-based
SQL pass, in the same run. Figures: names checked per second, and the whole run (scope,
per-name rules, clashes, signs, findings written) over the SQL pass's time, target ≤ 2×.
Nothing is kept: both run in one transaction that is rolled back."""

import json
import subprocess

from .common import PYTHON, ROOT, Skipped, StepResult, count, env, manage, module_exists, say

RATIO_TARGET = 2.0


def step(inputs, quick: bool) -> StepResult:
    if not module_exists("campaigns.services"):
        raise Skipped("campaigns/services.py is missing")
    places = count("gazetteer_place")
    if not places:
        raise Skipped("the bench database holds no places: run the places step first")
    manage("migrate", "campaigns", "--no-input", "-v0")
    scope = "52" if quick else ""
    say(f"campaigns: a campaign over {scope or 'the whole registry'} ({places} places in "
        "the database) against the plain SQL pass")
    proc = subprocess.run([str(PYTHON), "-m", "bench.campaigns_probe", scope], cwd=ROOT,
                          env=env(), capture_output=True, text=True, timeout=6 * 3600)
    if proc.returncode != 0:
        raise RuntimeError(f"campaigns probe exited {proc.returncode}\n"
                           f"{(proc.stdout + proc.stderr)[-2000:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["places_in_database"] = places
    figures["status"] = "PASS" if figures["ratio"] <= RATIO_TARGET else "SHORT"
    say(f"campaigns: {figures['checked']} names in {figures['ours_s']} s "
        f"({figures['checks_per_second']}/s), SQL pass {figures['sql_s']} s: "
        f"{figures['ratio']}× (target ≤ {RATIO_TARGET}×) {figures['status']}")
    return StepResult("campaigns", figures)
