"""Roles are Django groups of the same names; superusers and the admin group hold them all.

The system actor is not a role: it is the user named SYSTEM, inactive and without a
usable password, that management commands and the demo loader act as. It may do every
action (accounts.permissions) and is never signed in (inactive users are refused by
both the session and the token authentication).
"""

from django.db import models
from django.utils.translation import pgettext_lazy

from config.said import joined

SYSTEM = "system"


class Role(models.TextChoices):
    APPLICANT = "applicant", pgettext_lazy("role", "applicant")
    CLERK = "clerk", pgettext_lazy("role", "place-name office clerk")
    EXPERT = "expert", pgettext_lazy("role", "expert")
    MEMBER = "member", pgettext_lazy("role", "naming committee member")
    CHAIR = "chair", pgettext_lazy("role", "committee chair")
    ADMIN = "admin", pgettext_lazy("role", "administrator")
    # The change proposals for divisions (区划变更): who drafts them and who approves them.
    PLANNER = "planner", pgettext_lazy("role", "division change planner")
    APPROVER = "approver", pgettext_lazy("role", "division change approver")
    # The archive office (地名档案): files, versions, links and publishes archive documents
    # (archives.policies); the group is made by archives' first migration.
    ARCHIVIST = "archivist", pgettext_lazy("role", "archivist")


# The place-name office (地名办), which keeps the registers: it plans and archives
# inspections (inspections.policies) and registers, records and moves boundary markers
# (boundaries.policies).
OFFICE_ROLES = frozenset({Role.CLERK, Role.ADMIN})


def roles_of(user) -> set[str]:
    if user.is_superuser:
        return set(Role.values)
    # Read with the user by the sign-in backend (accounts.backends), else asked for here
    loaded = getattr(user, "role_names", None)
    names = set(loaded if loaded is not None else user.groups.values_list("name", flat=True))
    return names | (set(Role.values) if Role.ADMIN in names else set())


def is_system(user) -> bool:
    """The system actor: the inactive user SYSTEM (its name is taken by a migration)."""
    return user.username == SYSTEM and not user.is_active


def roles_said(roles):
    """"clerk or chair" by the roles' labels, said in the language of the page that shows
    it (a refusal's shown parameter)."""
    labels = dict(Role.choices)
    return joined("alternatives", [labels.get(r, r) for r in roles])
