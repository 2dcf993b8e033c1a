"""Step `polygons`: load_division_polygons of the county file vs ogr2ogr of the same file."""

from .common import (
    DB_NAME,
    PG,
    Skipped,
    StepResult,
    command_exists,
    count,
    manage,
    module_exists,
    psql,
    require_tool,
    run,
    say,
)
from .data import Inputs

SCRATCH = "bench_ogr_counties"


def ogr_baseline(inputs: Inputs) -> tuple[float, int]:
    """ogr2ogr with COPY into a scratch table: reading, parsing and writing the same polygons."""
    ogr2ogr = require_tool("ogr2ogr")
    pg = f"PG:host={PG['host']} port={PG['port']} user={PG['user']} dbname={DB_NAME}"
    seconds = run([
        ogr2ogr, "-f", "PostgreSQL", pg, f"/vsigzip/{inputs.counties_file}",
        "-nln", SCRATCH, "-overwrite", "-nlt", "PROMOTE_TO_MULTI", "-a_srs", "EPSG:4490",
        "-lco", "GEOMETRY_NAME=geom", "--config", "PG_USE_COPY", "YES",
    ])
    rows = count(SCRATCH)
    psql(f"DROP TABLE IF EXISTS {SCRATCH}")
    return seconds, rows


def step(inputs: Inputs, quick: bool) -> StepResult:
    if not (module_exists("importers.polygons") and command_exists("load_division_polygons")):
        raise Skipped("importers/polygons.py or the load_division_polygons command is missing")
    if not count("boundaries_divisionversion WHERE level = 3"):
        raise Skipped("no county divisions in the bench database (run the load step)")
    say(f"polygons: ogr2ogr baseline of {inputs.counties_file.name}")
    baseline, features = ogr_baseline(inputs)
    say(f"polygons: baseline {features} features in {baseline:.2f}s; now "
        "load_division_polygons --commit")
    seconds = manage("load_division_polygons", str(inputs.counties_file), "--level", "county",
                     "--commit")
    with_geom = count("boundaries_divisionversion WHERE level = 3 AND geom IS NOT NULL")
    say(f"polygons: load_division_polygons in {seconds:.1f}s; {with_geom} counties have a polygon")
    return StepResult("polygons", {
        "features": features, "ogr2ogr_s": round(baseline, 3),
        "load_division_polygons_s": round(seconds, 3), "counties_with_polygon": with_geom,
        "ratio": round(seconds / baseline, 2), "target_ratio": 1.5,
    })
