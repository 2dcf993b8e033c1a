"""File exports that open in QGIS and GDAL: GeoJSON, GeoPackage, zipped Shapefile, CSV.

One writer for every export of the registry (border lines, markers, divisions with their
history here; places in gazetteer.export). Fiona writes the vector formats in CGCS2000
(EPSG:4490). Field names fit the Shapefile's ten characters so every format has the
same columns. A Shapefile holds one geometry family, so the zip has a layer per family
(<name>_point, <name>_line, <name>_polygon), each with a .cpg saying UTF-8 (older tools
read .dbf text as the local code page otherwise). CSV carries WKT and a point on the
surface as lon/lat, with a BOM so spreadsheet programs read the Chinese.

Rows are dicts holding the fields and ``geojson``, ``wkt``, ``lon``, ``lat``.
"""

import csv
import io
import json
import tempfile
import zipfile
from pathlib import Path

import fiona
from django.utils.translation import gettext_noop
from fiona.crs import CRS
from fiona.model import Feature

from config.errors import BadRequest

MAX_FEATURES = 100_000
# Family → the layer's geometry type; lines and polygons are written as multi (a
# Shapefile layer has one type), points stay points.
FAMILIES = {"Point": "point", "MultiPoint": "multipoint", "LineString": "line",
            "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}
LAYER_TYPES = {"point": "Point", "multipoint": "MultiPoint", "line": "MultiLineString",
               "polygon": "MultiPolygon"}
# the geometry columns every export row carries beside its fields
GEOMETRY_COLUMNS = ["geojson", "wkt", "lon", "lat"]


def formats(name: str) -> dict[str, tuple[str, str]]:
    """format → (content type, file name) for an export called ``name``."""
    return {
        "geojson": ("application/geo+json", f"{name}.geojson"),
        "gpkg": ("application/geopackage+sqlite3", f"{name}.gpkg"),
        "shp": ("application/zip", f"{name}-shp.zip"),
        "csv": ("text/csv; charset=utf-8", f"{name}.csv"),
    }


def checked_format(fmt: str) -> str:
    if fmt not in formats("x"):
        raise BadRequest.of(gettext_noop("format %(format)r: expected one of %(expected)s"),
                            format=fmt, expected=", ".join(formats("x")))
    return fmt


def capped(rows: list, what: str, narrow: str = "division=, level= or as_of=") -> list:
    """Refuse an export beyond MAX_FEATURES rows (the query fetched one more to know)."""
    if len(rows) > MAX_FEATURES:
        raise BadRequest.of(gettext_noop("more than %(cap)s %(what)s match: narrow the export "
                                         "with %(narrow)s"),
                            cap=MAX_FEATURES, what=what, narrow=narrow)

    return rows


def _feature(row: dict, fields: dict, promote: bool = False) -> Feature:
    geometry = json.loads(row["geojson"]) if row["geojson"] else None
    if promote and geometry and geometry["type"] in ("LineString", "Polygon"):
        geometry = {"type": "Multi" + geometry["type"], "coordinates": [geometry["coordinates"]]}
    return Feature.from_dict({"type": "Feature", "geometry": geometry,
                              "properties": {k: row[k] for k in fields}})


def _write_layer(path: Path, driver: str, rows: list[dict], fields: dict, geometry: str,
                 **kwargs) -> None:
    schema = {"geometry": geometry, "properties": fields}
    promote = geometry.startswith("Multi")
    with fiona.open(path, "w", driver=driver, crs=CRS.from_epsg(4490), schema=schema,
                    encoding="utf-8", **kwargs) as sink:
        sink.writerecords(_feature(row, fields, promote) for row in rows)


def _family(row: dict) -> str:
    kind = json.loads(row["geojson"])["type"] if row["geojson"] else "Point"
    return FAMILIES.get(kind, "point")


def write(fmt: str, rows: list[dict], fields: dict, name: str) -> bytes:
    """The rows as a file of the format: its bytes."""
    if fmt == "csv":
        return _csv(rows, fields)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if fmt == "geojson":
            _write_layer(tmp / f"{name}.geojson", "GeoJSON", rows, fields, "Unknown")
            return (tmp / f"{name}.geojson").read_bytes()
        if fmt == "gpkg":
            _write_layer(tmp / f"{name}.gpkg", "GPKG", rows, fields, "Unknown", layer=name)
            return (tmp / f"{name}.gpkg").read_bytes()
        return _shapefile_zip(tmp, rows, fields, name)


def _shapefile_zip(tmp: Path, rows: list[dict], fields: dict, name: str) -> bytes:
    for family, kind in LAYER_TYPES.items():
        part = [r for r in rows if _family(r) == family]
        if part or family == "point":  # an empty export still has one layer
            _write_layer(tmp / f"{name}_{family}.shp", "ESRI Shapefile", part, fields, kind)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tmp.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


def _csv(rows: list[dict], fields: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*fields, "lon", "lat", "wkt"])
    for row in rows:
        writer.writerow([*(row[k] if row[k] is not None else "" for k in fields),
                         row["lon"] if row["lon"] is not None else "",
                         row["lat"] if row["lat"] is not None else "", row["wkt"] or ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
