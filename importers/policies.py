"""Who may register and read datum parameters (registered with accounts.permissions as
"datum_parameters"): the place-name office, clerk or admin role. Conversion parameters of a
survey office's area are often restricted (涉密) documents: reads are the office's too, and a
survey read with a registered set reports which set it used, not its numbers."""

from django.utils.translation import gettext_noop

from accounts import permissions
from accounts.roles import Role, roles_of
from config.said import Said

OFFICE = {Role.CLERK, Role.ADMIN}
VERBS = {"register": gettext_noop("registering datum parameters"),
         "list": gettext_noop("reading datum parameters")}


def datum_parameters_policy(user, verb: str, obj=None, **context) -> str | None:
    if verb not in VERBS:
        raise LookupError(f"no datum parameters action {verb!r}")
    if roles_of(user) & OFFICE:
        return None
    return Said(gettext_noop("%(what)s is for the place-name office (clerk or admin role)"),
                what=Said(VERBS[verb]))


permissions.register("datum_parameters", datum_parameters_policy)
