"""Survey files for the inspection tests: the line's Gauss-Krüger zone, a surveyed line
bumped off the registered one, GeoPackages and surveyors' CSV files built with Fiona.
"""

import csv
import math
from datetime import date
from pathlib import Path

import fiona
from django.contrib.gis.geos import LineString, MultiLineString, Point, Polygon
from fiona.crs import CRS
from pyproj import Transformer

from boundaries.models import BoundaryLine

ZHONGSHAN, SHUICHENG = "520201000000", "520204000000"
INSTALLED = date(2010, 5, 1)
# 六盘水 lies around 104.8°E: CGCS2000 3-degree zone 35 (105°E), zone prefix in the easting.
GK = 4523
TO_GK = Transformer.from_crs(4490, GK, always_xy=True)
FROM_GK = Transformer.from_crs(GK, 4490, always_xy=True)
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


def with_loop(parts: list[list[tuple]], reach: float, width: float, neck: float = 0.5):
    """The longest part with a loop (an oxbow) inserted at a vertex near its middle: out
    across the line ``reach`` metres, ``width`` wide, and back ``neck`` metres further along.
    A survey of the original line cuts across the loop's neck. Returns the looped parts and
    the loop as a ring (the face it encloses with the original line)."""
    longest = max(range(len(parts)), key=lambda i: len(parts[i]))
    coords = list(parts[longest])
    middle = len(coords) // 2
    whole = as_geos(parts)
    for i in sorted(range(1, len(coords) - 1), key=lambda k: abs(k - middle)):
        (x1, y1), (x2, y2) = coords[i], coords[i + 1]
        length = math.hypot(x2 - x1, y2 - y1)
        if length < 5 * neck:
            continue
        tx, ty = (x2 - x1) / length, (y2 - y1) / length
        for sign in (1, -1):
            loop = [(x1 + u * tx - sign * v * ty, y1 + u * ty + sign * v * tx)
                    for u, v in _teardrop(reach, width, neck)]
            looped = coords[:i + 1] + loop[1:] + coords[i + 1:]
            ring = Polygon(loop + [loop[0]], srid=GK)
            # the loop's far end as far from the line as the loop reaches
            tip = Point(loop[len(loop) // 2], srid=GK)
            if (LineString(looped, srid=GK).simple and ring.valid
                    and ring.intersection(whole).length < 2 * neck
                    and whole.distance(tip) > 0.99 * reach):
                return parts[:longest] + [looped] + parts[longest + 1:], ring
    raise AssertionError("no vertex takes the loop without the line crossing itself")


def _teardrop(reach: float, width: float, neck: float) -> list[tuple[float, float]]:
    """(along, across) from the start of the neck to its end: flanks widening over 100 m,
    straight sides and a round end ``reach`` from the line."""
    half, radius = width / 2, (width + neck) / 2
    centre = (neck / 2, reach - radius)
    end = [(centre[0] + radius * math.cos(a), centre[1] + radius * math.sin(a))
           for a in (math.pi * (1 - k / 32) for k in range(33))]
    return ([(0.0, 0.0), (-half, 100.0)] + end + [(half + neck, 100.0), (neck, 0.0)])
