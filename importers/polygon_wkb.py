"""2D WKB of polygonal Fiona geometries, built from whole coordinate arrays.

Building WKB here (not through GEOS or Shapely) lets the loader hand PostGIS bytes it
parses in one pass; rings GEOS would refuse are mended the way ST_MakeValid would.
"""

import struct
import sys
from array import array
from itertools import chain

_ORDER = 1 if sys.byteorder == "little" else 0  # WKB in native order: array.tobytes() as is
POLYGONAL = {"Polygon": 3, "MultiPolygon": 6, "GeometryCollection": 7}


def _ring(points) -> bytes:
    if points and len(points[0]) != 2:  # drop z: divisions are planar
        points = [p[:2] for p in points]
    return struct.pack("=I", len(points)) + array("d", chain.from_iterable(points)).tobytes()


def wkb(kind: str, coords) -> bytes:
    """2D WKB of a (Multi)Polygon, built from whole coordinate arrays, not point by point."""
    head = struct.pack("=BII", _ORDER, POLYGONAL[kind], len(coords))
    if kind == "Polygon":
        return head + b"".join(_ring(ring) for ring in coords)
    return head + b"".join(wkb("Polygon", polygon) for polygon in coords)


def _polygons(geom) -> list:
    """(kind, coordinates) of the polygonal parts: lines and points have no area."""
    if geom.type == "GeometryCollection":
        return [part for g in geom.geometries for part in _polygons(g)]
    return [(geom.type, geom.coordinates)] if geom.type in POLYGONAL else []


def _mend(rings: list) -> list:
    """Rings closed, the ones with no area dropped (with their holes if it is the shell)."""
    closed = [ring if ring[0] == ring[-1] else [*ring, ring[0]] for ring in rings if ring]
    if not closed or len(closed[0]) < 4:
        return []
    return [closed[0]] + [ring for ring in closed[1:] if len(ring) >= 4]


def to_wkb(geom) -> tuple[bytes, bool]:
    """WKB and whether GEOS can take the geometry as it is. GEOS and PostGIS's WKB input both
    refuse an open ring or one of fewer than four points (the real data has them); those
    are mended here as ST_MakeValid would, and the feature still counts as repaired."""
    parts = _polygons(geom)
    if geom.type in ("Polygon", "MultiPolygon") and len(parts) == 1:
        kind, coords = parts[0]
        polygons = coords if kind == "MultiPolygon" else [coords]
        if all(len(r) >= 4 and r[0] == r[-1] for rings in polygons for r in rings):
            return wkb(kind, coords), True
    mended = [m for kind, coords in parts
              for m in map(_mend, coords if kind == "MultiPolygon" else [coords]) if m]
    return wkb("MultiPolygon", mended), False
