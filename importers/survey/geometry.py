"""Coordinates: flattened into two arrays, reprojected in one PROJ call, put back in place.

A survey is a few long lines and thousands of markers: one transform over every vertex of
the file costs about as much as a handful of per-feature calls. Geometries keep their z.
"""

import math
import struct
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice

import pyproj
from django.utils.translation import gettext_noop

from . import crs as crs_
from .types import Feature

DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "Polygon": 2, "MultiLineString": 2,
         "MultiPolygon": 3}
WKB_TYPES = {"Point": 1, "LineString": 2, "Polygon": 3, "MultiPoint": 4, "MultiLineString": 5,
             "MultiPolygon": 6, "GeometryCollection": 7}
PARTS = {"MultiPoint": "Point", "MultiLineString": "LineString", "MultiPolygon": "Polygon"}
_ORDER = 1 if sys.byteorder == "little" else 0  # native order: array.tobytes() as is
EWKB_SRID = 0x20000000


def _leaves(coords, depth: int, out: list) -> None:
    if depth == 0:
        if coords:
            out.append(coords)
    elif depth == 1:
        out.extend(coords)
    else:
        for part in coords:
            _leaves(part, depth - 1, out)


def positions(geom: dict | None, out: list) -> None:
    """Append the geometry's positions to ``out`` in document order."""
    if not geom:
        return
    if geom["type"] == "GeometryCollection":
        for part in geom["geometries"]:
            positions(part, out)
    else:
        _leaves(geom["coordinates"], DEPTH[geom["type"]], out)


def _rebuild(coords, depth: int, it: Iterator):
    if depth == 0:
        return next(it) if coords else coords
    if depth == 1:
        return list(islice(it, len(coords)))
    return [_rebuild(part, depth - 1, it) for part in coords]


def rebuild(geom: dict | None, it: Iterator) -> dict | None:
    if not geom:
        return geom
    kind = geom["type"]
    if kind == "GeometryCollection":
        return {"type": kind, "geometries": [rebuild(g, it) for g in geom["geometries"]]}
    return {"type": kind, "coordinates": _rebuild(geom["coordinates"], DEPTH[kind], it)}


@dataclass
class Flat:
    xs: array
    ys: array
    points: list  # the original positions (their z, if any, is kept)
    spans: list[tuple[int, int]]  # each feature's slice of xs/ys
    has_z: bool = False

    def bounds(self) -> tuple[tuple, tuple]:
        if math.isfinite(sum(self.xs) + sum(self.ys)):
            return (min(self.xs), max(self.xs)), (min(self.ys), max(self.ys))
        finite_x = [v for v in self.xs if math.isfinite(v)]
        finite_y = [v for v in self.ys if math.isfinite(v)]
        if not finite_x or not finite_y:
            return (math.nan, math.nan), (math.nan, math.nan)
        return (min(finite_x), max(finite_x)), (min(finite_y), max(finite_y))


def flatten(features: list[Feature]) -> Flat:
    points, spans = [], []
    for feature in features:
        start, geom = len(points), feature.geometry
        if geom and geom["type"] == "Point" and geom["coordinates"]:
            points.append(geom["coordinates"])  # most features are markers
        else:
            positions(geom, points)
        spans.append((start, len(points)))
    both = array("d", chain.from_iterable(points))
    if len(both) == 2 * len(points):  # all 2D: split the pairs at C speed
        return Flat(both[0::2], both[1::2], points, spans)
    return Flat(array("d", (p[0] for p in points)), array("d", (p[1] for p in points)),
                points, spans, has_z=True)


def to_target(flat: Flat, source: pyproj.CRS, swap: bool,
              transformer: pyproj.Transformer | None = None) -> None:
    """Reproject xs/ys to EPSG:4490 lon/lat in place (with ``transformer``, east/north or
    lon/lat in, when given); points PROJ cannot take become inf."""
    if swap:
        flat.xs, flat.ys = flat.ys, flat.xs
    if not flat.points or (transformer is None and crs_.is_target(source)):
        return
    transformer = transformer or pyproj.Transformer.from_crs(source, crs_.TARGET,
                                                             always_xy=True)
    transformer.transform(flat.xs, flat.ys, inplace=True, errcheck=False)


def put_back(features: list[Feature], flat: Flat) -> None:
    """Replace every feature's geometry by its transformed one, z kept."""
    if flat.has_z:
        moved = ((x, y, *p[2:]) for x, y, p in zip(flat.xs, flat.ys, flat.points, strict=True))
    else:
        moved = zip(flat.xs, flat.ys, strict=True)
    it = iter(moved)
    for feature in features:
        geom = feature.geometry
        if geom and geom["type"] == "Point" and geom["coordinates"]:
            geom["coordinates"] = next(it)  # the reader's own dict: changed in place
        else:
            feature.geometry = rebuild(geom, it)


def _xy(points) -> bytes:
    if points and len(points[0]) == 2:
        return struct.pack("=I", len(points)) + array("d", chain.from_iterable(points)).tobytes()
    return struct.pack("=I", len(points)) + array(
        "d", chain.from_iterable(p[:2] for p in points)).tobytes()


_POINT = struct.Struct("=BIIdd")


def point_ewkb(x: float, y: float, srid: int) -> bytes:
    return _POINT.pack(_ORDER, WKB_TYPES["Point"] | EWKB_SRID, srid, x, y)


def wkb(geom: dict, srid: int | None = None) -> bytes:
    """2D (E)WKB of a GeoJSON-like geometry; the SRID only on the outer one."""
    kind = geom["type"]
    coords = geom.get("coordinates")
    if kind == "Point" and srid and coords:
        return point_ewkb(coords[0], coords[1], srid)
    head = struct.pack("=BI", _ORDER, WKB_TYPES[kind] | (EWKB_SRID if srid else 0))
    head += struct.pack("=I", srid) if srid else b""
    if kind == "GeometryCollection":
        parts = geom["geometries"]
        return head + struct.pack("=I", len(parts)) + b"".join(wkb(g) for g in parts)
    if kind == "Point":
        return head + struct.pack("=dd", *(coords[:2] if coords else (math.nan, math.nan)))
    if kind == "LineString":
        return head + _xy(coords)
    if kind == "Polygon":
        return head + struct.pack("=I", len(coords)) + b"".join(_xy(ring) for ring in coords)
    part = PARTS[kind]
    return head + struct.pack("=I", len(coords)) + b"".join(
        wkb({"type": part, "coordinates": c}) for c in coords)


def structure_problem(geom: dict) -> tuple[str, dict] | None:
    """What PostGIS's WKB reader would refuse: a line of one point, an open or short ring
    (a message's template and parameters)."""
    kind = geom["type"]
    if kind == "GeometryCollection":
        return next(filter(None, map(structure_problem, geom["geometries"])), None)
    coords = geom["coordinates"]
    lines = [coords] if kind == "LineString" else coords if kind == "MultiLineString" else []
    rings = (coords if kind == "Polygon" else
             [ring for polygon in coords for ring in polygon] if kind == "MultiPolygon" else [])
    if any(len(line) < 2 for line in lines):
        return gettext_noop("a line with fewer than 2 points"), {}
    for ring in rings:
        if len(ring) < 4:
            return gettext_noop("a ring of %(points)d points (at least 4 are needed)"), {
                "points": len(ring)}
        if tuple(ring[0][:2]) != tuple(ring[-1][:2]):
            return gettext_noop("an open ring (starts at %(start)s, ends at %(end)s)"), {
                "start": str(ring[0][:2]), "end": str(ring[-1][:2])}
    return None

