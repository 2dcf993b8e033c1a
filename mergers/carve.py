"""The territory that goes with villages (mergers.execution): villages are points, so the
part of a township that a village takes along is its Voronoi cell among the township's
villages, clipped to the township's polygon — or an area drawn by the planner.

The piece and the rest are cut from the same polygon (intersection and difference), so
they tile it: their areas add up to the township's.
"""

import json
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.db import connection
from django.utils.translation import gettext_noop

from boundaries.geo import area_km2_sql
from boundaries.temporal import in_force_sql
from config.errors import BadRequest


class ExecutionRefused(BadRequest):
    """The change cannot be carried out as written; nothing was written."""

POLYGONS = "ST_Multi(ST_CollectionExtract(ST_MakeValid({}), 3))"

# The cells of the township's villages (positions known) on the date, clipped to it.
CELLS_SQL = f"""
WITH town AS (SELECT geom FROM boundaries_divisionversion WHERE id = %(town)s),
pts AS (SELECT v.id, v.seat FROM boundaries_divisionversion v
        WHERE v.level = 5 AND v.parent_code = %(code)s AND v.seat IS NOT NULL
          AND {in_force_sql('v')}),
cells AS (SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(seat), 0,
                                             (SELECT geom FROM town)))).geom AS cell FROM pts),
chosen AS (SELECT ST_Union(c.cell) AS g FROM cells c
           WHERE EXISTS (SELECT 1 FROM pts p WHERE p.id = ANY(%(taken)s)
                         AND ST_Intersects(p.seat, c.cell)))
SELECT {POLYGONS.format('ST_Intersection(town.geom, chosen.g)')} FROM town, chosen
"""

AREA_SQL = f"""
SELECT {POLYGONS.format('ST_Intersection(t.geom, %(area)s::geometry)')}
FROM boundaries_divisionversion t WHERE t.id = %(town)s
"""

INSIDE_SQL = f"""
SELECT v.id FROM boundaries_divisionversion v
WHERE v.level = 5 AND v.parent_code = %(code)s AND {in_force_sql('v')}
  AND ST_Covers(%(piece)s::geometry, v.seat) ORDER BY v.code
"""

# The rest of the township and both areas, from the piece just cut.
SPLIT_SQL = f"""
SELECT p.g, {area_km2_sql('p.g')}, r.g, {area_km2_sql('r.g')}
FROM (SELECT %(piece)s::geometry AS g) p,
     LATERAL (SELECT {POLYGONS.format('ST_Difference(t.geom, p.g)')} AS g
              FROM boundaries_divisionversion t WHERE t.id = %(town)s) r
"""

UNION_SQL = f"""
SELECT u.g, {area_km2_sql('u.g')}
FROM (SELECT {POLYGONS.format('ST_Union(g)')} AS g FROM unnest(%(parts)s::geometry[]) g) u
"""


@dataclass
class Cut:
    """A township cut in two: the piece that leaves and the rest that stays."""
    piece: str  # hex EWKB
    piece_km2: float
    rest: str
    rest_km2: float


def _cut(town, piece: str | None, what: str) -> Cut:
    if piece is None:
        raise _no_overlap(town, what)
    with connection.cursor() as cur:
        cur.execute(SPLIT_SQL, {"piece": piece, "town": town.id})
        piece, piece_km2, rest, rest_km2 = cur.fetchone()
    if not piece_km2:
        raise _no_overlap(town, what)
    if not rest_km2:
        raise ExecutionRefused.of(gettext_noop("%(what)s: %(town)s would be left with no "
                                               "territory (merge it instead)"),
                                  what=what, town=town.name)
    return Cut(piece, piece_km2, rest, rest_km2)


def _no_overlap(town, what: str) -> ExecutionRefused:
    return ExecutionRefused.of(gettext_noop("%(what)s: the part to take does not overlap "
                                            "%(town)s"), what=what, town=town.name)


def _no_polygon(town, what: str) -> ExecutionRefused:
    return ExecutionRefused.of(gettext_noop("%(what)s: %(town)s has no polygon to divide"),
                               what=what, town=town.name)


def by_villages(town, villages: list, on, what: str) -> Cut:
    """The cells of ``villages`` (all of ``town``) cut from ``town``."""
    if town.geom is None:
        raise _no_polygon(town, what)
    unplaced = [v.code for v in villages if v.seat is None]
    if unplaced:
        raise ExecutionRefused.of(gettext_noop("%(what)s: %(codes)s have no position; give the "
                                               "area they take instead"),
                                  what=what, codes=", ".join(unplaced))
    with connection.cursor() as cur:
        cur.execute(CELLS_SQL, {"town": town.id, "code": town.code, "as_of": on,
                                "taken": [v.id for v in villages]})
        piece = cur.fetchone()[0]
    return _cut(town, piece, what)


def by_area(town, area: dict, on, what: str) -> tuple[Cut, list[int]]:
    """``area`` (GeoJSON, lon/lat) cut from ``town``, and the villages standing in it."""
    if town.geom is None:
        raise _no_polygon(town, what)
    try:
        drawn = GEOSGeometry(json.dumps(area))
        drawn.srid = 4490  # GeoJSON is lon/lat: CGCS2000's, as everything here
    except (GEOSException, ValueError, TypeError) as exc:
        raise ExecutionRefused.of(gettext_noop("%(what)s: area is no GeoJSON geometry "
                                               "(%(error)s)"), what=what, error=str(exc)) from None
    if not drawn.valid:
        raise ExecutionRefused.of(gettext_noop("%(what)s: area must be a valid Polygon or "
                                               "MultiPolygon (got %(type)s, invalid)"),
                                  what=what, type=drawn.geom_type)
    if drawn.geom_type not in ("Polygon", "MultiPolygon"):
        raise ExecutionRefused.of(gettext_noop("%(what)s: area must be a valid Polygon or "
                                               "MultiPolygon (got %(type)s)"),
                                  what=what, type=drawn.geom_type)
    with connection.cursor() as cur:
        cur.execute(AREA_SQL, {"area": drawn.hexewkb.decode(), "town": town.id})
        piece = cur.fetchone()[0]
    cut = _cut(town, piece, what)
    with connection.cursor() as cur:
        cur.execute(INSIDE_SQL, {"code": town.code, "as_of": on, "piece": cut.piece})
        inside = [row[0] for row in cur.fetchall()]
    return cut, inside


def union(parts: list[str]) -> tuple[str, float]:
    """One polygon of the pieces (hex EWKB) and its area."""
    with connection.cursor() as cur:
        cur.execute(UNION_SQL, {"parts": parts})
        return cur.fetchone()
