"""Step `survey`: import_survey of a 50,000-vertex line and 10,000 markers (a GeoPackage in
CGCS2000 3-degree Gauss-Krüger zone 35) vs ogr2ogr of the same file in the same run.

Both sides parse, reproject to EPSG:4490 and COPY into PostgreSQL; import_survey also checks
(validity, self-crossing, duplicate numbers, ranges). The file is the real border of 钟山区
densified to 50,000 vertices, with a marker at every fifth vertex. Each side runs five
times, alternately, and the best time counts: the machine is shared.
"""

import gzip
import json
import re
import subprocess

from .common import (
    COUNTIES_FILE,
    DB_NAME,
    PG,
    PYTHON,
    ROOT,
    WORK,
    Skipped,
    StepResult,
    command_exists,
    count,
    env,
    module_exists,
    psql,
    require_tool,
    run,
    say,
)
from .data import Inputs

VERTICES, MARKERS, EPSG = 50_000, 10_000, 4523
STAGE, OGR_SCHEMA = "bench_survey_stage", "bench_survey_ogr"
ROUNDS = 5
TIMING = re.compile(r"seconds: ([0-9.]+)")


def _border() -> list[tuple]:
    """钟山区's outer ring in EPSG:4523."""
    import pyproj

    with gzip.open(COUNTIES_FILE, "rt", encoding="utf-8") as fh:
        county = next(f for f in json.load(fh)["features"]
                      if f["properties"].get("county_code_2023") == "520201")
    geom = county["geometry"]
    ring = geom["coordinates"][0][0] if geom["type"] == "MultiPolygon" else geom["coordinates"][0]
    to = pyproj.Transformer.from_crs(4490, EPSG, always_xy=True)
    return [to.transform(x, y) for x, y in ring]


def _densified(ring: list[tuple], n: int) -> list[tuple]:
    out = []
    for k in range(n):
        t = k * (len(ring) - 1) / (n - 1)
        i = min(int(t), len(ring) - 2)
        f = t - i
        (x0, y0), (x1, y1) = ring[i], ring[i + 1]
        out.append((x0 + f * (x1 - x0), y0 + f * (y1 - y0)))
    return out


def survey_file() -> str:
    """The GeoPackage, made once and kept in bench/.work."""
    import fiona

    path = WORK / f"survey-{VERTICES}-{MARKERS}.gpkg"
    if path.exists():
        return str(path)
    line = _densified(_border(), VERTICES)
    step = VERTICES // MARKERS
    with fiona.open(path, "w", driver="GPKG", layer="line", crs=f"EPSG:{EPSG}",
                    schema={"geometry": "LineString", "properties": {"名称": "str"}}) as out:
        out.write(fiona.Feature.from_dict(geometry={"type": "LineString", "coordinates": line},
                                          properties={"名称": "钟水线"}))
    schema = {"geometry": "Point", "properties": {"编号": "str", "类型": "str", "材质": "str",
                                                  "高程": "float"}}
    with fiona.open(path, "w", driver="GPKG", layer="markers", crs=f"EPSG:{EPSG}",
                    schema=schema) as out:
        out.writerecords(fiona.Feature.from_dict(
            geometry={"type": "Point", "coordinates": (x + 0.3, y - 0.2)},
            properties={"编号": f"钟水{k + 1:05d}", "类型": "单立", "材质": "花岗岩",
                        "高程": 1800.0 + k % 300})
            for k, (x, y) in enumerate(line[::step][:MARKERS]))
    return str(path)


CSV_MARKERS = 145_635  # the size of the CSV that took 56 s and 212 MB before


def csv_file() -> str:
    """A 5 MB CSV of marker coordinates as surveyors write them (X northing, Y easting with
    its zone prefix), made once: points along 钟山区's border in EPSG:4523."""
    path = WORK / f"markers-{CSV_MARKERS}.csv"
    if path.exists():
        return str(path)
    line = _densified(_border(), CSV_MARKERS)
    with path.open("w", encoding="utf-8") as out:
        out.write("界桩号,X,Y,高程\n")
        for k, (x, y) in enumerate(line):
            out.write(f"钟水{k + 1:06d},{y:.3f},{x:.3f},{1800 + k % 300}.0\n")
    return str(path)


def ogr2ogr_csv_once(path: str) -> tuple[float, int]:
    ogr2ogr = require_tool("ogr2ogr")
    psql(f"DROP SCHEMA IF EXISTS {OGR_SCHEMA} CASCADE; CREATE SCHEMA {OGR_SCHEMA}")
    pg = f"PG:host={PG['host']} port={PG['port']} user={PG['user']} dbname={DB_NAME}"
    seconds = run([ogr2ogr, "-f", "PostgreSQL", pg, path, "-nln", "markers",
                   "-oo", "X_POSSIBLE_NAMES=Y", "-oo", "Y_POSSIBLE_NAMES=X",
                   "-s_srs", f"EPSG:{EPSG}", "-t_srs", "EPSG:4490",
                   "-lco", f"SCHEMA={OGR_SCHEMA}", "-lco", "GEOMETRY_NAME=geom",
                   "--config", "PG_USE_COPY", "YES"])
    rows = count(f"{OGR_SCHEMA}.markers")
    psql(f"DROP SCHEMA {OGR_SCHEMA} CASCADE")
    return seconds, rows


def csv_round(rounds: int) -> dict:
    """The CSV read by import_survey against ogr2ogr reading, reprojecting and COPYing it."""
    path = csv_file()
    ogr, ours = [], []
    for _ in range(rounds):
        seconds, ogr_rows = ogr2ogr_csv_once(path)
        ogr.append(seconds)
        inside, _, rows = import_once(path, "--crs", f"EPSG:{EPSG}")
        ours.append(inside)
    if rows != ogr_rows:
        raise RuntimeError(f"import_survey staged {rows} CSV rows, ogr2ogr wrote {ogr_rows}")
    say(f"survey: CSV of {rows} markers: ogr2ogr {min(ogr):.2f}s, import_survey {min(ours):.2f}s")
    return {"csv_markers": rows, "csv_ogr2ogr_s": round(min(ogr), 3),
            "csv_import_survey_s": round(min(ours), 3),
            "csv_ratio_ours_to_ogr2ogr": round(min(ours) / min(ogr), 2),
            "csv_target_ratio_max": 2.0}


def ogr2ogr_once(path: str, reproject: bool = True) -> tuple[float, int]:
    """ogr2ogr with -t_srs EPSG:4490 does the same reprojection as import_survey; without it
    (plain) it only copies, which is measured too so the choice can be judged."""
    ogr2ogr = require_tool("ogr2ogr")
    psql(f"DROP SCHEMA IF EXISTS {OGR_SCHEMA} CASCADE; CREATE SCHEMA {OGR_SCHEMA}")
    pg = f"PG:host={PG['host']} port={PG['port']} user={PG['user']} dbname={DB_NAME}"
    seconds = run([ogr2ogr, "-f", "PostgreSQL", pg, path,
                   *(["-t_srs", "EPSG:4490"] if reproject else []),
                   "-lco", f"SCHEMA={OGR_SCHEMA}", "-lco", "GEOMETRY_NAME=geom",
                   "--config", "PG_USE_COPY", "YES"])
    rows = count(f"{OGR_SCHEMA}.line") + count(f"{OGR_SCHEMA}.markers")
    psql(f"DROP SCHEMA {OGR_SCHEMA} CASCADE")
    return seconds, rows


def import_once(path: str, *options: str) -> tuple[float, float, int]:
    """(seconds inside the command, seconds of the whole command, rows staged)."""
    psql(f"DROP TABLE IF EXISTS {STAGE}")
    cmd = [str(PYTHON), "manage.py", "import_survey", path, *options, "--stage", STAGE]
    proc = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"import_survey exited {proc.returncode}\n{proc.stderr[-2000:]}")
    inside = float(TIMING.search(proc.stdout).group(1))
    whole = run(cmd[:-2] + ["--stage", STAGE + "_2"])  # the same, timed from outside
    rows = count(STAGE)
    psql(f"DROP TABLE IF EXISTS {STAGE}, {STAGE}_2")
    return inside, whole, rows


def step(inputs: Inputs, quick: bool) -> StepResult:
    if not (module_exists("importers.survey.pipeline") and command_exists("import_survey")):
        raise Skipped("importers/survey or the import_survey command is missing")
    path = survey_file()
    say(f"survey: {path}: one {VERTICES}-vertex line and {MARKERS} markers in EPSG:{EPSG}")
    ogr, plain, ours, whole = [], [], [], []
    for n in range(ROUNDS):
        seconds, ogr_rows = ogr2ogr_once(path)
        ogr.append(seconds)
        plain.append(ogr2ogr_once(path, reproject=False)[0])
        inside, outside, rows = import_once(path)
        ours.append(inside)
        whole.append(outside)
        say(f"survey: round {n + 1}: ogr2ogr {seconds:.2f}s ({ogr_rows} rows; "
            f"{plain[-1]:.2f}s without -t_srs); import_survey "
            f"{inside:.2f}s inside, {outside:.2f}s with Django's start ({rows} rows)")
    if rows != ogr_rows:
        raise RuntimeError(f"import_survey staged {rows} rows, ogr2ogr wrote {ogr_rows}")
    return StepResult("survey", csv_round(2 if quick else 3) | {
        "features": rows, "vertices": VERTICES + MARKERS, "ogr2ogr_s": round(min(ogr), 3),
        "ogr2ogr_plain_s": round(min(plain), 3),
        "import_survey_s": round(min(ours), 3), "import_survey_command_s": round(min(whole), 3),
        "ratio": round(min(ogr) / min(ours), 2),
        "ratio_command": round(min(ogr) / min(whole), 2), "target_ratio": 1.0,
    })
