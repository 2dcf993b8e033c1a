"""Schemas of /api/v1/mergers (merger scenarios) and /api/v1/division-changes."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from .operations import Operation

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
    transitions: list[DivisionChangeTransitionOut]
    actions: list[str]


class DivisionChangePageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[DivisionChangeOut]
