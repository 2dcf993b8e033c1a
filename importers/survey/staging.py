"""Stage the reprojected features in PostGIS with one binary COPY and check them set-based:
validity (with the reason and where), lines crossing themselves, repair when asked, and
the distance to the registered division. The staging table is a temporary one dropped at
commit unless the caller names a scratch table to keep."""

import json
import math
import re
import struct
from collections.abc import Iterator

import orjson
from django.db import connection
from django.utils.translation import gettext_noop

from ..errors import ImporterError
from . import geometry
from .types import ERROR, WARNING, Feature, Finding

TEMP_TABLE = "survey_stage"
COLUMNS = "idx, layer, line, geom, properties"
CHUNK_BYTES = 256 * 1024
_NULL = b"\xff\xff\xff\xff"
FAR_METRES = 1000.0
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def create(table: str | None) -> str:
    """The staging table: a temp table, or the named scratch table (which must be new)."""
    body = ("(idx integer NOT NULL, layer text, line integer, "
            "geom geometry(Geometry, 4490), properties json)")
    # ST_IsValidDetail and friends NOTICE every invalid ring: nobody reads them
    quiet = "SET LOCAL client_min_messages = warning"
    with connection.cursor() as cur:
        if table is None:
            # dropped at commit; one left by an earlier run in the same transaction goes now
            cur.execute(f"{quiet}; DROP TABLE IF EXISTS pg_temp.{TEMP_TABLE}; "
                        f"CREATE TEMP TABLE {TEMP_TABLE} {body} ON COMMIT DROP")
            return TEMP_TABLE
        if not IDENTIFIER.match(table):
            raise ImporterError.of(gettext_noop("--stage %(table)r: a lower-case SQL name is "
                                                "needed (letters, digits, _)"), table=table)
        cur.execute("SELECT to_regclass(%s)", [table])
        if cur.fetchone()[0] is not None:
            raise ImporterError.of(gettext_noop("--stage %(table)s: the table exists; name a new "
                                                "scratch table"), table=table)
        cur.execute(f"{quiet}; CREATE TABLE {table} {body}")
    return table


# orjson: the JSON of the properties took a fifth of a run with the standard library.
# They are staged as json, not jsonb: the server validates json at half the cost.
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str, allow_nan=False).encode
_HEAD = struct.Struct("!hii")  # field count, then idx as a 4-byte integer
_SIZE = struct.Struct("!i")


def _json(props: dict) -> bytes:
    try:
        return orjson.dumps(props, default=str)  # NaN and infinity become null
    except orjson.JSONEncodeError:  # integers beyond 64 bits
        return _ENCODE({k: None if isinstance(v, float) and not math.isfinite(v) else v
                        for k, v in props.items()}).encode()


def _chunks(features: list[Feature], unstageable: set[int]) -> Iterator[bytes]:
    """The binary COPY stream of (idx, layer, line, EWKB, properties as JSON text) rows."""
    yield b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
    out, size, layers = [], 0, {}
    for feature in features:
        if feature.layer not in layers:
            name = feature.layer.encode()
            layers[feature.layer] = _SIZE.pack(len(name)) + name
        geom = feature.geometry
        if not geom or feature.index in unstageable:
            geom = None
        elif geom["type"] == "Point":  # the markers: most rows
            geom = geometry.point_ewkb(*geom["coordinates"][:2], 4490)
        else:
            geom = geometry.wkb(geom, 4490)
        props = _json(feature.properties)
        out += [_HEAD.pack(5, 4, feature.index), layers[feature.layer],
                _NULL if feature.line is None else struct.pack("!ii", 4, feature.line),
                _NULL if geom is None else _SIZE.pack(len(geom)), geom or b"",
                _SIZE.pack(len(props)), props]
        size += len(props) + len(geom or b"")
        if size >= CHUNK_BYTES:
            yield b"".join(out)
            out, size = [], 0
    yield b"".join(out) + struct.pack("!h", -1)


class _Chunks:
    """The file copy_expert reads: each read makes the next chunk, so the server parses one
    chunk while this process encodes the next."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks

    def read(self, size: int = -1) -> bytes:
        return next(self._chunks, b"")


def stage(table: str, features: list[Feature], unstageable: set[int], conn=connection) -> None:
    """All features in one binary COPY, streamed."""
    with conn.cursor() as cur:
        cur.copy_expert(f"COPY {table} ({COLUMNS}) FROM STDIN WITH (FORMAT binary)",
                        _Chunks(_chunks(features, unstageable)))


def validity(table: str, lines: dict[int, int | None], repair: bool, conn=connection
             ) -> tuple[list[Finding], dict[int, dict]]:
    """Invalid polygons (self-intersecting rings …) and lines crossing themselves, and the
    repaired geometries (GeoJSON) when asked to repair. ``lines``: the CSV line of an index."""
    with conn.cursor() as cur:
        # points are always valid and simple: only lines and polygons are looked at
        cur.execute(f"""
            SELECT idx, d.valid, d.reason, ST_X(d.location), ST_Y(d.location), simple
            FROM (SELECT idx, geom, CASE WHEN ST_Dimension(geom) = 1 THEN ST_IsSimple(geom)
                                    END AS simple
                  FROM {table} WHERE ST_Dimension(geom) > 0) s
            CROSS JOIN LATERAL ST_IsValidDetail(geom) d
            WHERE NOT d.valid OR NOT simple ORDER BY idx""")
        rows = cur.fetchall()
        invalid = [(idx, reason, x, y) for idx, valid, reason, x, y, _ in rows if not valid]
        crossing = [row[0] for row in rows if row[5] is False]
        repaired = {}
        if repair and invalid:
            cur.execute(f"""UPDATE {table} SET geom = ST_MakeValid(geom) WHERE idx = ANY(%s)
                            RETURNING idx, ST_AsGeoJSON(geom, 9)""", [[r[0] for r in invalid]])
            repaired = {idx: json.loads(geojson) for idx, geojson in cur.fetchall()}
    findings = []
    for idx, reason, x, y in invalid:
        # PostGIS says the reason (Self-intersection …), in English
        params = {"reason": reason, "x": x, "y": y}
        if idx in repaired:
            template = (gettext_noop("%(reason)s at %(x).7f %(y).7f: repaired with ST_MakeValid "
                                     "(--repair)") if x is not None else
                        gettext_noop("%(reason)s: repaired with ST_MakeValid (--repair)"))
            findings.append(Finding.said("invalid_geometry", WARNING, template, params, idx,
                                         lines[idx]))
        else:
            template = (gettext_noop("%(reason)s at %(x).7f %(y).7f (not repaired: pass "
                                     "--repair to repair it)") if x is not None else
                        gettext_noop("%(reason)s (not repaired: pass --repair to repair it)"))
            findings.append(Finding.said("invalid_geometry", ERROR, template, params, idx,
                                         lines[idx]))
    findings += [Finding.said("self_intersecting_line", WARNING, gettext_noop(
        "the line crosses or touches itself"), None, idx, lines[idx]) for idx in crossing]
    return findings, repaired


# One statement over the whole staging table. The division's polygon is cast to geography
# once (a materialized CTE, the same value for every row, so PostGIS keeps its tree of
# edges between rows); cast per row, as before, 170,000 points took 70 s of a 75 s read
# (bench/survey_far.py). Most features are then settled in the plane (degrees), against
# the geodesic polygon cut into edges of at most 1 km (straight in degrees there, within
# 2 cm of the great circle): inside it, or nearer than metres / 111,700 m per degree (no
# degree of latitude or longitude is longer), a feature is within ``metres``; farther than
# metres / (the shortest degree at the highest latitude its path can reach) it is beyond.
# Only those in between are measured on the ellipsoid, as before, and so is the far ones'
# distance (what the finding says). A margin of 0.1 % keeps either bound safe.
FAR_SQL = """
WITH g AS MATERIALIZED (
    SELECT geom::geography AS g, ST_Segmentize(geom::geography, 1000)::geometry AS flat
    FROM boundaries_divisionversion WHERE id = %(version)s
), d AS MATERIALIZED (
    SELECT g, flat, greatest(abs(ST_YMin(flat)), abs(ST_YMax(flat))) AS lat FROM g
), judged AS (
    SELECT s.idx, s.geom, CASE
        WHEN ST_Intersects(s.geom, d.flat) THEN false
        WHEN ST_DWithin(s.geom, d.flat, %(metres)s / 111700.0 * 0.999) THEN false
        WHEN NOT ST_DWithin(s.geom, d.flat, %(metres)s * 1.001 / least(110574.0,
                 111319.0 * cos(radians(least(89.9, greatest(abs(ST_YMin(s.geom)),
                     abs(ST_YMax(s.geom)), d.lat) + %(metres)s / 110000.0 + 0.01)))))
             THEN true
        ELSE NOT ST_DWithin(s.geom::geography, d.g, %(metres)s) END AS far
    FROM {table} s, d
    WHERE s.geom IS NOT NULL
)
SELECT j.idx, ST_Distance(j.geom::geography, d.g)
FROM judged j, d
WHERE j.far
ORDER BY j.idx"""


def far_from(table: str, lines: dict[int, int | None], version_id: int, label: str,
             conn=connection, metres: float = FAR_METRES) -> list[Finding]:
    """Features farther than ``metres`` from the division (geodesic, on the ellipsoid), in
    one statement over the whole staging table."""
    with conn.cursor() as cur:
        cur.execute(FAR_SQL.format(table=table), {"version": version_id, "metres": metres})
        far = cur.fetchall()
    return [Finding.said("far_from_division", WARNING, gettext_noop(
        "%(distance).0f m from %(division)s (more than %(most).0f m)"),
        {"distance": distance, "division": label, "most": metres}, idx, lines[idx])
        for idx, distance in far]
