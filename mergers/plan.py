"""A whole plan in memory: the operations applied to the ``as_of`` snapshot of a county or
prefecture, the figures before and after, and the merged units measured by mergers.measure.

The snapshot is one statement (every township in force in the scope with its kind, area,
population and village count); merges, transfers, renames, kind changes and splits are
applied to it in order; nothing is written.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils.translation import gettext_noop
from pydantic import TypeAdapter, ValidationError

from boundaries.codes import parse_code, prefix_range
from boundaries.temporal import in_force_sql
from config import prepared
from config.errors import BadRequest
from config.said import Said, all_said

from . import measure, simulation
from .labels import OPERATIONS as OPERATION_LABELS
from .operations import (
    BoundaryOp,
    KindChangeOp,
    MergeOp,
    Operation,
    RenameOp,
    SplitOp,
    TransferOp,
)

TOWN_KINDS = ("镇", "街道")
OPERATIONS = TypeAdapter(list[Operation])


def parse_operations(raw: list) -> list:
    """mergers.operations from their JSON; a 400 names the operation and the field."""
    try:
        return OPERATIONS.validate_python(raw)
    except ValidationError as exc:
        raise BadRequest.of(gettext_noop("operations: %(errors)s"), errors="; ".join(
            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())) from None

# Code ranges, not left(code, n): the (level, code) index serves them. Village counts by
# the parent index, township by township: a grouped count joined to the townships was
# planned as a nested loop sorting every village of the scope again for each township.
# The counties' names come with the townships, in the same statement (level 3 rows next,
# with whether each is the current version: the name checks read the current county), and
# the scope's own row last when its level is known (scope_of's question, asked here).
SNAPSHOT_SQL = f"""
SELECT 4, t.code, t.name, t.kind, t.parent_code, t.area_km2, t.population,
       (SELECT count(*) FROM boundaries_divisionversion v
        WHERE v.parent_code = t.code AND v.level = 5 AND v.code >= %(lo)s AND v.code < %(hi)s
          AND {in_force_sql('v')})
FROM boundaries_divisionversion t
WHERE t.level = 4 AND t.code >= %(lo)s AND t.code < %(hi)s AND {in_force_sql('t')}
UNION ALL
SELECT 3, code, name, kind, NULL, NULL, NULL, (valid_to IS NULL)::int
FROM boundaries_divisionversion
WHERE level = 3 AND code >= %(lo)s AND code < %(hi)s AND {in_force_sql()}
  AND kind <> 'placeholder'
UNION ALL
SELECT 0, code, name, kind, NULL, NULL, NULL, level FROM boundaries_divisionversion
WHERE code = %(scope)s AND level = %(scope_level)s AND {in_force_sql()}
ORDER BY 1 DESC, 2
"""
# Prepared (config.prepared): planning its three branches cost more than running them.
SNAPSHOT = prepared.Statement("merger_snapshot", SNAPSHOT_SQL, (
    ("lo", "text"), ("hi", "text"), ("as_of", "date"), ("scope", "text"),
    ("scope_level", "int")))


@dataclass
class Township:
    code: str
    name: str
    kind: str
    county: str
    area_km2: float | None
    population: int | None
    villages: int
    parts: list[str] = field(default_factory=list)


@dataclass
class Snapshot:
    towns: dict[str, Township]
    counties: dict[str, str]  # names by code
    # (code, level, kind, name) of the current counties whose code no prefecture shares,
    # as gazetteer.where.division_row reads a unit's county for its name check
    county_rows: dict[str, tuple]
    scope: tuple | None = None  # (code, level, name)


def _no_scope(raw: str, as_of: date) -> BadRequest:
    return BadRequest.of(gettext_noop("scope %(scope)s: no county or prefecture with this code "
                                      "is in force on %(as_of)s"), scope=raw, as_of=as_of)


def scope_of(raw: str, as_of: date) -> tuple[str, int, str]:
    """(12-digit code, level 2 or 3, name) of a county or prefecture in force on as_of."""
    code, level = parse_code(raw)
    with connection.cursor() as cur:
        cur.execute("SELECT code, level, name FROM boundaries_divisionversion WHERE code = %(c)s"
                    " AND level IN (2, 3) AND (%(l)s::int IS NULL OR level = %(l)s) AND "
                    f"{in_force_sql()} ORDER BY level DESC LIMIT 1",
                    {"c": code, "l": level, "as_of": as_of})
        row = cur.fetchone()
    if row is None:
        raise _no_scope(raw, as_of)
    return row


def scope_level(raw: str, as_of: date) -> tuple[str, int]:
    """(12-digit code, level) of a scope, read only when its code leaves the level open:
    a full code with digits 5–6 set is a county's (no prefecture code has them)."""
    code, level = parse_code(raw)
    if level is None and code[4:6] != "00":
        level = 3
    if level not in (2, 3):
        code, level, _ = scope_of(raw, as_of)
    return code, level


def snapshot(prefixes: list[str], as_of: date, scope: tuple[str, int] | None = None
             ) -> Snapshot:
    """The townships (by code) and county names of the counties or prefectures given by
    their 4- or 6-digit prefixes, and the row of ``scope`` (code, level) if in force."""
    found = Snapshot({}, {}, {})
    with connection.cursor() as cur:
        for prefix in prefixes:
            lo, hi = prefix_range(prefix)
            ask = scope if scope and scope[0].startswith(prefix) else (None, None)
            prepared.execute(connection, cur, SNAPSHOT, {
                "lo": lo, "hi": hi, "as_of": as_of, "scope": ask[0], "scope_level": ask[1]})
            for row in cur.fetchall():
                _snapshot_row(found, *row)
    return found


def _snapshot_row(found: Snapshot, level, code, name, kind, county, area, pop, extra) -> None:
    if level == 0:
        found.scope = (code, extra, name)
    elif level == 3:
        found.counties[code] = name
        if extra and code[4:6] != "00":
            found.county_rows[code] = (code, 3, kind, name)
    else:
        found.towns[code] = Township(code, name, kind, county, area, pop, extra, [code])


def figures(towns: dict[str, Township], county: str | None = None) -> dict:
    """Townships by kind, the share of 镇 + 街道, mean area and village count."""
    rows = [t for t in towns.values() if county is None or t.county == county]
    kinds: dict[str, int] = {}
    for t in rows:
        kinds[t.kind] = kinds.get(t.kind, 0) + 1
    areas = [t.area_km2 for t in rows if t.area_km2 is not None]
    towns_share = sum(kinds.get(k, 0) for k in TOWN_KINDS)
    return {"townships": len(rows), "by_kind": dict(sorted(kinds.items())),
            "town_and_subdistrict_share": towns_share / len(rows) if rows else None,
            "mean_area_km2": sum(areas) / len(areas) if areas else None,
            "mean_villages": sum(t.villages for t in rows) / len(rows) if rows else None,
            "population": sum(t.population for t in rows)
            if rows and all(t.population is not None for t in rows) else None}


def before_after(before: dict, after: dict, counties: dict[str, str]) -> dict:
    involved = sorted({t.county for t in before.values()} | {t.county for t in after.values()})
    return {"scope": {"before": figures(before), "after": figures(after)},
            "counties": [{"code": c, "name": counties.get(c, ""), "before": figures(before, c),
                          "after": figures(after, c)} for c in involved]}


@dataclass
class Applied:
    """The plan applied: the township state after it and the units to measure."""
    after: dict[str, Township]
    units: list[simulation.Unit]
    notes: list[str] = field(default_factory=list)
    renames: list[dict] = field(default_factory=list)


def _in_scope(where: Said, raw: str, code: str, prefix: str, problems: list) -> None:
    if not code.startswith(prefix):
        problems.append(Said(gettext_noop("%(where)s: %(raw)s: outside the scope %(prefix)s"),
                             where=where, raw=raw, prefix=prefix))


def _where(i: int, op) -> Said:
    return Said(gettext_noop("operation %(n)d (%(op)s)"), n=i, op=op.op,
                shown={"op": OPERATION_LABELS.get(op.op, op.op)})


def apply(operations: list, towns: dict[str, Township], prefix: str, as_of: date,
          resolved: list | None = None) -> Applied:
    """Apply the operations in order; a 400 names every operation that cannot apply.
    ``resolved``: the merged townships, when the caller has read them already."""
    merge_codes = [c for op in operations if isinstance(op, MergeOp) for c in op.townships]
    if resolved is None:
        resolved = simulation.resolve_townships(merge_codes, as_of, same_county=False)
    resolved = {p.code: p for p in resolved}
    after = dict(towns)
    # where a township went: a merged unit's key
    home: dict[str, str] = {}
    result = Applied(after, [])
    problems: list[Said] = []
    for i, op in enumerate(operations, 1):
        where = _where(i, op)
        if isinstance(op, MergeOp):
            _merge(op, i, resolved, result, home, prefix, problems, where)
        elif isinstance(op, TransferOp):
            _transfer(op, result, home, problems, where)
        elif isinstance(op, RenameOp | KindChangeOp):
            _rename(op, result, home, problems, where)
        elif isinstance(op, SplitOp):
            _split(op, i, result, home, problems, where)
        elif isinstance(op, BoundaryOp):
            _boundary(op, result, home, problems, where)
    if problems:
        raise BadRequest(all_said("%(problems)s", problems))  # nothing to translate around them
    return result


def _merge(op: MergeOp, i: int, resolved: dict, result: Applied, home: dict, prefix: str,
           problems: list, where: Said) -> None:
    codes, bad = simulation.township_codes(op.townships)
    bad = [_at(where, b) for b in bad]
    for code, raw in codes.items():
        _in_scope(where, raw, code, prefix, bad)
        if code in home or code not in result.after:
            bad.append(Said(gettext_noop("%(where)s: %(raw)s is already merged or moved out by "
                                         "an earlier operation"), where=where, raw=raw))
    if bad:
        problems += bad
        return
    parts = [resolved[c] for c in codes]
    counties = {result.after[c].county for c in codes}
    if len(counties) > 1:
        problems.append(Said(gettext_noop("%(where)s: the townships lie in different counties "
                                          "(%(counties)s)"),
                             where=where, counties=", ".join(sorted(c[:6] for c in counties))))
        return
    key = f"merge-{i}"
    seat = simulation.resolve_seat(op.seat, parts)
    olds = [result.after.pop(c) for c in codes]
    areas = [t.area_km2 for t in olds]
    pops = [t.population for t in olds]
    result.after[key] = Township(
        key, op.name, op.kind, counties.pop(), sum(areas) if None not in areas else None,
        sum(pops) if None not in pops else None, sum(t.villages for t in olds),
        [c for t in olds for c in t.parts])
    home.update({c: key for c in codes})
    result.units.append(simulation.Unit(key, parts, op.name, op.kind, seat,
                                        result.after[key].county))


def _at(where: Said, problem) -> Said:
    """A problem of an operation: ``where`` it is first."""
    return Said(gettext_noop("%(where)s: %(problem)s"), where=where, problem=problem)


def _target(raw: str, result: Applied, home: dict, problems: list, where) -> str | None:
    code, _ = parse_code(raw)
    code = home.get(code, code)
    if code not in result.after:
        problems.append(Said(gettext_noop("%(where)s: %(raw)s is no township in the scope on "
                                          "the date (or an earlier operation removed it)"),
                             where=where, raw=raw))
        return None
    return code


def _unit(key: str, result: Applied):
    return next((u for u in result.units if u.key == key), None)


def _transfer(op: TransferOp, result: Applied, home: dict, problems: list, where) -> None:
    try:
        code, level = parse_code(op.unit)
        to, _ = parse_code(op.to)
    except BadRequest as exc:
        problems.append(_at(where, exc.args[0]))
        return
    if len(op.unit.strip()) == 12 and code[9:] != "000":  # a village to another township
        dest = _target(op.to, result, home, problems, where)
        source = home.get(code[:9].ljust(12, "0"), code[:9].ljust(12, "0"))
        if dest is None or source not in result.after:
            return
        result.after[source].villages -= 1
        result.after[dest].villages += 1
        if (unit := _unit(source, result)) is not None:
            unit.villages_out.add(code)
        if (unit := _unit(dest, result)) is not None:
            unit.villages_in.append(code)
        return
    town = _target(op.unit, result, home, problems, where)
    if town is None:
        return
    result.after[town].county = to
    if (unit := _unit(town, result)) is not None:
        unit.county = to
    result.notes.append(f"{op.unit} moves to county {to[:6]}")


def _rename(op, result: Applied, home: dict, problems: list, where) -> None:
    town = _target(op.unit, result, home, problems, where)
    if town is None:
        return
    old = result.after[town]
    if isinstance(op, KindChangeOp):
        old.kind = op.kind
        if op.name:
            old.name = op.name
        return
    result.renames.append({"unit": op.unit, "from": old.name, "to": op.name,
                           "county_code": old.county})
    old.name = op.name
    if (unit := _unit(town, result)) is not None:
        unit.name = op.name


def _split(op: SplitOp, i: int, result: Applied, home: dict, problems: list, where):
    """A new township of villages: the counts move; its area is unknown (villages are
    points, so no polygon can be drawn for it)."""
    sources = []
    for raw in op.villages:
        code, _ = parse_code(raw)
        source = home.get(code[:9].ljust(12, "0"), code[:9].ljust(12, "0"))
        if source not in result.after:
            problems.append(Said(gettext_noop("%(where)s: village %(raw)s lies in no township "
                                              "of the scope"), where=where, raw=raw))
            return
        sources.append(source)
    for source in sources:
        result.after[source].villages -= 1
    county = result.after[sources[0]].county
    result.after[f"split-{i}"] = Township(f"split-{i}", op.name, op.kind, county, None, None,
                                          len(sources))
    result.notes.append(f"{where}: {op.name}'s polygon (its villages' cells) is drawn when "
                        "the change is carried out; its area is left out of the means")


def _boundary(op: BoundaryOp, result: Applied, home: dict, problems: list, where):
    """Land between two townships: the named villages' counts move; the areas are cut when
    the change is carried out (an area drawn moves the villages standing in it)."""
    source = _target(op.source, result, home, problems, where)
    dest = _target(op.to, result, home, problems, where)
    if source is None or dest is None:
        return
    result.after[source].villages -= len(op.villages)
    result.after[dest].villages += len(op.villages)
    result.notes.append(f"{where}: land of {op.source} passes to {op.to}; the areas are cut "
                        "when the change is carried out")


def evaluate(*, scope: str, as_of: date, operations: list, geojson: bool = False,
             simplify_m: float = 0, resolved: list | None = None) -> dict:
    """The plan's metrics: each merged unit measured, the figures before and after."""
    code, level = scope_level(scope, as_of)
    prefix = code[:4] if level == 2 else code[:6]
    targets = {parse_code(op.to)[0][:6] for op in operations
               if isinstance(op, TransferOp) and len(op.to.strip()) == 6}
    snap = snapshot(sorted({prefix} | {t for t in targets if not t.startswith(prefix)}),
                    as_of, (code, level))
    if snap.scope is None:
        raise _no_scope(scope, as_of)
    name, towns, counties = snap.scope[2], snap.towns, snap.counties
    applied = apply(operations, towns, prefix, as_of, resolved)
    units = list(measure.measure(applied.units, as_of, geojson=geojson, simplify_m=simplify_m,
                                 county_rows=snap.county_rows).values())
    renames = [r | {"name_check": measure.renamed_check(r, as_of)} for r in applied.renames]
    totals = before_after(towns, applied.after, counties)
    return {"scope": {"code": code, "short_code": prefix, "level": level, "name": name},
            "as_of": as_of.isoformat(), "units": units, "renames": renames,
            "totals": totals, "plan": summary(units, renames, totals), "notes": applied.notes}


def _mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def summary(units: list[dict], renames: list[dict], totals: dict) -> dict:
    """The plan's figures as a whole (what compare sets side by side)."""
    before, after = totals["scope"]["before"], totals["scope"]["after"]
    distances = [(u["seat_distance"]["mean_m"], u["village_count"]) for u in units
                 if u["seat_distance"]["mean_m"] is not None]
    weight = sum(n for _, n in distances)
    return {
        "townships_before": before["townships"], "townships_after": after["townships"],
        "share_before": before["town_and_subdistrict_share"],
        "share_after": after["town_and_subdistrict_share"],
        "mean_area_km2_after": after["mean_area_km2"],
        "mean_villages_after": after["mean_villages"],
        "merged_units": len(units),
        "worst_seat_distance_m": max((u["seat_distance"]["max_m"] for u in units
                                      if u["seat_distance"]["max_m"] is not None),
                                     default=None),
        "mean_seat_distance_m": sum(m * n for m, n in distances) / weight if weight else None,
        "village_clashes": sum(len(u["village_clashes"]) for u in units),
        "name_check_blocks": sum(u["name_check"]["blocked"] for u in units)
        + sum(r["name_check"]["blocked"] for r in renames),
        "exclaves": sum(u["parts"] > 1 for u in units),
        "non_contiguous_units": sum(not u["contiguous"] for u in units),
        "enclosed_units": sum(len(u["enclosed"]) for u in units),
        "mean_polsby_popper": _mean([u["polsby_popper"] for u in units]),
        "mean_reock": _mean([u["reock"] for u in units]),
        "internal_lines_km": sum(u["lines"]["internal_length_m"] for u in units) / 1000.0,
        "markers_becoming_historical": sum(len(u["lines"]["markers_becoming_historical"])
                                           for u in units),
    }
