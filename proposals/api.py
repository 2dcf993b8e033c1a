"""Naming proposals and the committee workflow (authenticated: session or bearer token)."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext_noop
from ninja import Query, Router
from pydantic import Field

from accounts.auth import AUTH
from boundaries.selectors import division_prefix
from boundaries.temporal import today
from config.errors import BadRequest
from config.paging import page_in, paginate
from gazetteer.geojson import geometry_in

from . import selectors, services
from .models import Kind, State
from .schemas import (
    ConsultationOut,
    ProposalActionIn,
    ProposalDetailOut,
    ProposalIn,
    ProposalPageOut,
)

router = Router(tags=["proposals"], auth=AUTH)
# What a user may see is theirs: never kept by a shared cache (the public GETs are).
PRIVATE = "private, no-store"


def summary(p) -> dict:
    return {"id": p.id, "kind": p.kind, "state": p.state, "name": p.name,
            "place_class": p.place_class.slug, "division_code": p.division_code,
            "place_id": p.place_id, "applicant": p.applicant.username,
            "created_at": p.created_at, "blocking": len(services.blocking(p.findings))}


def detail(user, p) -> dict:
    return summary(p) | {
        "heritage_category": p.heritage_category, "scopes": p.scopes,
        "meaning": p.meaning, "reason": p.reason,
        "geometry": json.loads(p.geom.geojson) if p.geom else None, "findings": p.findings,
        "consultation_start": p.consultation_start, "consultation_end": p.consultation_end,
        "announcement_number": p.announcement_number,
        "announcement_date": p.announcement_date, "published_place_id": p.published_place_id,
        "timeline": [{"action": t.action, "from_state": t.from_state, "to_state": t.to_state,
                      "actor": t.actor.username, "note": t.note, "at": t.at}
                     for t in sorted(p.transitions.all(), key=lambda t: (t.at, t.id))],
        "opinions": [{"expert": o.expert.username, "recommendation": o.recommendation,
                      "opinion": o.opinion, "at": o.at} for o in p.opinions.all()],
        "comments": [{"author": c.author, "text": c.text, "at": c.at} for c in p.comments.all()],
        "votes": [{"member": v.member.username, "choice": v.choice, "at": v.at}
                  for v in p.votes.all()],
        "actions": selectors.next_actions(user, p),
    }


@router.post("/proposals", response={201: ProposalDetailOut})
def proposal_create(request, payload: ProposalIn):
    """Submit a naming, renaming or cancellation proposal; the checks run at once."""
    p = services.proposal_submit(actor=request.auth, kind=payload.kind,
              place_class=payload.place_class, division_code=payload.division_code,
              name=payload.name, place_id=payload.place_id,
              geom=geometry_in(payload.geometry), meaning=payload.meaning,
              reason=payload.reason, heritage_category=payload.heritage_category)
    return 201, detail(request.auth, selectors.proposal_get(request.auth, p.id))


class ProposalFilter(page_in(limit=50, max_limit=500, max_offset=1_000_000)):
    state: str | None = Field(None, description="one of the workflow states")
    kind: str | None = None
    division: str | None = Field(None, description="code of a division: proposals under it")


@router.get("/proposals", response=ProposalPageOut)
def proposal_list(request, response: HttpResponse, filters: Query[ProposalFilter]):
    response["Cache-Control"] = PRIVATE
    qs = selectors.visible(request.auth).order_by("-created_at", "-id")
    if filters.state:
        if filters.state not in State.values:
            raise BadRequest.of(gettext_noop("state %(state)r: expected one of %(states)s"),
                                state=filters.state, states=", ".join(State.values))
        qs = qs.filter(state=filters.state)
    if filters.kind:
        if filters.kind not in Kind.values:
            raise BadRequest.of(gettext_noop("kind %(kind)r: expected one of %(kinds)s"),
                                kind=filters.kind, kinds=", ".join(Kind.values))
        qs = qs.filter(kind=filters.kind)
    if filters.division:
        prefix, _ = division_prefix(filters.division)
        qs = qs.filter(division_code__startswith=prefix)
    return paginate(qs, filters.limit, filters.offset, lambda rows: map(summary, rows))


@router.get("/proposals/{proposal_id}", response=ProposalDetailOut)
def proposal_detail(request, response: HttpResponse, proposal_id: int):
    """The proposal with its findings, timeline, opinions, comments, votes and next actions."""
    response["Cache-Control"] = PRIVATE
    return detail(request.auth, selectors.proposal_get(request.auth, proposal_id))


@router.post("/proposals/{proposal_id}/{action}", response=ProposalDetailOut)
def proposal_action(request, proposal_id: int, action: str, payload: ProposalActionIn):
    """Move the proposal on: 403 for a role that may not, 409 out of order."""
    selectors.proposal_get(request.auth, proposal_id)  # 404 when not visible
    services.proposal_act(proposal_id=proposal_id, actor=request.auth, action=action,
          data=services.ActionIn(**payload.dict()))
    return detail(request.auth, selectors.proposal_get(request.auth, proposal_id))


@router.get("/consultations", response=list[ConsultationOut], auth=None)
def consultation_list(request, division: str | None = None):
    """Public: the proposals now open for comment (征求意见), for anyone to read."""
    qs = selectors.open_consultations(today())
    if division:
        prefix, _ = division_prefix(division)
        qs = qs.filter(division_code__startswith=prefix)
    return [{"id": p.id, "kind": p.kind, "name": p.name or (p.place.name if p.place else ""),
             "place_class": p.place_class.slug, "division_code": p.division_code,
             "place_id": p.place_id, "meaning": p.meaning, "reason": p.reason,
             "consultation_start": p.consultation_start,
             "consultation_end": p.consultation_end} for p in qs[:500]]

