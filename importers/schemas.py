from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from config.paging import PageOut


class DatumParametersIn(Schema):
    county: str = Field(..., description="the county's code (6 or 12 digits)")
    source_crs: str = Field(..., description="helmert7: the old datum's CRS (EPSG:4610 Xian "
                            "1980, EPSG:4214 Beijing 1954, or any CRS on it); plane4: the "
                            "Gauss-Krüger zone it was fitted in (e.g. EPSG:2359)")
    kind: str = Field(..., description="helmert7 or plane4")
    values: list[float] = Field(..., description="helmert7: tx,ty,tz (m), rx,ry,rz "
                                "(arc-seconds), s (ppm); plane4: dX north, dY east (m), "
                                "rotation (arc-seconds), scale (ppm)")
    convention: str = Field("", description="helmert7: position_vector or coordinate_frame")
    accuracy_m: float | None = Field(None, ge=0, description="the published residual")
    authority: str = Field(..., max_length=200, description="who published them")
    document: str = Field(..., max_length=200, description="the document (文号)")
    valid_from: date
    valid_to: date | None = None
    note: str = Field("", max_length=2000)


class DatumParametersOut(Schema):
    id: int
    county: str
    source_crs: str
    kind: str
    values: list[float]
    convention: str
    accuracy_m: float | None
    authority: str
    document: str
    valid_from: date
    valid_to: date | None
    note: str
    registered_by: str
    registered_at: datetime


class DatumParametersPageOut(PageOut[DatumParametersOut]):
    pass
