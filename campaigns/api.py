"""Clean-up campaigns of non-standard names: the place-name office's (session or token)."""

from django.http import HttpResponse
from django.utils.translation import gettext_noop
from ninja import Query, Router
from pydantic import Field

from accounts.auth import AUTH
from config.errors import BadRequest
from config.paging import page_in, paginate

from . import selectors, services
from .models import FindingState
from .schemas import (
    CampaignFindingOut,
    CampaignFindingPageOut,
    CampaignIn,
    CampaignOut,
    TriageIn,
    TriageOut,
)

router = Router(tags=["campaigns"], auth=AUTH)
PRIVATE = "private, no-store"


def campaign_out(c) -> dict:
    job = c.job
    return {"id": c.id, "title": c.title, "scope_code": c.scope_code,
            "scope_level": c.scope_level, "classes": c.classes,
            "include_divisions": c.include_divisions, "include_signs": c.include_signs,
            "state": c.state, "runs": c.runs, "last_run": c.last_run, "job_id": c.job_id,
            "job_state": job.state if job else None, "done": job.done if job else None,
            "total": job.total if job else None, "message": job.message if job else "",
            "created_by": c.created_by.username, "created_at": c.created_at,
            "counts": selectors.counts(c)}


@router.post("/campaigns", response={201: CampaignOut})
def campaign_create(request, payload: CampaignIn):
    """A campaign over a division (or everywhere) and classes; by default queued at once."""
    c = services.campaign_create(actor=request.auth, title=payload.title,
                                 scope_code=payload.scope_code, classes=payload.classes,
                                 include_divisions=payload.include_divisions,
                                 include_signs=payload.include_signs)
    if payload.start:
        services.campaign_start(campaign_id=c.id, actor=request.auth)
    return 201, campaign_out(selectors.campaign_get(user=request.auth, campaign_id=c.id))


@router.get("/campaigns", response=list[CampaignOut])
def campaign_list(request, response: HttpResponse):
    response["Cache-Control"] = PRIVATE
    return [campaign_out(c) for c in selectors.campaigns(user=request.auth)[:200]]


@router.get("/campaigns/{campaign_id}", response=CampaignOut)
def campaign_detail(request, response: HttpResponse, campaign_id: int):
    """The campaign with its job's progress and the counts by state and kind."""
    response["Cache-Control"] = PRIVATE
    return campaign_out(selectors.campaign_get(user=request.auth, campaign_id=campaign_id))


@router.post("/campaigns/{campaign_id}/run", response=CampaignOut)
def campaign_run(request, campaign_id: int):
    """Run again (in the background): findings already listed or triaged are not raised again."""
    services.campaign_start(campaign_id=campaign_id, actor=request.auth)
    return campaign_out(selectors.campaign_get(user=request.auth, campaign_id=campaign_id))


class FindingFilter(page_in(limit=100, max_limit=1000)):
    state: str | None = Field(None, description="open, kept, corrected, proposed")
    kind: str | None = Field(None, description="duplicate, homophone, banned, charset, "
                                               "repeated_generic, mismatched_generic, sign …")
    severity: str | None = None
    q: str | None = Field(None, description="part of the name, or a division code prefix")
    current: bool = Field(False, description="only what the last run still found")


@router.get("/campaigns/{campaign_id}/findings", response=CampaignFindingPageOut)
def finding_list(request, response: HttpResponse, campaign_id: int,
                 filters: Query[FindingFilter]):
    response["Cache-Control"] = PRIVATE
    if filters.state and filters.state not in FindingState.values:
        raise BadRequest.of(gettext_noop("state %(state)r: expected one of %(states)s"),
                            state=filters.state, states=", ".join(FindingState.values))
    qs = selectors.findings(user=request.auth, campaign_id=campaign_id,
                            state=filters.state or "", kind=filters.kind or "",
                            severity=filters.severity or "", q=filters.q or "",
                            current=filters.current)
    return paginate(qs, filters.limit, filters.offset,
                    lambda rows: map(selectors.finding_row, rows))


@router.post("/campaigns/findings/{finding_id}/triage", response=CampaignFindingOut)
def finding_triage(request, finding_id: int, payload: TriageIn):
    """Keep (reason required), correct the record, or open a renaming proposal."""
    selectors.finding_get(user=request.auth, finding_id=finding_id)
    f = services.finding_triage(finding_id=finding_id, actor=request.auth,
                                **payload.dict())
    return selectors.finding_row(f)


@router.get("/campaigns/findings/{finding_id}/history", response=list[TriageOut])
def finding_history(request, response: HttpResponse, finding_id: int):
    response["Cache-Control"] = PRIVATE
    f = selectors.finding_get(user=request.auth, finding_id=finding_id)
    return [{"action": t.action, "from_state": t.from_state, "to_state": t.to_state,
             "reason": t.reason, "new_name": t.new_name, "proposal_id": t.proposal_id,
             "actor": t.actor.username, "recorded_at": t.recorded_at}
            for t in f.triages.select_related("actor")]


@router.get("/campaigns/{campaign_id}/report")
def campaign_report(request, campaign_id: int, format: str = "json"):
    """"n names checked, m non-standard, k corrected", with every finding (json or csv)."""
    data = selectors.report(user=request.auth, campaign_id=campaign_id)
    if format == "csv":
        resp = HttpResponse(selectors.report_csv(data), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="campaign-{campaign_id}.csv"'
    elif format == "json":
        import json

        resp = HttpResponse(json.dumps(data, ensure_ascii=False, default=str),
                            content_type="application/json")
    else:
        raise BadRequest.of(gettext_noop("format %(format)r: expected json or csv"),
                            format=format)
    resp["Cache-Control"] = PRIVATE
    return resp
