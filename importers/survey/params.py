"""Which parameters a survey file is read with: typed, named by county, or the ones
registered for the county the survey lies in.

The county is --division's (an upload: its side's division) when that is a county or
below; else the county whose registered polygon holds the centre of the file, placed with
PROJ's ballpark (within a couple of hundred metres: enough to tell the county)."""

from collections.abc import Callable

import pyproj
from django.db import connection
from django.utils.translation import gettext_noop

from boundaries.temporal import in_force_sql, today

from ..errors import ImporterError
from ..selectors import county_code, parameters_for
from . import crs as crs_
from . import datum
from .geometry import Flat


def registered(found) -> datum.Parameters:
    origin = (f"registered for {found.county_code[:6]} (set {found.id}: {found.authority}, "
              f"{found.document}, valid from {found.valid_from})")
    return datum.Parameters(found.kind, tuple(found.values), found.convention, origin,
                            found.accuracy_m, found.id)


def locate(division, flat: Flat, choice: crs_.Choice,
           ballpark: pyproj.Transformer | None) -> str | None:
    """The 12-digit code of the survey's county, or None."""
    if division is not None and division.level >= 3:
        return division.code[:6] + "0" * 6
    (x0, x1), (y0, y1) = flat.bounds()
    x, y = (x0 + x1) / 2, (y0 + y1) / 2
    if ballpark is not None:
        x, y = ballpark.transform(x, y, errcheck=False)
    with connection.cursor() as cur:
        cur.execute(f"""
            SELECT code FROM boundaries_divisionversion
            WHERE level = 3 AND geom IS NOT NULL AND {in_force_sql(param='as_of')}
              AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4490))
            ORDER BY code LIMIT 1""", {"x": x, "y": y, "as_of": today()})
        row = cur.fetchone()
    return row[0] if row else None


def resolve(choice: crs_.Choice, given: datum.Parameters | None, params_from: str | None,
            where: Callable) -> tuple[datum.Transformation, pyproj.Transformer | None]:
    """The transformation to 4490 and the transformer (None: the file is in 4490 already).
    ``where(ballpark)`` is the survey's county, asked only when the file needs parameters."""
    if given is not None:
        return datum.with_parameters(choice, given)
    if params_from:
        code = county_code(params_from)
        found = parameters_for(code, choice.crs, choice.label)
        if found is None:
            raise ImporterError.of(gettext_noop("--params-from %(given)s: no parameters in "
                                                "force are registered for county %(county)s "
                                                "and %(crs)s"),
                                   given=params_from, county=code[:6], crs=choice.label)
        return datum.with_parameters(choice, registered(found))
    transformation, transformer = datum.proj_choice(choice)
    if not datum.is_refused(choice, transformation):
        return transformation, transformer
    county = where(transformer)
    found = parameters_for(county, choice.crs, choice.label) if county else None
    if found is None:
        raise datum.refusal(choice, county[:6] if county else None)
    return datum.with_parameters(choice, registered(found))
