from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from boundaries.schemas import BoundaryLineDetailOut
from config.paging import PageOut


class InspectionIn(Schema):
    line_id: int = Field(..., description="the border line version in force")
    year: int
    team_a: str = Field(..., description="name of the Django group of side A (left, lower code)")
    team_b: str = Field(..., description="name of the Django group of side B")
    round: int | None = Field(None, ge=1, description="第N轮 (default: the next one)")
    note: str = Field("", max_length=2000)


class InspectionActionIn(Schema):
    side: str | None = Field(None, description="sign: A or B, the side signing")
    note: str = Field("", max_length=2000)


class InspectionLineOut(Schema):
    id: int
    name: str
    level: str
    left_code: str
    right_code: str
    valid_from: date | None
    valid_to: date | None


class InspectionSignatureOut(Schema):
    by: str | None
    at: datetime


class InspectionTransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str | None
    note: str
    at: datetime


class SurveyUploadOut(Schema):
    id: int
    inspection_id: int
    side: str
    file_name: str
    format: str
    crs: str
    crs_source: str
    encoding: str
    transformation: dict[str, Any] = Field(
        default_factory=dict, description="how the file reached CGCS2000: description, "
        "accuracy_m (null: unknown), ballpark, parameters (kind, origin: typed or the set "
        "registered for a county)")
    feature_count: int
    findings: list[dict[str, Any]]
    confirmed: bool
    uploaded_by: str | None
    uploaded_at: datetime
    confirmed_at: datetime | None
    status: str = Field(..., description="preview | confirmed | withdrawn | superseded")
    withdrawn_by: str | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str = ""
    replaced_by: int | None = Field(None, description="the upload that superseded this one")
    replaces: int | None = Field(None, description="the upload this one superseded")
    preview: dict[str, Any] | None = None


class SurveyWithdrawIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000, description="why it is withdrawn")


class SurveyReplaceIn(Schema):
    replacement_id: int = Field(..., description="a previewed upload of the same side")
    reason: str = Field("", max_length=2000)


class HazardIn(Schema):
    line_id: int | None = Field(None, description="the line (needed without inspection_id)")
    inspection_id: int | None = None
    lon: float
    lat: float
    description: str = Field(..., max_length=5000)
    severity: str = Field(..., description="low | medium | high")
    note: str = Field("", max_length=2000)


class HazardStatusIn(Schema):
    status: str = Field(..., description="open | mediation | resolved")
    note: str = Field("", max_length=2000)


class HazardChangeOut(Schema):
    from_status: str
    to_status: str
    actor: str | None
    note: str
    at: datetime


class HazardOut(Schema):
    id: int
    line_id: int
    inspection_id: int | None
    location: list[float] = Field(..., description="lon, lat (EPSG:4490)")
    description: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    recorded_by: str | None
    recorded_at: datetime
    history: list[HazardChangeOut]


class HazardPageOut(Schema):
    count: int
    items: list[HazardOut]


class InspectionOut(Schema):
    id: int
    line: InspectionLineOut
    round: int
    year: int
    due_date: date
    state: str
    state_label: str
    teams: dict[str, str | None]
    signatures: dict[str, InspectionSignatureOut | None]
    completed_on: date | None


class InspectionDetailOut(InspectionOut):
    note: str
    reconciled_at: datetime | None
    summary: dict[str, Any] | None
    transitions: list[InspectionTransitionOut]
    uploads: list[SurveyUploadOut]
    hazards: list[HazardOut]
    actions: list[str]


class InspectionPageOut(PageOut[InspectionOut]):
    pass


class InspectionReportOut(InspectionOut):
    """The joint report; positions are [lon, lat] and geometries GeoJSON in EPSG:4490."""

    reconciled_at: datetime | None
    crs: str | None = Field(None, description="the Gauss-Krüger zone the figures are in")
    tolerance_m: float | None
    summary: dict[str, Any] | None
    markers: list[dict[str, Any]]
    unknown_markers: list[dict[str, Any]]
    duplicate_markers: list[dict[str, Any]]
    line_deviation: dict[str, Any]
    sides: dict[str, Any] | None
    hazards: list[HazardOut]
    changes: dict[str, Any]
    surveys: list[dict[str, Any]]


class OverdueLineOut(Schema):
    line_id: int
    name: str
    level: str
    left_code: str
    right_code: str
    last_inspected: date | None
    last_round: int | None
    due_date: date | None = Field(None, description="None: never inspected")
    overdue_days: int | None
    open_inspection: dict[str, Any] | None


class OverduePageOut(PageOut[OverdueLineOut]):
    pass


class LineInspectionOut(Schema):
    """A joint inspection of the line (any of its versions), latest round first."""

    id: int
    line_id: int
    round: int
    year: int
    state: str
    due_date: date
    completed_on: date | None


class BoundaryLinePropertiesOut(BoundaryLineDetailOut):
    inspections: list[LineInspectionOut]


class BoundaryLineFeatureOut(Schema):
    """GET /boundaries/{line_id}: the line with its inspections."""

    type: str = "Feature"
    id: int
    geometry: dict[str, Any]
    properties: BoundaryLinePropertiesOut
