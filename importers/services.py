"""Writes of the importers app: datum parameters registered for a county."""

from datetime import date

import pyproj
from django.db import transaction

from accounts import permissions
from boundaries.models import DivisionVersion, Level
from config.errors import BadRequest, Conflict

from .models import DatumParameters, ParameterKind
from .selectors import county_code, geodetic_label
from .survey import crs as crs_
from .survey import datum


def _source_crs(raw: str, kind: str) -> str:
    """EPSG:n the set is keyed on: the geographic CRS of the datum for a Helmert set, the
    Gauss-Krüger zone for a plane set (fitted in that plane)."""
    crs = crs_.parse(raw, "source_crs")
    if datum.old_datum(crs) is None:
        raise BadRequest(f"source_crs {raw}: {crs.name} is tied to CGCS2000 already "
                         "(WGS 84, ITRF or CGCS2000): no parameters needed")
    if kind == ParameterKind.PLANE4:
        epsg = crs.to_epsg(min_confidence=70)
        if not crs.is_projected or epsg is None:
            raise BadRequest(f"source_crs {raw}: a plane set is fitted in one Gauss-Krüger "
                             "zone: give its EPSG code (e.g. EPSG:2359 or EPSG:2381)")
        return f"EPSG:{epsg}"
    found = geodetic_label(crs)
    if found is None:
        raise BadRequest(f"source_crs {raw}: {crs.name} has no EPSG geographic CRS")
    return found


def _values(kind: str, values, convention: str) -> tuple[list[float], str]:
    if kind not in ParameterKind.values:
        raise BadRequest(f"kind {kind!r}: expected {' or '.join(ParameterKind.values)}")
    text = ",".join(str(v) for v in values or [])
    if kind == ParameterKind.PLANE4:
        if convention:
            raise BadRequest("convention: only a Helmert set has one")
        return list(datum._numbers(text, 4, "values")), ""
    numbers = datum._numbers(text, 7, "values")
    return list(numbers), datum.check_convention(convention, numbers)


def _supersede(county: str, source: str, kind: str, valid_from: date,
               valid_to: date | None) -> None:
    """An open-ended earlier set ends where the new publication begins; any other overlap
    is a Conflict that says with which set (the constraint would refuse it blindly)."""
    same = DatumParameters.objects.select_for_update().filter(
        county_code=county, source_crs=source, kind=kind)
    for old in same:
        if old.valid_to is None and old.valid_from < valid_from:
            old.valid_to = valid_from
            old.save(update_fields=["valid_to"])
        elif old.valid_from < (valid_to or date.max) and valid_from < (old.valid_to or date.max):
            raise Conflict(f"{kind} {source} for {county[:6]}: set {old.id} ({old.document}) "
                           f"is valid {old.valid_from} – {old.valid_to or 'open'}, which "
                           f"overlaps {valid_from} – {valid_to or 'open'}")


@transaction.atomic
def datum_parameters_register(*, actor, county: str, source_crs: str, kind: str, values,
                              authority: str, document: str, valid_from: date,
                              valid_to: date | None = None, convention: str = "",
                              accuracy_m: float | None = None,
                              note: str = "") -> DatumParameters:
    """Register a published parameter set for a county (the office)."""
    permissions.require(actor, "datum_parameters.register")
    county = county_code(county)
    if not DivisionVersion.objects.filter(code=county, level=Level.COUNTY).exists():
        raise BadRequest(f"county {county[:6]}: no such county in the registry")
    source = _source_crs(source_crs, kind)
    numbers, convention = _values(kind, values, convention or "")
    if not (authority or "").strip() or not (document or "").strip():
        raise BadRequest("authority and document: say who published the parameters and in "
                         "which document (文号)")
    if valid_to is not None and valid_to <= valid_from:
        raise BadRequest(f"valid_to {valid_to}: not after valid_from {valid_from}")
    if accuracy_m is not None and accuracy_m < 0:
        raise BadRequest(f"accuracy_m {accuracy_m}: a residual is not negative")
    choice = crs_.Choice(pyproj.CRS.from_user_input(source), source, "given")
    datum.with_parameters(choice, datum.Parameters(kind, tuple(numbers), convention))
    _supersede(county, source, kind, valid_from, valid_to)
    return DatumParameters.objects.create(
        county_code=county, source_crs=source, kind=kind, values=numbers,
        convention=convention, accuracy_m=accuracy_m, authority=authority.strip(),
        document=document.strip(), valid_from=valid_from, valid_to=valid_to, note=note,
        registered_by=actor)
