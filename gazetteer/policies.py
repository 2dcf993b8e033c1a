"""Who may write the gazetteer's records through the API (registered with
accounts.permissions): signs are registered, surveyed and replaced by the place-name
office (clerk); everyone reads them."""

from django.utils.translation import gettext_noop

from accounts import permissions
from accounts.roles import Role, roles_of
from config.said import Said

OFFICE = {Role.CLERK, Role.ADMIN}


def sign_policy(user, verb: str, sign=None, **context) -> str | None:
    if verb in ("register", "record_state", "replace"):
        return None if roles_of(user) & OFFICE else Said(gettext_noop(
            "sign.%(verb)s: only the place-name office (clerk) records signs"), verb=verb)
    return Said(gettext_noop("sign.%(verb)s: no such action"), verb=verb)


permissions.register("sign", sign_policy)
