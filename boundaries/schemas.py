from datetime import date
from typing import Any

from ninja import Schema


class DivisionRefOut(Schema):
    code: str
    short_code: str
    name: str
    level: str
    kind: str


class DivisionOut(Schema):
    code: str
    short_code: str
    name: str
    place_name: str
    level: str
    kind: str
    parent_code: str | None
    ancestors: list[DivisionRefOut]
    valid_from: date | None
    valid_to: date | None
    area_km2: float | None
    population: int | None
    has_geometry: bool
    geometry_source: str
    seat: dict[str, Any] | None


class DivisionPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[DivisionRefOut]


class DivisionVersionOut(Schema):
    code: str
    short_code: str
    name: str
    level: str
    kind: str
    valid_from: date | None
    valid_to: date | None


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


class NeighbourOut(Schema):
    code: str
    short_code: str
    name: str
    level: str
    kind: str
    shared_length_km: float


class NeighboursOut(Schema):
    code: str
    items: list[NeighbourOut]


class GeoJSONFeatureOut(Schema):
    type: str = "Feature"
    id: str
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class SearchHitOut(Schema):
    code: str
    short_code: str
    name: str
    level: str
    kind: str
    valid_from: date | None
    valid_to: date | None
    current: bool
    match: str
    parent_name: str | None


class SearchOut(Schema):
    query: str
    normalized: str
    count: int
    items: list[SearchHitOut]


class ReverseOut(Schema):
    lon: float
    lat: float
    as_of: date
    divisions: list[DivisionRefOut]


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


class BoundaryLinePageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[BoundaryLineOut]


class MarkerStateOut(Schema):
    position: dict[str, Any]
    status: str
    status_label: str
    material: str
    installed: date | None
    valid_from: date
    valid_to: date | None
    note: str


class MarkerOut(Schema):
    id: int
    number: str
    type: str
    type_label: str
    lines: list[int]
    current: MarkerStateOut | None
    history: list[MarkerStateOut]


class MarkerListOut(Schema):
    line_id: int
    items: list[MarkerOut]


class BoundaryLineFeatureOut(Schema):
    type: str = "Feature"
    id: int
    geometry: dict[str, Any]
    properties: dict[str, Any]
