"""GeoJSON geometries given in requests (CGCS2000 longitude/latitude), read in one place."""

import json

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.utils.translation import gettext_noop

from config.errors import BadRequest


def geometry_in(raw: dict | None, what: str = "geometry") -> GEOSGeometry | None:
    """A GeoJSON geometry as GEOS in EPSG:4490; BadRequest naming ``what`` if it is not one."""
    if raw is None:
        return None
    try:
        geom = GEOSGeometry(json.dumps(raw))
    except (GEOSException, GDALException, ValueError, TypeError) as exc:
        raise BadRequest.of(gettext_noop("%(what)s: not a GeoJSON geometry (%(error)s)"),
                            what=what, error=str(exc)) from None
    if geom.empty or not geom.valid:
        raise BadRequest.of(gettext_noop("%(what)s: empty or invalid (%(reason)s)"),
                            what=what, reason=geom.valid_reason)
    x0, y0, x1, y1 = geom.extent
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        raise BadRequest.of(gettext_noop("%(what)s: expected longitude/latitude in CGCS2000 "
                                         "(EPSG:4490)"), what=what)

    geom.srid = 4490
    return geom
