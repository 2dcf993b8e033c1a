"""Place exports that open in QGIS and GDAL: GeoJSON, GeoPackage, zipped Shapefile, CSV.

Fiona writes the vector formats, in CGCS2000 (EPSG:4490). Field names fit the
Shapefile's ten characters so every format has the same columns. A Shapefile holds
one geometry family, so the zip has a layer per family (places_point,
places_line, places_polygon), each with a .cpg saying UTF-8 (older tools read
.dbf text as the local code page otherwise). CSV carries WKT and a point on the
surface as lon/lat, with a BOM so spreadsheet programs read the Chinese.
"""

import csv
import io
import json
import tempfile
import zipfile
from pathlib import Path

import fiona
from django.db import connection
from fiona.crs import CRS
from fiona.model import Feature

from config.errors import BadRequest

from .search import Filters

MAX_FEATURES = 100_000
FIELDS = {
    "id": "int", "name": "str:100", "specific": "str:100", "generic": "str:20",
    "class": "str:40", "class_code": "str:8", "roman": "str:254", "trad": "str:100",
    "status": "str:12", "valid_from": "date", "valid_to": "date", "county": "str:254",
    "heritage": "str:12",
}
# Family → the layer's geometry type; lines and polygons are written as multi (a
# Shapefile layer has one type), points stay points.
FAMILIES = {"Point": "point", "MultiPoint": "multipoint", "LineString": "line",
            "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}
LAYER_TYPES = {"point": "Point", "multipoint": "MultiPoint", "line": "MultiLineString",
               "polygon": "MultiPolygon"}
FORMATS = {
    "geojson": ("application/geo+json", "places.geojson"),
    "gpkg": ("application/geopackage+sqlite3", "places.gpkg"),
    "shp": ("application/zip", "places-shp.zip"),
    "csv": ("text/csv; charset=utf-8", "places.csv"),
}

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
    if len(rows) > MAX_FEATURES:
        raise BadRequest(f"more than {MAX_FEATURES} places match: narrow the export with "
                         "division=, class= or bbox=")
    return [dict(zip([*FIELDS, "geojson", "wkt", "lon", "lat"],
                     [*row[:11], row[11] or "", row[12], *row[13:]], strict=True))
            for row in rows]


def _feature(row: dict, promote: bool = False) -> Feature:
    geometry = json.loads(row["geojson"]) if row["geojson"] else None
    if promote and geometry and geometry["type"] in ("LineString", "Polygon"):
        geometry = {"type": "Multi" + geometry["type"], "coordinates": [geometry["coordinates"]]}
    return Feature.from_dict({"type": "Feature", "geometry": geometry,
                              "properties": {k: row[k] for k in FIELDS}})


def _write_layer(path: Path, driver: str, rows: list[dict], geometry: str, **kwargs) -> None:
    schema = {"geometry": geometry, "properties": FIELDS}
    promote = geometry.startswith("Multi")
    with fiona.open(path, "w", driver=driver, crs=CRS.from_epsg(4490), schema=schema,
                    encoding="utf-8", **kwargs) as sink:
        sink.writerecords(_feature(row, promote) for row in rows)


def _family(row: dict) -> str:
    kind = json.loads(row["geojson"])["type"] if row["geojson"] else "Point"
    return FAMILIES.get(kind, "point")


def write(fmt: str, rows: list[dict]) -> bytes:
    if fmt == "csv":
        return _csv(rows)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if fmt == "geojson":
            _write_layer(tmp / "places.geojson", "GeoJSON", rows, "Unknown")
            return (tmp / "places.geojson").read_bytes()
        if fmt == "gpkg":
            _write_layer(tmp / "places.gpkg", "GPKG", rows, "Unknown", layer="places")
            return (tmp / "places.gpkg").read_bytes()
        return _shapefile_zip(tmp, rows)


def _shapefile_zip(tmp: Path, rows: list[dict]) -> bytes:
    for family, kind in LAYER_TYPES.items():
        part = [r for r in rows if _family(r) == family]
        if part or family == "point":  # an empty export still has one layer
            _write_layer(tmp / f"places_{family}.shp", "ESRI Shapefile", part, kind)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tmp.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*FIELDS, "lon", "lat", "wkt"])
    for row in rows:
        writer.writerow([*(row[k] if row[k] is not None else "" for k in FIELDS),
                         row["lon"] if row["lon"] is not None else "",
                         row["lat"] if row["lat"] is not None else "", row["wkt"] or ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
