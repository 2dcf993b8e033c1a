"""The one answer to "may this user do this action on this object?".

Actions are named ``<kind>.<verb>`` ("proposal.accept", "inspection.sign_a",
"hazard.record"). Accounts sit below the apps whose objects they guard, so each app
registers the policy for its kind when it is ready (``<app>/policies.py``); a policy
returns None when the user may act, else the reason they may not, which
``require`` raises as Forbidden (HTTP 403).

The system actor (accounts.roles.SYSTEM) may do every action: it is the operator at
the command line and the demo loader, and is never signed in. There is no anonymous
or implicit actor: ``None`` is a programming error (TypeError).
"""

from collections.abc import Callable

from django.utils.translation import gettext_noop

from config.errors import Forbidden

from .models import TokenScope
from .roles import is_system

# (user, verb, obj, **context) -> None if allowed, else why not
Policy = Callable[..., str | None]
_POLICIES: dict[str, Policy] = {}


def register(kind: str, policy: Policy) -> None:
    _POLICIES[kind] = policy


def check_actor(actor):
    """The actor of a write: a user, never None (use accounts.services.system_actor())."""
    if actor is None:
        raise TypeError("actor is required: pass the user who acts, or "
                        "accounts.services.system_actor() from a command")
    if not getattr(actor, "is_authenticated", False) or actor.pk is None:
        raise Forbidden.of(gettext_noop("sign in first: this needs a registered user"))
    return actor


def refusal(user, action: str, obj=None, **context) -> str | None:
    """Why the user may not do the action (None: they may)."""
    kind, _, verb = action.partition(".")
    policy = _POLICIES.get(kind)
    if policy is None or not verb:
        raise LookupError(f"no policy for the action {action!r} (registered kinds: "
                          f"{', '.join(sorted(_POLICIES)) or 'none'})")
    check_actor(user)
    if is_system(user):
        return None
    return policy(user, verb, obj, **context)


def can(user, action: str, obj=None, **context) -> bool:
    return refusal(user, action, obj, **context) is None


def may_write(user) -> bool:
    """False when the caller's credential may only read (a read-scope API token)."""
    return getattr(user, "token_scope", None) != TokenScope.READ


def offered(user, action: str, obj=None, **context) -> bool:
    """Whether to offer the action among a record's next actions: allowed, and the
    credential may write (the request itself would be refused before the policy)."""
    return may_write(user) and can(user, action, obj, **context)


def require(user, action: str, obj=None, **context) -> None:
    why = refusal(user, action, obj, **context)
    if why is not None:
        raise Forbidden(why)
