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
            raise ImporterError(f"--stage {table!r}: a lower-case SQL name is needed "
                                "(letters, digits, _)")
        cur.execute("SELECT to_regclass(%s)", [table])
        if cur.fetchone()[0] is not None:
            raise ImporterError(f"--stage {table}: the table exists; name a new scratch table")
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
        where = f" at {x:.7f} {y:.7f}" if x is not None else ""
        if idx in repaired:
            findings.append(Finding("invalid_geometry", WARNING, f"{reason}{where}: repaired "
                                    "with ST_MakeValid (--repair)", idx, lines[idx]))
        else:
            findings.append(Finding("invalid_geometry", ERROR, f"{reason}{where} (not repaired: "
                                    "pass --repair to repair it)", idx, lines[idx]))
    findings += [Finding("self_intersecting_line", WARNING, "the line crosses or touches "
                         "itself", idx, lines[idx]) for idx in crossing]
    return findings, repaired


# The division's polygon is cast to geography once (a materialized CTE) and the same value
# is passed to every row, so that PostGIS keeps its tree of edges between rows: cast per row
# (``d.geom::geography`` in the WHERE of a join), each of 170,000 points paid for a new cast
# and a new tree of the whole polygon (4.3 min; bench/survey_far.py).
FAR_SQL = """
WITH d AS MATERIALIZED (
    SELECT geom::geography AS g FROM boundaries_divisionversion WHERE id = %(version)s
)
SELECT s.idx, ST_Distance(s.geom::geography, d.g)
FROM {table} s, d
WHERE s.geom IS NOT NULL AND NOT ST_DWithin(s.geom::geography, d.g, %(metres)s)
ORDER BY s.idx"""


def far_from(table: str, lines: dict[int, int | None], version_id: int, label: str,
             conn=connection, metres: float = FAR_METRES) -> list[Finding]:
    """Features farther than ``metres`` from the division (geodesic, on the ellipsoid), in
    one statement over the whole staging table."""
    with conn.cursor() as cur:
        cur.execute(FAR_SQL.format(table=table), {"version": version_id, "metres": metres})
        far = cur.fetchall()
    return [Finding("far_from_division", WARNING, f"{distance:.0f} m from {label} (more than "
                    f"{metres:.0f} m)", idx, lines[idx]) for idx, distance in far]
