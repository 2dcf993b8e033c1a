"""/api/v1/mergers: simulation, scenarios, comparison, suggested plans, change proposals."""

from django.http import HttpResponse
from ninja import Query, Router

from accounts import permissions
from accounts.auth import AUTH
from config.errors import NotFound
from config.paging import PageIn, paginate

from . import changes
from .schemas import (
    DivisionChangeActionIn,
    DivisionChangeIn,
    DivisionChangeOut,
    DivisionChangePageOut,
    DivisionChangeUpdateIn,
)

router = Router(tags=["mergers"])


# --- division change proposals: /division-changes ------------------------------------
# (/changes is the public change feed; these are staff records, never cached.)

PRIVATE = "private, no-store"
CHANGE_ACTIONS = {"approve": changes.division_change_approve,
                  "execute": changes.division_change_execute,
                  "withdraw": changes.division_change_withdraw}


def change_out(user, c) -> dict:
    return {
        "id": c.id, "title": c.title, "kind": c.kind, "subkind": c.subkind,
        "description": c.description, "state": c.state, "effective_date": c.effective_date,
        "approval_document": c.approval_document, "approving_authority": c.approving_authority,
        "recode_villages": c.recode_villages, "operations": c.operations,
        "created_by": c.created_by.username, "created_at": c.created_at,
        "executed_at": c.executed_at, "result": c.result,
        "transitions": [{"action": t.action, "from_state": t.from_state,
                         "to_state": t.to_state, "actor": t.actor.username, "note": t.note,
                         "at": t.at}
                        for t in c.transitions.select_related("actor").order_by("at", "id")],
        "actions": changes.next_actions(user, c),
    }


def _ops(operations) -> list[dict]:
    return [op.model_dump(mode="json") for op in operations]


@router.post("/division-changes", response={201: DivisionChangeOut}, auth=AUTH)
def division_change_create(request, payload: DivisionChangeIn):
    """Draft a division change proposal (role planner)."""
    data = payload.model_dump(exclude={"operations"}) | {"operations": _ops(payload.operations)}
    change = changes.division_change_create(actor=request.user, **data)
    return 201, change_out(request.user, change)


@router.get("/division-changes", response=DivisionChangePageOut, auth=AUTH)
def division_change_list(request, response: HttpResponse, page: Query[PageIn],
                         state: str | None = None):
    """Change proposals, newest first (planners and approvers)."""
    response["Cache-Control"] = PRIVATE
    permissions.require(request.user, "division_change.list")
    return paginate(changes.division_changes(state).select_related("created_by"),
                    page.limit, page.offset,
                    lambda rows: [change_out(request.user, c) for c in rows])


@router.get("/division-changes/{change_id}", response=DivisionChangeOut, auth=AUTH)
def division_change_detail(request, response: HttpResponse, change_id: int):
    response["Cache-Control"] = PRIVATE
    change = changes.division_change_get(change_id)
    permissions.require(request.user, "division_change.view", change)
    return change_out(request.user, change)


@router.patch("/division-changes/{change_id}", response=DivisionChangeOut, auth=AUTH)
def division_change_update(request, change_id: int, payload: DivisionChangeUpdateIn):
    """Edit a draft (role planner)."""
    data = payload.model_dump(exclude_none=True, exclude={"operations"})
    if payload.operations is not None:
        data["operations"] = _ops(payload.operations)
    change = changes.division_change_update(actor=request.user, change_id=change_id, **data)
    return change_out(request.user, change)


@router.post("/division-changes/{change_id}/{action}", response=DivisionChangeOut, auth=AUTH)
def division_change_action(request, change_id: int, action: str,
                           payload: DivisionChangeActionIn):
    """approve (with its document), execute (writes the registry), withdraw."""
    if action not in CHANGE_ACTIONS:
        raise NotFound(f"action {action!r}: expected one of {', '.join(CHANGE_ACTIONS)}")
    change = CHANGE_ACTIONS[action](actor=request.user, change_id=change_id, note=payload.note)
    return change_out(request.user, change)
