"""The feature collections the OGC API – Features facade serves, and their queries.

Each collection is one SQL source with its own columns; the features are rendered
to GeoJSON by PostgreSQL (json_build_object / ST_AsGeoJSON) and reach Python as
text, so a page is never parsed and re-serialised. Coordinates are CGCS2000
(EPSG:4490), served as CRS84 unless another CRS is asked (ogc.crs): the two
differ by centimetres.
"""

import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date

from django.db import connection

from boundaries.models import Level
from boundaries.temporal import began_sql, not_ended_sql, today

from .crs import DEFAULT, STORAGE_SRID, RefSystem

# China and its seas, lon/lat: the extent every collection declares.
CHINA_BBOX = [73.4, 3.8, 135.1, 53.6]
# The estimate of a table's extent may fall short of its outermost features: widened by this
# many degrees before the Gauss-Krüger zones covering it are chosen.
EXTENT_MARGIN = 0.5
# Up to this many matches are counted; beyond, numberMatched is the planner's estimate.
EXACT_COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class Field:
    """A property of a collection's features: its SQL, its JSON Schema, how it is filtered."""
    name: str
    sql: str
    type: str  # JSON Schema type
    title: str
    format: str | None = None  # "date" for dates
    # SQL of a filter on this property with one value {value} (instead of "sql op %s"): a
    # property read through a join, e.g. the divisions a place lies in.
    match: str | None = None
    enum: tuple[str, ...] | None = None

    def schema(self) -> dict:
        found = {"title": self.title, "type": self.type}
        return found | ({"format": self.format} if self.format else {}) | (
            {"enum": list(self.enum)} if self.enum else {})


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    table: str
    where: str  # fixed condition of the collection
    fields: tuple[Field, ...]
    level: int | None = None
    # The GeoJSON type of every feature's geometry (its Multi- form included); None: mixed.
    geometry_type: str | None = None

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def properties_sql(self, names: list[str] | None = None) -> str:
        chosen = [f for f in self.fields if f.match is None and (names is None or f.name in names)]
        return ", ".join(f"'{f.name}', {f.sql}" for f in chosen)


VALIDITY = (
    Field("valid_from", "t.valid_from", "string", "Valid from (start of the validity period)",
          "date"),
    Field("valid_to", "t.valid_to", "string", "Valid to (end of the validity period, "
          "exclusive; null while in force)", "date"),
)
PLACE_FIELDS = (
    Field("name", "t.name", "string", "Standard name (标准地名)"),
    Field("romanization", "COALESCE(NULLIF(t.romanization_override, ''), t.romanization)",
          "string", "Romanization (罗马字母拼写)"),
    Field("class", "c.slug", "string", "Place class (GB/T 18521), slug"),
    Field("class_name", "c.name", "string", "Place class, name"),
    Field("status", "t.status", "string", "Status", enum=("standard", "historical")),
    *VALIDITY,
    # The division the place lay in during the query's datetime (today by default), not any
    # it ever lay in: after 撤县设区 its places are in 水城区 today and were in 水城县 before.
    Field("division", "", "string", "Code of a division the place lies in (6, 9 or 12 digits), "
          "as of the query's datetime (today by default)",
          match="EXISTS (SELECT 1 FROM gazetteer_placedivision pd WHERE pd.place_id = t.id "
                "AND pd.division_code = {value} "
                "AND (%(end)s::date IS NULL OR pd.valid_from IS NULL OR pd.valid_from <= %(end)s) "
                "AND (%(start)s::date IS NULL OR pd.valid_to IS NULL OR pd.valid_to > %(start)s))"),
)
DIVISION_FIELDS = (
    Field("code", "t.code", "string", "Division code (12 digits)"),
    Field("name", "t.name", "string", "Name"),
    Field("level", "t.level", "integer", "Level (1 province … 5 village)"),
    Field("kind", "t.kind", "string", "Kind"),
    Field("parent_code", "t.parent_code", "string", "Code of the parent division"),
    *VALIDITY,
)
BOUNDARY_FIELDS = (
    Field("name", "t.name", "string", "Name of the line"),
    Field("level", "t.level", "integer", "Level of the divisions it separates"),
    Field("left_code", "t.left_code", "string", "Code of the division on the left"),
    Field("right_code", "t.right_code", "string", "Code of the division on the right"),
    Field("length_m", "round(t.length_m::numeric, 1)", "number", "Length in metres"),
    Field("agreement_number", "t.agreement_number", "string", "Agreement (界线协议书) number"),
    Field("agreement_date", "t.agreement_date", "string", "Agreement date", "date"),
    *VALIDITY,
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
            PLACE_FIELDS, geometry_type=geometry_type)
        for kind, dimension, geometry_type, what in PLACE_GEOMETRIES
    },
    **{
        f"divisions-{level.label}": Collection(
            f"divisions-{level.label}", f"Administrative divisions: {level.label} level",
            f"Divisions of the {level.label} level with their codes and validity periods.",
            "boundaries_divisionversion t", f"t.level = {level.value} AND t.kind <> 'placeholder'",
            DIVISION_FIELDS, level.value)
        for level in Level
    },
    "boundaries": Collection(
        "boundaries", "Border lines (界线)",
        "Border lines between divisions of the same level, derived from their polygons, "
        "with the agreement (界线协议书) that fixes each and its validity period.",
        "boundaries_boundaryline t", "TRUE", BOUNDARY_FIELDS),
}


def extent(collection: Collection) -> list[float]:
    """The lon/lat box of the collection's features, as PostgreSQL's statistics estimate it
    for its table (ST_EstimatedExtent: no scan, whatever the table's size), widened by
    EXTENT_MARGIN and clipped to China; China's box while the table has no statistics.

    A table's box covers each collection drawn from it (a level of divisions, a geometry
    type of places): it is what decides the Gauss-Krüger zones a collection offers.
    """
    table = collection.table.split()[0]
    with connection.cursor() as cur:
        cur.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                    "FROM (SELECT ST_EstimatedExtent(%s, 'geom')::box3d AS e) AS estimate",
                    [table])
        box = cur.fetchone()
    if box is None or box[0] is None:
        return list(CHINA_BBOX)
    m = EXTENT_MARGIN
    return [max(box[0] - m, CHINA_BBOX[0]), max(box[1] - m, CHINA_BBOX[1]),
            min(box[2] + m, CHINA_BBOX[2]), min(box[3] + m, CHINA_BBOX[3])]


@dataclass
class Query:
    bbox: tuple[float, float, float, float] | None = None  # x/y order, in bbox_srid
    bbox_srid: int = STORAGE_SRID
    period: tuple[date | None, date | None] | None = None  # None: in force today
    limit: int = 10
    offset: int = 0
    after: int | None = None  # keyset paging: features with a greater id
    crs: RefSystem = DEFAULT
    filter: tuple[str, dict] | None = None  # parameterised SQL from ogc.cql
    sortby: list[tuple[Field, bool]] = dc_field(default_factory=list)  # (field, descending)
    properties: list[str] | None = None

    def where(self, collection: Collection, params: dict, keyset: bool = True) -> str:
        parts = [collection.where]
        if keyset and self.after is not None:
            parts.append("t.id > %(after)s")
            params["after"] = self.after
        if self.bbox:
            box = f"ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, {int(self.bbox_srid)})"
            if self.bbox_srid != STORAGE_SRID:  # edges bent by the projection: 1 km steps
                box = f"ST_Transform(ST_Segmentize({box}, 1000), {STORAGE_SRID})"
            parts.append(f"t.geom && {box}")
            params |= dict(zip(("x0", "y0", "x1", "y1"), self.bbox, strict=True))
        start, end = self.period or (today(),) * 2
        # A record is in the answer when its validity period meets [start, end]; a filter
        # on the division a place lies in reads the same period (None: open).
        params |= {"start": start, "end": end}
        if end is not None:
            parts.append(began_sql("t", "end"))
        if start is not None:
            parts.append(not_ended_sql("t", "start"))
        if self.filter:
            parts.append(self.filter[0])
            params |= self.filter[1]
        return " AND ".join(parts)

    def order(self) -> str:
        return ", ".join([*(f"{f.sql} {'DESC' if desc else 'ASC'} NULLS LAST"
                            for f, desc in self.sortby), "t.id"])


def geometry_sql(crs: RefSystem) -> str:
    geom = "t.geom" if crs.srid == STORAGE_SRID else f"ST_Transform(t.geom, {int(crs.srid)})"
    if crs.north_first:  # GeoJSON carries the CRS's own axis order (Part 2, /req/crs/crs-action)
        geom = f"ST_FlipCoordinates({geom})"
    return f"ST_AsGeoJSON({geom}, {crs.precision}, 0)::json"


def _feature_sql(collection: Collection, crs: RefSystem = DEFAULT,
                 names: list[str] | None = None) -> str:
    return (
        "json_build_object('type', 'Feature', 'id', t.id, "
        f"'geometry', {geometry_sql(crs)}, "
        f"'properties', json_build_object({collection.properties_sql(names)}))"
    )


def items_sql(collection: Collection, query: Query) -> tuple[str, dict]:
    params = {"limit": query.limit, "offset": query.offset}
    order = query.order()
    sql = (
        "SELECT COALESCE(json_agg(f ORDER BY n) FILTER (WHERE n <= %(limit)s), '[]')::text,"
        " count(*) FILTER (WHERE n <= %(limit)s),"
        " CASE WHEN count(*) > %(limit)s THEN max(id) FILTER (WHERE n <= %(limit)s) END"
        # the page comes ordered: row_number() over () numbers it in that order
        " FROM (SELECT *, row_number() OVER () AS n FROM ("
        f"SELECT t.id, {_feature_sql(collection, query.crs, query.properties)} AS f "
        f"FROM {collection.table} WHERE {query.where(collection, params, not query.sortby)} "
        f"ORDER BY {order} LIMIT %(limit)s + 1 OFFSET %(offset)s) AS page) AS numbered"
    )
    return sql, params


def items(collection: Collection, query: Query) -> tuple[str, int, int | None]:
    """(the features as a JSON array text, how many on this page, the last id if more follow).

    One row more than the page is read to know whether a next page exists.
    """
    with connection.cursor() as cur:
        cur.execute(*items_sql(collection, query))
        return cur.fetchone()


def item(collection: Collection, feature_id: int, crs: RefSystem = DEFAULT,
         names: list[str] | None = None) -> str | None:
    sql = (f"SELECT {_feature_sql(collection, crs, names)}::text FROM {collection.table} "
           f"WHERE {collection.where} AND t.id = %(id)s")
    with connection.cursor() as cur:
        cur.execute(sql, {"id": feature_id})
        row = cur.fetchone()
    return row[0] if row else None


def matched(collection: Collection, query: Query, returned: int | None = None,
            more: bool = True) -> int:
    """Exact up to EXACT_COUNT_LIMIT; beyond, the planner's estimate (counting is slow).

    A page that is the last (more is False) of offset paging, and not past the end, already
    tells the count: offset + returned, with no second statement (one filtered page of a
    few features then costs one statement, not two).
    """
    if not more and returned is not None and query.after is None and (
            returned or not query.offset):
        return query.offset + returned
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
