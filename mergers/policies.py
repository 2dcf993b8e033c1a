"""Who may do what with merger scenarios and division change proposals.

"division_change": the roles of each step are the transitions table's
(mergers.transitions); reading proposals is for planners and approvers.
"""

from django.utils.translation import gettext_noop

from accounts import permissions
from accounts.roles import Role, roles_of, roles_said
from config.said import Said

from .transitions import MACHINE

# ── scenarios (planning: simulate, scenarios, compare, suggest) ─────────────────────────
# Planners draft and own scenarios; approvers read them. Simulating and suggesting are
# for the same two roles: a suggestion is a search that costs seconds of a worker.
SCENARIO_READERS = {Role.PLANNER, Role.APPROVER}


def scenario_policy(user, verb: str, scenario=None, **context) -> str | None:
    roles = roles_of(user)
    if verb in ("view", "list", "simulate", "suggest", "compare"):
        return None if roles & SCENARIO_READERS else Said(gettext_noop(
            "%(verb)s is for division planners and approvers (role planner or approver)"),
            verb=verb)
    if verb == "create":
        return None if Role.PLANNER in roles else Said(gettext_noop(
            "creating a scenario needs the role planner"))
    if verb in ("recompute", "delete"):
        if Role.PLANNER in roles and scenario is not None and scenario.author_id == user.pk:
            return None
        return Said(gettext_noop("%(verb)s: scenario %(id)s is its author's"),
                    verb=verb, id=getattr(scenario, "id", ""))
    return Said(gettext_noop("no such scenario action: %(verb)s"), verb=verb)


permissions.register("scenario", scenario_policy)
# ── end of scenarios ────────────────────────────────────────────────────────────────────



CHANGE_STAFF = {Role.PLANNER, Role.APPROVER}
ROLE_NAMES = {Role.PLANNER: "planner", Role.APPROVER: "approver"}



def division_change_policy(user, verb: str, change=None, **context) -> str | None:
    mine = roles_of(user)
    if verb in ("view", "list"):
        return None if mine & CHANGE_STAFF else Said(gettext_noop(
            "reading division change proposals is for planners and approvers"))
    who = MACHINE.who(verb)
    if change is not None:
        # withdrawing a draft is either's, an approved change the approver's
        step = MACHINE.step(verb, change.state)
        who = step.who if step is not None else who
    if mine & who:
        return None
    ordered = sorted(who, key=ROLE_NAMES.get)
    return Said(gettext_noop("%(verb)s of a division change is for the %(roles)s role"),
                verb=verb, roles=" or ".join(ROLE_NAMES[r] for r in ordered),
                shown={"verb": MACHINE.verb(verb), "roles": roles_said(ordered)})


permissions.register("division_change", division_change_policy)
