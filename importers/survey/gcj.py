"""GCJ-02: the offset every consumer map in China applies to longitude/latitude.

A position read off a phone map is shifted from CGCS2000 by a few hundred metres, in
a direction that varies slowly across the country. When the user says a file comes
from a phone map, the shift expected there (prcoords, the public formulas) is compared
with how far the file's markers sit from their registered positions: if the markers
are displaced by about that vector, the file is GCJ-02 and is flagged.
"""

import math

import prcoords
import pyproj
from django.db import connection
from django.utils.translation import gettext_noop

from config.said import said

from .types import INFO, WARNING, Feature, Finding

_GEOD = pyproj.Geod(ellps="GRS80")  # the CGCS2000 ellipsoid
# How close the markers' mean displacement must come to the expected shift, as a share
# of the shift and at least in metres (a phone map pin is itself off by a few metres).
AGREE_SHARE, AGREE_MIN_M = 0.25, 30.0


def shift_m(lon: float, lat: float) -> tuple[float, float]:
    """(east, north) metres GCJ-02 moves a position at lon/lat."""
    moved = prcoords.wgs_gcj((lat, lon), check_china=False)
    return _vector(lon, lat, moved.lon, moved.lat)


def _vector(lon0: float, lat0: float, lon1: float, lat1: float) -> tuple[float, float]:
    azimuth, _, metres = _GEOD.inv(lon0, lat0, lon1, lat1)
    return metres * math.sin(math.radians(azimuth)), metres * math.cos(math.radians(azimuth))


def _registered(numbers: list[str]) -> dict[str, tuple[float, float]]:
    """Current registered positions of the markers with these numbers."""
    if not numbers:
        return {}
    with connection.cursor() as cur:
        cur.execute("""
            SELECT m.number, ST_X(s.position), ST_Y(s.position)
            FROM boundaries_boundarymarker m
            JOIN boundaries_markerstate s ON s.marker_id = m.id AND s.valid_to IS NULL
            WHERE m.retired_on IS NULL AND m.number = ANY(%s)""", [numbers])
        return {number: (x, y) for number, x, y in cur.fetchall()}


def _markers(features: list[Feature], prop: str | None) -> dict[str, tuple[float, float]]:
    if prop is None:
        return {}
    return {str(f.properties[prop]).strip(): tuple(f.geometry["coordinates"][:2])
            for f in features
            if f.geometry and f.geometry["type"] == "Point" and f.properties.get(prop)}


def _describe(east: float, north: float) -> dict:
    """A displacement, as a message (config.said) to put inside another."""
    return said(gettext_noop("%(distance).0f m (%(east)+.0f m east, %(north)+.0f m north)"),
                {"distance": math.hypot(east, north), "east": east, "north": north})


def findings(features: list[Feature], geographic: bool, prop: str | None) -> list[Finding]:
    """What to say about a file the user says comes from a phone map (features in 4490)."""
    if not geographic:
        return [Finding.said("gcj02", INFO, gettext_noop(
            "the file is said to come from a phone map, but its coordinates are projected: "
            "GCJ-02 shifts longitude/latitude only; not checked"))]
    surveyed = _markers(features, prop)
    points = list(surveyed.values()) or [
        tuple(f.geometry["coordinates"][:2]) for f in features
        if f.geometry and f.geometry["type"] == "Point"]
    if not points:
        return [Finding.said("gcj02", INFO, gettext_noop(
            "no points to check for the GCJ-02 shift"))]
    lon = sum(p[0] for p in points) / len(points)
    lat = sum(p[1] for p in points) / len(points)
    expected = shift_m(lon, lat)
    registered = _registered(sorted(surveyed))
    common = sorted(set(surveyed) & set(registered))
    if not common:
        return [Finding.said("gcj02", WARNING, gettext_noop(
            "phone maps give GCJ-02 positions, shifted here by %(shift)s from CGCS2000; no "
            "marker number matches a registered marker, so the file cannot be checked: treat "
            "its positions as off by that much"), {"shift": _describe(*expected)})]
    moves = [_vector(*registered[n], *surveyed[n]) for n in common]
    mean = (sum(m[0] for m in moves) / len(moves), sum(m[1] for m in moves) / len(moves))
    gap = math.hypot(mean[0] - expected[0], mean[1] - expected[1])
    if gap <= max(AGREE_SHARE * math.hypot(*expected), AGREE_MIN_M):
        return [Finding.said("gcj02", WARNING, gettext_noop(
            "looks like GCJ-02: the %(count)d known marker(s) sit on average %(mean)s from "
            "their registered positions, as the GCJ-02 shift here (%(shift)s) would put them; "
            "convert the file to CGCS2000 before it is used"), {
                "count": len(common), "mean": _describe(*mean), "shift": _describe(*expected)})]
    return [Finding.said("gcj02", INFO, gettext_noop(
        "does not look like GCJ-02: the %(count)d known marker(s) sit on average %(mean)s "
        "from their registered positions; the GCJ-02 shift here would be %(shift)s"), {
            "count": len(common), "mean": _describe(*mean), "shift": _describe(*expected)})]
