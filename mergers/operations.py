"""The vocabulary of division changes that scenarios plan and change proposals carry out.

A scenario (planning: nothing written) and a change proposal (draft → approved →
executed) hold the same list of operations, so that a scenario becomes a proposal
without translation. Codes are whatever boundaries.codes.parse_code accepts (9- or
12-digit township codes, 12-digit village codes, 6-digit county codes); the simulation
and the executor resolve them on their ``as_of`` / effective date.
"""

from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

TownshipKind = Literal["镇", "乡", "民族乡", "街道"]


class SeatPoint(Schema):
    lon: float
    lat: float


class MergeOp(Schema):
    """撤并: the townships become one new township (a new code in the county's range for
    its kind), their villages re-parented to it."""
    op: Literal["merge"] = "merge"
    townships: list[str] = Field(min_length=2)
    name: str = Field(min_length=1, max_length=100)
    kind: TownshipKind
    # a point, or the code of the township whose seat becomes the new one's
    seat: SeatPoint | str | None = None


class TransferOp(Schema):
    """隶属变更: a township moves to another county, or a village to another township."""
    op: Literal["transfer"] = "transfer"
    unit: str
    to: str
    # a village takes its territory along (its Voronoi cell among its township's villages),
    # so the townships' (and counties') polygons follow; false: the polygons stay
    with_area: bool = True


class RenameOp(Schema):
    """更名: same unit, same code, a new name."""
    op: Literal["rename"] = "rename"
    unit: str
    name: str = Field(min_length=1, max_length=100)


class KindChangeOp(Schema):
    """撤县设市, 撤县设区, 撤乡设镇, 撤镇设街道: a new kind (and, for a county or a township
    whose kind range changes, a new code), optionally a new name."""
    op: Literal["kind_change"] = "kind_change"
    unit: str
    kind: str = Field(min_length=1, max_length=20)
    name: str | None = Field(default=None, max_length=100)


class SplitOp(Schema):
    """析置 / 增设街道: a new township made of villages taken from one or more others of one
    county, with their territory (each village's Voronoi cell in its township)."""
    op: Literal["split"] = "split"
    villages: list[str] = Field(min_length=1)
    name: str = Field(min_length=1, max_length=100)
    kind: TownshipKind
    seat: SeatPoint | str | None = None


class BoundaryOp(Schema):
    """边界调整: part of a township passes to a neighbour — the cells of the named villages,
    or an area drawn (GeoJSON polygon, lon/lat) with the villages standing in it."""
    op: Literal["boundary"] = "boundary"
    source: str
    to: str
    villages: list[str] = Field(default_factory=list)
    area: dict | None = None


Operation = Annotated[MergeOp | TransferOp | RenameOp | KindChangeOp | SplitOp | BoundaryOp,
                      Field(discriminator="op")]
