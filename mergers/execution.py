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
from dataclasses import dataclass, field
from datetime import date

from django.contrib.gis.geos import Point
from django.db import IntegrityError, connection, transaction
from pydantic import TypeAdapter

from boundaries.codes import parse_code
from boundaries.geo import area_km2_sql
from boundaries.models import SHORT_LENGTHS, DivisionEvent, DivisionVersion, EventKind, Level
from boundaries.names import division_kind, place_name, search_keys
from boundaries.temporal import in_force
from config.errors import BadRequest, Conflict
from config.responses import invalidate_on_commit

from . import aftermath
from .codes import TOWNSHIP_RANGES, allocate_code
from .operations import KindChangeOp, MergeOp, Operation, RenameOp, SplitOp, TransferOp

OPERATIONS = TypeAdapter(list[Operation])
COPIED = ("place_name", "level", "kind", "parent_code", "geom", "geometry_source", "seat",
          "area_km2", "population")


class ExecutionRefused(BadRequest):
    """The change cannot be carried out as written; nothing was written."""


@dataclass
class Run:
    """What one execution has written so far."""
    on: date
    actor: object
    document: str
    authority: str
    subkind: str
    recode_villages: bool
    ended: dict[int, DivisionVersion] = field(default_factory=dict)
    begun: list[DivisionVersion] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    # (old 12-digit code, level) → new code, for the places and the report
    recoded: dict[tuple[str, int], str] = field(default_factory=dict)
    counties: set[str] = field(default_factory=set)
    taken: set[str] = field(default_factory=set)

    def event(self, kind: str, inputs: list, outputs: list, description: str,
              subkind: str = "") -> DivisionEvent:
        event = DivisionEvent.objects.create(
            kind=kind, subkind=subkind, effective_date=self.on, draft=False,
            approval_document=self.document, approving_authority=self.authority,
            description=description, actor=self.actor)
        event.inputs.add(*inputs)
        event.outputs.add(*outputs)
        self.events.append(event.id)
        return event


def current(run: Run, raw: str, levels: tuple[int, ...], what: str) -> DivisionVersion:
    """The version of ``raw`` in force on the effective date, at one of ``levels``."""
    code, level = parse_code(raw)
    wanted = (level,) if level is not None else levels
    version = (DivisionVersion.objects.filter(code=code, level__in=wanted)
               .filter(in_force(run.on)).order_by("-level").first())
    if version is None or version.level not in levels:
        raise ExecutionRefused(f"{what} {raw}: no {'/'.join(Level(lv).label for lv in levels)} "
                               f"with this code is in force on {run.on}")
    if version.id in run.ended:
        raise ExecutionRefused(f"{what} {raw}: {version.name} is changed by an earlier "
                               "operation of this change")
    if version.valid_from is not None and version.valid_from >= run.on:
        raise Conflict(f"{what} {raw}: {version.name} begins on {version.valid_from}, not "
                       f"before {run.on}: is this change carried out already?")
    return version


def begin(run: Run, old: DivisionVersion | None, **fields) -> DivisionVersion:
    """A new version from D: ``old``'s fields with ``fields`` changed (``old`` ends on D)."""
    values = {name: getattr(old, name) for name in COPIED} if old is not None else {}
    values |= fields
    if old is not None:
        values.setdefault("code", old.code)
        values.setdefault("name", old.name)
        if values["name"] != old.name:
            values["place_name"] = place_name(values["name"], values["level"])
        run.ended[old.id] = old
    values.setdefault("place_name", place_name(values["name"], values["level"]))
    version = DivisionVersion.objects.create(
        valid_from=run.on, valid_to=None,
        **values, **search_keys(values["name"], values["place_name"]))
    run.begun.append(version)
    if old is not None and old.code != version.code:
        run.recoded[(old.code, old.level)] = version.code
    return version


def _township_code(run: Run, county_code: str, kind: str) -> str:
    code = allocate_code(parent_code=county_code, level=Level.TOWNSHIP, kind=kind, on=run.on,
                         taken=run.taken)
    run.taken.add(code)
    return code


def move_villages(run: Run, olds: list[DivisionVersion], new: DivisionVersion) -> int:
    """The villages of the old townships become villages of ``new`` from D: a new version
    each, recoded under ``new``'s prefix (keeping their serial where it is free) when the
    change recodes villages, and one event each (a single event with hundreds of inputs
    and outputs would make every old village a predecessor of every new one)."""
    villages = list(DivisionVersion.objects.filter(
        level=Level.VILLAGE, parent_code__in=[t.code for t in olds]).filter(in_force(run.on))
        .order_by("parent_code", "code"))
    if all(t.code == new.code for t in olds):
        return 0  # same code: the villages' parent is referenced by code and stays
    prefix = new.code[:9]
    for village in villages:
        code = village.code
        if run.recode_villages:
            code = prefix + village.code[9:]
            if code in run.taken or _in_use(code, run.on):
                code = allocate_code(parent_code=new.code, level=Level.VILLAGE,
                                     kind=village.kind, on=run.on, taken=run.taken)
        run.taken.add(code)
        moved = begin(run, village, code=code, parent_code=new.code)
        run.event(EventKind.TRANSFER, [village], [moved],
                  f"{village.code} {village.name} → {moved.code}（随{new.name}）")
    return len(villages)


def _in_use(code: str, on: date) -> bool:
    return DivisionVersion.objects.filter(code=code, level=Level.VILLAGE).exclude(
        valid_to__lte=on).exists()


def _transfer(run: Run, op: TransferOp) -> None:
    unit = current(run, op.unit, (Level.TOWNSHIP, Level.VILLAGE), "unit")
    parent = current(run, op.to, (unit.level - 1,), "to")
    if unit.parent_code == parent.code:
        raise ExecutionRefused(f"transfer {op.unit}: {unit.name} is already in {parent.name}")
    if unit.level == Level.TOWNSHIP:
        moved = begin(run, unit, code=_township_code(run, parent.code, unit.kind),
                      parent_code=parent.code)
        run.counties |= {unit.parent_code, parent.code}
        move_villages(run, [unit], moved)
    else:
        code = unit.code
        if run.recode_villages:
            code = allocate_code(parent_code=parent.code, level=Level.VILLAGE, kind=unit.kind,
                                 on=run.on, taken=run.taken)
        run.taken.add(code)
        moved = begin(run, unit, code=code, parent_code=parent.code)
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
        raise ExecutionRefused(f"kind_change {op.unit}: the name {name} does not end in the "
                               f"new kind {op.kind}")
    code = unit.code
    if unit.level == Level.TOWNSHIP and op.kind not in TOWNSHIP_RANGES:
        raise ExecutionRefused(f"kind {op.kind!r}: expected one of {', '.join(TOWNSHIP_RANGES)}")
    if unit.level == Level.TOWNSHIP and TOWNSHIP_RANGES[op.kind] != TOWNSHIP_RANGES.get(unit.kind):
        code = _township_code(run, unit.parent_code, op.kind)
    changed = begin(run, unit, code=code, name=name, kind=op.kind)
    if changed.code != unit.code:
        move_villages(run, [unit], changed)
    subkind = run.subkind or f"撤{unit.kind}设{op.kind}"
    run.event(EventKind.KIND_CHANGE, [unit], [changed],
              f"{unit.short_code} {unit.name} → {changed.short_code} {changed.name}",
              subkind=subkind)


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
        raise ExecutionRefused("merge: the townships must be distinct and of one county "
                               "(transfer one first)")
    county = counties.pop()
    with connection.cursor() as cur:
        cur.execute(f"""SELECT ST_Multi(ST_Union(geom)), {area_km2_sql('ST_Union(geom)')}
                        FROM boundaries_divisionversion WHERE id = ANY(%s)""",
                    [[t.id for t in olds]])
        geom, area = cur.fetchone()
    populations = [t.population for t in olds]
    merged = begin(run, None, code=_township_code(run, county, op.kind), name=op.name.strip(),
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


def _split(run: Run, op: SplitOp) -> None:
    # Villages are points: the new township's polygon would have to be drawn first.
    raise ExecutionRefused("split: carrying out a split needs the new township's polygon, "
                           "which the executor does not draw yet (villages are points)")


HANDLERS = {"merge": _merge, "transfer": _transfer, "rename": _rename,
            "kind_change": _kind_change, "split": _split}


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
        raise BadRequest(f"operations: {exc}") from exc


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
        raise ExecutionRefused("operations: a change carries out at least one operation")
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
