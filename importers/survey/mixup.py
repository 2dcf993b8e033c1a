"""A datum mix-up: Xian 1980 or Beijing 1954 coordinates read as CGCS2000 (or WGS 84).

Such a file is not wrong in its shape: every position is off by nearly the same vector,
tens of metres to over a hundred, which is the old datum's shift there. When a file in
CGCS2000 (declared, given or detected) has markers the register knows, their displacements
from the registered positions are compared: a large mean displacement with a small spread
around it is flagged, like a phone map's GCJ-02 shift (gcj.py). The county's registered
parameter sets say what the shift of each old datum is there and so which one it was.
"""

import math
from collections.abc import Callable

import pyproj
from django.utils.translation import gettext_noop

from boundaries.temporal import today
from config.said import said

from ..selectors import datum_parameters
from . import crs as crs_
from . import datum
from .gcj import _describe, _markers, _registered, _vector
from .params import registered
from .types import WARNING, Feature, Finding

MIN_MARKERS = 3
# displacements between these are a datum's shift, not a survey error nor another place
LEAST_M, MOST_M = 15.0, 250.0
# how constant the vector must be: its spread (RMS about the mean) as a share, or metres
SPREAD_SHARE, SPREAD_M = 0.1, 3.0
# a registered set's shift agrees with the mean displacement within this share or metres
AGREE_SHARE, AGREE_M = 0.2, 5.0


def _counterpart(file_crs: pyproj.CRS, source: pyproj.CRS) -> pyproj.CRS | None:
    """The old datum's CRS with the file's own axes (its projection on the old ellipsoid)."""
    if file_crs.is_geographic:
        return source.geodetic_crs
    spec = {k: v for k, v in datum.proj_spec(file_crs).items()
            if k not in ("ellps", "datum", "towgs84", "a", "b", "rf", "f", "type")}
    shape = source.ellipsoid
    try:
        return pyproj.CRS.from_dict(spec | {"a": shape.semi_major_metre,
                                            "rf": shape.inverse_flattening})
    except pyproj.exceptions.CRSError:
        return None


def expected_shift(found, file_crs: pyproj.CRS, lon: float, lat: float):
    """(east, north) metres a file in the set's old datum would sit from CGCS2000 at lon/lat
    if read in ``file_crs``, or None when the set does not apply to such a file."""
    source = pyproj.CRS.from_user_input(found.source_crs)
    old = source if found.kind == datum.PLANE4 else _counterpart(file_crs, source)
    if old is None or (found.kind == datum.PLANE4 and (
            file_crs.is_geographic or _plane(file_crs) != _plane(source))):
        return None
    choice = crs_.Choice(old, found.source_crs, "given")
    _, to_new = datum.with_parameters(choice, registered(found))
    x, y = to_new.transform(lon, lat, direction="INVERSE")
    as_read = pyproj.Transformer.from_crs(file_crs, crs_.TARGET, always_xy=True)
    moved = as_read.transform(x, y) if not crs_.is_target(file_crs) else (x, y)
    return _vector(lon, lat, *moved)


def _plane(crs: pyproj.CRS) -> dict:
    return {k: v for k, v in datum.proj_spec(crs).items()
            if k in ("proj", "lat_0", "lon_0", "k", "x_0", "y_0")}


def _likely(mean: tuple, sets: list, file_crs, lon: float, lat: float) -> dict:
    """Which mix-up would put the markers there, as a message (config.said)."""
    for found in sets:
        shift = expected_shift(found, file_crs, lon, lat)
        if shift and math.hypot(mean[0] - shift[0], mean[1] - shift[1]) <= max(
                AGREE_M, AGREE_SHARE * math.hypot(*shift)):
            name = pyproj.CRS.from_user_input(found.source_crs).datum.name
            return said(gettext_noop(
                "%(datum)s read as %(read_as)s: the parameters registered for %(county)s (set "
                "%(set)d, %(document)s) shift %(datum)s here by %(shift)s"), {
                    "datum": name, "read_as": file_crs.datum.name,
                    "county": found.county_code[:6], "set": found.id,
                    "document": found.document, "shift": _describe(*shift)})
    if sets:
        return said(gettext_noop("Xian 1980 or Beijing 1954 read as %(read_as)s"),
                    {"read_as": file_crs.datum.name})
    return said(gettext_noop("Xian 1980 or Beijing 1954 read as %(read_as)s (no parameters "
                             "registered for the county to tell which)"),
                {"read_as": file_crs.datum.name})


def findings(features: list[Feature], file_crs: pyproj.CRS, prop: str | None,
             county: Callable) -> list[Finding]:
    """The warning for a file said to be CGCS2000 whose known markers all sit off by one
    vector; nothing otherwise (displaced markers are the reconciliation's business)."""
    if datum.old_datum(file_crs) is not None:
        return []
    surveyed = _markers(features, prop)
    registered = _registered(sorted(surveyed))
    common = sorted(set(surveyed) & set(registered))
    if len(common) < MIN_MARKERS:
        return []
    moves = [_vector(*registered[n], *surveyed[n]) for n in common]
    mean = (sum(m[0] for m in moves) / len(moves), sum(m[1] for m in moves) / len(moves))
    size = math.hypot(*mean)
    spread = math.sqrt(sum((m[0] - mean[0]) ** 2 + (m[1] - mean[1]) ** 2
                           for m in moves) / len(moves))
    if not (LEAST_M <= size <= MOST_M and spread <= max(SPREAD_M, SPREAD_SHARE * size)):
        return []
    lon = sum(registered[n][0] for n in common) / len(common)
    lat = sum(registered[n][1] for n in common) / len(common)


    code = county()
    sets = list(datum_parameters(code, today())) if code else []
    likely = _likely(mean, sets, file_crs, lon, lat)
    return [Finding.said("datum_mixup", WARNING, gettext_noop(
        "looks like a datum mix-up: the %(count)d known marker(s) all sit about %(mean)s from "
        "their registered positions (spread %(spread).1f m), as %(likely)s would put them; "
        "give the file's real coordinate system (--crs) and its parameters"), {
            "count": len(common), "mean": _describe(*mean), "spread": spread,
            "likely": likely})]
