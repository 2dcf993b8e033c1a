"""The primitives of carrying out a division change (mergers.execution): the run's record
of what it wrote, the version in force to change, a new version from the effective date,
codes for new townships, villages following their township."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

from boundaries.codes import parse_code
from boundaries.models import DivisionEvent, DivisionVersion, EventKind, Level
from boundaries.names import place_name, search_keys
from boundaries.temporal import in_force
from config.errors import Conflict

from .carve import ExecutionRefused
from .codes import allocate_code


def _say_levels(levels) -> str:
    return "/".join(gettext(Level(lv).label) for lv in levels)


_levels_shown = lazy(_say_levels, str)  # the levels' names in the page's language

COPIED = ("place_name", "level", "kind", "parent_code", "geom", "geometry_source", "seat",
          "area_km2", "population")


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
        raise ExecutionRefused.of(
            gettext_noop("%(what)s %(raw)s: no %(levels)s with this code is in force on %(on)s"),
            what=what, raw=raw, on=run.on, levels="/".join(Level(lv).label for lv in levels),
            shown={"levels": _levels_shown(levels)})
    if version.id in run.ended:
        raise ExecutionRefused.of(gettext_noop("%(what)s %(raw)s: %(name)s is changed by an "
                                               "earlier operation of this change"),
                                  what=what, raw=raw, name=version.name)
    if version.valid_from is not None and version.valid_from >= run.on:
        raise Conflict.of(gettext_noop("%(what)s %(raw)s: %(name)s begins on %(since)s, not "
                                       "before %(on)s: is this change carried out already?"),
                          what=what, raw=raw, name=version.name, since=version.valid_from,
                          on=run.on)
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


def township_code(run: Run, county_code: str, kind: str) -> str:
    code = allocate_code(parent_code=county_code, level=Level.TOWNSHIP, kind=kind, on=run.on,
                         taken=run.taken)
    run.taken.add(code)
    return code


def move_village(run: Run, village: DivisionVersion, parent: DivisionVersion,
                 kind: str = EventKind.TRANSFER, keep_serial: bool = True) -> DivisionVersion:
    """``village`` becomes a village of ``parent`` from D, when the change recodes villages
    recoded under its prefix: keeping its serial where that is free (villages following
    their township), else (or for a village joining a township on its own) the next free
    number of its kind; one event."""
    code = village.code
    if run.recode_villages:
        code = parent.code[:9] + village.code[9:]
        if not keep_serial or code in run.taken or _in_use(code, run.on):
            code = allocate_code(parent_code=parent.code, level=Level.VILLAGE,
                                 kind=village.kind, on=run.on, taken=run.taken)
    run.taken.add(code)
    moved = begin(run, village, code=code, parent_code=parent.code)
    run.event(kind, [village], [moved],
              f"{village.code} {village.name} → {moved.code}（{parent.name}）")
    return moved


def move_villages(run: Run, olds: list[DivisionVersion], new: DivisionVersion,
                  kind: str = EventKind.TRANSFER) -> int:
    """The villages of the old townships become villages of ``new`` from D (one event each:
    a single event with hundreds of inputs and outputs would make every old village a
    predecessor of every new one)."""
    if all(t.code == new.code for t in olds):
        return 0  # same code: the villages' parent is referenced by code and stays
    villages = list(DivisionVersion.objects.filter(
        level=Level.VILLAGE, parent_code__in=[t.code for t in olds]).filter(in_force(run.on))
        .order_by("parent_code", "code"))
    for village in villages:
        move_village(run, village, new, kind)
    return len(villages)


def _in_use(code: str, on: date) -> bool:
    return DivisionVersion.objects.filter(code=code, level=Level.VILLAGE).exclude(
        valid_to__lte=on).exists()


