"""Reads of the registered datum parameters."""

from datetime import date

import pyproj
from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from boundaries.codes import parse_code
from boundaries.temporal import in_force, today
from config.errors import BadRequest

from .models import DatumParameters, ParameterKind


def county_code(raw: str) -> str:
    """A county's 12-digit code from any of its forms, or a code below it (its county)."""
    code, level = parse_code(raw)
    if level is not None and level < 3:
        raise BadRequest.of(gettext_noop("code %(raw)r: a province or prefecture; parameters "
                                         "are registered for a county (6 digits)"), raw=raw)
    return code[:6] + "0" * 6


def datum_parameters(county: str | None = None, as_of: date | None = None) -> QuerySet:
    qs = DatumParameters.objects.select_related("registered_by").order_by(
        "county_code", "source_crs", "kind", "valid_from")
    if county:
        qs = qs.filter(county_code=county_code(county))
    if as_of:
        qs = qs.filter(in_force(as_of))
    return qs


def geodetic_label(crs: pyproj.CRS) -> str | None:
    """EPSG:n of the CRS's geographic CRS (the datum a Helmert set is registered for)."""
    geodetic = crs.geodetic_crs
    epsg = geodetic.to_epsg(min_confidence=70) if geodetic is not None else None
    return f"EPSG:{epsg}" if epsg else None


def parameters_for(county: str, crs: pyproj.CRS, label: str) -> DatumParameters | None:
    """The set in force today for the county and the file's CRS: a plane set for exactly
    the file's Gauss-Krüger zone first (it was fitted in that plane), else a Helmert set
    for its datum."""
    found = datum_parameters(county, today())
    plane = found.filter(kind=ParameterKind.PLANE4, source_crs=label).first()
    if plane is not None:
        return plane
    datum = geodetic_label(crs)
    return found.filter(kind=ParameterKind.HELMERT7, source_crs=datum).first() if datum else None
