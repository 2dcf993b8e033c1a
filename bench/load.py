"""Step `load`: load_divisions of the code tables vs a bare `psql \\copy` of the same CSVs."""

import subprocess
import tempfile

from .common import (
    DATABASE_URL,
    Skipped,
    StepResult,
    count,
    manage,
    psql,
    require_tool,
    run,
    say,
)
from .data import Inputs

# Plain tables with the CSVs' own columns: what the bytes cost to get into PostgreSQL.
BASELINE_TABLES = {
    "provinces.csv": "code text, name text",
    "cities.csv": "code text, name text, province_code text",
    "areas.csv": "code text, name text, city_code text, province_code text",
    "streets.csv": "code text, name text, area_code text, province_code text, city_code text",
    "villages.csv": "code text, name text, street_code text, province_code text, "
                    "city_code text, area_code text",
}


def copy_baseline(inputs: Inputs) -> tuple[float, int]:
    """Seconds for one psql session creating five plain tables and \\copy-ing the CSVs in."""
    lines = ["BEGIN;", "DROP SCHEMA IF EXISTS bench_baseline CASCADE;",
             "CREATE SCHEMA bench_baseline;"]
    for name, columns in BASELINE_TABLES.items():
        table = "bench_baseline." + name.removesuffix(".csv")
        lines.append(f"CREATE TABLE {table} ({columns});")
        lines.append(f"\\copy {table} FROM '{inputs.codes_dir / name}' WITH (FORMAT csv, HEADER)")
    lines.append("COMMIT;")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    seconds = run(["psql", DATABASE_URL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", script.name])
    rows = sum(count(f"bench_baseline.{n.removesuffix('.csv')}") for n in BASELINE_TABLES)
    psql("DROP SCHEMA bench_baseline CASCADE")
    return seconds, rows


def step(inputs: Inputs, quick: bool) -> StepResult:
    result = StepResult("load")
    require_tool("psql")
    if count("boundaries_divisionversion"):
        raise Skipped("the bench database already holds divisions (the load step recreates it)")
    say(f"load: psql \\copy baseline of {inputs.codes_dir}")
    baseline, rows = copy_baseline(inputs)
    say(f"load: baseline {rows} rows in {baseline:.2f}s; now load_divisions --commit")
    seconds = manage("load_divisions", str(inputs.codes_dir), "--commit", "--json")
    loaded = count("boundaries_divisionversion")
    if loaded != rows:
        raise RuntimeError(f"load_divisions wrote {loaded} rows, the CSVs hold {rows}")
    say(f"load: load_divisions {loaded} rows in {seconds:.1f}s")
    # the same command with no DB work beyond Django start-up: what is fixed cost
    startup = manage("check", "--deploy", "--fail-level", "CRITICAL") if not quick else None
    result.figures = {
        "rows": rows, "copy_s": round(baseline, 3), "load_divisions_s": round(seconds, 3),
        "django_startup_s": round(startup, 3) if startup else None,
        "ratio": round(seconds / baseline, 2), "target_ratio": 2.0,
    }
    return result


def analyze() -> None:
    """Fresh planner statistics before the HTTP step (autovacuum may not have run yet)."""
    subprocess.run(["psql", DATABASE_URL, "-X", "-q", "-c", "VACUUM ANALYZE"],
                   capture_output=True, timeout=1800)
