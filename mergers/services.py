"""Writes of merger scenarios (keyword-only, with their actor, atomic). A scenario is
planning, not history: its author may recompute it or delete it."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts import permissions
from config.errors import NotFound

from . import plan
from .models import Scenario

parse_operations = plan.parse_operations


@transaction.atomic
def scenario_create(*, actor, title: str, scope: str, as_of: date,
                    operations: list) -> Scenario:
    permissions.require(actor, "scenario.create")
    ops = parse_operations(operations)
    metrics = plan.evaluate(scope=scope, as_of=as_of, operations=ops)
    return Scenario.objects.create(
        author=actor, title=title, scope_code=metrics["scope"]["code"],
        scope_level=metrics["scope"]["level"], as_of=as_of,
        operations=[op.model_dump(mode="json") for op in ops], metrics=metrics,
        computed_at=timezone.now())


def _locked(scenario_id: int) -> Scenario:
    found = Scenario.objects.select_for_update().filter(pk=scenario_id).first()
    if found is None:
        raise NotFound.of(gettext_noop("no scenario has the id %(id)s"), id=scenario_id)
    return found


@transaction.atomic
def scenario_recompute(*, actor, scenario_id: int) -> Scenario:
    """The metrics again, on the registry as it is now (its as_of unchanged)."""
    scenario = _locked(scenario_id)
    permissions.require(actor, "scenario.recompute", scenario)
    scenario.metrics = plan.evaluate(scope=scenario.scope_code, as_of=scenario.as_of,
                                     operations=parse_operations(scenario.operations))
    scenario.computed_at = timezone.now()
    scenario.save(update_fields=["metrics", "computed_at", "updated_at"])
    return scenario


@transaction.atomic
def scenario_delete(*, actor, scenario_id: int) -> None:
    scenario = _locked(scenario_id)
    permissions.require(actor, "scenario.delete", scenario)
    scenario.delete()
