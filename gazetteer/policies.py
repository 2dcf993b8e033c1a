"""Who may write the gazetteer's records through the API (registered with
accounts.permissions): signs are registered, surveyed and replaced by the place-name
office (clerk); everyone reads them."""

from accounts import permissions
from accounts.roles import Role, roles_of

OFFICE = {Role.CLERK, Role.ADMIN}


def sign_policy(user, verb: str, sign=None, **context) -> str | None:
    if verb in ("register", "record_state", "replace"):
        return None if roles_of(user) & OFFICE else \
            f"sign.{verb}: only the place-name office (clerk) records signs"
    return f"sign.{verb}: no such action"


permissions.register("sign", sign_policy)
