"""Reads of the planning half: a merger simulated, scenarios, their comparison."""

from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from accounts import permissions
from config.errors import BadRequest, NotFound
from config.said import all_said

from . import plan, simulation
from . import suggest as search
from .models import Scenario
from .operations import MergeOp

# What compare sets side by side, and which way is better (None: no "best", a figure).
METRICS = [
    ("townships_after", None), ("share_after", "higher"), ("mean_area_km2_after", None),
    ("mean_villages_after", None), ("merged_units", None),
    ("worst_seat_distance_m", "lower"), ("mean_seat_distance_m", "lower"),
    ("village_clashes", "lower"), ("name_check_blocks", "lower"), ("exclaves", "lower"),
    ("non_contiguous_units", "lower"),
    ("enclosed_units", "lower"), ("mean_polsby_popper", "higher"), ("mean_reock", "higher"),
    # Fewer kilometres of border left to inspect and maintain (联检) is better.
    ("internal_lines_km", "higher"), ("markers_becoming_historical", None),
]


def simulate(*, townships: list[str], name: str, kind: str, seat, as_of: date,
             simplify_m: float = 0) -> dict:
    """One merger measured, with its county before and after; nothing is written."""
    parts = simulation.resolve_townships(townships, as_of)
    op = MergeOp(townships=townships, name=name, kind=kind, seat=seat)
    metrics = plan.evaluate(scope=parts[0].county, as_of=as_of, operations=[op],
                            geojson=True, simplify_m=simplify_m, resolved=parts)
    county = metrics["totals"]["counties"][0]
    return {"as_of": metrics["as_of"], "unit": metrics["units"][0],
            "county": county, "plan": metrics["plan"]}


def scenarios_visible(user) -> QuerySet:
    permissions.require(user, "scenario.list")
    return Scenario.objects.select_related("author")


def scenario_get(user, scenario_id: int) -> Scenario:
    found = Scenario.objects.select_related("author").filter(pk=scenario_id).first()
    if found is None:
        raise NotFound.of(gettext_noop("no scenario has the id %(id)s"), id=scenario_id)
    permissions.require(user, "scenario.view", found)
    return found


def parse_ids(raw: str) -> list[int]:
    try:
        ids = [int(x) for x in raw.split(",") if x.strip()]
    except ValueError:
        raise BadRequest.of(gettext_noop("ids %(ids)r: expected scenario ids separated by "
                                         "commas"), ids=raw) from None
    if not 2 <= len(ids) <= 20 or len(set(ids)) != len(ids):
        raise BadRequest.of(gettext_noop("ids %(ids)r: give 2 to 20 different scenario ids"),
                            ids=raw)
    return ids


def compare(user, raw_ids: str) -> dict:
    """Every metric per scenario, and which scenario is best on each (ties: all of them)."""
    permissions.require(user, "scenario.compare")
    ids = parse_ids(raw_ids)
    found = {s.id: s for s in Scenario.objects.select_related("author").filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound.of(gettext_noop("no scenario has the id %(id)s"),
                          id=", ".join(map(str, missing)))
    rows = [found[i] for i in ids]
    metrics = []
    for key, better in METRICS:
        values = [(s.metrics or {}).get("plan", {}).get(key) for s in rows]
        known = [v for v in values if v is not None]
        best = None
        if better and known:
            target = min(known) if better == "lower" else max(known)
            best = [s.id for s, v in zip(rows, values, strict=True) if v == target]
        metrics.append({"metric": key, "better": better, "values": values, "best": best})
    return {"scenarios": rows, "metrics": metrics}


def suggest(*, scope: str, as_of: date, target: int, keep: list[str],
            max_seat_distance_km: float | None, min_population: int | None,
            seed: int) -> dict:
    """A proposed plan (mergers.suggest), then measured like any scenario: the units'
    contiguity and clashes are the registry's answer, not the search's."""
    code, level, name = plan.scope_of(scope, as_of)
    prefix = code[:4] if level == 2 else code[:6]
    keep_codes, problems = simulation.township_codes(keep)
    if problems:
        raise BadRequest(all_said(gettext_noop("keep: %(problems)s"), problems))
    found = search.run(prefix=prefix, as_of=as_of, target=target, keep=set(keep_codes),
                       max_seat_distance_km=max_seat_distance_km,
                       min_population=min_population, seed=seed)
    if target > found["townships_before"]:
        raise BadRequest.of(gettext_noop("target_townships %(target)s: the scope has only "
                                         "%(before)s townships"),
                            target=target, before=found["townships_before"])
    metrics = plan.evaluate(scope=code, as_of=as_of,
                            operations=plan.parse_operations(found["operations"]))
    units = metrics["units"]
    found["verified"] = {
        "every_unit_contiguous": all(u["contiguous"] for u in units),
        "village_clashes": metrics["plan"]["village_clashes"],
        "worst_seat_distance_m": metrics["plan"]["worst_seat_distance_m"]}
    found["method"] = search.__doc__.split("\n\n", 1)[1].strip()
    return {"scope": metrics["scope"], "as_of": as_of.isoformat(), "suggestion": found,
            "metrics": metrics}
