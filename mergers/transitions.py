"""The division change workflow as a table: planners draft and may withdraw a draft,
approvers approve (with the approval document), execute and may withdraw an approved
change. mergers.changes enforces it; next_actions offers from it."""

from django.utils.translation import gettext_noop, pgettext_lazy

from accounts.roles import Role
from accounts.transitions import NEW, Machine, Step
from config.said import Said

from .models import ChangeState as S


def _documented(change) -> str | None:
    if change.approval_document.strip() and change.approving_authority.strip():
        return None
    return Said(gettext_noop("the change needs its approval document number and approving "
                             "authority (批准文号, 批准机关) before it is approved"))


MACHINE = Machine(gettext_noop("division change"), [
    Step("create", {NEW}, S.DRAFT, {Role.PLANNER}),
    Step("update", {S.DRAFT}, None, {Role.PLANNER}),
    Step("approve", {S.DRAFT}, S.APPROVED, {Role.APPROVER}, guard=_documented),
    Step("execute", {S.APPROVED}, S.EXECUTED, {Role.APPROVER}),
    Step("withdraw", {S.DRAFT}, S.WITHDRAWN, {Role.PLANNER, Role.APPROVER}),
    Step("withdraw", {S.APPROVED}, S.WITHDRAWN, {Role.APPROVER}),
], labels={
    "create": pgettext_lazy("division change step", "drafted"),
    "update": pgettext_lazy("division change step", "amended"),
    "approve": pgettext_lazy("division change step", "approved"),
    "execute": pgettext_lazy("division change step", "executed"),
    "withdraw": pgettext_lazy("division change step", "withdrawn"),
}, states=S, verbs={
    "create": pgettext_lazy("division change action", "draft"),
    "update": pgettext_lazy("division change action", "amend"),
    "approve": pgettext_lazy("division change action", "approve"),
    "execute": pgettext_lazy("division change action", "execute"),
    "withdraw": pgettext_lazy("division change action", "withdraw"),
})
