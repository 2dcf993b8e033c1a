"""Synthetic township polygons and village points, for demos and benchmarks.

There are no real township boundaries or village locations in our data (see
../shared/data/README.md), yet the reverse geocoder, the merger planner and the
benchmarks need them. So each county polygon is cut into as many cells as it
has current townships: seeded random points inside the county (the seed is the
county code, so every run draws the same points), their Voronoi diagram clipped
to the county, cell i to the i-th township in code order. Villages get a seeded
random point inside their township. Everything is marked geometry_source
'synthetic'; counties whose townships have any other geometry are left alone.

All of it is set-based SQL over batches of counties (townships) or townships
(villages): the whole country is 2,885 counties, 41k townships and 620k villages.
"""

import time

from django.db import connection, transaction
from tqdm import tqdm

from config.responses import invalidate_on_commit

from .geo import area_km2_sql

SYNTHETIC = "synthetic"
COUNTY_BATCH = 100
TOWNSHIP_BATCH = 2000

# Counties (current, with a polygon) whose current townships may be drawn.
_COUNTIES = """
SELECT c.id FROM boundaries_divisionversion c
WHERE c.level = 3 AND c.valid_to IS NULL AND c.geom IS NOT NULL AND NOT ST_IsEmpty(c.geom)
  AND (%(all)s OR left(c.code, 6) = ANY(%(codes)s))
  AND EXISTS (SELECT 1 FROM boundaries_divisionversion t
              WHERE t.level = 4 AND t.valid_to IS NULL AND t.parent_code = c.code)
  AND NOT EXISTS (SELECT 1 FROM boundaries_divisionversion t
                  WHERE t.level = 4 AND t.valid_to IS NULL AND t.parent_code = c.code
                    AND t.geom IS NOT NULL AND t.geometry_source NOT LIKE 'synthetic%%')
ORDER BY c.code
"""

# MATERIALIZED: the random points and the diagram are computed once per county,
# not once per township that refers to them. The points are drawn in the largest
# part only: over a MultiPolygon ST_GeneratePoints rounds per part and returns a
# few points more or fewer than asked (islands, exclaves); the Voronoi cells still
# cover every part.
_TOWNSHIPS = f"""
WITH county AS MATERIALIZED (
    SELECT c.code, CASE WHEN ST_IsValid(c.geom) THEN c.geom ELSE ST_MakeValid(c.geom) END AS geom,
           left(c.code, 6)::int AS seed,
           (SELECT count(*) FROM boundaries_divisionversion t WHERE t.level = 4
              AND t.valid_to IS NULL AND t.parent_code = c.code)::int AS n
    FROM boundaries_divisionversion c WHERE c.id = ANY(%(ids)s)
), sites AS MATERIALIZED (
    SELECT code, geom, n, ST_GeneratePoints((SELECT p.geom FROM ST_Dump(geom) p
        ORDER BY ST_Area(p.geom) DESC, p.path LIMIT 1), n, seed) AS mp FROM county
), points AS (
    SELECT s.code, p.path[1] AS k, p.geom AS pt FROM sites s, ST_Dump(s.mp) p
), cells AS MATERIALIZED (
    SELECT s.code, (ST_Dump(ST_VoronoiPolygons(s.mp, 0, s.geom))).geom AS cell
    FROM sites s WHERE s.n > 1
), drawn AS (
    SELECT p.code, p.k, CASE WHEN s.n = 1 THEN ST_Multi(s.geom)
           ELSE ST_Multi(ST_CollectionExtract(ST_Intersection(c.cell, s.geom), 3)) END AS geom
    FROM points p JOIN sites s ON s.code = p.code
    LEFT JOIN cells c ON c.code = p.code AND ST_Intersects(c.cell, p.pt)
    WHERE s.n = 1 OR c.cell IS NOT NULL
), town AS (
    SELECT t.id, t.parent_code, row_number() OVER (PARTITION BY t.parent_code ORDER BY t.code) AS k
    FROM boundaries_divisionversion t
    WHERE t.level = 4 AND t.valid_to IS NULL AND t.parent_code IN (SELECT code FROM county)
)
UPDATE boundaries_divisionversion d
SET geom = x.geom, seat = ST_PointOnSurface(x.geom),
    area_km2 = {area_km2_sql('x.geom')}, geometry_source = %(source)s
FROM town JOIN drawn x ON x.code = town.parent_code AND x.k = town.k
WHERE d.id = town.id
"""

_TOWNSHIP_IDS = """
SELECT t.id FROM boundaries_divisionversion t
JOIN boundaries_divisionversion c
  ON c.code = t.parent_code AND c.level = 3 AND c.valid_to IS NULL
WHERE t.level = 4 AND t.valid_to IS NULL AND t.geom IS NOT NULL AND NOT ST_IsEmpty(t.geom)
  AND (%(all)s OR left(c.code, 6) = ANY(%(codes)s))
  AND EXISTS (SELECT 1 FROM boundaries_divisionversion v
              WHERE v.level = 5 AND v.valid_to IS NULL AND v.parent_code = t.code)
ORDER BY t.code
"""

# Villages with a seat from elsewhere keep it, but still count in the numbering,
# so a village's synthetic point does not depend on its neighbours' sources.
# Points are drawn in the township's largest part (see the note above _TOWNSHIPS).
_VILLAGES = """
WITH town AS MATERIALIZED (
    SELECT t.code, t.geom, left(t.code, 9)::int AS seed,
           (SELECT count(*) FROM boundaries_divisionversion v WHERE v.level = 5
              AND v.valid_to IS NULL AND v.parent_code = t.code)::int AS n
    FROM boundaries_divisionversion t WHERE t.id = ANY(%(ids)s)
), points AS MATERIALIZED (
    SELECT t.code, p.path[1] AS k, p.geom AS pt
    FROM town t, ST_Dump(ST_GeneratePoints((SELECT q.geom FROM ST_Dump(t.geom) q
        ORDER BY ST_Area(q.geom) DESC, q.path LIMIT 1), t.n, t.seed)) p
), village AS (
    SELECT v.id, v.parent_code, row_number() OVER (PARTITION BY v.parent_code ORDER BY v.code) AS k
    FROM boundaries_divisionversion v
    WHERE v.level = 5 AND v.valid_to IS NULL AND v.parent_code IN (SELECT code FROM town)
)
UPDATE boundaries_divisionversion d SET seat = p.pt, geometry_source = %(source)s
FROM village JOIN points p ON p.code = village.parent_code AND p.k = village.k
WHERE d.id = village.id AND (d.seat IS NULL OR d.geometry_source LIKE 'synthetic%%')
"""


def _run_batches(select_sql: str, update_sql: str, batch: int, *, county_codes, progress,
                 desc: str) -> tuple[int, int]:
    """Select ids, then run the update per batch of ids; returns (ids, rows updated)."""
    codes = [c[:6] for c in county_codes or []]
    updated = 0
    with transaction.atomic(), connection.cursor() as cur:
        invalidate_on_commit("divisions")  # the division tiles draw the new shapes
        cur.execute(select_sql, {"all": county_codes is None, "codes": codes})
        ids = [row[0] for row in cur.fetchall()]
        with tqdm(total=len(ids), desc=desc, unit=" units", disable=not progress) as bar:
            for start in range(0, len(ids), batch):
                chunk = ids[start: start + batch]
                cur.execute(update_sql, {"ids": chunk, "source": SYNTHETIC})
                updated += cur.rowcount
                bar.update(len(chunk))
    return len(ids), updated


def synthesize_townships(*, county_codes: list[str] | None = None,
                         progress: bool = False) -> dict:
    """Partition each county polygon into its current townships (all counties by default)."""
    started = time.monotonic()
    counties, townships = _run_batches(_COUNTIES, _TOWNSHIPS, COUNTY_BATCH,
                                       county_codes=county_codes, progress=progress,
                                       desc="townships (counties)")
    return {"counties": counties, "townships": townships,
            "seconds": round(time.monotonic() - started, 2)}


def synthesize_villages(*, county_codes: list[str] | None = None,
                        progress: bool = False) -> dict:
    """Give each current village a point inside its township (townships need polygons)."""
    started = time.monotonic()
    townships, villages = _run_batches(_TOWNSHIP_IDS, _VILLAGES, TOWNSHIP_BATCH,
                                       county_codes=county_codes, progress=progress,
                                       desc="villages (townships)")
    return {"townships": townships, "villages": villages,
            "seconds": round(time.monotonic() - started, 2)}
