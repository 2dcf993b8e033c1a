"""Schemas of /api/v1/mergers (simulate, scenarios, compare, suggest) and
/api/v1/division-changes."""

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from .operations import Operation, SeatPoint, TownshipKind

CODES = Field(min_length=2, max_length=500, description="9- or 12-digit township codes")


class SimulateIn(Schema):
    townships: list[str] = CODES
    name: str = Field(min_length=1, max_length=100)
    kind: TownshipKind
    seat: SeatPoint | str | None = Field(
        None, description="a point, or the code of the part whose seat is used; default: "
        "the part with the largest population, else the largest by area")
    as_of: date | None = None
    simplify: float | None = Field(None, ge=0, le=100_000, description="tolerance in metres")


class MergedUnitOut(Schema):
    name: str
    kind: str
    county_code: str
    townships: list[dict]
    seat: dict
    geometry: dict | None = Field(None, description="GeoJSON geometry (EPSG:4490)")
    area_km2: float
    parts_sum_km2: float | None
    perimeter_km: float
    polsby_popper: float | None
    reock: float | None
    parts: int
    inherited_exclaves: int
    contiguous: bool
    exclave: bool
    part_areas: list[dict]
    enclosed: list[dict]
    population: int | None
    population_known_for: int
    villages: list[dict]
    village_count: int
    village_clashes: list[dict]
    name_check: dict
    lines: dict
    seat_distance: dict
    findings: list[str]


class CountyFiguresOut(Schema):
    code: str
    name: str
    before: dict
    after: dict


class SimulateOut(Schema):
    as_of: date
    unit: MergedUnitOut
    county: CountyFiguresOut
    plan: dict


class ScenarioIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    scope: str = Field(description="a county or prefecture code")
    as_of: date | None = None
    operations: list[Operation] = Field(min_length=1, max_length=500)


class ScenarioSummaryOut(Schema):
    id: int
    title: str
    author: str
    scope_code: str
    scope_level: int
    as_of: date
    created_at: datetime
    computed_at: datetime | None
    plan: dict | None


class ScenarioOut(ScenarioSummaryOut):
    operations: list[dict]
    metrics: dict | None


class ScenarioListOut(Schema):
    count: int
    items: list[ScenarioSummaryOut]


class CompareMetricOut(Schema):
    metric: str
    better: str | None
    values: list[Any]
    best: list[int] | None


class CompareOut(Schema):
    scenarios: list[ScenarioSummaryOut]
    metrics: list[CompareMetricOut]


class SuggestIn(Schema):
    county: str | None = None
    prefecture: str | None = None
    target_townships: int = Field(ge=1, le=100_000)
    keep: list[str] = Field(default_factory=list, max_length=1000)
    max_seat_distance_km: float | None = Field(None, gt=0, le=1000)
    min_population: int | None = Field(None, ge=0)
    seed: int = Field(1, ge=0, le=2**31)
    as_of: date | None = None
    save_as: str | None = Field(None, min_length=1, max_length=200,
                                description="save the plan as a scenario with this title")


class SuggestOut(Schema):
    scope: dict
    as_of: date
    suggestion: dict
    metrics: dict
    scenario_id: int | None = None


# --- division change proposals (区划变更方案) ---------------------------------------


class DivisionChangeIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    kind: str = Field(description="merge | split | transfer | rename | kind_change | "
                                  "establish_street | boundary")
    subkind: str = Field("", max_length=40,
                         description="撤县设市, 撤县设区, 撤乡设镇, 撤镇设街道 …")
    description: str = Field("", max_length=10_000)
    effective_date: date
    operations: list[Operation] = Field(min_length=1, max_length=200)
    approval_document: str = Field("", max_length=200, description="批准文号")
    approving_authority: str = Field("", max_length=200, description="批准机关")
    recode_villages: bool = Field(True, description="villages of a recoded township take "
                                                    "its prefix (the county's practice)")


class DivisionChangeFromScenarioIn(Schema):
    """A scenario carried into a change proposal: its operations, and what the law adds."""
    title: str | None = Field(None, min_length=1, max_length=200,
                              description="default: the scenario's title")
    kind: str = Field(description="merge | split | transfer | rename | kind_change | "
                                  "establish_street | boundary")
    subkind: str = Field("", max_length=40)
    description: str = Field("", max_length=10_000)
    effective_date: date
    approval_document: str = Field("", max_length=200, description="批准文号")
    approving_authority: str = Field("", max_length=200, description="批准机关")
    recode_villages: bool = True


class DivisionChangeUpdateIn(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    subkind: str | None = Field(None, max_length=40)
    description: str | None = Field(None, max_length=10_000)
    effective_date: date | None = None
    operations: list[Operation] | None = Field(None, min_length=1, max_length=200)
    approval_document: str | None = Field(None, max_length=200)
    approving_authority: str | None = Field(None, max_length=200)
    recode_villages: bool | None = None


class DivisionChangeActionIn(Schema):
    note: str = Field("", max_length=2000)


class DivisionChangeTransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str
    note: str
    at: datetime


class DivisionChangeOut(Schema):
    id: int
    title: str
    kind: str
    subkind: str
    description: str
    state: str
    effective_date: date
    approval_document: str
    approving_authority: str
    recode_villages: bool
    operations: list[dict]
    created_by: str
    created_at: datetime
    executed_at: datetime | None
    result: dict
    scenario_id: int | None = Field(None, description="the scenario it was drafted from")
    transitions: list[DivisionChangeTransitionOut]
    actions: list[str]


class DivisionChangePageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[DivisionChangeOut]
