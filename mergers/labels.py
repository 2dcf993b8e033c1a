"""What the planners' pages call the registry's codes, in the page's language: the kinds,
states and steps of change proposals, the operations, and the plan's figures. The codes
stay the API's and the database's; kinds and states are the models' own labels."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.said import in_language

from .models import ChangeKind, ChangeState
from .transitions import MACHINE

CHANGE_KINDS = dict(ChangeKind.choices)
CHANGE_STATES = dict(ChangeState.choices)
CHANGE_STEPS = MACHINE.labels
OPERATIONS = {
    "merge": pgettext_lazy("operation", "merge"),
    "split": pgettext_lazy("operation", "split"),
    "transfer": pgettext_lazy("operation", "transfer"),
    "rename": pgettext_lazy("operation", "rename"),
    "kind_change": pgettext_lazy("operation", "change of kind"),
    "boundary": pgettext_lazy("operation", "boundary adjustment"),
}
# The plan's figures (plan.summary), as the scenario page and the comparison name them.
METRICS = {
    "townships_before": _("townships before"),
    "townships_after": _("townships after"),
    "share_before": _("share of towns and subdistricts before"),
    "share_after": _("share of towns and subdistricts after"),
    "mean_area_km2_after": _("mean area after (km²)"),
    "mean_villages_after": _("mean villages and communities per township after"),
    "merged_units": _("merged units"),
    "worst_seat_distance_m": _("farthest village from its seat (m)"),
    "mean_seat_distance_m": _("mean village-to-seat distance (m)"),
    "village_clashes": _("village name clashes"),
    "name_check_blocks": _("blocking name-check findings"),
    "exclaves": _("exclaves (飞地)"),
    "non_contiguous_units": _("non-contiguous units"),
    "enclosed_units": _("enclosed units (插花地)"),
    "mean_polsby_popper": _("mean Polsby–Popper compactness"),
    "mean_reock": _("mean Reock compactness"),
    "internal_lines_km": _("border lines that disappear (km)"),
    "markers_becoming_historical": _("markers becoming historical"),
}


def metric(key: str) -> str:
    return METRICS.get(key, key)


def operation(op: dict) -> dict:
    """An operation with its label and the codes it names, for the pages."""
    codes = op.get("townships") or op.get("villages") or []
    unit = op.get("unit") or op.get("source") or ""
    return {"label": OPERATIONS.get(op.get("op"), op.get("op")), "name": op.get("name") or "",
            "kind": op.get("kind") or "", "codes": [*codes, unit] if unit else codes,
            "to": op.get("to") or ""}


def transition(t) -> dict:
    """A step of a change proposal's timeline, in the page's language."""
    return {"at": t.at, "actor": t.actor.username, "note": t.note,
            "step": CHANGE_STEPS.get(t.action, t.action),
            "from": CHANGE_STATES.get(t.from_state, t.from_state) if t.from_state else "",
            "to": CHANGE_STATES.get(t.to_state, t.to_state)}


def unit_said(unit: dict) -> dict:
    """A simulated unit's clashes, name check and findings in the page's language (a
    scenario computed before the findings kept their templates: their English words)."""
    findings = unit.get("findings_said")
    return {"clashes": [in_language(c) for c in unit.get("village_clashes", [])],
            "name_check": [in_language(f) for f in unit.get("name_check", {})
                           .get("findings", [])],
            "findings": [in_language(f) for f in findings] if findings is not None
            else unit.get("findings", [])}
