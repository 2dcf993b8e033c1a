"""Writes of the importers app: datum parameters registered for a county."""

from datetime import date

import pyproj
from django.db import transaction
from django.utils.translation import gettext_noop

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
        raise BadRequest.of(gettext_noop("source_crs %(raw)s: %(crs)s is tied to CGCS2000 "
                                         "already (WGS 84, ITRF or CGCS2000): no parameters "
                                         "needed"), raw=raw, crs=crs.name)
    if kind == ParameterKind.PLANE4:
        epsg = crs.to_epsg(min_confidence=70)
        if not crs.is_projected or epsg is None:
            raise BadRequest.of(gettext_noop("source_crs %(raw)s: a plane set is fitted in one "
                                             "Gauss-Krüger zone: give its EPSG code (e.g. "
                                             "EPSG:2359 or EPSG:2381)"), raw=raw)
        return f"EPSG:{epsg}"
    found = geodetic_label(crs)
    if found is None:
        raise BadRequest.of(gettext_noop("source_crs %(raw)s: %(crs)s has no EPSG geographic "
                                         "CRS"), raw=raw, crs=crs.name)
    return found


def _values(kind: str, values, convention: str) -> tuple[list[float], str]:
    if kind not in ParameterKind.values:
        raise BadRequest.of(gettext_noop("kind %(kind)r: expected %(known)s"),
                            kind=kind, known=" or ".join(ParameterKind.values))
    text = ",".join(str(v) for v in values or [])
    if kind == ParameterKind.PLANE4:
        if convention:
            raise BadRequest.of(gettext_noop("convention: only a Helmert set has one"))
        return list(datum._numbers(text, 4, "values")), ""
    numbers = datum._numbers(text, 7, "values")
    return list(numbers), datum.check_convention(convention, numbers)


def _until(day: date | None) -> str:
    # "open" stays a word of the API's: the catalogue's "open" is a status (未处理)
    return str(day) if day else "open"


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
            raise Conflict.of(gettext_noop("%(kind)s %(source)s for %(county)s: set %(id)s "
                                           "(%(document)s) is valid %(start)s – %(end)s, which "
                                           "overlaps %(new_start)s – %(new_end)s"),
                              kind=kind, source=source, county=county[:6], id=old.id,
                              document=old.document, start=str(old.valid_from),
                              end=_until(old.valid_to), new_start=str(valid_from),
                              new_end=_until(valid_to))


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
        raise BadRequest.of(gettext_noop("county %(county)s: no such county in the registry"),
                            county=county[:6])
    source = _source_crs(source_crs, kind)
    numbers, convention = _values(kind, values, convention or "")
    if not (authority or "").strip() or not (document or "").strip():
        raise BadRequest.of(gettext_noop("authority and document: say who published the "
                                         "parameters and in which document (文号)"))
    if valid_to is not None and valid_to <= valid_from:
        raise BadRequest.of(gettext_noop("valid_to %(until)s: not after valid_from %(since)s"),
                            until=str(valid_to), since=str(valid_from))
    if accuracy_m is not None and accuracy_m < 0:
        raise BadRequest.of(gettext_noop("accuracy_m %(accuracy)s: a residual is not "
                                         "negative"), accuracy=accuracy_m)
    choice = crs_.Choice(pyproj.CRS.from_user_input(source), source, "given")
    datum.with_parameters(choice, datum.Parameters(kind, tuple(numbers), convention))
    _supersede(county, source, kind, valid_from, valid_to)
    return DatumParameters.objects.create(
        county_code=county, source_crs=source, kind=kind, values=numbers,
        convention=convention, accuracy_m=accuracy_m, authority=authority.strip(),
        document=document.strip(), valid_from=valid_from, valid_to=valid_to, note=note,
        registered_by=actor)
