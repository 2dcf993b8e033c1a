"""Where two sides' polygons do not meet cleanly: overlaps (a line along their centre) and gaps.

Borders digitised twice overlap in slivers. Within the tolerance the line follows one
side's boundary (boundaries.lines); a sliver wider than that has the two boundaries too
far apart for either to be the line, which used to end there. Each overlap of a suspect
pair is measured (area; width, the diameter of the largest circle inside it; a point in
it) and, up to ``max_width_m``, the line is drawn along its centre: the midpoints of the
two boundary pieces that enclose it, taken at the same fractions of their lengths. What
the pair's line held within two tolerances of the sliver (its frayed ends) gives way to
the centre, which is joined to the line's ends there. Wider overlaps are reported and
keep the line as derived: they are not slivers but a question for whoever keeps the
polygons.
"""

# A pair is suspect (searched for faults) when its borders do not coincide. Borders that
# cross are found by the exact intersection (boundaries.lines); borders that part at an
# end of the shared line, one running on into the other side, are found here: a point of
# the first side's boundary a little past the end (``t.pt``), inside the second side
# farther than the tolerance from its boundary. Probes at 2 tolerances and at the widest
# sliver catch both an abrupt step and a wedge that widens slowly.
DIVERGES = """EXISTS (
    SELECT 1
    FROM (SELECT r.geom, ST_LineLocatePoint(r.geom, t.pt) AS f, ST_Length(r.geom) AS len
          FROM ST_Dump(t.ca) r ORDER BY ST_Distance(r.geom, t.pt) LIMIT 1) r
    CROSS JOIN LATERAL unnest(%(probes)s::float8[]) k (tols)
    CROSS JOIN LATERAL (VALUES (-1.0), (1.0)) w (way)
    CROSS JOIN LATERAL (SELECT ST_LineInterpolatePoint(r.geom, least(1.0, greatest(0.0,
        r.f + w.way * k.tols * s.tol / r.len))) AS p) q
    WHERE r.len > 0 AND NOT ST_DWithin(q.p, t.cb, s.tol) AND ST_Intersects(t.bg, q.p))"""

# Every overlap of a suspect pair, measured. The width is taken with longitudes scaled
# to the latitude (a degree of each is then ~111.32 km).
OVERLAPS = """
CREATE TEMP TABLE line_overlaps AS
SELECT s.a, s.b, s.tol, o.path[1] AS n, o.geom AS part, ST_Area(o.geom::geography) AS area_m2,
       2 * 111320 * (ST_MaximumInscribedCircle(ST_Scale(o.geom,
           cos(radians(ST_Y(ST_PointOnSurface(o.geom)))), 1))).radius AS width_m,
       ST_PointOnSurface(o.geom) AS at, false AS centred
FROM line_shared s
JOIN line_sides a ON a.code = s.a
JOIN line_sides b ON b.code = s.b
CROSS JOIN LATERAL ST_Dump(ST_Multi(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3))) o
WHERE s.suspect AND ST_Area(o.geom) > 0
"""

# The centre of each sliver between the tolerance and the widest. Its outline is split
# into the two boundaries that enclose it: each edge lies on the first side's boundary,
# the second's, or both (where they coincide, as at the ends of two overlapping
# squares: such an edge goes with both). Each must be one line running end to end, else
# there is no centre; the second is turned to start where the first does, and the
# centre joins their midpoints at the same fractions of their lengths.
CENTRES = """
CREATE TEMP TABLE line_centres AS
WITH slivers AS MATERIALIZED (
    SELECT o.a, o.b, o.n, o.tol, o.part, ST_Expand(o.part, o.tol) AS box
    FROM line_overlaps o WHERE o.width_m > %(tol_m)s AND o.width_m <= %(max_width_m)s
), edges AS (
    SELECT o.a, o.b, o.n, e.path[1] AS i, e.geom,
           ST_DWithin(e.mid, c.ba, o.tol / 1000) AS on_a,
           ST_DWithin(e.mid, c.bb, o.tol / 1000) AS on_b
    FROM slivers o
    JOIN line_sides a ON a.code = o.a
    JOIN line_sides b ON b.code = o.b
    CROSS JOIN LATERAL (SELECT ST_ClipByBox2D(a.bnd, o.box) AS ba,
                               ST_ClipByBox2D(b.bnd, o.box) AS bb OFFSET 0) c
    CROSS JOIN LATERAL (SELECT s.path, s.geom, ST_LineInterpolatePoint(s.geom, 0.5) AS mid
                        FROM ST_DumpSegments(ST_ExteriorRing(o.part)) s) e
), chains AS (
    SELECT a, b, n, tol,
           ST_LineMerge(ST_Collect(geom ORDER BY i) FILTER (WHERE on_a)) AS ea,
           ST_LineMerge(ST_Collect(geom ORDER BY i) FILTER (WHERE on_b)) AS eb
    FROM edges JOIN slivers USING (a, b, n) GROUP BY a, b, n, tol
)
SELECT c.a, c.b, c.n, c.tol, ST_RemoveRepeatedPoints(m.centre, c.tol / 100) AS centre
FROM chains c
CROSS JOIN LATERAL (
    SELECT CASE WHEN ST_Distance(ST_StartPoint(c.ea), ST_StartPoint(c.eb))
                     <= ST_Distance(ST_StartPoint(c.ea), ST_EndPoint(c.eb))
                THEN c.eb ELSE ST_Reverse(c.eb) END AS eb,
           least(2000, greatest(16, ST_NPoints(c.ea) + ST_NPoints(c.eb))) AS steps
    WHERE GeometryType(c.ea) = 'LINESTRING' AND GeometryType(c.eb) = 'LINESTRING'
      AND NOT ST_IsClosed(c.ea) AND NOT ST_IsClosed(c.eb)) r
CROSS JOIN LATERAL (
    SELECT ST_MakeLine(ST_Point((ST_X(q.pa) + ST_X(q.pb)) / 2, (ST_Y(q.pa) + ST_Y(q.pb)) / 2,
                                4490) ORDER BY i) AS centre
    FROM generate_series(0, r.steps) i
    CROSS JOIN LATERAL (SELECT ST_LineInterpolatePoint(c.ea, i::float8 / r.steps) AS pa,
                               ST_LineInterpolatePoint(r.eb, i::float8 / r.steps) AS pb) q
) m;
UPDATE line_overlaps o SET centred = true FROM line_centres c
WHERE (c.a, c.b, c.n) = (o.a, o.b, o.n);
"""

# The pair's line without what lies within two tolerances of its centred slivers, each
# centre joined to the nearest end of what is left within three tolerances.
JOIN_CENTRES = """
WITH frayed AS (
    SELECT a, b, ST_Union(ST_Buffer(part, 2 * tol, 'quad_segs=2')) AS zone
    FROM line_overlaps WHERE centred GROUP BY a, b
), cut AS (
    SELECT s.a, s.b, ST_Difference(s.g, f.zone) AS kept
    FROM line_shared s JOIN frayed f ON (f.a, f.b) = (s.a, s.b)
), ends AS (
    SELECT k.a, k.b, e.pt
    FROM cut k CROSS JOIN LATERAL ST_Dump(k.kept) d
    CROSS JOIN LATERAL (VALUES (ST_StartPoint(d.geom)), (ST_EndPoint(d.geom))) e (pt)
    WHERE ST_Dimension(d.geom) = 1
), joined AS (
    SELECT c.a, c.b, ST_Collect(j.centre) AS centres
    FROM line_centres c
    CROSS JOIN LATERAL (SELECT (SELECT e.pt FROM ends e WHERE (e.a, e.b) = (c.a, c.b)
                                  AND ST_DWithin(e.pt, ST_StartPoint(c.centre), 3 * c.tol)
                                ORDER BY ST_Distance(e.pt, ST_StartPoint(c.centre)) LIMIT 1)
                               AS first,
                               (SELECT e.pt FROM ends e WHERE (e.a, e.b) = (c.a, c.b)
                                  AND ST_DWithin(e.pt, ST_EndPoint(c.centre), 3 * c.tol)
                                ORDER BY ST_Distance(e.pt, ST_EndPoint(c.centre)) LIMIT 1)
                               AS last) t
    CROSS JOIN LATERAL (SELECT CASE WHEN t.last IS NULL THEN s.line
                                    ELSE ST_AddPoint(s.line, t.last) END AS centre
                        FROM (SELECT CASE WHEN t.first IS NULL THEN c.centre
                                          ELSE ST_AddPoint(c.centre, t.first, 0) END
                                     AS line) s) j
    GROUP BY c.a, c.b
)
UPDATE line_shared s SET g = ST_Multi(ST_LineMerge(ST_CollectionExtract(
    ST_Collect(k.kept, j.centres), 2)))
FROM cut k JOIN joined j ON (j.a, j.b) = (k.a, k.b)
WHERE (s.a, s.b) = (k.a, k.b)
"""

# Gaps: what lies within the tolerance of both sides but in neither.
GAPS = """
SELECT s.a, s.b, round(ST_Area(d.geom::geography)::numeric, 1)::float8,
       ST_X(ST_PointOnSurface(d.geom)), ST_Y(ST_PointOnSurface(d.geom))
FROM line_shared s
JOIN line_sides a ON a.code = s.a
JOIN line_sides b ON b.code = s.b
CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(
    ST_Intersection(a.buf, b.buf), ST_Union(a.geom, b.geom)), 3)) d
WHERE s.suspect AND ST_Area(d.geom::geography) >= %(min_area)s
  AND (%(prefix)s = 12 OR left(s.a, %(prefix)s) <> left(s.b, %(prefix)s))
ORDER BY 3 DESC, 1, 2
"""

REPORTED_OVERLAPS = """
SELECT a, b, round(area_m2::numeric, 1)::float8, round(width_m::numeric, 1)::float8,
       ST_X(at), ST_Y(at), centred
FROM line_overlaps
WHERE (area_m2 >= %(min_area)s OR centred)
  AND (%(prefix)s = 12 OR left(a, %(prefix)s) <> left(b, %(prefix)s))
ORDER BY 3 DESC, 1, 2
"""


def faults(cur, params: dict) -> tuple[list[dict], list[dict]]:
    """Measure the overlaps, draw the centres of the slivers into the lines; the report's
    gaps and overlaps (from ``min_area`` m², and every overlap the line now crosses)."""
    cur.execute(OVERLAPS, params)
    cur.execute(CENTRES, params)
    cur.execute(JOIN_CENTRES, params)
    cur.execute(GAPS, params)
    gaps = [{"left_code": a, "right_code": b, "area_m2": area,
             "lon": round(lon, 6), "lat": round(lat, 6)}
            for a, b, area, lon, lat in cur.fetchall()]
    cur.execute(REPORTED_OVERLAPS, params)
    overlaps = [{"left_code": a, "right_code": b, "area_m2": area, "width_m": width,
                 "lon": round(lon, 6), "lat": round(lat, 6), "centre_line": centred}
                for a, b, area, width, lon, lat, centred in cur.fetchall()]
    return gaps, overlaps
