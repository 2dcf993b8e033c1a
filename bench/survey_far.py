"""Not a step of `make bench`: reading a 170,000-point CSV survey against its division, with
the former distance check (importers.survey.staging.far_from casting the division's
polygon to geography for every staged point) and the present one (cast once), in the same
run on the same file. Usage::

    .venv/bin/python -m bench.survey_far [POINTS]      # default 170000

It works on a database of its own, ``bench_survey_far`` (BENCH_DB_NAME overrides), made
once: migrated, the codes of 六盘水 and the real polygon of 钟山区 (520201) loaded. The file:
points along 钟山区's border in Gauss-Krüger zone 35 (EPSG:4523), each moved up to about
1.5 km either way, so that some lie inside, some near and some far from the county. Each
variant reads it ROUNDS times, alternately; the best time counts. Prints JSON and writes it
to bench/results/survey_far-<timestamp>.json. The flagged features of both are compared.
"""

import json
import os
import random
import sys
import time

os.environ.setdefault("BENCH_DB_NAME", "bench_survey_far")

from .common import RESULTS, WORK, database_exists, env, manage, recreate_database, say  # noqa: E402

ROUNDS = 2
# The former statement, with the present one's parameters.
FORMER = """
SELECT s.idx, ST_Distance(s.geom::geography, d.geom::geography)
FROM {table} s, boundaries_divisionversion d
WHERE d.id = %(version)s AND s.geom IS NOT NULL
  AND NOT ST_DWithin(s.geom::geography, d.geom::geography, %(metres)s)
ORDER BY s.idx"""


def _county() -> dict:
    from tests.support import county_features

    return county_features(codes={"520201"})[0]


def prepare() -> None:
    """The database, once: migrated, 六盘水's codes, 钟山区's polygon."""
    if database_exists():
        return
    from tests.support import write_code_extract

    recreate_database()
    codes = write_code_extract(WORK / "survey_far" / "2023", ["5202"])
    say(f"codes loaded in {manage('load_divisions', str(codes), '--commit'):.1f}s")
    polygon = WORK / "survey_far" / "zhongshan.geojson"
    polygon.write_text(json.dumps({"type": "FeatureCollection", "features": [_county()]}),
                       encoding="utf-8")
    say(f"polygon loaded in "
        f"{manage('load_division_polygons', str(polygon), '--level', 'county', '--commit'):.1f}s")


def survey_csv(points: int):
    """Points along the border of 钟山区, moved up to ~1.5 km, as X (northing), Y (easting
    with the zone prefix) in EPSG:4523."""
    import pyproj

    path = WORK / "survey_far" / f"survey-{points}.csv"
    if path.exists():
        return path
    geom = _county()["geometry"]
    ring = geom["coordinates"][0][0] if geom["type"] == "MultiPolygon" else geom["coordinates"][0]
    to = pyproj.Transformer.from_crs(4490, 4523, always_xy=True)
    rng = random.Random(170)
    rows = []
    for k in range(points):
        t = k * (len(ring) - 1) / points
        i, f = int(t), t - int(t)
        (x0, y0), (x1, y1) = ring[i][:2], ring[i + 1][:2]
        e, n = to.transform(x0 + f * (x1 - x0), y0 + f * (y1 - y0))
        rows.append(f"钟水{k:06d},{n + rng.uniform(-1500, 1500):.3f},"
                    f"{e + rng.uniform(-1500, 1500):.3f}\n")
    path.write_text("界桩号,X,Y\n" + "".join(rows), encoding="utf-8")
    return path


def _read(path, sql: str) -> tuple[float, float, list]:
    """One read of the file with the given distance statement: the whole read's seconds,
    the distance check's, and the flagged features."""
    from django.db import transaction

    from importers import survey
    from importers.survey import staging

    spent = []
    real = staging.far_from

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    staging.FAR_SQL, staging.far_from = sql, timed
    try:
        started = time.perf_counter()
        with transaction.atomic():
            result = survey.run(path, crs="EPSG:4523", division="520201")
            transaction.set_rollback(True)
        total = time.perf_counter() - started
    finally:
        staging.far_from = real
    far = [(f.index, f.message) for f in result.findings if f.rule == "far_from_division"]
    return total, spent[0], far


def main(points: int) -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "survey_far").mkdir(exist_ok=True)
    prepare()
    os.environ.update(env(DJANGO_SETTINGS_MODULE="config.settings"))
    import django

    django.setup()
    from importers.survey import staging

    path = survey_csv(points)
    present = staging.FAR_SQL
    runs = {"former": [], "present": []}
    flagged = {}
    for round_ in range(ROUNDS):
        for name, sql in (("former", FORMER), ("present", present)):
            total, far_s, far = _read(path, sql)
            runs[name].append((total, far_s))
            flagged[name] = far
            say(f"round {round_ + 1} {name}: read {total:.1f}s, distance check {far_s:.1f}s, "
                f"{len(far)} far")
    best = {name: min(rows) for name, rows in runs.items()}
    return {"points": points, "file": str(path), "rounds": ROUNDS,
            "former": {"read_s": round(best["former"][0], 2),
                       "far_from_s": round(min(r[1] for r in runs["former"]), 2)},
            "present": {"read_s": round(best["present"][0], 2),
                        "far_from_s": round(min(r[1] for r in runs["present"]), 2)},
            "far_features": len(flagged["present"]),
            "same_findings": flagged["former"] == flagged["present"]}


if __name__ == "__main__":
    figures = main(int(sys.argv[1]) if len(sys.argv) > 1 else 170_000)
    figures["far_from_speedup"] = round(figures["former"]["far_from_s"]
                                        / max(figures["present"]["far_from_s"], 1e-9), 1)
    out = json.dumps(figures, indent=2, ensure_ascii=False)
    print(out)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    (RESULTS / f"survey_far-{stamp}.json").write_text(out + "\n")
