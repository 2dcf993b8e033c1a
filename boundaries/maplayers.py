"""The map's own layers: divisions by level, border lines and markers in a box, as GeoJSON.

The web map draws these instead of base tiles, which an office network often cannot
reach. Geometry is simplified to about one screen pixel at the zoom asked for, so a
county's coastline costs what the screen can show; a box holding more than
``MAX_FEATURES`` features is cut there and says so (``truncated``), and the map asks
the user to zoom in. PostgreSQL builds the whole FeatureCollection as one JSON text.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection

from .models import Level
from .temporal import in_force_sql

MAX_FEATURES = 3000
# Levels the map draws from this zoom on (a province's villages are points and too many).
MIN_ZOOM = {Level.PROVINCE: 0, Level.PREFECTURE: 5, Level.COUNTY: 6, Level.TOWNSHIP: 9,
            Level.VILLAGE: 12}


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float
    zoom: int

    @property
    def tolerance(self) -> float:
        """Degrees per screen pixel at this zoom (256-pixel tiles)."""
        return 360.0 / (256 * 2 ** self.zoom)

    def params(self, as_of: date) -> dict:
        return {"w": self.west, "s": self.south, "e": self.east, "n": self.north,
                "tol": self.tolerance, "as_of": as_of, "cap": MAX_FEATURES + 1}


def _collection(select_sql: str, params: dict) -> str:
    """Wrap a SELECT of (id, geometry, properties) rows into one FeatureCollection text."""
    sql = (
        "WITH f AS (" + select_sql + " LIMIT %(cap)s) "
        "SELECT json_build_object('type', 'FeatureCollection', "
        "'truncated', count(*) > " + str(MAX_FEATURES) + ", "
        "'features', COALESCE(json_agg(json_build_object('type', 'Feature', 'id', f.id, "
        "'geometry', ST_AsGeoJSON(f.g, 6)::json, 'properties', f.p)) "
        "FILTER (WHERE f.g IS NOT NULL), '[]'))::text FROM f"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


BOX_SQL = "ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4490)"


def divisions(level: Level, box: Box, as_of: date) -> str:
    if box.zoom < MIN_ZOOM[level]:
        return '{"type": "FeatureCollection", "truncated": false, "features": [], ' \
               f'"min_zoom": {MIN_ZOOM[level]}}}'
    geometry = ("t.seat" if level == Level.VILLAGE
                else "ST_SimplifyPreserveTopology(t.geom, %(tol)s)")
    select = (
        f"SELECT t.id, {geometry} AS g, json_build_object('code', t.code, 'name', t.name, "
        "'kind', t.kind, 'level', t.level, 'label', ST_AsGeoJSON(COALESCE(t.seat, "
        "ST_PointOnSurface(t.geom)), 5)::json) AS p FROM boundaries_divisionversion t "
        f"WHERE t.level = {int(level)} AND t.kind <> 'placeholder' "
        f"AND {'t.seat' if level == Level.VILLAGE else 't.geom'} && {BOX_SQL} "
        f"AND {in_force_sql('t')} ORDER BY t.code"
    )
    return _collection(select, {**box.params(as_of)})


def lines(box: Box, as_of: date) -> str:
    select = (
        "SELECT t.id, ST_Simplify(t.geom, %(tol)s) AS g, json_build_object('name', t.name, "
        "'level', t.level, 'left_code', t.left_code, 'right_code', t.right_code) AS p "
        f"FROM boundaries_boundaryline t WHERE t.geom && {BOX_SQL} "
        f"AND {in_force_sql('t')} ORDER BY t.level, t.id"
    )
    return _collection(select, box.params(as_of))


def markers(box: Box, as_of: date) -> str:
    select = (
        "SELECT m.id, s.position AS g, json_build_object('number', m.number, 'type', m.type, "
        "'status', s.status) AS p FROM boundaries_boundarymarker m "
        "JOIN boundaries_markerstate s ON s.marker_id = m.id "
        f"WHERE s.position && {BOX_SQL} AND {in_force_sql('s')} ORDER BY m.id"
    )
    return _collection(select, box.params(as_of))


# Vector tiles (the tiles app, /tiles/), for the layers too many to draw whole: the 40k
# townships and the places. From these zooms on (the tile layers' own minimum zooms).
TILE_LAYERS = {"townships": 7, "places": 10}


def web_layers(as_of: date | None) -> dict:
    """What the web map draws, bottom to top: its endpoints (GeoJSON for the box, or a
    vector-tile URL template), styles and zooms."""
    def division(level: Level, labels: bool) -> dict:
        return {"url": f"/api/v1/map/divisions/{level.label}", "style": level.label,
                "min_zoom": MIN_ZOOM[level], "labels": labels}

    def tiles(name: str, style: str) -> dict:
        return {"tiles": f"/tiles/{name}/{{z}}/{{x}}/{{y}}.pbf", "layer": name, "style": style,
                "min_zoom": TILE_LAYERS[name], "labels": False}
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "layers": [
            division(Level.COUNTY, True), tiles("townships", "township"),
            division(Level.PREFECTURE, False), division(Level.PROVINCE, False),
            tiles("places", "places"),
            {"url": "/api/v1/map/lines", "style": "lines", "min_zoom": 8, "labels": False},
            {"url": "/api/v1/map/markers", "style": "markers", "min_zoom": 11, "labels": False},
        ],
    }
