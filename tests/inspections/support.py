"""Survey files for the inspection tests: the line's Gauss-Krüger zone, a surveyed line
bumped off the registered one, GeoPackages and surveyors' CSV files built with Fiona.
"""

import csv
from datetime import date
from pathlib import Path

import fiona
from django.contrib.gis.geos import LineString, MultiLineString, Point
from fiona.crs import CRS
from pyproj import Transformer

from boundaries.models import BoundaryLine

ZHONGSHAN, SHUICHENG = "520201000000", "520204000000"
INSTALLED = date(2010, 5, 1)
# 六盘水 lies around 104.8°E: CGCS2000 3-degree zone 35 (105°E), zone prefix in the easting.
GK = 4523
TO_GK = Transformer.from_crs(4490, GK, always_xy=True)
NUMBERS = ["钟水01", "钟水02", "钟水03", "钟水04"]
FRACTIONS = [0.2, 0.4, 0.6, 0.8]


def on_line(line: BoundaryLine, fraction: float) -> Point:
    point = line.geom[0].interpolate_normalized(fraction)
    point.srid = 4490
    return point


def gk(point: Point) -> tuple[float, float]:
    return TO_GK.transform(point.x, point.y)


def line_in_gk(line: BoundaryLine) -> list[list[tuple[float, float]]]:
    return [[TO_GK.transform(x, y) for x, y in part.coords] for part in line.geom]


def bump(parts: list[list[tuple]], metres: float, at: float = 0.5) -> list[list[tuple]]:
    """The longest part with one vertex near ``at`` of its length moved ``metres`` across the
    chord of its neighbours: a difference enclosing roughly half a neighbour span × metres.
    The vertex is chosen so the line stays simple, and the side (whichever way the line
    runs) so the vertex ends ``metres`` from the line, not nearer inside a bend."""
    longest = max(range(len(parts)), key=lambda i: len(parts[i]))
    coords = list(parts[longest])
    start = int(len(coords) * at)
    for i, side in [(i, side) for i in list(range(start, len(coords) - 1)) + list(range(1, start))
                    for side in (1, -1)]:
        (x0, y0), (x1, y1), (x2, y2) = coords[i - 1], coords[i], coords[i + 1]
        dx, dy = x2 - x0, y2 - y0
        norm = (dx * dx + dy * dy) ** 0.5
        vertex = (x1 - side * dy / norm * metres, y1 + side * dx / norm * metres) if norm else None
        if norm < 50 or Point(vertex).distance(LineString(coords)) < 0.999 * metres:
            continue
        moved = coords[:i] + [vertex] + coords[i + 1:]
        if LineString(moved, srid=GK).simple and all(
                not LineString(moved).crosses(LineString(p)) for j, p in enumerate(parts)
                if j != longest):
            return parts[:longest] + [moved] + parts[longest + 1:]
    raise AssertionError("no vertex can be moved without the line crossing itself")


def write_gpkg(path: Path, points: dict[str, tuple[float, float]],
               parts: list[list[tuple]] | None) -> Path:
    """A GeoPackage in EPSG:4523 with a layer 界桩 (界桩号) and a layer 界线."""
    with fiona.open(path, "w", driver="GPKG", layer="界桩", crs=CRS.from_epsg(GK),
                    schema={"geometry": "Point", "properties": {"界桩号": "str"}}) as sink:
        sink.writerecords({"geometry": {"type": "Point", "coordinates": xy},
                           "properties": {"界桩号": number}} for number, xy in points.items())
    if parts is not None:
        with fiona.open(path, "w", driver="GPKG", layer="界线", crs=CRS.from_epsg(GK),
                        schema={"geometry": "MultiLineString",
                                "properties": {"名称": "str"}}) as sink:
            sink.write({"geometry": {"type": "MultiLineString", "coordinates": parts},
                        "properties": {"名称": "钟水线"}})
    return path


def write_csv(path: Path, points: dict[str, tuple[float, float]]) -> Path:
    """Surveyors' convention: X is the northing, Y the easting (with its zone prefix)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["界桩号", "X", "Y"])
        for number, (east, north) in points.items():
            writer.writerow([number, f"{north:.3f}", f"{east:.3f}"])
    return path


def as_geos(parts: list[list[tuple]]) -> MultiLineString:
    return MultiLineString([LineString(p) for p in parts], srid=GK)
