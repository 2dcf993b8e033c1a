"""Writes of division history: each service is keyword-only and one transaction.

The registry is usually loaded from a recent code edition, so it knows divisions
only as they are now (valid_from NULL). Services here record what they were
before, without touching the current names: the answer to "what was this on D?"
comes from new predecessor versions plus the events that link them.

Parents are checked by statement-level triggers (division_parent_insert, _update and
_delete, function boundaries_parent_violation), so every statement must leave each
child covered by versions of its parent code; the services write whole subtrees in
one statement for that reason (and because a county holds hundreds of villages, a
province tens of thousands). Every event and marker state names its actor: a user,
or accounts.services.system_actor() for loaders and the command line.
"""

from datetime import date

from django.contrib.gis.geos import Point
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_noop

from accounts.permissions import check_actor
from config.errors import BadRequest
from config.responses import invalidate_on_commit
from config.said import Said, listed

from . import marker_checks
from .codes import parse_code
from .marker_checks import MARKER_MAX_OFFSET_M, MarkerRefused, NewMarker
from .models import (
    SHORT_LENGTHS,
    BoundaryLine,
    BoundaryMarker,
    DivisionEvent,
    DivisionVersion,
    EventKind,
    Level,
    MarkerState,
    MarkerStatus,
)
from .names import division_kind, place_name, search_keys
from .temporal import began_sql, in_force, not_ended_sql, today

# Changes after which the division keeps its territory: only these may be
# recorded by relabelling (new code/name/kind) and copying the geometry.
TERRITORY_KEEPING = {EventKind.KIND_CHANGE, EventKind.RENAME, EventKind.RECODE}


class ChangeRefused(BadRequest):
    """The change cannot be recorded as asked; nothing was written."""


def _code12(raw: str, level: int, what: str) -> str:
    short = SHORT_LENGTHS[level]
    try:
        code, parsed = parse_code(raw)
    except BadRequest:
        code, parsed = "", 0
    if parsed != level and (parsed is not None or code[short:].strip("0")):
        raise ChangeRefused.of(gettext_noop("%(what)s %(raw)r: expected a %(short)s-digit code "
                                            "for level %(level)s"),
                               what=what, raw=(raw or "").strip(), short=short, level=level)
    return code


def _check_input(*, code: str, level: int, old_code: str, old_name: str,
                 effective_date: date, event_kind: str) -> tuple[str, str]:
    if level not in Level.values:
        raise ChangeRefused.of(gettext_noop("level %(level)r: expected one of %(expected)s"),
                               level=level, expected=Level.values)
    new12, old12 = _code12(code, level, "code"), _code12(old_code, level, "old_code")
    if new12 == old12:
        raise ChangeRefused.of(gettext_noop("old_code %(code)s is the division's own code"),
                               code=old_code)
    if not (old_name or "").strip():
        raise ChangeRefused.of(gettext_noop("old_name: the predecessor needs a name"))
    if event_kind not in TERRITORY_KEEPING:
        raise ChangeRefused.of(gettext_noop(
            "event_kind %(kind)r: only changes that keep the territory (%(keeping)s) can be "
            "recorded as a predecessor"),
            kind=event_kind, keeping=", ".join(sorted(TERRITORY_KEEPING)))
    if not isinstance(effective_date, date) or effective_date > today():
        # A predecessor is history; a change that has not happened yet is a plan.
        raise ChangeRefused.of(gettext_noop("effective_date %(date)s: must be a date not in the "
                                            "future"), date=str(effective_date))
    return new12, old12


def _current_version(code12: str, level: int, effective_date: date) -> DivisionVersion:
    version = (DivisionVersion.objects.filter(code=code12, level=level)
               .filter(in_force(effective_date)).first())
    if version is None:
        raise ChangeRefused.of(gettext_noop("%(code)s: no division of level %(level)s is in "
                                            "force on %(date)s"),
                               code=code12[:SHORT_LENGTHS[level]], level=level,
                               date=effective_date)
    if version.valid_from == effective_date:
        raise ChangeRefused.of(gettext_noop("%(code)s %(name)s already begins on %(date)s: is "
                                            "this change recorded already?"),
                               code=version.short_code, name=version.name, date=effective_date)
    return version


def _check_codes_free(current: DivisionVersion, old12: str, effective_date: date) -> None:
    """The old codes must be unused before the change, the new ones not yet in use."""
    short = SHORT_LENGTHS[current.level]
    period = {"from": current.valid_from, "to": effective_date, "level": current.level}
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT code, name, valid_from, valid_to FROM boundaries_divisionversion
            WHERE ((code LIKE %(old)s AND level >= %(level)s)
                   OR (code LIKE %(new)s AND level > %(level)s AND valid_to <= %(to)s))
              AND daterange(valid_from, valid_to) && daterange(%(from)s, %(to)s)
            ORDER BY level, code LIMIT 1
            """,
            period | {"old": old12[:short] + "%", "new": current.code[:short] + "%"},
        )
        clash = cur.fetchone()
    if clash:
        raise ChangeRefused.of(gettext_noop(
            "%(code)s %(name)s (%(since)s – %(until)s) is in force before %(date)s under the "
            "code being recorded; record that first or correct the dates"),
            code=clash[0], name=clash[1], since=clash[2] or "…",
            until=clash[3] or Said(gettext_noop("now")), date=effective_date)


def _insert_predecessor_top(current: DivisionVersion, old12: str, old_name: str,
                            effective_date: date) -> DivisionVersion:
    parent_length = SHORT_LENGTHS.get(current.level - 1)
    place = place_name(old_name, current.level)
    return DivisionVersion.objects.create(
        code=old12, name=old_name, place_name=place, level=current.level,
        kind=division_kind(old_name, current.level),
        parent_code=old12[:parent_length].ljust(12, "0") if parent_length else None,
        valid_from=current.valid_from, valid_to=effective_date,
        # The change kept the territory, so the predecessor had the same boundary.
        geom=current.geom, seat=current.seat, area_km2=current.area_km2,
        geometry_source=current.geometry_source, population=None,
        **search_keys(old_name, place),
    )


# The subtree's predecessors: same names, kinds, keys and geometry, codes under
# the old prefix. One statement, so the new parents and children are checked together.
_INSERT_SUBTREE = f"""
INSERT INTO boundaries_divisionversion
    (code, name, place_name, level, kind, parent_code, valid_from, valid_to, geom,
     geometry_source, seat, area_km2, population, pinyin, place_pinyin, initials, grams,
     created_at)
SELECT %(old)s || substr(code, %(n)s + 1), name, place_name, level, kind,
       %(old)s || substr(parent_code, %(n)s + 1), valid_from, %(eff)s, geom,
       geometry_source, seat, area_km2, population, pinyin, place_pinyin, initials, grams,
       now()
FROM boundaries_divisionversion
WHERE code LIKE %(new)s || '%%' AND level > %(level)s
  AND {began_sql(param="eff", strictly=True)} AND {not_ended_sql(param="eff")}
RETURNING id
"""

_START_SUBTREE = f"""
UPDATE boundaries_divisionversion SET valid_from = %(eff)s
WHERE (id = %(top)s OR (code LIKE %(new)s || '%%' AND level > %(level)s))
  AND {began_sql(param="eff", strictly=True)} AND {not_ended_sql(param="eff")}
RETURNING id
"""

# One RECODE event per recoded township or village: the selectors follow events
# transitively, so a single event with hundreds of inputs and outputs would make
# every old village a predecessor of every new one. Event ids are drawn from the
# sequence up front so events and their links go in as three set-based inserts.
_RECODE_EVENTS = """
WITH pairs AS MATERIALIZED (
    SELECT o.id AS old_id, n.id AS new_id, o.code AS old_code, n.code AS new_code, n.level,
           n.name, (ARRAY[2, 4, 6, 9, 12])[n.level] AS digits,
           nextval(pg_get_serial_sequence('boundaries_divisionevent', 'id')) AS eid
    FROM boundaries_divisionversion n
    JOIN boundaries_divisionversion o
      ON o.code = %(old)s || substr(n.code, %(n)s + 1) AND o.level = n.level
    WHERE n.id = ANY(%(new_ids)s) AND o.id = ANY(%(old_ids)s) AND n.level > %(level)s
), events AS (
    INSERT INTO boundaries_divisionevent (id, kind, subkind, effective_date, approval_document,
        approving_authority, description, actor_id, recorded_at)
    SELECT eid, 'recode', '', %(eff)s, %(doc)s, %(authority)s,
           left(old_code, digits) || ' → ' || left(new_code, digits) || ' ' || name || %(why)s,
           %(actor)s, now()
    FROM pairs
), inputs AS (
    INSERT INTO boundaries_divisionevent_input (divisionevent_id, divisionversion_id)
    SELECT eid, old_id FROM pairs
)
INSERT INTO boundaries_divisionevent_output (divisionevent_id, divisionversion_id)
SELECT eid, new_id FROM pairs
"""


def division_record_predecessor(
    *, code: str, level: int, old_code: str, old_name: str, effective_date: date,
    event_kind: str, actor, subkind: str = "", approval_document: str = "",
    approving_authority: str = "", description: str = "",
) -> DivisionEvent:
    """Record that before ``effective_date`` the division ``code`` was ``old_code old_name``.

    The version in force on that date now starts on it; a predecessor version
    takes the earlier part of its period, and so does every descendant in force
    then, recoded under the old prefix (520281101 ← 520222101: the township and
    village serials are assumed kept, as the code tables do on a county recode).
    Returns the event linking the predecessor to the division.
    """
    check_actor(actor)
    new12, old12 = _check_input(code=code, level=level, old_code=old_code, old_name=old_name,
                                effective_date=effective_date, event_kind=event_kind)
    old_name = old_name.strip()
    with transaction.atomic():
        # names and codes in force have changed (inside the transaction: outside one,
        # on_commit would invalidate at once, before the write, and a reader between the
        # two would cache the old answer under the new generation)
        invalidate_on_commit("search", "places", "divisions")
        current = _current_version(new12, level, effective_date)
        _check_codes_free(current, old12, effective_date)
        short = SHORT_LENGTHS[level]
        params = {"old": old12[:short], "new": new12[:short], "n": short, "level": level,
                  "eff": effective_date, "top": current.id}
        try:
            old_top = _insert_predecessor_top(current, old12, old_name, effective_date)
            with connection.cursor() as cur:
                cur.execute(_INSERT_SUBTREE, params)
                old_ids = [row[0] for row in cur.fetchall()]
                cur.execute(_START_SUBTREE, params)
                new_ids = [row[0] for row in cur.fetchall()]
                why = f"（随{old_name}→{current.name} {subkind or event_kind}）"
                cur.execute(_RECODE_EVENTS, params | {
                    "old_ids": old_ids, "new_ids": new_ids, "doc": approval_document,
                    "authority": approving_authority, "why": why, "actor": actor.pk,
                })
        except IntegrityError as exc:
            # the parent trigger or the no-overlap constraint: say which, write nothing
            raise ChangeRefused(str(exc).splitlines()[0]) from exc
        event = DivisionEvent.objects.create(
            kind=event_kind, subkind=subkind, effective_date=effective_date,
            approval_document=approval_document, approving_authority=approving_authority,
            description=description or (f"{old_top.short_code} {old_name} → "
                                        f"{current.short_code} {current.name}"),
            actor=actor,
        )
        event.inputs.add(old_top)
        event.outputs.add(current)
    return event


# Both directions of every one-to-one territory-keeping event; the side without a
# geometry (or seat) takes the other's. The source says where it came from.
_SHARE_GEOMETRY = """
WITH pairs AS (
    SELECT e.id, e.kind, e.subkind, e.effective_date,
           min(i.divisionversion_id) AS in_id, min(o.divisionversion_id) AS out_id
    FROM boundaries_divisionevent e
    JOIN boundaries_divisionevent_input i ON i.divisionevent_id = e.id
    JOIN boundaries_divisionevent_output o ON o.divisionevent_id = e.id
    WHERE e.kind = ANY(%(kinds)s) AND (%(all)s OR e.id = ANY(%(ids)s))
    GROUP BY e.id
    HAVING count(DISTINCT i.divisionversion_id) = 1 AND count(DISTINCT o.divisionversion_id) = 1
), directed AS (
    SELECT id, kind, subkind, effective_date, in_id AS src, out_id AS dst FROM pairs
    UNION ALL
    SELECT id, kind, subkind, effective_date, out_id, in_id FROM pairs
)
UPDATE boundaries_divisionversion d
SET geom = coalesce(d.geom, s.geom), seat = coalesce(d.seat, s.seat),
    area_km2 = coalesce(d.area_km2, s.area_km2),
    geometry_source = CASE WHEN d.geom IS NULL AND d.seat IS NULL THEN left(format(
        '%%s (from %%s %%s: %%s %%s kept the territory)', s.geometry_source, s.name,
        left(s.code, (ARRAY[2, 4, 6, 9, 12])[s.level]), coalesce(nullif(x.subkind, ''), x.kind),
        x.effective_date), 200)
        ELSE d.geometry_source END
FROM directed x JOIN boundaries_divisionversion s ON s.id = x.src
WHERE d.id = x.dst
  AND ((d.geom IS NULL AND s.geom IS NOT NULL) OR (d.seat IS NULL AND s.seat IS NOT NULL))
"""


def division_share_geometry(*, event_ids: list[int] | None = None) -> int:
    """Give each side of a one-to-one kind change, rename or recode the other's geometry.

    The territory did not change, so a polygon loaded for 盘县 is also 盘州市's
    (and a township drawn for 520281101 also 520222101's). Only missing
    geometries are filled; returns how many versions got one.
    """
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(_SHARE_GEOMETRY, {"kinds": [str(k) for k in TERRITORY_KEEPING],
                                      "all": event_ids is None, "ids": event_ids or []})
        if cur.rowcount:
            invalidate_on_commit("divisions")  # the division tiles draw them now
        return cur.rowcount


# Markers: registration, states and moves. Who may is the caller's check (the API
# requires marker.register / record_state / move; an inspection's accepted results write
# the states both sides signed). The checks are boundaries.marker_checks'.

def _listed(refused: dict[int, str], markers: list[NewMarker]) -> str:
    if len(markers) == 1:
        return next(iter(refused.values()))
    items = [Said(gettext_noop("item %(i)s (%(number)s): %(why)s"), i=i, why=why,
                  number=markers[i].number or Said(gettext_noop("no number")))
             for i, why in list(refused.items())[:20]]
    if len(refused) > 20:
        items.append(Said(gettext_noop("… and %(more)s more"), more=len(refused) - 20))
    return Said(gettext_noop("%(refused)s of %(asked)s markers refused, nothing written: "
                             "%(items)s"), refused=len(refused), asked=len(markers),
                items=listed(items))


def markers_register(*, markers: list[NewMarker], actor,
                     max_offset_m: float = MARKER_MAX_OFFSET_M) -> list[BoundaryMarker]:
    """Register markers with their first states, all or none, in a few statements."""
    check_actor(actor)
    with transaction.atomic():
        invalidate_on_commit("markers")  # the marker tiles
        refused = marker_checks.refusals(markers, max_offset_m)
        if refused:
            raise MarkerRefused(_listed(refused, markers))  # a Said
        try:
            created = BoundaryMarker.objects.bulk_create(
                [BoundaryMarker(number=m.number, type=m.type, synthetic=m.synthetic)
                 for m in markers])
            link = BoundaryMarker.lines.through
            link.objects.bulk_create(
                [link(boundarymarker_id=marker.id, boundaryline_id=line)
                 for marker, new in zip(created, markers, strict=True) for line in new.line_ids])
            MarkerState.objects.bulk_create(
                [MarkerState(marker=marker, position=new.position, status=new.status,
                             material=new.material, installed=new.installed, valid_from=new.on,
                             note=new.note, source=new.source, actor=actor)
                 for marker, new in zip(created, markers, strict=True)])
        except IntegrityError as exc:
            # another writer took the number on the line meanwhile (its trigger's message)
            raise MarkerRefused(str(exc).splitlines()[0]) from exc
    return created


def _line_objects(lines: list) -> list[BoundaryLine]:
    ids = [line for line in lines if not isinstance(line, BoundaryLine)]
    found = BoundaryLine.objects.in_bulk(ids)
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise MarkerRefused.of(gettext_noop("lines: no border line has the id %(ids)s"),
                               ids=", ".join(missing))
    return [line if isinstance(line, BoundaryLine) else found[line] for line in lines]


def marker_register(*, number: str, type: str, lines: list, position, actor,
                    material: str = "", installed: date | None = None,
                    status: str = MarkerStatus.NEWLY_SET, on: date | None = None, note: str = "",
                    source: str = "", crs: int | None = None,
                    max_offset_m: float = MARKER_MAX_OFFSET_M) -> BoundaryMarker:
    """Register a marker on its line(s) with its first state (from ``on``, else installed)."""
    check_actor(actor)
    new = NewMarker(number=number, type=type, lines=_line_objects(lines),
                    position=marker_checks.point(position, crs), material=material,
                    installed=installed, status=status, on=on, note=note, source=source)
    return markers_register(markers=[new], actor=actor, max_offset_m=max_offset_m)[0]


def _registered_position(marker: BoundaryMarker, current: MarkerState) -> Point:
    """Where the marker was set: its latest state not found displaced."""
    kept = (marker.states.exclude(status=MarkerStatus.DISPLACED).order_by("-valid_from")
            .values_list("position", flat=True).first())
    return kept or current.position


def _append_state(marker: BoundaryMarker, *, status: str, on: date, actor, position, note: str,
                  material: str | None, source: str, max_offset_m: float,
                  moving: bool = False) -> MarkerState:
    why = marker_checks.check_state(status, on)
    if why:
        raise MarkerRefused(why)
    # One writer per marker at a time: two surveys must not both end the same state.
    marker = BoundaryMarker.objects.select_for_update().get(pk=marker.pk)
    current = marker.states.filter(valid_to__isnull=True).first()
    if current is None:
        raise MarkerRefused.of(gettext_noop("marker %(number)s has no state in force"),
                               number=marker.number)
    if on <= current.valid_from:
        raise MarkerRefused.of(gettext_noop("marker %(number)s: its current state began on "
                                            "%(since)s; a new one must begin after it"),
                               number=marker.number, since=current.valid_from)
    if position is None:
        point = (_registered_position(marker, current) if status == MarkerStatus.RESTORED
                 else current.position)
    else:
        point = position
        lines = list(marker.lines.filter(valid_to__isnull=True).values_list("id", flat=True))
        refused = marker_checks.offsets([(0, point, lines)], max_offset_m)
        if refused:
            raise MarkerRefused(refused[0])
    if moving and point.distance(current.position) < 1e-8:  # ~1 mm
        raise MarkerRefused.of(gettext_noop("marker %(number)s already stands at %(x).6f, "
                                            "%(y).6f: a move needs a new position"),
                               number=marker.number, x=point.x, y=point.y)
    invalidate_on_commit("markers")  # the marker tiles draw the state in force
    # The database ends the current state as this one begins
    # (trigger boundaries_markerstate_close_previous): history is only ever appended.
    return MarkerState.objects.create(
        marker=marker, position=point, status=status, installed=current.installed,
        material=current.material if material is None else material, valid_from=on,
        note=note, source=source, actor=actor)


def marker_record_state(*, marker: BoundaryMarker, status: str, on: date, actor,
                        position=None, note: str = "", material: str | None = None,
                        source: str = "", max_offset_m: float = MARKER_MAX_OFFSET_M
                        ) -> MarkerState:
    """Append a state from ``on``: the current one ends that day, its position is kept
    (a restored marker is set again where it was registered; a displaced one may be
    recorded where it was found). A move is marker_move's, with its reason."""
    check_actor(actor)
    if status == MarkerStatus.RELOCATED:
        raise MarkerRefused.of(gettext_noop("status relocated: a marker is moved with "
                                            "marker_move (POST /markers/{id}/move), which "
                                            "needs the reason"))
    with transaction.atomic():
        return _append_state(marker, status=status, on=on, actor=actor,
                             position=None if position is None else marker_checks.point(position),
                             note=note, material=material, source=source,
                             max_offset_m=max_offset_m)


def marker_move(*, marker: BoundaryMarker, position, on: date, reason: str, actor,
                crs: int | None = None, source: str = "",
                max_offset_m: float = MARKER_MAX_OFFSET_M) -> MarkerState:
    """Record that the marker was moved to ``position`` on ``on``, and why: a new state,
    the old position kept in its history. Nobody may move a marker alone: the agreement
    of both sides is the caller's to have (the registry does not record it yet)."""
    check_actor(actor)
    reason = (reason or "").strip()
    if not reason:
        raise MarkerRefused.of(gettext_noop("reason: a marker is moved only for a recorded "
                                            "reason"))

    point = marker_checks.point(position, crs)
    with transaction.atomic():
        return _append_state(marker, status=MarkerStatus.RELOCATED, on=on, actor=actor,
                             position=point, note=reason, material=None, source=source,
                             max_offset_m=max_offset_m, moving=True)


def rekey_rows(queryset, fields: list[str], derive, *, batch: int = 5000, progress=None) -> dict:
    """Recompute derived columns of every row and write those that changed.

    ``derive(row)`` gives the new values of ``fields`` from the row (its name); ids are
    walked in order a batch at a time, so that 665k divisions never sit in memory. The
    caller holds the transaction. {checked, changed, examples: [(id, old, new)…]}."""
    checked, changed, examples = 0, 0, []
    model = queryset.model
    last = 0
    while True:
        rows = list(queryset.filter(id__gt=last).order_by("id")[:batch])
        if not rows:
            break
        last = rows[-1].id
        stale = []
        for row in rows:
            new = derive(row)
            if any(getattr(row, f) != new[f] for f in fields):
                if len(examples) < 10:
                    examples.append((row.id, {f: getattr(row, f) for f in fields}, new))
                for f in fields:
                    setattr(row, f, new[f])
                stale.append(row)
        model.objects.bulk_update(stale, fields, batch_size=1000)
        checked += len(rows)
        changed += len(stale)
        if progress is not None:
            progress(len(rows))
    return {"checked": checked, "changed": changed, "examples": examples}


def divisions_rekey(*, actor, progress=None) -> dict:
    """The search keys of every division version from the place-name reading table, as the
    loader derives them (rows written before a reading was added keep the old key)."""
    check_actor(actor)
    fields = ["pinyin", "place_pinyin", "initials", "grams"]
    with transaction.atomic():
        report = rekey_rows(DivisionVersion.objects.only("id", "name", "place_name", *fields),
                            fields, lambda d: search_keys(d.name, d.place_name),
                            progress=progress)
        if report["changed"]:
            invalidate_on_commit("search", "places")
    return report
