"""Place exports that open in QGIS and GDAL: GeoJSON, GeoPackage, zipped Shapefile (a
layer per geometry family: places_point, places_line, places_polygon), CSV; written by
the registry's one export writer (boundaries.export)."""

from django.db import connection

from boundaries import export

from .search import Filters

MAX_FEATURES = export.MAX_FEATURES
FIELDS = {
    "id": "int", "name": "str:100", "specific": "str:100", "generic": "str:20",
    "class": "str:40", "class_code": "str:8", "roman": "str:254", "trad": "str:100",
    "status": "str:12", "valid_from": "date", "valid_to": "date", "county": "str:254",
    "heritage": "str:12",
}
FORMATS = export.formats("places")

ROWS_SQL = """
SELECT p.id, p.name, p.specific, p.generic, c.slug, c.code,
       COALESCE(NULLIF(p.romanization_override, ''), p.romanization), p.traditional, p.status,
       p.valid_from, p.valid_to,
       (SELECT string_agg(pd.division_code, ';' ORDER BY pd.division_code)
        FROM gazetteer_placedivision pd WHERE pd.place_id = p.id AND pd.level = 3
          AND pd.valid_to IS NULL),
       p.heritage_category, ST_AsGeoJSON(p.geom, 7), ST_AsText(p.geom),
       ST_X(ST_PointOnSurface(p.geom)), ST_Y(ST_PointOnSurface(p.geom))
FROM gazetteer_place p JOIN gazetteer_placeclass c ON c.id = p.place_class_id
WHERE {where} ORDER BY p.id LIMIT %(cap)s
"""


def export_rows(filters: Filters) -> list[dict]:
    params: dict = {"cap": MAX_FEATURES + 1}
    with connection.cursor() as cur:
        cur.execute(ROWS_SQL.format(where=filters.sql(params)), params)
        rows = cur.fetchall()
    export.capped(rows, "places", "division=, class= or bbox=")
    return [dict(zip([*FIELDS, *export.GEOMETRY_COLUMNS],
                     [*row[:11], row[11] or "", row[12], *row[13:]], strict=True))
            for row in rows]


def write(fmt: str, rows: list[dict]) -> bytes:
    return export.write(fmt, rows, FIELDS, "places")
