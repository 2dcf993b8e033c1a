"""Who may write boundary markers (registered with accounts.permissions as "marker"): the
place-name office, the roles accounts.roles.OFFICE_ROLES (inspections plan with the same).
Reading markers is public."""

from accounts import permissions
from accounts.roles import OFFICE_ROLES, roles_of

WHAT = {"register": "registering a marker", "record_state": "recording a marker's state",
        "move": "moving a marker"}


def marker_policy(user, verb: str, marker=None, **context) -> str | None:
    if verb not in WHAT:
        raise LookupError(f"no marker action {verb!r}")
    if roles_of(user) & OFFICE_ROLES:
        return None
    return f"{WHAT[verb]} is for the place-name office (clerk or admin role)"


permissions.register("marker", marker_policy)
