"""Roles are Django groups of the same names; superusers and the admin group hold them all.

The system actor is not a role: it is the user named SYSTEM, inactive and without a
usable password, that management commands and the demo loader act as. It may do every
action (accounts.permissions) and is never signed in (inactive users are refused by
both the session and the token authentication).
"""

from django.db import models

SYSTEM = "system"


class Role(models.TextChoices):
    APPLICANT = "applicant", "申报人"
    CLERK = "clerk", "地名办工作人员"
    EXPERT = "expert", "专家"
    MEMBER = "member", "地名委员会委员"
    CHAIR = "chair", "主任委员"
    ADMIN = "admin", "管理员"
    # The change proposals for divisions (区划变更): who drafts them and who approves them.
    PLANNER = "planner", "区划规划人员"
    APPROVER = "approver", "区划审批人"
    # The archive office (地名档案): files, versions, links and publishes archive documents
    # (archives.policies); the group is made by archives' first migration.
    ARCHIVIST = "archivist", "档案管理员"


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
