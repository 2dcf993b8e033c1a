"""/api/v1/mergers (simulation, scenarios, comparison, suggested plans) and
/api/v1/division-changes (change proposals and their execution); authenticated: planners
and approvers; scenarios are written by planners and owned by their author."""

from django.http import HttpResponse
from django.utils.translation import gettext_noop
from ninja import Query, Router

from accounts import permissions
from accounts.auth import AUTH
from boundaries.temporal import today
from config.errors import BadRequest, NotFound
from config.paging import PageIn, paginate

from . import changes, selectors, services
from .schemas import (
    CompareOut,
    DivisionChangeActionIn,
    DivisionChangeFromScenarioIn,
    DivisionChangeIn,
    DivisionChangeOut,
    DivisionChangePageOut,
    DivisionChangeUpdateIn,
    ScenarioIn,
    ScenarioListOut,
    ScenarioOut,
    SimulateIn,
    SimulateOut,
    SuggestIn,
    SuggestOut,
)

router = Router(tags=["mergers"], auth=AUTH)


def scenario_summary(s) -> dict:
    return {"id": s.id, "title": s.title, "author": s.author.username,
            "scope_code": s.scope_code, "scope_level": s.scope_level, "as_of": s.as_of,
            "created_at": s.created_at, "computed_at": s.computed_at,
            "plan": (s.metrics or {}).get("plan")}


def scenario_detail(s) -> dict:
    return scenario_summary(s) | {"operations": s.operations, "metrics": s.metrics}


def _private(response: HttpResponse) -> None:
    response["Cache-Control"] = "private, no-store"


@router.post("/mergers/simulate", response=SimulateOut)
def merger_simulate(request, payload: SimulateIn, response: HttpResponse):
    """One merger measured on ``as_of`` (today); nothing is written to the registry."""
    permissions.require(request.auth, "scenario.simulate")
    _private(response)
    return selectors.simulate(townships=payload.townships, name=payload.name,
                              kind=payload.kind, seat=payload.seat,
                              as_of=payload.as_of or today(), simplify_m=payload.simplify or 0)


@router.post("/mergers/scenarios", response={201: ScenarioOut})
def scenario_create(request, payload: ScenarioIn):
    s = services.scenario_create(actor=request.auth, title=payload.title, scope=payload.scope,
                                 as_of=payload.as_of or today(),
                                 operations=[op.model_dump(mode="json")
                                             for op in payload.operations])
    return 201, scenario_detail(s)


@router.get("/mergers/scenarios", response=ScenarioListOut)
def scenario_list(request, response: HttpResponse):
    _private(response)
    items = [scenario_summary(s) for s in selectors.scenarios_visible(request.auth)]
    return {"count": len(items), "items": items}


@router.get("/mergers/scenarios/{scenario_id}", response=ScenarioOut)
def scenario_get(request, scenario_id: int, response: HttpResponse):
    _private(response)
    return scenario_detail(selectors.scenario_get(request.auth, scenario_id))


@router.post("/mergers/scenarios/{scenario_id}/recompute", response=ScenarioOut)
def scenario_recompute(request, scenario_id: int):
    return scenario_detail(services.scenario_recompute(actor=request.auth,
                                                       scenario_id=scenario_id))


@router.delete("/mergers/scenarios/{scenario_id}", response={204: None})
def scenario_delete(request, scenario_id: int):
    services.scenario_delete(actor=request.auth, scenario_id=scenario_id)
    return 204, None


@router.get("/mergers/compare", response=CompareOut)
def scenario_compare(request, ids: str, response: HttpResponse):
    """Scenarios side by side: every plan metric, and which scenario is best on each."""
    _private(response)
    found = selectors.compare(request.auth, ids)
    return {"scenarios": [scenario_summary(s) for s in found["scenarios"]],
            "metrics": found["metrics"]}


@router.post("/mergers/suggest", response=SuggestOut)
def merger_suggest(request, payload: SuggestIn, response: HttpResponse):
    """A proposed plan reaching ``target_townships`` units (see the method in the answer)."""
    permissions.require(request.auth, "scenario.suggest")
    _private(response)
    if (payload.county is None) == (payload.prefecture is None):
        raise BadRequest.of(gettext_noop("give one of county or prefecture"))
    scope = payload.county or payload.prefecture
    as_of = payload.as_of or today()
    answer = selectors.suggest(scope=scope, as_of=as_of, target=payload.target_townships,
                               keep=payload.keep,
                               max_seat_distance_km=payload.max_seat_distance_km,
                               min_population=payload.min_population, seed=payload.seed)
    if payload.save_as:
        saved = services.scenario_create(actor=request.auth, title=payload.save_as,
                                         scope=scope, as_of=as_of,
                                         operations=answer["suggestion"]["operations"])
        answer["scenario_id"] = saved.id
    return answer


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
        "executed_at": c.executed_at, "result": c.result, "scenario_id": c.scenario_id,
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
        raise NotFound.of(gettext_noop("action %(action)r: expected one of %(actions)s"),
                          action=action, actions=", ".join(CHANGE_ACTIONS))
    change = CHANGE_ACTIONS[action](actor=request.user, change_id=change_id, note=payload.note)
    return change_out(request.user, change)


@router.post("/mergers/scenarios/{scenario_id}/propose", response={201: DivisionChangeOut})
def scenario_propose(request, scenario_id: int, payload: DivisionChangeFromScenarioIn):
    """Draft a division change proposal from a scenario (role planner): its operations are
    copied, and the proposal then goes through approval and execution."""
    scenario = selectors.scenario_get(request.auth, scenario_id)
    change = changes.division_change_from_scenario(actor=request.auth, scenario=scenario,
                                                   **payload.model_dump())
    return 201, change_out(request.auth, change)
