"""Which way a border line runs: its left division lies on its geometric left.

TIGER's edges name a left and a right face with respect to their direction, and so do
these lines. The codes keep their meaning (left_code is the lower code: one row per pair,
the constraint line_left_below_right, an inspection's side A); the geometry is what
turns. A polygon's boundary with its exterior ring counter-clockwise and its holes
clockwise has the interior on its left, so a border line runs along its left
division's boundary taken that way.

Each part of a line is turned on its own, by a vote: points along the part are projected
onto the nearest part of a reference that already runs the right way, and a part whose
steps mostly run backwards along it is reversed. The references: the left
division's counter-clockwise boundary when a line is derived (boundaries.lines), the
derived line when an existing version is compared with it, and the registered version
when a survey replaces it (inspections.accept). A tie (a part too short or too far from
the reference to tell) leaves the part as it was.
"""

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection

# Steps sampled per part: enough to outvote a stretch where the line and its reference
# part part company (a junction, an overlap's centre); each costs a projection onto a
# ring of thousands of vertices.
SAMPLES = 16


def ccw_boundary_sql(polygon: str) -> str:
    """SQL: the boundary of ``polygon`` with the interior on its left."""
    return f"ST_Boundary(ST_ForcePolygonCCW({polygon}))"


def along_sql(lines: str, reference: str, margin: str | None = None) -> str:
    """SQL: ``lines`` (a column of (Multi)LineStrings) as a MultiLineString whose parts run
    the way the nearest part of ``reference`` (a column, or an expression as cheap) runs.

    Points evenly along each part are projected onto the reference part nearest its
    middle, and each step from one to the next votes forwards or backwards; a step that
    jumps by half the reference part or more has crossed a closed ring's start and does
    not vote. With ``margin`` (an SQL expression, in degrees: how far the line may stray
    from its reference) that part is first cut down to the line's box widened by it, so
    that a county's ring of thousands of vertices is not walked at every projection.
    """
    near = "ST_LineInterpolatePoint(p.geom, 0.5)"
    clipped = ("r0.geom" if margin is None else
               f"ST_ClipByBox2D(r0.geom, ST_Expand(ST_Envelope(p.geom), {margin}))")
    return f"""coalesce((
    SELECT ST_Multi(ST_Collect(CASE WHEN v.vote < 0 THEN ST_Reverse(p.geom) ELSE p.geom END
                               ORDER BY p.path))
    FROM ST_Dump({lines}) p
    -- a part runs along one ring (one part of the reference): the one nearest its middle
    CROSS JOIN LATERAL (
        SELECT q.geom FROM ST_Dump({reference}) q WHERE ST_Dimension(q.geom) = 1
        ORDER BY ST_Distance(q.geom, {near}) LIMIT 1) r0
    CROSS JOIN LATERAL (
        SELECT q.geom FROM ST_Dump({clipped}) q WHERE ST_Dimension(q.geom) = 1
        ORDER BY ST_Distance(q.geom, {near}) LIMIT 1) r
    -- the way from each of SAMPLES + 1 points evenly along the part to the next
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(CASE WHEN abs(x.d) < 0.5 THEN sign(x.d) ELSE 0 END), 0) AS vote
        FROM (SELECT f - lag(f) OVER (ORDER BY i) AS d
              FROM generate_series(0, {SAMPLES}) i
              CROSS JOIN LATERAL (SELECT ST_LineLocatePoint(r.geom, ST_LineInterpolatePoint(
                  p.geom, i::float8 / {SAMPLES})) AS f) l) x
    ) v
    WHERE ST_Dimension(p.geom) = 1
), ST_Multi({lines}))"""


def _run(sql: str, *geoms: GEOSGeometry) -> GEOSGeometry:
    with connection.cursor() as cur:
        cur.execute(sql, [g.hexewkb.decode() for g in geoms])
        return GEOSGeometry(cur.fetchone()[0])


def oriented_along(geom: GEOSGeometry, reference: GEOSGeometry) -> GEOSGeometry:
    """``geom`` as a MultiLineString whose parts run the way ``reference`` runs."""
    return _run(f"SELECT ST_AsHEXEWKB({along_sql('g', 'r')}) FROM "
                "(SELECT %s::geometry AS g, %s::geometry AS r) t", geom, reference)


def oriented(geom: GEOSGeometry, left_polygon: GEOSGeometry) -> GEOSGeometry:
    """``geom`` as a MultiLineString whose parts have ``left_polygon`` on their left."""
    return _run(f"SELECT ST_AsHEXEWKB({along_sql('g', 'r')}) FROM "
                f"(SELECT %s::geometry AS g, {ccw_boundary_sql('%s::geometry')} AS r) t",
                geom, left_polygon)
