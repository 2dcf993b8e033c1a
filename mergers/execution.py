"""Carrying out an approved division change: `execute_operations`, one transaction.

Every operation is resolved on the effective date D: the versions it ends end on D (their
last day is the day before), their successors begin on D, and a DivisionEvent (approved,
not a draft) links each old version to its successors. Parents are referenced by code and
checked per statement by the boundaries triggers, so the executor first inserts every new
version, then ends the old ones in one statement (villages, their townships and counties
together), with the no-overlap constraint deferred meanwhile and checked at the end.
Then, for the affected area only: the counties whose townships moved get the union of
their townships as their new polygon; border lines are derived again; markers left on
ended lines get a historical state; places get the new divisions from D (mergers.aftermath).
"""

import time
from datetime import date

from django.contrib.gis.geos import Point
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_noop
from pydantic import TypeAdapter

from boundaries.geo import area_km2_sql
from boundaries.models import SHORT_LENGTHS, DivisionVersion, EventKind, Level
from boundaries.names import division_kind
from boundaries.temporal import in_force
from config.errors import BadRequest
from config.responses import invalidate_on_commit

from . import aftermath, territory
from .carve import ExecutionRefused
from .codes import COUNTY_RANGES, TOWNSHIP_RANGES, allocate_code
from .operations import KindChangeOp, MergeOp, Operation, RenameOp, TransferOp
from .steps import Run, begin, current, move_village, move_villages, township_code

__all__ = ["ExecutionRefused", "execute_operations", "parse_operations"]
OPERATIONS = TypeAdapter(list[Operation])


def _transfer(run: Run, op: TransferOp) -> None:
    unit = current(run, op.unit, (Level.TOWNSHIP, Level.VILLAGE), "unit")
    parent = current(run, op.to, (unit.level - 1,), "to")
    if unit.parent_code == parent.code:
        raise ExecutionRefused.of(gettext_noop("transfer %(unit)s: %(name)s is already in "
                                               "%(parent)s"),
                                  unit=op.unit, name=unit.name, parent=parent.name)
    if unit.level == Level.VILLAGE:
        if op.with_area and unit.seat is not None and parent.geom is not None:
            territory.village_with_land(run, unit, parent)
        else:  # a village joining on its own takes the next free number of its kind
            move_village(run, unit, parent, keep_serial=False)
        return
    moved = begin(run, unit, code=township_code(run, parent.code, unit.kind),
                  parent_code=parent.code)
    run.counties |= {unit.parent_code, parent.code}
    move_villages(run, [unit], moved)
    run.event(EventKind.TRANSFER, [unit], [moved],
              f"{unit.short_code} {unit.name} 由 {unit.parent_code[:SHORT_LENGTHS[parent.level]]} "
              f"划归 {parent.short_code} {parent.name}，新代码 {moved.short_code}")


def _rename(run: Run, op: RenameOp) -> None:
    unit = current(run, op.unit, (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE), "unit")
    renamed = begin(run, unit, name=op.name.strip())
    run.event(EventKind.RENAME, [unit], [renamed],
              f"{unit.short_code} {unit.name} 更名为 {renamed.name}")


def _kind_name(unit: DivisionVersion, kind: str) -> str:
    old = unit.kind
    return unit.name[: -len(old)] + kind if old and unit.name.endswith(old) else unit.name


def _kind_change(run: Run, op: KindChangeOp) -> None:
    unit = current(run, op.unit, (Level.COUNTY, Level.TOWNSHIP), "unit")
    name = (op.name or "").strip() or _kind_name(unit, op.kind)
    if division_kind(name, unit.level) != op.kind and unit.level == Level.TOWNSHIP:
        raise ExecutionRefused.of(gettext_noop("kind_change %(unit)s: the name %(name)s does not "
                                               "end in the new kind %(kind)s"),
                                  unit=op.unit, name=name, kind=op.kind)
    ranges = TOWNSHIP_RANGES if unit.level == Level.TOWNSHIP else COUNTY_RANGES
    if op.kind not in ranges:
        raise ExecutionRefused.of(gettext_noop("kind %(kind)r: expected one of %(kinds)s"),
                                  kind=op.kind, kinds=", ".join(ranges))
    code = unit.code
    if ranges[op.kind] != ranges.get(unit.kind):  # 撤乡设镇 1xx, 撤县设市 8x, 撤县设区 0x
        code = township_code(run, unit.parent_code, op.kind) if unit.level == Level.TOWNSHIP \
            else allocate_code(parent_code=unit.parent_code, level=Level.COUNTY,
                               kind=op.kind, on=run.on, taken=run.taken)
        run.taken.add(code)
    changed = begin(run, unit, code=code, name=name, kind=op.kind)
    if changed.code != unit.code and unit.level == Level.TOWNSHIP:
        move_villages(run, [unit], changed)
    elif changed.code != unit.code:
        _recode_townships(run, unit, changed)
    subkind = run.subkind or f"撤{unit.kind}设{op.kind}"
    run.event(EventKind.KIND_CHANGE, [unit], [changed],
              f"{unit.short_code} {unit.name} → {changed.short_code} {changed.name}",
              subkind=subkind)


def _recode_townships(run: Run, old: DivisionVersion, new: DivisionVersion) -> None:
    """A county with a new code: its townships keep their serials under the new prefix
    (520222101 → 520281101), and their villages follow (a recode event each)."""
    towns = (DivisionVersion.objects.filter(level=Level.TOWNSHIP, parent_code=old.code)
             .filter(in_force(run.on)).order_by("code"))
    for town in towns:
        recoded = begin(run, town, code=new.code[:6] + town.code[6:], parent_code=new.code)
        run.event(EventKind.RECODE, [town], [recoded],
                  f"{town.short_code} {town.name} → {recoded.short_code}（随{new.name}）")
        move_villages(run, [town], recoded, kind=EventKind.RECODE)


def _seat(run: Run, seat, olds: list[DivisionVersion]) -> Point | None:
    if seat is None:
        return olds[0].seat
    if isinstance(seat, str):
        return current(run, seat, (Level.TOWNSHIP,), "seat").seat
    return Point(seat.lon, seat.lat, srid=4490)


def _merge(run: Run, op: MergeOp) -> None:
    olds = [current(run, code, (Level.TOWNSHIP,), "townships") for code in op.townships]
    counties = {t.parent_code for t in olds}
    if len(counties) > 1 or len({t.id for t in olds}) < len(olds):
        raise ExecutionRefused.of(gettext_noop("merge: the townships must be distinct and of "
                                               "one county (transfer one first)"))
    county = counties.pop()
    with connection.cursor() as cur:
        cur.execute(f"""SELECT ST_Multi(ST_Union(geom)), {area_km2_sql('ST_Union(geom)')}
                        FROM boundaries_divisionversion WHERE id = ANY(%s)""",
                    [[t.id for t in olds]])
        geom, area = cur.fetchone()
    populations = [t.population for t in olds]
    merged = begin(run, None, code=township_code(run, county, op.kind), name=op.name.strip(),
                   level=Level.TOWNSHIP, kind=op.kind, parent_code=county,
                   geom=geom, area_km2=area, seat=_seat(run, op.seat, olds),
                   geometry_source="merged: " + ", ".join(t.short_code for t in olds),
                   population=sum(populations) if None not in populations else None)
    for old in olds:
        run.ended[old.id] = old
        run.recoded[(old.code, old.level)] = merged.code
    move_villages(run, olds, merged)
    run.event(EventKind.MERGE, olds, [merged],
              "、".join(f"{t.short_code} {t.name}" for t in olds)
              + f" 合并为 {merged.short_code} {merged.name}")


HANDLERS = {"merge": _merge, "transfer": _transfer, "rename": _rename,
            "kind_change": _kind_change, "split": territory.split,
            "boundary": territory.boundary}


def end_versions(run: Run, ids: list[int]) -> None:
    """End the given versions on D in one statement, so the parent triggers see each
    child and its parent ended (or continued) together."""
    if not ids:
        return
    try:
        with connection.cursor() as cur:
            cur.execute("UPDATE boundaries_divisionversion SET valid_to = %s WHERE id = ANY(%s)",
                        [run.on, ids])
            cur.execute("SET CONSTRAINTS division_no_overlapping_versions IMMEDIATE")
            cur.execute("SET CONSTRAINTS division_no_overlapping_versions DEFERRED")
    except IntegrityError as exc:
        raise ExecutionRefused(str(exc).splitlines()[0]) from exc


def parse_operations(raw: list) -> list:
    try:
        return OPERATIONS.validate_python(raw)
    except ValueError as exc:
        raise BadRequest.of(gettext_noop("operations: %(errors)s"), errors=str(exc)) from exc


def execute_operations(*, operations: list, effective_date: date, actor,
                       approval_document: str, approving_authority: str, subkind: str = "",
                       recode_villages: bool = True) -> dict:
    """Carry out the operations on ``effective_date``, all or nothing; returns the report
    (events, old → new codes, lines, markers, places, seconds)."""
    started = time.perf_counter()
    run = Run(on=effective_date, actor=actor, document=approval_document,
              authority=approving_authority, subkind=subkind, recode_villages=recode_villages)
    ops = parse_operations(operations)
    if not ops:
        raise ExecutionRefused.of(gettext_noop(
            "operations: a change carries out at least one operation"))
    try:
        with transaction.atomic():
            # names and codes in force change, and the lines and markers the aftermath
            # ends (inside the transaction: outside one, on_commit would invalidate at
            # once, before the write)
            invalidate_on_commit("search", "places", "divisions", "lines", "markers")
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hashtext('mergers_execute'))")
                cur.execute("SET CONSTRAINTS division_no_overlapping_versions DEFERRED")
            for op in ops:
                HANDLERS[op.op](run, op)
            end_versions(run, sorted(run.ended))
            counties = aftermath.redraw_counties(run, begin, end_versions)
            lines = aftermath.rederive_lines(run, counties)
            markers = aftermath.retire_markers(run, lines["codes"])
            places = aftermath.rereference_places(run)
    finally:
        # SET CONSTRAINTS lasts to the end of the outer transaction, if there is one
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS division_no_overlapping_versions IMMEDIATE")
    return {"effective_date": effective_date.isoformat(), "events": run.events,
            "ended": len(run.ended), "begun": len(run.begun),
            "codes": {old: new for (old, _), new in sorted(run.recoded.items())},
            "counties_redrawn": counties, "lines": lines["report"],
            "markers_historical": markers, "places_rereferenced": places,
            "seconds": round(time.perf_counter() - started, 2)}
