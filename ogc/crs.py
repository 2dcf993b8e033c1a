"""Coordinate reference systems by reference (OGC API – Features Part 2).

The registry stores CGCS2000 (EPSG:4490). A response may be asked in CRS84, in
EPSG:4490 or EPSG:4326 (latitude first, as EPSG defines them) or in one of the
CGCS2000 Gauss-Krüger zones (northing first). Each CRS's axis order and area come
from pyproj (the EPSG database); the transformation itself runs in PostGIS, whose
spatial_ref_sys and PROJ give the same coordinates as pyproj (tests/ogc/test_ogc_filter.py).
A collection offers the zones that cover its extent (ogc.collections.extent).
"""

from dataclasses import dataclass
from functools import cache

from pyproj import CRS

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/"
STORAGE_SRID = 4490
# CGCS2000 Gauss-Krüger: 6° zones 13–23 and 3° zones 25–45, with the zone number in the
# false easting (the forms surveys and national data use).
GK_CODES = [*range(4491, 4502), *range(4513, 4534)]


@dataclass(frozen=True)
class RefSystem:
    uri: str
    srid: int
    north_first: bool  # the CRS's first axis is latitude or northing
    projected: bool
    area: tuple[float, float, float, float]  # lon/lat bounds the CRS is defined for

    @property
    def precision(self) -> int:
        # 0.1 mm in a projected CRS; 1e-8° (about 1 mm) in a geographic one
        return 4 if self.projected else 8


@cache
def _epsg(code: int) -> RefSystem:
    crs = CRS.from_epsg(code)
    area = crs.area_of_use.bounds if crs.area_of_use else (-180.0, -90.0, 180.0, 90.0)
    return RefSystem(f"{EPSG_URI}{code}", code, crs.axis_info[0].direction == "north",
                     crs.is_projected, area)


DEFAULT = RefSystem(CRS84, STORAGE_SRID, False, False, (73.4, 3.8, 135.1, 53.6))


def supported(bbox: list[float]) -> list[RefSystem]:
    """CRS84, EPSG:4490, EPSG:4326 and the Gauss-Krüger zones whose area meets bbox."""
    zones = [_epsg(code) for code in GK_CODES]
    zones = [z for z in zones if z.area[0] < bbox[2] and z.area[2] > bbox[0]
             and z.area[1] < bbox[3] and z.area[3] > bbox[1]]
    return [DEFAULT, _epsg(4490), _epsg(4326), *zones]


def resolve(raw: str, bbox: list[float]) -> RefSystem | None:
    """The CRS named by a URI, a safe CURIE [EPSG:4523] or EPSG:4523, if offered; else None."""
    text = raw.strip().removeprefix("[").removesuffix("]")
    if text.upper() in ("CRS84", "OGC:CRS84", "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84"):
        return DEFAULT
    if text.upper().startswith("EPSG:"):
        text = EPSG_URI + text[5:]
    if text.startswith("https://"):
        text = "http://" + text.removeprefix("https://")
    return next((r for r in supported(bbox) if r.uri == text), None)
