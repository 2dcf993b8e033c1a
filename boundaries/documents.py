"""The hottest public reads, rendered as JSON by PostgreSQL in one statement each.

A code lookup or a reverse geocode through the ORM costs several queries, model
instances (with their polygons parsed by GEOS) and schema validation, about ten
times a bare query. Here the division and its ancestors are found and serialised
in one round trip, and the text goes out as it comes; polygons are never fetched.
The documents match DivisionOut and ReverseOut (tests compare both paths).
"""

from contextlib import nullcontext
from datetime import date

from django.db import DataError, InternalError, connection, transaction
from django.utils.translation import gettext_noop

from config import prepared
from config.errors import BadRequest
from config.replicas import read_connection

from .models import SHORT_LENGTHS, Level
from .names import PLACEHOLDER
from .temporal import in_force_sql

TABLE = "boundaries_divisionversion"
_LEVEL_LABELS = "ARRAY[" + ", ".join(f"'{label}'" for _, label in Level.choices) + "]"
_SHORT = "CASE {a}.level " + " ".join(
    f"WHEN {lvl} THEN left({{a}}.code, {n})" for lvl, n in SHORT_LENGTHS.items()) + " END"




def _ref(alias: str) -> str:
    return (f"'code', {alias}.code, 'short_code', {_SHORT.format(a=alias)}, "
            f"'name', {alias}.name, 'level', ({_LEVEL_LABELS})[{alias}.level], "
            f"'kind', {alias}.kind")


def _ancestors(start: str, *, with_start: bool = False) -> str:
    """CTE ``ancestry``: the ancestors of the one row of CTE ``start`` on as_of, province
    first, as a JSON list (ending with ``start`` itself when asked)."""
    rows = f"SELECT * FROM up UNION ALL SELECT * FROM {start}" if with_start else "SELECT * FROM up"
    return f"""
    up AS (
        SELECT p.code, p.name, p.level, p.kind, p.parent_code
        FROM {TABLE} p JOIN {start} s ON p.code = s.parent_code AND p.level = s.level - 1
        WHERE {in_force_sql('p')}
      UNION ALL
        SELECT p.code, p.name, p.level, p.kind, p.parent_code
        FROM {TABLE} p JOIN up ON p.code = up.parent_code AND p.level = up.level - 1
        WHERE {in_force_sql('p')}
    ),
    ancestry AS (
        SELECT coalesce(json_agg(json_build_object({_ref('up')}) ORDER BY up.level), '[]')
               AS list
        FROM ({rows}) AS up WHERE up.kind <> '{PLACEHOLDER}'
    )"""


DIVISION_SQL = f"""
WITH RECURSIVE target AS (
    SELECT t.* FROM {TABLE} t
    WHERE t.code = %(code)s AND (%(level)s::int IS NULL OR t.level = %(level)s)
      AND {in_force_sql('t')}
    ORDER BY t.level LIMIT 1
), {_ancestors('target')}
SELECT json_build_object(
    {_ref('t')}, 'place_name', t.place_name, 'parent_code', t.parent_code,
    'ancestors', ancestry.list, 'valid_from', t.valid_from, 'valid_to', t.valid_to,
    'area_km2', t.area_km2, 'population', t.population, 'has_geometry', t.geom IS NOT NULL,
    'geometry_source', t.geometry_source, 'seat', ST_AsGeoJSON(t.seat)::json
)::text
FROM target t, ancestry
"""


def division_document(code: str, level: int | None, as_of: date) -> str | None:
    """A DivisionOut document of the version in force on as_of, or None when there is none."""
    row = _execute_prepared("division_document", code, level, as_of)
    return row[0] if row else None


REVERSE_SQL = f"""
WITH RECURSIVE pt AS (
    -- no row for an unknown SRID, so ST_Transform never sees it
    SELECT ST_Transform(ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), srid), 4490) AS g
    FROM spatial_ref_sys WHERE srid = %(srid)s
), deepest AS (
    SELECT p.code, p.name, p.level, p.kind, p.parent_code
    FROM {TABLE} p, pt
    WHERE p.geom && pt.g AND ST_Covers(p.geom, pt.g) AND {in_force_sql('p')}
    ORDER BY p.level DESC, p.code LIMIT 1
), {_ancestors('deepest', with_start=True)},
-- Villages are points: the township's village nearest the point stands in for the village
-- the point lies in (approximate, with its distance), a KNN walk over a few dozen seats.
village AS (
    SELECT json_build_object({_ref('v')}, 'distance_m',
                             round(ST_Distance(v.seat::geography, pt.g::geography)::numeric, 1),
                             'approximate', true) AS doc
    FROM {TABLE} v, pt, deepest d
    WHERE d.level = 4 AND v.level = 5 AND v.parent_code = d.code AND v.seat IS NOT NULL
      AND {in_force_sql('v')}
    ORDER BY v.seat <-> pt.g LIMIT 1
)
SELECT (SELECT count(*) FROM pt), ancestry.list::text, (SELECT doc::text FROM village)
FROM ancestry
"""


def reverse_divisions(lon: float, lat: float, as_of: date, srid: int
                      ) -> tuple[str, str | None] | None:
    """(JSON list of the divisions containing the point, province first; JSON of the
    nearest village of its township, or None); None: unknown SRID. A position PROJ cannot
    transform is a BadRequest.

    On a shared border the point is covered by both sides; the lower code wins, so
    the answer is deterministic.
    """
    # Inside a transaction a failed transform must not end it: a savepoint then (a request
    # runs in autocommit, where it costs nothing to fail).
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with guard:
            known, divisions, village = _execute_prepared("reverse_divisions", lon, lat, srid,
                                                          as_of)
    except (DataError, InternalError) as exc:  # PROJ refused the coordinates
        raise BadRequest.of(gettext_noop("lon=%(lon)s, lat=%(lat)s: not a position in "
                                         "EPSG:%(srid)s that can be transformed to CGCS2000"),
                            lon=lon, lat=lat, srid=srid) from exc

    return (divisions, village) if known else None


# Planning these recursive statements costs twice their execution: they are prepared once
# per connection (config.prepared).
STATEMENTS = {
    "division_document": prepared.Statement(
        "division_document", DIVISION_SQL, (("code", "text"), ("level", "int"), ("as_of", "date"))),
    "reverse_divisions": prepared.Statement(
        "reverse_divisions", REVERSE_SQL,
        (("lon", "float8"), ("lat", "float8"), ("srid", "int"), ("as_of", "date"))),
}


def _execute_prepared(name: str, *args):
    """The first row of a prepared statement of STATEMENTS; in a read request it runs on
    the replica the router chose (config.replicas)."""
    connection = read_connection()
    statement = STATEMENTS[name]
    with connection.cursor() as cur:
        prepared.execute(connection, cur, statement,
                         dict(zip((p for p, _ in statement.params), args, strict=True)))
        return cur.fetchone()
