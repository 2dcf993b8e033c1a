"""Who may do what with merger scenarios and division change proposals.

Registered with accounts.permissions; filled in by the scenario and change-proposal work.
"""

from accounts import permissions
from accounts.roles import Role, roles_of

# ── scenarios (planning: simulate, scenarios, compare, suggest) ─────────────────────────
# Planners draft and own scenarios; approvers read them. Simulating and suggesting are
# for the same two roles: a suggestion is a search that costs seconds of a worker.
SCENARIO_READERS = {Role.PLANNER, Role.APPROVER}
FOR_PLANNING = "is for division planners and approvers (role planner or approver)"


def scenario_policy(user, verb: str, scenario=None, **context) -> str | None:
    roles = roles_of(user)
    if verb in ("view", "list", "simulate", "suggest", "compare"):
        return None if roles & SCENARIO_READERS else f"{verb} {FOR_PLANNING}"
    if verb == "create":
        return None if Role.PLANNER in roles else "creating a scenario needs the role planner"
    if verb in ("recompute", "delete"):
        if Role.PLANNER in roles and scenario is not None and scenario.author_id == user.pk:
            return None
        return f"{verb}: scenario {getattr(scenario, 'id', '')} is its author's"
    return f"no such scenario action: {verb}"


permissions.register("scenario", scenario_policy)
# ── end of scenarios ────────────────────────────────────────────────────────────────────
