"""Who may write boundary markers (registered with accounts.permissions as "marker"): the
place-name office, the roles accounts.roles.OFFICE_ROLES (inspections plan with the same).
Reading markers is public."""

from django.utils.translation import gettext_noop

from accounts import permissions
from accounts.roles import OFFICE_ROLES, roles_of
from config.said import Said

WHAT = {"register": gettext_noop("registering a marker"),
        "record_state": gettext_noop("recording a marker's state"),
        "move": gettext_noop("moving a marker")}


def marker_policy(user, verb: str, marker=None, **context) -> str | None:
    if verb not in WHAT:
        raise LookupError(f"no marker action {verb!r}")
    if roles_of(user) & OFFICE_ROLES:
        return None
    return Said(gettext_noop("%(what)s is for the place-name office (clerk or admin role)"),
                what=Said(WHAT[verb]))


permissions.register("marker", marker_policy)
