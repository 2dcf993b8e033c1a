"""Division change proposals: the services `division_change_create/update/approve/execute/
withdraw(*, actor, ...)`, each one transaction, and the reads of the API.

The transitions table (mergers.transitions) says which step follows which and who takes
it; every step is a ChangeTransition row. Executing writes the registry through
mergers.execution in the same transaction as the step: a failure leaves both unchanged.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts import permissions
from accounts.permissions import check_actor
from accounts.transitions import NEW
from config.errors import BadRequest, NotFound

from .execution import execute_operations, parse_operations
from .models import ChangeKind, ChangeState, ChangeTransition, DivisionChange
from .transitions import MACHINE

EDITABLE = ("title", "kind", "subkind", "description", "operations", "effective_date",
            "approval_document", "approving_authority", "recode_villages")


def _check_fields(fields: dict) -> dict:
    if "kind" in fields and fields["kind"] not in ChangeKind.values:
        raise BadRequest.of(gettext_noop("kind %(kind)r: expected one of %(kinds)s"),
                            kind=fields["kind"], kinds=", ".join(ChangeKind.values))
    if "effective_date" in fields and not isinstance(fields["effective_date"], date):
        raise BadRequest.of(gettext_noop("effective_date: expected a date (YYYY-MM-DD)"))
    if "operations" in fields:
        ops = parse_operations(fields["operations"])
        if not ops:
            raise BadRequest.of(gettext_noop(
                "operations: a change carries out at least one operation"))
        fields["operations"] = [op.model_dump(mode="json") for op in ops]
    for name in ("title", "approval_document", "approving_authority", "subkind"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if "title" in fields and not fields["title"]:
        raise BadRequest.of(gettext_noop("title: a change needs a title"))
    return fields


def _record(change: DivisionChange, action: str, actor, note: str = "") -> None:
    step = MACHINE.require(action, change.state, change)
    target = step.target or change.state
    ChangeTransition.objects.create(change=change, action=action, from_state=change.state,
                                    to_state=target, actor=actor, note=note)
    change.state = target


def _locked(change_id: int) -> DivisionChange:
    try:
        return DivisionChange.objects.select_for_update().get(pk=change_id)
    except DivisionChange.DoesNotExist:
        raise _no_change(change_id) from None


def _no_change(change_id: int) -> NotFound:
    return NotFound.of(gettext_noop("division change %(id)s: no such proposal"), id=change_id)


@transaction.atomic
def division_change_create(*, actor, title: str, kind: str, effective_date: date,
                           operations: list, subkind: str = "", description: str = "",
                           approval_document: str = "", approving_authority: str = "",
                           recode_villages: bool = True, scenario=None) -> DivisionChange:
    """A draft change proposal (the planner's), with its operations checked for form."""
    check_actor(actor)
    permissions.require(actor, "division_change.create")
    if scenario is not None:
        permissions.require(actor, "scenario.view", scenario)
    fields = _check_fields({
        "title": title, "kind": kind, "subkind": subkind, "description": description,
        "operations": operations, "effective_date": effective_date,
        "approval_document": approval_document, "approving_authority": approving_authority,
        "recode_villages": recode_villages})
    step = MACHINE.require("create", NEW)
    change = DivisionChange.objects.create(state=step.target, created_by=actor,
                                           scenario=scenario, **fields)
    ChangeTransition.objects.create(change=change, action="create", from_state=NEW,
                                    to_state=step.target, actor=actor)
    return change


@transaction.atomic
def division_change_update(*, actor, change_id: int, **fields) -> DivisionChange:
    check_actor(actor)
    change = _locked(change_id)
    permissions.require(actor, "division_change.update", change)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise BadRequest.of(gettext_noop("%(fields)s: not fields of a change proposal"),
                            fields=", ".join(sorted(unknown)))
    _record(change, "update", actor, note=", ".join(sorted(fields)))
    for name, value in _check_fields(dict(fields)).items():
        setattr(change, name, value)
    change.save()
    return change


def _step(action: str, actor, change_id: int, note: str) -> DivisionChange:
    """A step that only moves the proposal's state (recorded as a transition)."""
    check_actor(actor)
    change = _locked(change_id)
    permissions.require(actor, f"division_change.{action}", change)
    _record(change, action, actor, note)
    change.save(update_fields=["state"])
    return change


@transaction.atomic
def division_change_approve(*, actor, change_id: int, note: str = "") -> DivisionChange:
    return _step("approve", actor, change_id, note)


@transaction.atomic
def division_change_withdraw(*, actor, change_id: int, note: str = "") -> DivisionChange:
    return _step("withdraw", actor, change_id, note)


@transaction.atomic
def division_change_execute(*, actor, change_id: int, note: str = "") -> DivisionChange:
    """Carry out the approved change: the registry and the proposal's state together."""
    check_actor(actor)
    change = _locked(change_id)
    permissions.require(actor, "division_change.execute", change)
    _record(change, "execute", actor, note)
    change.result = execute_operations(
        operations=change.operations, effective_date=change.effective_date, actor=actor,
        approval_document=change.approval_document,
        approving_authority=change.approving_authority, subkind=change.subkind,
        recode_villages=change.recode_villages)
    change.executed_at = timezone.now()
    change.save(update_fields=["state", "result", "executed_at"])
    return change


def division_change_get(change_id: int) -> DivisionChange:
    try:
        return DivisionChange.objects.get(pk=change_id)
    except DivisionChange.DoesNotExist:
        raise _no_change(change_id) from None


def division_changes(state: str | None = None):
    qs = DivisionChange.objects.order_by("-id")
    if state:
        if state not in ChangeState.values:
            raise BadRequest.of(gettext_noop("state %(state)r: expected one of %(states)s"),
                                state=state, states=", ".join(ChangeState.values))
        qs = qs.filter(state=state)
    return qs


def next_actions(user, change: DivisionChange) -> list[str]:
    return MACHINE.available(
        change.state,
        lambda step: permissions.offered(user, f"division_change.{step.action}", change),
        record=change)


@transaction.atomic
def division_change_from_scenario(*, actor, scenario, title: str | None, kind: str,
                                  effective_date: date, **fields) -> DivisionChange:
    """A draft proposal carrying out a scenario: its operations copied as they stand."""
    return division_change_create(actor=actor, title=title or scenario.title, kind=kind,
                                  effective_date=effective_date,
                                  operations=list(scenario.operations), scenario=scenario,
                                  **fields)
