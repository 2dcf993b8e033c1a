"""The answer for each merged unit of a plan: shape, villages, clashes, lines, distances.

The statements are mergers.simulation's; the name checks are gazetteer's check engine —
the villages' names within the unit as one scope (gazetteer.checks_batch.clash_pairs_sql, the
rule of /names/check for divisions: same name, homophone, traditional form), and the
new township's name within its county (gazetteer.checks_batch.check_names: the rules
of gazetteer.checks.check_name, as /names/check, for every unit at once).
"""

import json
from datetime import date

from django.utils.translation import gettext_noop

from config.said import filled
from gazetteer import checks, checks_batch
from gazetteer.models import PlaceClass

from . import simulation
from .simulation import Unit

TOWNSHIP_CLASS = "township"
# What simulation.measures gives beside the shape's own figures.
UNIT_PARTS = {"geometry", "lines", "villages", "clashes"}


def measure(units: list[Unit], as_of: date, *, geojson: bool = True,
            simplify_m: float = 0, county_rows: dict | None = None) -> dict[str, dict]:
    """{unit key: its answer}: one statement for all the units' measures, and one batch of
    name checks (``county_rows``: the counties' rows the caller has read, by code)."""
    if not units:
        return {}
    names = checks_batch.prepare_names(names=[(u.name, u.county) for u in units],
                                       place_class=TOWNSHIP_CLASS, as_of=as_of,
                                       known=county_rows)
    shapes, rule_rows = simulation.measures(units, as_of, geojson=geojson,
                                            simplify_m=simplify_m, names=names)
    named = name_checks(units, checks_batch.results(names, rule_rows))
    out = {}
    for unit in units:
        shape = shapes[unit.key]
        rows = shape["villages"]
        internal, remaining = shape["lines"]["internal"], shape["lines"]["remaining"]
        findings = [f.__dict__ for f in shape["clashes"]]
        out[unit.key] = {
            "name": unit.name, "kind": unit.kind, "county_code": unit.county,
            "townships": [p.ref() for p in unit.parts],
            "seat": {"lon": unit.seat[0], "lat": unit.seat[1], "chosen": unit.seat[2]},
            **{k: v for k, v in shape.items() if k not in UNIT_PARTS},
            "geometry": json.loads(shape["geometry"]) if shape["geometry"] else None,
            "exclave": shape["parts"] > 1,
            "villages": [{k: r[k] for k in ("code", "name", "kind", "township_code")}
                         for r in rows],
            "village_count": len(rows),
            "village_clashes": findings,
            "name_check": named[unit.key],
            "lines": {"internal": internal, "remaining": remaining,
                      "internal_length_m": sum(x["length_m"] for x in internal),
                      "remaining_length_m": sum(x["length_m"] for x in remaining),
                      "markers_becoming_historical": sorted(
                          {m for x in internal for m in x["markers"]})},
            "seat_distance": simulation.distance_summary(rows),
            **_findings(unit_findings(shape, findings)),
        }
    return out


def _findings(said: list[dict]) -> dict:
    """The unit's findings as the API says them (English), and as the pages do."""
    return {"findings": [f["message"] for f in said], "findings_said": said}


def name_checks(units: list[Unit], results: list[checks.CheckResult]) -> dict:
    """{unit key: the new township's name within its county, as /names/check answers it}
    from the check engine's ``results`` for the units' names, in order (one batch, run in
    the measures' statement); the parts' own names are no clash (they cease to exist)."""
    out = {}
    for unit, checked in zip(units, results, strict=True):
        result = checked.as_dict()
        parts = {p.code for p in unit.parts}
        result["findings"] = [
            f for f in result["findings"]
            if not (f["rule"] == "unique" and f["evidence"]
                    and all(e.get("code") in parts for e in f["evidence"]))]
        result["blocked"] = any(f["severity"] == checks.BLOCK for f in result["findings"])
        out[unit.key] = result
    return out


def unit_findings(shape: dict, clashes: list[dict]) -> list[dict]:
    """What a planner must look at: exclaves, enclosed units, clashes, a tiling gap; each
    as its English message with its template and parameters (config.said)."""
    found = []
    if not shape["contiguous"]:
        found.append((gettext_noop("飞地: the merged unit has %(parts)d separate parts; its "
                                   "townships do not all share a border"),
                      {"parts": shape["parts"]}))
    elif shape["parts"] > 1:
        found.append((gettext_noop("飞地: the merged unit has %(parts)d separate parts, "
                                   "exclaves its townships already have"),
                      {"parts": shape["parts"]}))
    if shape["enclosed"]:
        found.append((gettext_noop("插花地: encloses %(enclosed)s"), {"enclosed": "、".join(
            f"{e['name']} {e['code'][:9]}" for e in shape["enclosed"])}))
    if clashes:
        found.append((gettext_noop("%(count)d village name clash(es)"),
                      {"count": len(clashes)}))
    parts_km2 = shape["parts_sum_km2"]
    if parts_km2 and abs(shape["area_km2"] - parts_km2) > 0.001 * parts_km2:
        found.append((gettext_noop("the parts do not tile: union %(union).3f km² against "
                                   "%(sum).3f km² for the sum of the parts"),
                      {"union": shape["area_km2"], "sum": parts_km2}))
    return [{"message": filled(t, p), "template": t, "params": p} for t, p in found]


def renamed_check(rename: dict, as_of: date) -> dict:
    """A renamed township's new name within its county."""
    result = checks.check_name(name=rename["to"], place_class=PlaceClass.objects.get(
        slug=TOWNSHIP_CLASS), division_code=rename["county_code"], as_of=as_of).as_dict()
    result["blocked"] = any(f["severity"] == checks.BLOCK for f in result["findings"])
    return result
