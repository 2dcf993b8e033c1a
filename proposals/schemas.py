from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from config.paging import PageOut
from gazetteer.schemas import NameFindingOut, Text


class ProposalIn(Schema):
    model_config = ConfigDict(populate_by_name=True)

    kind: Text = Field(..., description="naming | renaming | cancellation | heritage_list | "
                                        "heritage_delist")
    name: Text = Field("", max_length=100, description="the proposed name (not for cancellation)")
    place_class: Text | None = Field(None, alias="class", max_length=40,
                                     description="class code or slug (naming)")
    division_code: Text | None = Field(None, max_length=12,
                                       description="the division it lies in (naming)")
    place_id: int | None = Field(None, description="the place renamed or cancelled")
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON geometry, CGCS2000")
    meaning: Text = Field("", max_length=2000)
    reason: Text = Field("", max_length=2000)
    heritage_category: Text = Field("", max_length=12, description="heritage_list: 千年古县 | "
                                    "千年古镇 | 千年古村落 | 其他")


class ProposalActionIn(Schema):
    note: Text = Field("", max_length=2000)
    recommendation: Text = Field("", description="opinion: approve | reject")
    opinion: Text = Field("", max_length=5000)
    choice: Text = Field("", description="vote: approve | reject | abstain")
    author: Text = Field("", max_length=100, description="comment: who commented")
    text: Text = Field("", max_length=5000, description="comment: what they said")
    consultation_start: date | None = None
    consultation_end: date | None = None
    announcement_number: Text = Field("", max_length=100)
    announcement_date: date | None = None


class ProposalTransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str
    note: str
    at: datetime


class ProposalOpinionOut(Schema):
    expert: str
    recommendation: str
    opinion: str
    at: datetime


class ProposalCommentOut(Schema):
    author: str
    text: str
    at: datetime


class ProposalVoteOut(Schema):
    member: str
    choice: str
    at: datetime


class ProposalOut(Schema):
    id: int
    kind: str
    state: str
    name: str
    place_class: str
    division_code: str
    place_id: int | None
    applicant: str
    created_at: datetime
    blocking: int


class ProposalDetailOut(ProposalOut):
    heritage_category: str
    scopes: list[str] = Field(description="code prefixes of the scopes the name is checked in")
    meaning: str
    reason: str
    geometry: dict[str, Any] | None
    findings: list[NameFindingOut]
    consultation_start: date | None
    consultation_end: date | None
    announcement_number: str
    announcement_date: date | None
    published_place_id: int | None
    timeline: list[ProposalTransitionOut]
    opinions: list[ProposalOpinionOut]
    comments: list[ProposalCommentOut]
    votes: list[ProposalVoteOut]
    actions: list[str] = Field(description="what the caller may do next")


class ProposalPageOut(PageOut[ProposalOut]):
    pass


class ConsultationOut(Schema):
    """A proposal open for public comment (征求意见)."""

    id: int
    kind: str
    name: str
    place_class: str
    division_code: str
    place_id: int | None
    meaning: str
    reason: str
    consultation_start: date
    consultation_end: date

