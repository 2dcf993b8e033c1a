"""Datum parameters registered for counties (the office: session or bearer token)."""

from datetime import date

from django.http import HttpResponse
from ninja import Query, Router
from pydantic import Field

from accounts import permissions
from accounts.auth import AUTH
from config.paging import page_in, paginate

from . import selectors, services
from .schemas import DatumParametersIn, DatumParametersOut, DatumParametersPageOut

router = Router(tags=["datum parameters"], auth=AUTH)


def parameters_out(p) -> dict:
    return {"id": p.id, "county": p.county_code[:6], "source_crs": p.source_crs,
            "kind": p.kind, "values": p.values, "convention": p.convention,
            "accuracy_m": p.accuracy_m, "authority": p.authority, "document": p.document,
            "valid_from": p.valid_from, "valid_to": p.valid_to, "note": p.note,
            "registered_by": p.registered_by.username, "registered_at": p.registered_at}


@router.post("/datum-parameters", response={201: DatumParametersOut})
def datum_parameters_create(request, payload: DatumParametersIn):
    """Register a published 7-parameter Helmert or 4-parameter plane set from Xian 1980 or
    Beijing 1954 to CGCS2000 for a county: survey files of that county in that datum are
    then read with it. An open-ended earlier set of the same county, CRS and kind ends
    where this one begins; any other overlap is 409."""
    found = services.datum_parameters_register(actor=request.auth, **payload.dict())
    return 201, parameters_out(found)


class ParametersFilter(page_in(limit=50, max_limit=500)):
    county: str | None = Field(None, description="a county's code")
    as_of: date | None = Field(None, description="only the sets in force on this date")


@router.get("/datum-parameters", response=DatumParametersPageOut)
def datum_parameters_list(request, response: HttpResponse, filters: Query[ParametersFilter]):
    """The registered sets with their numbers (the office only: they are often restricted)."""
    permissions.require(request.auth, "datum_parameters.list")
    response["Cache-Control"] = "private, no-store"
    qs = selectors.datum_parameters(filters.county, filters.as_of)
    return paginate(qs, filters.limit, filters.offset, lambda rows: map(parameters_out, rows))
