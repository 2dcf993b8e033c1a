"""The vector-tile layers: what each draws, from which zoom, with which attributes.

Each layer is one table (or a join) of the registry read as Mapbox Vector Tiles, one MVT
layer per tile, named as the layer. ``scope`` is the response-cache scope
(config.responses) whose generation enters the layer's ETag and cache keys: the services
that write what the layer draws bump it after they commit. Division levels draw from the
zoom their polygons become legible at; townships (40k in the country) and places (millions)
are what the map cannot draw as GeoJSON, so their minimum zooms keep a tile to a few hundred
features.
"""

from dataclasses import dataclass

from boundaries.models import Level
from boundaries.temporal import in_force_sql

EXTENT = 4096  # MVT coordinate units per tile side
BUFFER = 64  # units drawn beyond the tile's edge, so strokes do not stop at it
MAX_ZOOM = 16  # beyond, clients overzoom the z16 tile (TileJSON maxzoom)

# The tile in the geometry's SRID, with the buffer: the GiST index filter. Web Mercator
# rectangles are longitude/latitude rectangles, so the transformed envelope is exact.
ENVELOPE_4490 = ("ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), "
                 "4490)")
ENVELOPE_3857 = "ST_TileEnvelope(%(z)s, %(x)s, %(y)s)"


def shape(column: str) -> str:
    """A polygon or line column as MVT geometry: clipped to the buffered tile first (a
    province's outline need not be simplified whole for one z12 tile), simplified to the
    tile's pixel (``%(tol)s`` degrees; collapsed parts kept, so small units stay visible),
    then projected and quantised."""
    return (f"ST_AsMVTGeom(ST_Transform(ST_Simplify(ST_ClipByBox2D({column}, "
            f"{ENVELOPE_4490}), %(tol)s, true), 3857), {ENVELOPE_3857}, {EXTENT}, {BUFFER}, "
            "true)")


def point(column: str) -> str:
    return f"ST_AsMVTGeom(ST_Transform({column}, 3857), {ENVELOPE_3857}, {EXTENT}, {BUFFER}, true)"


@dataclass(frozen=True)
class Layer:
    name: str
    description: str
    scope: str
    minzoom: int
    # TileJSON vector_layers fields: attribute → type ("String", "Number")
    fields: dict
    # SELECT of id (the feature id), the attributes and geom (MVT geometry), filtered to
    # the tile and to %(as_of)s
    select: str
    # (table, column, condition) of the rows drawn, for the TileJSON bounds
    source: tuple
    maxzoom: int = MAX_ZOOM


DIVISION_FIELDS = {"code": "String", "short_code": "String", "name": "String",
                   "kind": "String", "level": "Number", "parent_code": "String"}
_SHORT = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


def _division_select(level: Level) -> str:
    column = "t.seat" if level == Level.VILLAGE else "t.geom"
    geom = point(column) if level == Level.VILLAGE else shape(column)
    parent = _SHORT.get(level - 1, 0)
    return (
        f"SELECT t.id, t.code, left(t.code, {_SHORT[level]}) AS short_code, t.name, t.kind, "
        f"t.level, left(t.parent_code, {parent}) AS parent_code, {geom} AS geom "
        f"FROM boundaries_divisionversion t WHERE t.level = {int(level)} "
        f"AND t.kind <> 'placeholder' AND {column} && {ENVELOPE_4490} AND {in_force_sql('t')}"
    )


def _division(name: str, level: Level, minzoom: int, what: str) -> Layer:
    column = "seat" if level == Level.VILLAGE else "geom"
    return Layer(name, what, "divisions", minzoom, DIVISION_FIELDS, _division_select(level),
                 ("boundaries_divisionversion", column, f"level = {int(level)}"))


LINES = (
    f"SELECT t.id, t.name, t.level, t.left_code, t.right_code, {shape('t.geom')} AS geom "
    f"FROM boundaries_boundaryline t WHERE t.geom && {ENVELOPE_4490} AND {in_force_sql('t')}"
)
MARKERS = (
    f"SELECT m.id, m.number, m.type, s.status, {point('s.position')} AS geom "
    "FROM boundaries_boundarymarker m JOIN boundaries_markerstate s ON s.marker_id = m.id "
    f"WHERE s.position && {ENVELOPE_4490} AND {in_force_sql('s')}"
)
# Proposed names are not public (as in the OGC collections).
PLACES = (
    f"SELECT t.id, t.name, t.romanization, c.slug AS class, c.name AS class_name, t.status, "
    f"{shape('t.geom')} AS geom FROM gazetteer_place t "
    "JOIN gazetteer_placeclass c ON c.id = t.place_class_id "
    f"WHERE t.geom && {ENVELOPE_4490} AND t.status <> 'proposed' AND {in_force_sql('t')}"
)

LAYERS = {layer.name: layer for layer in [
    _division("provinces", Level.PROVINCE, 0, "Provinces (省级) in force on as_of"),
    _division("prefectures", Level.PREFECTURE, 3, "Prefectures (地级) in force on as_of"),
    _division("counties", Level.COUNTY, 5, "Counties (县级) in force on as_of"),
    _division("townships", Level.TOWNSHIP, 7, "Townships (乡级) in force on as_of"),
    _division("villages", Level.VILLAGE, 11, "Villages (村级) as their seats (points)"),
    Layer("lines", "Border lines (行政区域界线) in force on as_of", "lines", 6,
          {"name": "String", "level": "Number", "left_code": "String",
           "right_code": "String"}, LINES, ("boundaries_boundaryline", "geom", "")),
    Layer("markers", "Boundary markers (界桩) in the state in force on as_of", "markers", 10,
          {"number": "String", "type": "String", "status": "String"}, MARKERS,
          ("boundaries_markerstate", "position", "")),
    # a place's divisions changing (a merger) renames nothing drawn here, but the "places"
    # scope is bumped by every place write and every division change: one generation
    Layer("places", "Standard place names (标准地名) in force on as_of", "places", 10,
          {"name": "String", "romanization": "String", "class": "String",
           "class_name": "String", "status": "String"}, PLACES,
          ("gazetteer_place", "geom", "")),
]}
