from datetime import date
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from config.paging import PageOut

from .models import Level


def level_param(*levels: Level) -> Any:
    """The type of a ``level`` query parameter: a Level read by Level.parse (a name in any
    case, or a number) among ``levels`` (default all); anything else is a 400 naming them."""
    accepted = levels or tuple(Level)

    def parse(raw: object) -> Level:
        try:
            return Level.parse(raw, accepted)
        except ValueError as exc:
            raise PydanticCustomError("level", f"{exc}, not {raw!r}") from None

    names = [level.label for level in accepted]
    return Annotated[Level, PlainValidator(parse),
                     WithJsonSchema({"type": "string", "enum": names})]


LevelParam = level_param()
# Villages are points: border lines are of the four levels above them.
LineLevelParam = level_param(Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP)


class DivisionRefOut(Schema):
    code: str
    short_code: str
    name: str
    level: str
    kind: str


class DivisionPageOut(PageOut[DivisionRefOut]):
    pass


class DivisionVersionOut(DivisionRefOut):
    valid_from: date | None
    valid_to: date | None


class DivisionOut(DivisionVersionOut):
    place_name: str
    parent_code: str | None
    ancestors: list[DivisionRefOut]
    area_km2: float | None
    population: int | None
    has_geometry: bool
    geometry_source: str
    seat: dict[str, Any] | None


class DivisionEventOut(Schema):
    id: int
    kind: str
    kind_label: str
    subkind: str
    effective_date: date
    approval_document: str
    approving_authority: str
    description: str
    inputs: list[DivisionVersionOut]
    outputs: list[DivisionVersionOut]


class LineageOut(Schema):
    code: str
    versions: list[DivisionVersionOut]
    events: list[DivisionEventOut]
    predecessors: list[DivisionVersionOut]
    successors: list[DivisionVersionOut]


class NeighbourOut(DivisionRefOut):
    shared_length_km: float


class NeighboursOut(Schema):
    code: str
    items: list[NeighbourOut]


class DivisionPropertiesOut(DivisionVersionOut):
    area_km2: float | None
    geometry_source: str
    srid: int


class DivisionFeatureOut(Schema):
    type: str = "Feature"
    id: str
    geometry: dict[str, Any] | None
    properties: DivisionPropertiesOut


class SearchHitOut(DivisionVersionOut):
    current: bool
    match: str
    parent_name: str | None
    # Undated searches only: a retired name (盘县) and the current divisions it became.
    former: bool = False
    successors: list[DivisionRefOut] = []


class SearchOut(Schema):
    query: str
    normalized: str
    count: int  # matches in all, counted up to search.COUNT_LIMIT
    limit: int
    offset: int
    items: list[SearchHitOut]


class ReverseVillageOut(DivisionRefOut):
    """Villages are points: the nearest village of the township the point lies in."""

    distance_m: float
    approximate: bool


class ReverseOut(Schema):
    lon: float
    lat: float
    as_of: date
    divisions: list[DivisionRefOut]
    village: ReverseVillageOut | None = None


class CrosswalkOut(Schema):
    retired_code: str
    retired_name: str
    retired_on: date | None
    successors: list[DivisionVersionOut]


class LineSideOut(Schema):
    code: str
    short_code: str
    name: str | None
    level: str


class LineAgreementOut(Schema):
    number: str
    date: date | None


class BoundaryLineOut(Schema):
    id: int
    name: str
    level: str
    left: LineSideOut
    right: LineSideOut
    length_m: float
    agreement: LineAgreementOut
    valid_from: date | None
    valid_to: date | None


class BoundaryLinePageOut(PageOut[BoundaryLineOut]):
    pass


class MarkerStateOut(Schema):
    position: dict[str, Any]
    status: str
    status_label: str
    material: str
    installed: date | None
    valid_from: date
    valid_to: date | None
    note: str
    source: str


class MarkerOut(Schema):
    id: int
    number: str
    type: str
    type_label: str
    lines: list[int]
    synthetic: bool
    # the state in force on the date asked (today), and every state begun by then
    current: MarkerStateOut | None
    history: list[MarkerStateOut]


class MarkerPageOut(PageOut[MarkerOut]):
    pass


# Any projected CRS of China, Gauss-Krüger zone prefixes included, stays well inside this.
COORDINATE_LIMIT = 1e9


class MarkerPositionIn(Schema):
    lon: float = Field(..., allow_inf_nan=False, ge=-COORDINATE_LIMIT, le=COORDINATE_LIMIT,
                       description="longitude (or easting, with crs)")
    lat: float = Field(..., allow_inf_nan=False, ge=-COORDINATE_LIMIT, le=COORDINATE_LIMIT,
                       description="latitude (or northing, with crs)")
    crs: int = Field(4490, ge=1, description="EPSG code of lon/lat (default 4490, CGCS2000); "
                     "a CGCS2000 or WGS 84 system (Gauss-Krüger EPSG:4491–4554 included)")


class MarkerIn(Schema):
    number: str = Field(..., max_length=20, description="the line's two-character "
                        "abbreviation and the sequence along it, e.g. 钟水01")
    type: str = Field("single", description="single (单立), paired (同号双立) or triple "
                      "(同号三立, at a junction: two or three lines)")
    lines: list[int] = Field(..., min_length=1, max_length=3,
                             description="ids of the border lines in force it stands on")
    position: MarkerPositionIn
    material: str = Field("", max_length=50)
    installed: date | None = None
    status: str = Field("newly_set", description="its first state")
    on: date | None = Field(None, description="the first state's date (default: installed, "
                            "else today)")
    note: str = Field("", max_length=2000)
    source: str = Field("", max_length=200, description="the survey it comes from")


class MarkerStateIn(Schema):
    status: str = Field(..., description="intact, damaged, missing, displaced, restored …")
    on: date
    note: str = Field("", max_length=2000)
    material: str | None = Field(None, max_length=50)
    source: str = Field("", max_length=200)
    position: MarkerPositionIn | None = Field(
        None, description="only for displaced: where it was found (a move is POST …/move)")


class MarkerMoveIn(Schema):
    position: MarkerPositionIn
    on: date
    reason: str = Field(..., min_length=1, max_length=2000)
    source: str = Field("", max_length=200)


class MarkerListOut(Schema):
    line_id: int
    items: list[MarkerOut]


class BoundaryLineDetailOut(BoundaryLineOut):
    """What boundaries knows of one line (boundaries.api.line_feature's properties);
    inspections adds the line's inspections when it serves GET /boundaries/{line_id}."""

    geometry_source: str
    markers: list[MarkerOut]


class MapFeatureOut(Schema):
    type: Literal["Feature"]
    id: int
    geometry: dict
    properties: dict


class MapLayerOut(Schema):
    """One layer of the web map in a box: geometry simplified to a pixel at the zoom."""
    type: Literal["FeatureCollection"]
    truncated: bool = Field(description="more features lie in the box than are sent: zoom in")
    min_zoom: int | None = Field(None, description="the layer is drawn from this zoom on")
    features: list[MapFeatureOut]
