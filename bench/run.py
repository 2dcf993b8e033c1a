"""Benchmark the registry end to end: `python -m bench.run [--only STEP ...] [--quick]`.

Steps run in order on the database bench_registry (never `registry`; `BENCH_DB_NAME` names
another, so that two benches can run side by side): load → polygons →
synthetic → lines → survey → places → http → ogc → tiles → soak → merger → campaigns. The
load step recreates the database; the others use what is there, so `--only http`
re-measures the API on the data of the last full run. A step whose piece of the project is
missing prints "skipped: <reason>" and the run goes on.
"""

import argparse
import os
import platform
import signal
import subprocess
import sys
import traceback

from . import (
    campaigns,
    lines,
    load,
    merger,
    mergers,
    ogcweb,
    places,
    polygons,
    scaleout,
    soak,
    survey,
    synthetic,
    tiles,
    web,
)
from .common import (
    WORK,
    Skipped,
    StepResult,
    database_exists,
    recreate_database,
    say,
)
from .data import inputs
from .report import table, write_json

STEPS = {"load": load.step, "polygons": polygons.step, "synthetic": synthetic.step,
         "lines": lines.step, "survey": survey.step, "places": places.step, "http": web.step,
         "ogc": ogcweb.step, "tiles": tiles.step, "scaleout": scaleout.step,
         "soak": soak.step, "mergers": mergers.step, "merger_execute": merger.step,
         "campaigns": campaigns.step}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(STEPS), metavar="STEP",
                        help=f"run only these steps ({', '.join(STEPS)})")
    parser.add_argument("--quick", action="store_true",
                        help="one province (52 贵州) and 2 s wrk runs: for trying the bench out")
    return parser.parse_args(argv)


def _terminate(signum, frame):
    # SIGTERM/SIGHUP unwind like Ctrl-C, so the finally blocks stop gunicorn.
    raise KeyboardInterrupt


def run_step(name: str, data, quick: bool) -> StepResult:
    try:
        result = STEPS[name](data, quick)
    except Skipped as why:
        say(f"{name}: skipped: {why}")
        return StepResult(name, skipped=str(why))
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        traceback.print_exc(file=sys.stderr)
        say(f"{name}: ERROR: {exc}")
        return StepResult(name, error=str(exc).splitlines()[0])
    result.name = name
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    steps = args.only or list(STEPS)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    WORK.mkdir(parents=True, exist_ok=True)
    data = inputs(args.quick)
    results: dict[str, StepResult] = {}
    try:
        # mergers works on a database of its own (bench/mergers.py); tiles falls back to it
        if "load" in steps or (set(steps) - {"mergers", "tiles"} and not database_exists()):
            recreate_database()
        for name in [s for s in STEPS if s in steps]:
            say(f"── {name} ──")
            if name == "http":
                load.analyze()
            results[name] = run_step(name, data, args.quick)
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        web.stop_servers()
    print(table(results))
    meta = {"command": "python -m bench.run " + " ".join(argv or sys.argv[1:]),
            "quick": args.quick, "scope": data.scope, "cpus": os.cpu_count(),
            "python": platform.python_version()}
    print(f"\nresults: {write_json(results, meta)} (and bench/results/latest.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
