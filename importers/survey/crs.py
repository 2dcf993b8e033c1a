"""Decide a survey file's coordinate system: declared by the file, else given, else detected.

Detection reads the coordinate ranges. Longitude/latitude is EPSG:4490. A Gauss-Krüger
easting with the zone number in front (35 500 000 m) names its zone: 25–45 are the
CGCS2000 3-degree zones (EPSG:4513–4533), 13–23 the 6-degree ones (EPSG:4491–4501). An
easting without the prefix (500 000 m) fits every central meridian alike: it is taken only
when a registered division says where the survey is (the nearest 3-degree meridian,
EPSG:4534–4554), and refused otherwise with the --crs values that would fit.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import pyproj
from django.utils.translation import gettext_noop
from pyproj.exceptions import CRSError

from config.said import Said, said

from ..errors import ImporterError, RefusedFile

TARGET = 4490
# WGS 84 and CGCS2000 differ by less than a metre and PROJ knows only a null transformation
SAME_AS_TARGET = {4326, 4490}
CHINA = (73.0, 3.0, 136.0, 54.0)  # lon/lat box of the country, the South China Sea included
NEAR_CHINA = (60.0, 0.0, 150.0, 60.0)
# Surveys near a zone's edge run into the next zone: only far beyond the area of use are
# coordinates meaningless (PROJ's inverse Gauss-Krüger wraps them onto real-looking lon/lat)
DOMAIN_MARGIN = 3.0


@dataclass
class Choice:
    crs: pyproj.CRS
    label: str  # "EPSG:n" or, for a CRS without a code, its name
    source: str  # declared / detected / given
    swap: bool = False  # the file's first coordinate is the northing (or latitude)
    # config.said messages: {"template", "params"}
    note: dict | None = None
    warning: dict | None = None
    domain: tuple | None = None  # lon/lat box where a projected CRS is meaningful

    def __post_init__(self):
        area = self.crs.area_of_use
        if area is None and self.label.startswith("EPSG:"):  # WKT from a file has none
            area = pyproj.CRS.from_user_input(self.label).area_of_use
        if self.crs.is_projected and area is not None:
            self.domain = (area.west - DOMAIN_MARGIN, area.south - DOMAIN_MARGIN,
                           area.east + DOMAIN_MARGIN, area.north + DOMAIN_MARGIN)


def label(crs: pyproj.CRS) -> str:
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg}" if epsg else crs.name


def parse(text: str, what: str) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(text)
    except CRSError as exc:
        raise ImporterError.of(gettext_noop("%(what)s %(text)r is not a coordinate system PROJ "
                                            "knows (e.g. EPSG:4523)"),
                               what=what, text=text) from exc


def is_target(crs: pyproj.CRS) -> bool:
    return crs.to_epsg(min_confidence=70) in SAME_AS_TARGET or crs.equals(
        "OGC:CRS84", ignore_axis_order=True)


def _inside(box: tuple, xr: tuple, yr: tuple) -> bool:
    return box[0] <= xr[0] and xr[1] <= box[2] and box[1] <= yr[0] and yr[1] <= box[3]


def fits(crs: pyproj.CRS, xr: tuple, yr: tuple) -> bool:
    """Whether the corners of the range land near China in this CRS."""
    if is_target(crs):
        return _inside(NEAR_CHINA, xr, yr)
    try:
        to = pyproj.Transformer.from_crs(crs, TARGET, always_xy=True)
        lons, lats = to.transform([xr[0], xr[1], xr[0], xr[1]], [yr[0], yr[0], yr[1], yr[1]])
    except pyproj.exceptions.ProjError:
        return False
    finite = all(math.isfinite(v) for v in (*lons, *lats))
    return finite and _inside(NEAR_CHINA, (min(lons), max(lons)), (min(lats), max(lats)))


def _zone_crs(xr: tuple, yr: tuple) -> tuple[int, dict] | None:
    zone = math.floor(xr[0] / 1e6)
    if zone != math.floor(xr[1] / 1e6) or not 0 <= yr[0] <= yr[1] < 1e7:
        return None
    if 25 <= zone <= 45:
        return 4513 + zone - 25, said(gettext_noop(
            "3-degree Gauss-Krüger eastings with zone prefix %(zone)d"), {"zone": zone})
    if 13 <= zone <= 23:
        return 4491 + zone - 13, said(gettext_noop(
            "6-degree Gauss-Krüger eastings with zone prefix %(zone)d"), {"zone": zone})
    return None


def detect(xr: tuple, yr: tuple, division_lon: float | None, lonlat_box: tuple = CHINA
           ) -> tuple[int, dict] | None:
    """(EPSG code, why: a config.said message) from the coordinate ranges, or None when
    they do not tell."""
    if _inside(lonlat_box, xr, yr):
        return TARGET, said(gettext_noop("longitude/latitude values"))
    zone = _zone_crs(xr, yr)
    if zone:
        return zone
    if plain_gk(xr, yr) and division_lon is not None:
        meridian = 3 * round(division_lon / 3)
        if 75 <= meridian <= 135:
            return 4534 + (meridian - 75) // 3, said(gettext_noop(
                "Gauss-Krüger eastings without zone prefix, central meridian %(meridian)d°E "
                "from the registered division"), {"meridian": meridian})
    return None


def plain_gk(xr: tuple, yr: tuple) -> bool:
    return 0 < xr[0] <= xr[1] < 1e6 and 1e5 <= yr[0] <= yr[1] < 1e7


def refusal(xr: tuple, yr: tuple) -> Said:
    shown = f"x {xr[0]:.6g}…{xr[1]:.6g}, y {yr[0]:.6g}…{yr[1]:.6g}"
    if plain_gk(xr, yr) or plain_gk(yr, xr):
        return Said(gettext_noop(
            "no coordinate system declared and the coordinates (%(ranges)s) are Gauss-Krüger "
            "eastings without a zone prefix, which fit every central meridian: give "
            "--crs EPSG:4534…4554 (CGCS2000 3-degree, CM 75°E…135°E, e.g. EPSG:4544 for "
            "105°E), a Xian 1980 or Beijing 1954 code, or --division CODE to infer it"),
            ranges=shown)
    return Said(gettext_noop(
        "no coordinate system declared and none detected from the coordinates (%(ranges)s): "
        "give --crs (EPSG:4490 for lon/lat, EPSG:4513…4533 for 3-degree Gauss-Krüger "
        "with zone prefix, EPSG:4534…4554 without)"), ranges=shown)


def _oriented(crs: pyproj.CRS, bounds: Callable, axis_free: bool) -> bool:
    """Whether to swap the axes: only where the order is the surveyor's choice (CSV)."""
    if not axis_free:
        return False
    xr, yr = bounds()
    return not fits(crs, xr, yr) and fits(crs, yr, xr)


def choose(declared: str | None, given: str | None, bounds: Callable, *,
           axis_free: bool = False, division_lon: float | None = None) -> Choice:
    """``bounds()`` gives the (x, y) ranges of the coordinates: only asked for when the
    coordinates have to tell (a scan of every vertex)."""
    if declared:
        crs = parse(declared, Said(gettext_noop("the file's coordinate system")))
        choice = Choice(crs, label(crs), "declared", _oriented(crs, bounds, axis_free))
        if given and not parse(given, "--crs").equals(crs):
            choice.warning = said(gettext_noop(
                "--crs %(given)s ignored: the file declares %(crs)s, and a declared "
                "coordinate system wins"), {"given": given, "crs": choice.label})
        return choice
    if given:
        crs = parse(given, "--crs")
        return Choice(crs, label(crs), "given", _oriented(crs, bounds, axis_free))
    xr, yr = bounds()
    # lon/lat inside China first, in either order where the order is free, then anywhere
    tries = [(False, CHINA), (True, CHINA), (False, (-180, -90, 180, 90))]
    for swap, box in tries if axis_free else tries[::2]:
        a, b = (yr, xr) if swap else (xr, yr)
        found = detect(a, b, division_lon, box)
        if found:
            epsg, why = found
            note = (gettext_noop("no coordinate system declared: EPSG:%(epsg)d from %(why)s "
                                 "(first column is the northing: axes swapped)") if swap else
                    gettext_noop("no coordinate system declared: EPSG:%(epsg)d from %(why)s"))
            return Choice(pyproj.CRS.from_epsg(epsg), f"EPSG:{epsg}", "detected", swap,
                          note=said(note, {"epsg": epsg, "why": why}))
    raise RefusedFile(refusal(xr, yr))
