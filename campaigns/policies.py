"""Who may see and work campaigns (registered with accounts.permissions as "campaign"):
the staff of the place-name office (clerk, admin) only, for reads as for writes: a work
list of non-standard names is the office's working paper, not a publication."""

from django.utils.translation import gettext_noop

from accounts import permissions
from accounts.roles import OFFICE_ROLES, roles_of
from config.said import Said

VERBS = {"view", "create", "run", "triage"}


def campaign_policy(user, verb: str, campaign=None, **context) -> str | None:
    if verb not in VERBS:
        return Said(gettext_noop("campaign.%(verb)s: no such action"), verb=verb)
    if roles_of(user) & OFFICE_ROLES:
        return None
    return Said(gettext_noop("campaign.%(verb)s: only the place-name office (clerk) works "
                             "clean-up campaigns"), verb=verb)


permissions.register("campaign", campaign_policy)
