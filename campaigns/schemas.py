from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from config.paging import PageOut


class CampaignIn(Schema):
    title: str = Field(..., max_length=200)
    scope_code: str = Field("", description="a division code (2/4/6/9/12 digits); empty: "
                                            "the whole registry")
    classes: list[str] = Field(default_factory=list,
                               description="place class slugs; empty: every class")
    include_divisions: bool = False
    include_signs: bool = True
    start: bool = Field(True, description="queue the run at once")


class CampaignOut(Schema):
    id: int
    title: str
    scope_code: str
    scope_level: int | None
    classes: list[str]
    include_divisions: bool
    include_signs: bool
    state: str
    runs: int
    last_run: dict
    job_id: int | None
    job_state: str | None
    done: int | None
    total: int | None
    message: str
    created_by: str
    created_at: datetime
    counts: dict


class CampaignFindingOut(Schema):
    id: int
    fingerprint: str
    kind: str
    rule: str
    severity: str
    subject: str
    place_id: int | None
    division_code: str
    sign_code: str
    name: str
    place_class: str
    detail: str
    evidence: list
    state: str
    proposal_id: int | None
    first_run: int
    last_run: int


class CampaignFindingPageOut(PageOut[CampaignFindingOut]):
    pass


class TriageIn(Schema):
    action: str = Field(..., description="keep, correct or propose")
    reason: str = ""
    new_name: str = ""
    effective_date: date | None = None
    document_number: str = ""


class TriageOut(Schema):
    action: str
    from_state: str
    to_state: str
    reason: str
    new_name: str
    proposal_id: int | None
    actor: str
    recorded_at: datetime
