"""Who may do what with merger scenarios and division change proposals.

"division_change": the roles of each step are the transitions table's
(mergers.transitions); reading proposals is for planners and approvers.
"""

from accounts import permissions
from accounts.roles import Role, roles_of

from .transitions import MACHINE

CHANGE_STAFF = {Role.PLANNER, Role.APPROVER}
ROLE_NAMES = {Role.PLANNER: "planner", Role.APPROVER: "approver"}


def division_change_policy(user, verb: str, change=None, **context) -> str | None:
    mine = roles_of(user)
    if verb in ("view", "list"):
        return None if mine & CHANGE_STAFF else \
            "reading division change proposals is for planners and approvers"
    who = MACHINE.who(verb)
    if change is not None:
        # withdrawing a draft is either's, an approved change the approver's
        step = MACHINE.step(verb, change.state)
        who = step.who if step is not None else who
    if mine & who:
        return None
    names = " or ".join(sorted(ROLE_NAMES[r] for r in who))
    return f"{verb} of a division change is for the {names} role"


permissions.register("division_change", division_change_policy)
