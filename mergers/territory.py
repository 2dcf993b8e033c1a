"""Changes that move territory between townships (mergers.execution): a split (析置) or a
new 街道 made of villages of others (增设街道), a boundary adjustment (边界调整), and a
village moving with its land. The land is cut by mergers.carve; the townships that give or
receive it get new versions (same code) with their new polygons, and their counties are
redrawn when the land crosses a county border.
"""

from collections import defaultdict

from django.utils.translation import gettext_noop

from boundaries.models import DivisionVersion, EventKind, Level
from boundaries.temporal import in_force

from . import carve
from .carve import ExecutionRefused
from .operations import BoundaryOp, SplitOp
from .steps import Run, begin, current, move_village, township_code


def _seat(run: Run, seat, villages: list[DivisionVersion]):
    from django.contrib.gis.geos import Point
    if seat is None:
        return next((v.seat for v in villages if v.seat is not None), None)
    if isinstance(seat, str):
        return current(run, seat, (Level.TOWNSHIP, Level.VILLAGE), "seat").seat
    return Point(seat.lon, seat.lat, srid=4490)


def _villages(run: Run, raws: list[str], what: str) -> list[DivisionVersion]:
    villages = [current(run, raw, (Level.VILLAGE,), what) for raw in raws]
    if len({v.id for v in villages}) < len(villages):
        raise ExecutionRefused.of(gettext_noop("%(what)s: a village is named twice"), what=what)
    return villages


def _remaining(run: Run, town: DivisionVersion, leaving: list[DivisionVersion], what: str):
    left = (DivisionVersion.objects.filter(level=Level.VILLAGE, parent_code=town.code)
            .filter(in_force(run.on)).exclude(id__in=[v.id for v in leaving]))
    if not left.exists():
        raise ExecutionRefused.of(gettext_noop("%(what)s: every village of %(town)s would "
                                               "leave it (merge it instead)"),
                                  what=what, town=town.name)


def split(run: Run, op: SplitOp) -> None:
    """The new township is the union of its villages' cells; each township they come from
    keeps the rest of its land, its code and its other villages."""
    what = "split"
    villages = _villages(run, op.villages, what)
    by_town = defaultdict(list)
    for village in villages:
        by_town[village.parent_code].append(village)
    sources = [current(run, code, (Level.TOWNSHIP,), f"{what}: township of the villages")
               for code in sorted(by_town)]
    counties = {s.parent_code for s in sources}
    if len(counties) > 1:
        raise ExecutionRefused.of(gettext_noop("%(what)s: the villages lie in more than one "
                                               "county (%(counties)s)"),
                                  what=what, counties=", ".join(sorted(c[:6] for c in counties)))
    cuts = {}
    for source in sources:
        _remaining(run, source, by_town[source.code], what)
        cuts[source.code] = carve.by_villages(source, by_town[source.code], run.on, what)
    geom, area = carve.union([c.piece for c in cuts.values()])
    county = counties.pop()
    new = begin(run, None, code=township_code(run, county, op.kind), name=op.name.strip(),
                level=Level.TOWNSHIP, kind=op.kind, parent_code=county, geom=geom,
                area_km2=area, seat=_seat(run, op.seat, villages), population=None,
                geometry_source="cells of its villages in " + ", ".join(
                    s.short_code for s in sources))
    rests = [begin(run, s, geom=cuts[s.code].rest, area_km2=cuts[s.code].rest_km2,
                   population=None, geometry_source=f"less the land given to {new.name}")
             for s in sources]
    for village in villages:
        move_village(run, village, new)
    several = len(sources) > 1
    run.event(EventKind.ESTABLISH if several else EventKind.SPLIT, sources, [*rests, new],
              "、".join(f"{s.short_code} {s.name}" for s in sources)
              + f" 析出 {len(villages)} 个村（居）设立 {new.short_code} {new.name}，"
              f"面积 {area:.2f} km²",
              subkind=run.subkind or ("增设街道" if op.kind == "街道" else ""))


def give_land(run: Run, source: DivisionVersion, target: DivisionVersion, cut: carve.Cut,
              villages: list[DivisionVersion], note: str) -> None:
    """``cut``'s piece passes from ``source`` to ``target`` with ``villages``."""
    geom, area = carve.union([target.geom.hexewkb.decode(), cut.piece])
    gave = begin(run, source, geom=cut.rest, area_km2=cut.rest_km2, population=None,
                 geometry_source=f"less {cut.piece_km2:.3f} km² given to {target.name}")
    grew = begin(run, target, geom=geom, area_km2=area, population=None,
                 geometry_source=f"with {cut.piece_km2:.3f} km² from {source.name}")
    for village in villages:
        move_village(run, village, grew, keep_serial=False)
    if source.parent_code != target.parent_code:
        run.counties |= {source.parent_code, target.parent_code}
    run.event(EventKind.BOUNDARY, [source, target], [gave, grew],
              f"{source.short_code} {source.name} {cut.piece_km2:.3f} km² 划归 "
              f"{target.short_code} {target.name}{note}")


def boundary(run: Run, op: BoundaryOp) -> None:
    what = "boundary"
    source = current(run, op.source, (Level.TOWNSHIP,), f"{what}: source")
    target = current(run, op.to, (Level.TOWNSHIP,), f"{what}: to")
    if source.id == target.id:
        raise ExecutionRefused.of(gettext_noop("%(what)s: source and to are the same township"),
                                  what=what)
    if target.geom is None:
        raise ExecutionRefused.of(gettext_noop("%(what)s: %(town)s has no polygon"),
                                  what=what, town=target.name)
    named = _villages(run, op.villages, what)
    strays = [v.code for v in named if v.parent_code != source.code]
    if strays:
        raise ExecutionRefused.of(gettext_noop("%(what)s: %(codes)s are not villages of "
                                               "%(town)s"),
                                  what=what, codes=", ".join(strays), town=source.name)
    if op.area is not None:
        cut, inside = carve.by_area(source, op.area, run.on, what)
        outside = [v.code for v in named if v.id not in inside]
        if outside:
            raise ExecutionRefused.of(gettext_noop("%(what)s: %(codes)s stand outside the area"),
                                      what=what, codes=", ".join(outside))
        villages = list(DivisionVersion.objects.filter(id__in=inside).order_by("code"))
    elif named:
        cut, villages = carve.by_villages(source, named, run.on, what), named
    else:
        raise ExecutionRefused.of(gettext_noop("%(what)s: name the villages that pass, or draw "
                                               "the area"), what=what)
    if villages:
        _remaining(run, source, villages, what)
    give_land(run, source, target, cut, villages,
              f"（含 {len(villages)} 个村（居））" if villages else "")


def village_with_land(run: Run, village: DivisionVersion, target: DivisionVersion) -> None:
    """A village moving to another township takes its cell along."""
    what = f"transfer {village.code}"
    source = current(run, village.parent_code, (Level.TOWNSHIP,), what)
    _remaining(run, source, [village], what)
    cut = carve.by_villages(source, [village], run.on, what)
    give_land(run, source, target, cut, [village], f"（{village.name}）")
