"""Step `synthetic`: synthesize_divisions (township polygons inside the county polygons)."""

from .common import (
    Skipped,
    StepResult,
    command_exists,
    count,
    manage,
    module_exists,
    say,
)
from .data import Inputs

TOWNSHIP_POLYGONS = "boundaries_divisionversion WHERE level = 4 AND geom IS NOT NULL"


def step(inputs: Inputs, quick: bool) -> StepResult:
    if not (module_exists("boundaries.synthetic") and command_exists("synthesize_divisions")):
        raise Skipped("boundaries/synthetic.py or the synthesize_divisions command is missing")
    if not count("boundaries_divisionversion WHERE level = 3 AND geom IS NOT NULL"):
        raise Skipped("no county polygons in the bench database (run the polygons step)")
    before = count(TOWNSHIP_POLYGONS)
    say("synthetic: synthesize_divisions for the whole load "
        f"({inputs.scope}); {before} township polygons before")
    seconds = manage("synthesize_divisions", "--commit")
    after = count(TOWNSHIP_POLYGONS)
    say(f"synthetic: {after - before} township polygons in {seconds:.1f}s")
    return StepResult("synthetic", {
        "townships_with_polygon": after, "synthesize_s": round(seconds, 3),
        "per_1000_s": round(seconds / max(after - before, 1) * 1000, 3),
    })
