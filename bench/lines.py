"""Step `lines`: derive_boundary_lines --level county --commit on the whole load's counties."""

import json
import subprocess
import time

from .common import (
    PYTHON,
    ROOT,
    Skipped,
    StepResult,
    command_exists,
    count,
    env,
    module_exists,
    say,
)
from .data import Inputs

COUNTY_POLYGONS = "boundaries_divisionversion WHERE level = 3 AND geom IS NOT NULL"


def derive(*flags: str) -> tuple[float, dict]:
    """One run of the command; its wall-clock seconds and its JSON report."""
    cmd = [str(PYTHON), "manage.py", "derive_boundary_lines", "--level", "county", "--json",
           *flags]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"derive_boundary_lines exited {proc.returncode}\n"
                           f"{(proc.stdout + proc.stderr)[-2000:]}")
    return seconds, json.loads(proc.stdout)


def step(inputs: Inputs, quick: bool) -> StepResult:
    if not (module_exists("boundaries.lines") and command_exists("derive_boundary_lines")):
        raise Skipped("boundaries/lines.py or the derive_boundary_lines command is missing")
    polygons = count(COUNTY_POLYGONS)
    if not polygons:
        raise Skipped("no county polygons in the bench database (run the polygons step)")
    say(f"lines: derive_boundary_lines --level county --commit over {polygons} county polygons")
    seconds, first = derive("--commit")
    say(f"lines: {first['lines']} lines ({first['new']} new) from {first['candidate_pairs']} "
        f"candidate pairs in {seconds:.1f}s; {len(first['overlaps'])} overlaps, "
        f"{len(first['gaps'])} gaps; again as a preview (must change nothing)")
    again_s, again = derive()
    return StepResult("lines", {
        "county_polygons": polygons, "lines": first["lines"],
        "candidate_pairs": first["candidate_pairs"], "suspect_pairs": first["suspect_pairs"],
        "new": first["new"], "unchanged": first["unchanged"], "changed": first["changed"],
        "ended": first["ended"], "gaps": len(first["gaps"]), "overlaps": len(first["overlaps"]),
        "derive_s": round(seconds, 3), "stage_s": first["stage_seconds"],
        "rerun_s": round(again_s, 3),
        "rerun_changes": again["new"] + again["changed"] + again["ended"],
    })
