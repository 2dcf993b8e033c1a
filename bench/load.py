"""Step `load`: load_divisions of the code tables vs `psql \\copy` of the same rows.

Two baselines: the floor, a \\copy of the rows load_divisions wrote into the registry's own
table (a scratch copy of the migrated, empty database: the same indexes, constraints and
triggers), which is the target's measure; and a bare \\copy of the CSVs into plain tables,
what the bytes alone cost, kept for reference.
"""

import subprocess
import tempfile

from .common import (
    ADMIN_URL,
    DATABASE_URL,
    DB_NAME,
    PG,
    WORK,
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


FLOOR_DB = f"{DB_NAME}_floor"
# The columns load_divisions writes (importers.divisions.COPY_COLUMNS); the rest take their
# defaults in both loads.
FLOOR_COLUMNS = ("code, name, place_name, level, kind, parent_code, valid_from, pinyin, "
                 "place_pinyin, initials, grams, geometry_source, created_at")


def make_floor_database() -> None:
    """An empty twin of the freshly migrated bench database, made before anything is loaded."""
    psql(f'DROP DATABASE IF EXISTS "{FLOOR_DB}" WITH (FORCE)', db=ADMIN_URL)
    psql(f'CREATE DATABASE "{FLOOR_DB}" TEMPLATE "{DB_NAME}"', db=ADMIN_URL)


def copy_floor() -> tuple[float, int]:
    """Seconds for one \\copy of the loaded rows into the twin's division table."""
    rows_file = WORK / "load-floor-rows.tsv"
    run(["psql", DATABASE_URL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
         f"\\copy (SELECT {FLOOR_COLUMNS} FROM boundaries_divisionversion ORDER BY level, code)"
         f" TO '{rows_file}'"])
    floor_url = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{FLOOR_DB}"
    try:
        seconds = run(["psql", floor_url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                       f"\\copy boundaries_divisionversion ({FLOOR_COLUMNS}) FROM '{rows_file}'"])
        rows = int(psql("SELECT count(*) FROM boundaries_divisionversion", db=floor_url))
    finally:
        psql(f'DROP DATABASE IF EXISTS "{FLOOR_DB}" WITH (FORCE)', db=ADMIN_URL)
        rows_file.unlink(missing_ok=True)
    return seconds, rows


def step(inputs: Inputs, quick: bool) -> StepResult:
    result = StepResult("load")
    require_tool("psql")
    if count("boundaries_divisionversion"):
        raise Skipped("the bench database already holds divisions (the load step recreates it)")
    make_floor_database()
    say(f"load: psql \\copy baseline of {inputs.codes_dir} into plain tables")
    baseline, rows = copy_baseline(inputs)
    say(f"load: baseline {rows} rows in {baseline:.2f}s; now load_divisions --commit")
    seconds = manage("load_divisions", str(inputs.codes_dir), "--commit", "--json")
    loaded = count("boundaries_divisionversion")
    if loaded != rows:
        raise RuntimeError(f"load_divisions wrote {loaded} rows, the CSVs hold {rows}")
    say(f"load: load_divisions {loaded} rows in {seconds:.1f}s; now the floor: \\copy of "
        "those rows into the registry's table")
    floor, floor_rows = copy_floor()
    if floor_rows != rows:
        raise RuntimeError(f"the floor copied {floor_rows} rows, load_divisions wrote {rows}")
    say(f"load: floor {floor_rows} rows in {floor:.2f}s")
    # the same command with no DB work beyond Django start-up: what is fixed cost
    startup = manage("check", "--deploy", "--fail-level", "CRITICAL") if not quick else None
    result.figures = {
        "rows": rows, "copy_s": round(baseline, 3), "copy_into_registry_tables_s": round(floor, 3),
        "load_divisions_s": round(seconds, 3),
        "django_startup_s": round(startup, 3) if startup else None,
        "ratio": round(seconds / floor, 2), "target_ratio": 2.0,
        "ratio_to_plain_copy": round(seconds / baseline, 2),
    }
    return result


def analyze() -> None:
    """Fresh planner statistics before the HTTP step (autovacuum may not have run yet)."""
    subprocess.run(["psql", DATABASE_URL, "-X", "-q", "-c", "VACUUM ANALYZE"],
                   capture_output=True, timeout=1800)
