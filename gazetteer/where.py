"""Where a name lies, for its checks: its declared division by code, the divisions its
geometry lies in, a place's recorded divisions, and the rule that the geometry must meet
the declared division (gazetteer.checks reads them; proposals scope their locks by them).
"""

from django.db import connection
from django.utils.translation import gettext_noop

from boundaries.codes import parse_code
from config.errors import BadRequest
from config.said import Said


def division_row(raw: str) -> tuple:
    code, level = parse_code(raw)
    with connection.cursor() as cur:
        cur.execute("SELECT code, level, kind, name FROM boundaries_divisionversion"
                    " WHERE code = %s AND (%s::int IS NULL OR level = %s) AND valid_to IS NULL"
                    " ORDER BY level LIMIT 1", [code, level, level])
        row = cur.fetchone()
    if row is None:
        raise BadRequest.of(gettext_noop(
            "division_code %(code)r: no current division has this code"), code=raw)
    return row


GEOMETRY_DIVISIONS_SQL = """
-- Where a geometry lies: every current division polygon it meets beyond its border
-- (a street ending on a border does not lie in the division beyond), deepest last.
SELECT code, level, kind, name FROM boundaries_divisionversion
WHERE valid_to IS NULL AND kind <> 'placeholder' AND ST_Dimension(geom) = 2
  AND geom && %(geom)s::geometry AND ST_Intersects(geom, %(geom)s::geometry)
  AND NOT ST_Touches(geom, %(geom)s::geometry)
ORDER BY level, code
"""


def geometry_divisions(geom) -> list[tuple]:
    """(code, level, kind, name) of every current division the geometry lies in."""
    if geom.srid != 4490:
        raise BadRequest.of(gettext_noop("geometry SRID %(srid)s: expected 4490 (CGCS2000)"),
                            srid=geom.srid)
    with connection.cursor() as cur:
        cur.execute(GEOMETRY_DIVISIONS_SQL, {"geom": geom.hexewkb.decode()})
        return cur.fetchall()


PLACE_DIVISIONS_SQL = """
SELECT d.code, d.level, d.kind, d.name FROM gazetteer_placedivision pd
JOIN boundaries_divisionversion d ON d.code = pd.division_code AND d.level = pd.level
  AND d.valid_to IS NULL
WHERE pd.place_id = %s ORDER BY d.level, d.code
"""


def place_division_rows(place_id: int) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(PLACE_DIVISIONS_SQL, [place_id])
        return cur.fetchall()


DECLARED_SQL = """
-- The declared division's polygon, or its nearest ancestor's where it has none.
SELECT code, level, name FROM boundaries_divisionversion
WHERE valid_to IS NULL AND ST_Dimension(geom) = 2 AND code = ANY(%(codes)s)
  AND level <= %(level)s
ORDER BY level DESC LIMIT 1
"""


def require_inside(division: tuple, geom, lies_in: list[tuple]) -> None:
    """The geometry must lie (at least partly) in the declared division: else a name
    checked in one scope would be filed in another (北京北路 in 遵义 declared in 钟山区)."""
    code, level, _, name = division
    ancestors = [code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12)[:level]]
    with connection.cursor() as cur:
        cur.execute(DECLARED_SQL, {"codes": ancestors, "level": level})
        outline = cur.fetchone()
    if outline is None:
        return  # no polygon to hold it against
    if any(row[0] == outline[0] and row[1] == outline[1] for row in lies_in):
        return
    # Named at the declared level where the geometry meets polygons of it, else deepest.
    levels = {row[1] for row in lies_in}
    shown = level if level in levels else max(levels, default=0)
    where = "、".join(f"{row[3]} {row[0]}" for row in lies_in if row[1] == shown)
    lies = (Said(gettext_noop("in %(where)s"), where=where) if where
            else Said(gettext_noop("in no known division")))
    if outline[0] == code:
        raise BadRequest.of(gettext_noop(
            "geometry: it lies %(lies)s, not in division_code %(code)s %(name)s; give the "
            "division it lies in"), lies=lies, code=code, name=name)
    raise BadRequest.of(gettext_noop(
        "geometry: it lies %(lies)s, not in division_code %(code)s %(name)s (held against "
        "%(outline)s %(outline_code)s); give the division it lies in"),
        lies=lies, code=code, name=name, outline=outline[2], outline_code=outline[0])
