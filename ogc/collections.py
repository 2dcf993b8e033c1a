"""The feature collections the OGC API – Features facade serves, and their queries.

Each collection is one SQL source with its own columns; the features are rendered
to GeoJSON by PostgreSQL (json_build_object / ST_AsGeoJSON) and reach Python as
text, so a page is never parsed and re-serialised. Coordinates are CGCS2000
(EPSG:4490), served as CRS84: the two differ by centimetres.
"""

import json
from dataclasses import dataclass
from datetime import date

from django.db import connection

from boundaries.models import Level
from boundaries.temporal import began_sql, not_ended_sql, today

# China and its seas, lon/lat: the extent every collection declares.
CHINA_BBOX = [73.4, 3.8, 135.1, 53.6]
# Up to this many matches are counted; beyond, numberMatched is the planner's estimate.
EXACT_COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    table: str
    where: str  # fixed condition of the collection
    properties: str  # json_build_object arguments
    level: int | None = None
    # The GeoJSON type of every feature's geometry (its Multi- form included); None: mixed.
    geometry_type: str | None = None


PLACE_PROPERTIES = (
    "'name', t.name, 'romanization', COALESCE(NULLIF(t.romanization_override, ''), "
    "t.romanization), 'class', c.slug, 'class_name', c.name, 'status', t.status, "
    "'valid_from', t.valid_from, 'valid_to', t.valid_to"
)
DIVISION_PROPERTIES = (
    "'code', t.code, 'name', t.name, 'level', t.level, 'kind', t.kind, "
    "'parent_code', t.parent_code, 'valid_from', t.valid_from, 'valid_to', t.valid_to"
)

# (collection suffix, ST_Dimension, GeoJSON type, what it holds) of the place collections
PLACE_GEOMETRIES = [
    ("points", 0, "Point", "Bridges, stations, villages and other places mapped as points"),
    ("lines", 1, "LineString", "Streets, roads, lanes, rivers and other places mapped as lines"),
    ("polygons", 2, "Polygon", "Residential communities, lakes and other places mapped as areas"),
]

COLLECTIONS = {
    **{
        f"places-{kind}": Collection(
            f"places-{kind}", f"Standard place names (标准地名): {kind}",
            f"{what} with their standard names and romanization; one geometry type per "
            "collection, as GIS clients type a layer by its first features.",
            "gazetteer_place t JOIN gazetteer_placeclass c ON c.id = t.place_class_id",
            # Cancelled places stay in: datetime (default today) decides by their period.
            f"t.status <> 'proposed' AND ST_Dimension(t.geom) = {dimension}",
            PLACE_PROPERTIES, geometry_type=geometry_type)
        for kind, dimension, geometry_type, what in PLACE_GEOMETRIES
    },
    **{
        f"divisions-{level.label}": Collection(
            f"divisions-{level.label}", f"Administrative divisions: {level.label} level",
            f"Divisions of the {level.label} level with their codes and validity periods.",
            "boundaries_divisionversion t", f"t.level = {level.value} AND t.kind <> 'placeholder'",
            DIVISION_PROPERTIES, level.value)
        for level in Level
    },
    "boundaries": Collection(
        "boundaries", "Border lines (界线)",
        "Border lines between divisions of the same level, derived from their polygons, "
        "with the agreement (界线协议书) that fixes each and its validity period.",
        "boundaries_boundaryline t", "TRUE",
        "'name', t.name, 'level', t.level, 'left_code', t.left_code, "
        "'right_code', t.right_code, 'length_m', round(t.length_m::numeric, 1), "
        "'agreement_number', t.agreement_number, 'agreement_date', t.agreement_date, "
        "'valid_from', t.valid_from, 'valid_to', t.valid_to"),
}


@dataclass
class Query:
    bbox: tuple[float, float, float, float] | None = None
    period: tuple[date | None, date | None] | None = None  # None: in force today
    limit: int = 10
    offset: int = 0
    after: int | None = None  # keyset paging: features with a greater id

    def where(self, collection: Collection, params: dict, keyset: bool = True) -> str:
        parts = [collection.where]
        if keyset and self.after is not None:
            parts.append("t.id > %(after)s")
            params["after"] = self.after
        if self.bbox:
            parts.append("t.geom && ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, 4490)")
            params |= dict(zip(("x0", "y0", "x1", "y1"), self.bbox, strict=True))
        start, end = self.period or (today(),) * 2
        # A record is in the answer when its validity period meets [start, end].
        if end is not None:
            parts.append(began_sql("t", "end"))
            params["end"] = end
        if start is not None:
            parts.append(not_ended_sql("t", "start"))
            params["start"] = start
        return " AND ".join(parts)


def _feature_sql(collection: Collection) -> str:
    return (
        "json_build_object('type', 'Feature', 'id', t.id, "
        "'geometry', ST_AsGeoJSON(t.geom, 7, 0)::json, "
        f"'properties', json_build_object({collection.properties}))"
    )


def items(collection: Collection, query: Query) -> tuple[str, int, int | None]:
    """(the features as a JSON array text, how many on this page, the last id if more follow).

    One row more than the page is read to know whether a next page exists.
    """
    params = {"limit": query.limit, "offset": query.offset}
    sql = (
        "SELECT COALESCE(json_agg(f ORDER BY id) FILTER (WHERE n <= %(limit)s), '[]')::text,"
        " count(*) FILTER (WHERE n <= %(limit)s),"
        " CASE WHEN count(*) > %(limit)s THEN max(id) FILTER (WHERE n <= %(limit)s) END"
        " FROM (SELECT *, row_number() OVER (ORDER BY id) AS n FROM ("
        f"SELECT t.id, {_feature_sql(collection)} AS f FROM {collection.table} "
        f"WHERE {query.where(collection, params)} ORDER BY t.id "
        "LIMIT %(limit)s + 1 OFFSET %(offset)s) AS page) AS numbered"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def item(collection: Collection, feature_id: int) -> str | None:
    sql = (f"SELECT {_feature_sql(collection)}::text FROM {collection.table} "
           f"WHERE {collection.where} AND t.id = %(id)s")
    with connection.cursor() as cur:
        cur.execute(sql, {"id": feature_id})
        row = cur.fetchone()
    return row[0] if row else None


def matched(collection: Collection, query: Query) -> int:
    """Exact up to EXACT_COUNT_LIMIT; beyond, the planner's estimate (counting is slow)."""
    params: dict = {"cap": EXACT_COUNT_LIMIT + 1}
    where = query.where(collection, params, keyset=False)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM {collection.table} WHERE {where} "
                    "LIMIT %(cap)s) AS capped", params)
        count = cur.fetchone()[0]
        if count <= EXACT_COUNT_LIMIT:
            return count
        cur.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {collection.table} WHERE {where}",
                    params)
        plan = cur.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return max(int(plan[0]["Plan"]["Plan Rows"]), count)
