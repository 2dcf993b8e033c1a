"""Reconciliation of the two sides' surveys with the registered line and its markers.

Everything is measured in metres in the line's CGCS2000 3-degree Gauss-Krüger zone
(EPSG:4513–4533, zone from the line's centroid longitude), where a metre on the map is a
metre on the ground to well under a millimetre per metre: geographic distances on the
ellipsoid would give the same figures at several times the cost, and the zone is what
the surveyors work in. Each statement handles every marker or both sides at once.
"""

from django.conf import settings
from django.db import connection, transaction

from boundaries.models import BoundaryLine, Level

from . import judge

DEFAULT_TOLERANCE_M = {Level.PROVINCE: 1.0, Level.PREFECTURE: 1.0, Level.COUNTY: 1.0,
                       Level.TOWNSHIP: 2.0}
DEFAULT_CORRECTION_MAX_AREA_M2 = 10_000.0
# Points along a stretch beyond the tolerance are taken this far apart (at most 500 per
# stretch) when looking for its largest deviation: the farthest point of a segment from a
# meandering line need not be a vertex.
DEVIATION_STEP_M = 10.0
MAX_STRETCH_SAMPLES = 500


def tolerance_m(level: int) -> float:
    configured = getattr(settings, "INSPECTION_TOLERANCE_M", {})
    return float(configured.get(level, DEFAULT_TOLERANCE_M.get(level, 1.0)))


def correction_max_area_m2() -> float:
    return float(getattr(settings, "INSPECTION_CORRECTION_MAX_AREA_M2",
                         DEFAULT_CORRECTION_MAX_AREA_M2))


def gk_zone_srid(lon: float) -> int:
    """The CGCS2000 3-degree zone (with zone prefix) whose central meridian is nearest:
    zone n has its meridian at 3n°E; EPSG:4513 is zone 25 (75°E), EPSG:4533 zone 45."""
    zone = min(max(int((lon + 1.5) // 3), 25), 45)
    return 4513 + zone - 25


# The current survey features of the inspection (confirmed, neither withdrawn nor
# replaced: duplicates are judged within each side's current survey), in the zone;
# multi-part geometries are split so that the lines of each side can be merged into one.
_SURVEYED = """
surveyed AS (
    SELECT u.side, f.upload_id, f.idx, f.number, f.geom, d.geom AS g
    FROM inspections_surveyfeature f
    JOIN inspections_surveyupload u ON u.id = f.upload_id
    CROSS JOIN LATERAL ST_Dump(ST_Transform(f.geom, %(srid)s)) d
    WHERE u.inspection_id = %(insp)s AND u.confirmed AND u.withdrawn_at IS NULL
      AND f.geom IS NOT NULL
), side_lines AS (
    SELECT side, ST_LineMerge(ST_Collect(g ORDER BY upload_id, idx)) AS g
    FROM surveyed WHERE ST_Dimension(g) = 1 GROUP BY side
)"""

_MARKERS = f"""
WITH {_SURVEYED.strip()}, registered AS (
    SELECT m.id, m.number, s.position, s.status, ST_Transform(s.position, %(srid)s) AS g
    FROM boundaries_boundarymarker m
    JOIN boundaries_boundarymarker_lines ml
      ON ml.boundarymarker_id = m.id AND ml.boundaryline_id = %(line)s
    JOIN boundaries_markerstate s ON s.marker_id = m.id AND s.valid_to IS NULL
    WHERE m.retired_on IS NULL
), found AS (
    SELECT side, number, count(*) AS n, (array_agg(g ORDER BY upload_id, idx))[1] AS g
    FROM surveyed WHERE number <> '' AND ST_Dimension(g) = 0 GROUP BY side, number
), joined AS (
    SELECT r.id, r.number, r.position, r.status, r.g, a.n AS a_n, a.g AS a_g, b.n AS b_n,
           b.g AS b_g,
           -- where the marker stands: both sides' points averaged, else the one there is
           CASE WHEN a.n = 1 AND b.n = 1 THEN ST_Centroid(ST_Collect(a.g, b.g))
                WHEN a.n = 1 AND b.n IS NULL THEN a.g
                WHEN b.n = 1 AND a.n IS NULL THEN b.g END AS s_g
    FROM registered r
    LEFT JOIN found a ON a.side = 'A' AND a.number = r.number
    LEFT JOIN found b ON b.side = 'B' AND b.number = r.number
)
SELECT json_build_object(
    'marker_id', id, 'number', number, 'registered_status', status,
    'registered', json_build_array(ST_X(position), ST_Y(position)),
    'A', CASE WHEN a_n IS NOT NULL THEN json_build_object('count', a_n,
         'position', json_build_array(ST_X(ST_Transform(a_g, 4490)), ST_Y(ST_Transform(a_g, 4490))),
         'displacement_m', ST_Distance(g, a_g)) END,
    'B', CASE WHEN b_n IS NOT NULL THEN json_build_object('count', b_n,
         'position', json_build_array(ST_X(ST_Transform(b_g, 4490)), ST_Y(ST_Transform(b_g, 4490))),
         'displacement_m', ST_Distance(g, b_g)) END,
    'sides_apart_m', ST_Distance(a_g, b_g),
    'surveyed', CASE WHEN s_g IS NOT NULL THEN json_build_array(
         ST_X(ST_Transform(s_g, 4490)), ST_Y(ST_Transform(s_g, 4490))) END,
    'displacement_m', ST_Distance(g, s_g),
    'one_side_only', (a_n IS NULL) <> (b_n IS NULL))
FROM joined ORDER BY number
"""

_UNMATCHED = f"""
WITH {_SURVEYED.strip()}, found AS (
    SELECT side, number, count(*) AS n, (array_agg(geom ORDER BY upload_id, idx))[1] AS p
    FROM surveyed WHERE number <> '' AND ST_Dimension(g) = 0 GROUP BY side, number
)
SELECT json_build_object('side', side, 'number', number, 'count', n,
                         'position', json_build_array(ST_X(p), ST_Y(p)),
                         'registered', EXISTS (
        SELECT 1 FROM boundaries_boundarymarker m
        JOIN boundaries_boundarymarker_lines ml ON ml.boundarymarker_id = m.id
        WHERE ml.boundaryline_id = %(line)s AND m.number = found.number
          AND m.retired_on IS NULL))
FROM found ORDER BY number, side
"""

# The lines compared, in the zone: the registered one (R) and each side's (A, B), and their
# segments in a GiST index, so that the nearest segment to each vertex of another line is
# an index probe rather than a pass over every segment (GEOS's Hausdorff distance compares
# every vertex with every segment: minutes for two surveys of 50,000 vertices).
_PREPARE = f"""
DROP TABLE IF EXISTS pg_temp.insp_lines, pg_temp.insp_segments;
CREATE TEMP TABLE insp_lines ON COMMIT DROP AS
WITH {_SURVEYED.strip()}
SELECT 'R'::text AS side, ST_Transform(geom, %(srid)s) AS g
FROM boundaries_boundaryline WHERE id = %(line)s
UNION ALL SELECT side, g FROM side_lines;
CREATE TEMP TABLE insp_segments ON COMMIT DROP AS
SELECT l.side, s.geom AS g FROM insp_lines l CROSS JOIN LATERAL ST_DumpSegments(l.g) s;
CREATE INDEX ON insp_segments USING gist (side, g);
ANALYZE insp_segments;
"""

# Per stretch of a line outside the other's band: its length and its farthest point from
# the other line, with where that point is.
_STRETCHES = """
SELECT coalesce(json_agg(json_build_object(
           'length_m', ST_Length(x.geom), 'max_deviation_m', far.d,
           'at', json_build_array(ST_X(ST_Transform(far.p, 4490)), ST_Y(ST_Transform(far.p, 4490))),
           'geometry', ST_AsGeoJSON(ST_Transform(x.geom, 4490), 7)::json)
       ORDER BY far.d DESC), '[]'::json) AS stretches
FROM ST_Dump(ST_LineMerge(ST_Difference({line}, {band}))) x
CROSS JOIN LATERAL (
    SELECT p.geom AS p, ST_Distance(p.geom, {other}) AS d
    FROM ST_DumpPoints(ST_Segmentize(x.geom, greatest(%(step)s, ST_Length(x.geom) / %(samples)s))) p
    ORDER BY 2 DESC LIMIT 1) far
WHERE ST_Dimension(x.geom) = 1
"""

# The faces enclosed between the surveyed and the registered line (the noded union of
# both, polygonized). The surveyed line is first simplified within half the tolerance and
# snapped to the registered one within the tolerance: where the two run together, a dense
# survey (a vertex every few metres, centimetres of noise) would cross the registered line
# at every vertex and noding would cut tens of thousands of empty slivers. A face whose
# edges all lie within the tolerance of both lines is a loop they share (a line may close
# on itself), not a difference.
_FACES = """
SELECT coalesce(array_agg(f.geom ORDER BY ST_Area(f.geom) DESC), '{}') AS g
FROM ST_Dump(ST_Polygonize(ARRAY[ST_UnaryUnion(ST_Collect(
         z.r, ST_Snap(ST_Simplify(z.s, %(tol)s / 2), z.r, %(tol)s)))])) f
WHERE NOT (ST_CoveredBy(ST_Boundary(f.geom), band.r)
           AND ST_CoveredBy(ST_Boundary(f.geom), band.s))
"""

_DIFFERENCES = """
SELECT coalesce(json_agg(json_build_object(
           'area_m2', ST_Area(f.geom),
           'at', json_build_array(ST_X(ST_Transform(ST_PointOnSurface(f.geom), 4490)),
                                  ST_Y(ST_Transform(ST_PointOnSurface(f.geom), 4490))),
           'geometry', ST_AsGeoJSON(ST_Transform(f.geom, 4490), 7)::json)), '[]'::json)
       AS differences
FROM unnest(faces.g) AS f(geom)
"""

# Stretches of one line the other does not follow and that bound no difference: of the
# registered line, what the survey left out; of the survey, where it runs on beyond the
# registered line (past an end). A line version made from such a survey would lose or add
# them without any face to approve.
_UNENCLOSED = """
SELECT coalesce(sum(ST_Length(x.geom)), 0) AS m
FROM ST_Dump(ST_LineMerge(ST_Difference({line}, {band}))) x
WHERE ST_Dimension(x.geom) = 1
  AND NOT coalesce(ST_DWithin(x.geom, ST_Collect(faces.g), %(tol)s), false)
"""

_LINES = f"""
WITH z AS (
    SELECT s.side, s.g AS s, r.g AS r FROM insp_lines s, insp_lines r
    WHERE r.side = 'R' AND s.side = %(side)s
)
SELECT z.side, json_build_object(
    'length_m', ST_Length(z.s), 'registered_length_m', ST_Length(z.r),
    'stretches', st.stretches, 'registered_stretches', rs.stretches,
    'differences', fc.differences, 'unsurveyed_m', un.m, 'unenclosed_m', ue.m)
FROM z
CROSS JOIN LATERAL (SELECT ST_Buffer(z.r, %(tol)s, 'quad_segs=2') AS r,
                           ST_Buffer(z.s, %(tol)s, 'quad_segs=2') AS s) band
CROSS JOIN LATERAL ({_STRETCHES.format(line="z.s", band="band.r", other="z.r")}) st
CROSS JOIN LATERAL ({_STRETCHES.format(line="z.r", band="band.s", other="z.s")}) rs
CROSS JOIN LATERAL ({_FACES}) faces
CROSS JOIN LATERAL ({_DIFFERENCES}) fc
CROSS JOIN LATERAL ({_UNENCLOSED.format(line="z.r", band="band.s")}) un
CROSS JOIN LATERAL ({_UNENCLOSED.format(line="z.s", band="band.r")}) ue
ORDER BY z.side
"""

_SIDES = f"""
WITH z AS (
    SELECT a.g AS a, b.g AS b FROM insp_lines a, insp_lines b
    WHERE a.side = 'A' AND b.side = 'B'
)
SELECT json_build_object('a_outside_b', sa.stretches, 'b_outside_a', sb.stretches)
FROM z
CROSS JOIN LATERAL (SELECT ST_Buffer(z.a, %(tol)s, 'quad_segs=2') AS a,
                           ST_Buffer(z.b, %(tol)s, 'quad_segs=2') AS b) band
CROSS JOIN LATERAL ({_STRETCHES.format(line="z.a", band="band.b", other="z.b")}) sa
CROSS JOIN LATERAL ({_STRETCHES.format(line="z.b", band="band.a", other="z.a")}) sb
"""

# The largest distance from a line's vertices to the nearest segment of another, and where:
# the directed distance where it is within the tolerance (beyond it, the stretches give it
# between vertices too).
_NEAREST = """
SELECT DISTINCT ON (pr.a, pr.b) pr.a, pr.b, nn.d,
       ST_X(ST_Transform(pt.geom, 4490)), ST_Y(ST_Transform(pt.geom, 4490))
FROM unnest(%(from)s::text[], %(to)s::text[]) AS pr(a, b)
JOIN insp_lines l ON l.side = pr.a
CROSS JOIN LATERAL ST_DumpPoints(l.g) pt
CROSS JOIN LATERAL (
    SELECT s.g <-> pt.geom AS d FROM insp_segments s WHERE s.side = pr.b
    ORDER BY s.g <-> pt.geom LIMIT 1) nn
ORDER BY pr.a, pr.b, nn.d DESC
"""


def _rows(sql: str, params: dict) -> list:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _nearest(pairs: list[tuple[str, str]]) -> dict:
    if not pairs:
        return {}
    rows = _rows(_NEAREST, {"from": [a for a, _ in pairs], "to": [b for _, b in pairs]})
    return {(a, b): (d, [lon, lat]) for a, b, d, lon, lat in rows}


# What reconcile reports as it goes (a background job's progress): each step is one or a
# few set-based statements; the service saving the results is the last.
STEPS = 8


def no_progress(done: int, total: int | None = None, message: str = "") -> None:
    pass


def _directed(stretches: list[dict], nearest: dict, key: tuple) -> tuple[float, list]:
    if stretches:
        return stretches[0]["max_deviation_m"], stretches[0]["at"]
    return nearest[key]


def _beyond(stretches: list[dict], tol: float) -> list[dict]:
    # The bands are buffers of few segments per quarter circle, a little inside the true
    # ones: a stretch just outside one may still lie within the tolerance.
    return [s for s in stretches if judge.beyond(s["max_deviation_m"], tol)]


def _distances(lines: dict, sides: dict | None, tol: float, max_area: float) -> None:
    """Both directed distances of each pair of lines (the farthest point of each from the
    other, with where), their maximum (the Hausdorff distance) and the faces' triage."""
    for stats in lines.values():
        stats["stretches"] = _beyond(stats["stretches"], tol)
        stats["registered_stretches"] = _beyond(stats["registered_stretches"], tol)
    if sides is not None:
        sides["a_outside_b"] = _beyond(sides["a_outside_b"], tol)
        sides["b_outside_a"] = _beyond(sides["b_outside_a"], tol)
    pairs = [(x, "R") for x, s in lines.items() if not s["stretches"]]
    pairs += [("R", x) for x, s in lines.items() if not s["registered_stretches"]]
    if sides is not None:
        pairs += [p for p, k in ((("A", "B"), "a_outside_b"), (("B", "A"), "b_outside_a"))
                  if not sides[k]]
    nearest = _nearest(pairs)
    for side, stats in lines.items():
        there, there_at = _directed(stats["stretches"], nearest, (side, "R"))
        back, back_at = _directed(stats["registered_stretches"], nearest, ("R", side))
        for d in stats["differences"]:
            d["triage"] = judge.triage(d["area_m2"], max_area)
        stats.update(survey_to_registered_m=there, survey_to_registered_at=there_at,
                     registered_to_survey_m=back, registered_to_survey_at=back_at,
                     hausdorff_m=judge.hausdorff(there, back),
                     # the farthest point of either line from the other
                     max_deviation_m=max(there, back),
                     max_deviation_at=there_at if there >= back else back_at,
                     area_between_m2=sum(d["area_m2"] for d in stats["differences"]))
    if sides is not None:
        a_to_b = _directed(sides["a_outside_b"], nearest, ("A", "B"))[0]
        b_to_a = _directed(sides["b_outside_a"], nearest, ("B", "A"))[0]
        sides.update(a_to_b_m=a_to_b, b_to_a_m=b_to_a,
                     hausdorff_m=judge.hausdorff(a_to_b, b_to_a))


def _compare_lines(params: dict, progress) -> dict:
    """Each side's line against the registered one, a side at a time (steps 4 and 5)."""
    surveyed = [row[0] for row in _rows(
        "SELECT side FROM insp_lines WHERE side <> 'R' ORDER BY side", {})]
    lines = {}
    for step, side in enumerate(("A", "B"), start=4):
        if side in surveyed:
            lines.update(_rows(_LINES, params | {"side": side}))
            said = f"side {side}'s line compared with the registered line"
        else:
            said = f"side {side} surveyed no line"
        progress(step, STEPS, said)
    return lines


def reconcile(*, inspection_id: int, line: BoundaryLine, progress=no_progress) -> dict:
    """Compare the inspection's confirmed surveys with the line and its markers.
    ``progress(done, total, message)`` is told as each of the STEPS ends."""
    srid = gk_zone_srid(line.geom.centroid.x)
    tol = tolerance_m(line.level)
    params = {"insp": inspection_id, "line": line.id, "srid": srid, "tol": tol,
              "step": DEVIATION_STEP_M, "samples": MAX_STRETCH_SAMPLES,
              "max_area": correction_max_area_m2()}
    with transaction.atomic():  # the work tables live until the outermost commit
        markers = [row[0] for row in _rows(_MARKERS, params)]
        for m in markers:
            m["verdict"] = judge.marker_verdict(m, tol)
        progress(1, STEPS, f"{len(markers)} registered markers compared")
        unmatched = [row[0] for row in _rows(_UNMATCHED, params)]
        progress(2, STEPS, f"{len(unmatched)} surveyed marker numbers matched")
        with connection.cursor() as cur:
            cur.execute(_PREPARE, params)
            cur.execute("SELECT count(*) FROM insp_segments")
            segments = cur.fetchone()[0]
        progress(3, STEPS, f"{segments} line segments indexed")
        lines = _compare_lines(params, progress)
        sides_rows = _rows(_SIDES, params)
        sides = sides_rows[0][0] if sides_rows else None
        progress(6, STEPS, "the two sides' lines compared")
        _distances(lines, sides, tol, params["max_area"])
        progress(7, STEPS, "distances within the tolerance measured")
    return {
        "srid": srid, "crs": f"EPSG:{srid}", "tolerance_m": tol,
        "correction_max_area_m2": params["max_area"],
        "markers": markers,
        "unknown": [u for u in unmatched if not u["registered"]],
        "duplicates": [u for u in unmatched if u["count"] > 1],
        "line": lines, "sides": sides,
        "summary": judge.summary(markers, unmatched, lines, sides, tol, params["max_area"]),
    }
