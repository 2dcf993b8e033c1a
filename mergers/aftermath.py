"""What follows from a division change for the affected area only (mergers.execution):
the counties' polygons, the border lines, the markers on ended lines, the places.

Each step runs inside the executor's transaction: a failure in any leaves nothing written.
"""

from django.db import connection
from django.utils.translation import gettext_noop

from boundaries.geo import area_km2_sql
from boundaries.lines import boundary_lines_rederive
from boundaries.models import (
    BoundaryMarker,
    DivisionVersion,
    EventKind,
    Level,
    MarkerState,
    MarkerStatus,
)
from boundaries.temporal import in_force
from config.errors import Conflict
from gazetteer.models import PlaceDivision


def redraw_counties(run, begin, end_versions) -> list[str]:
    """A county that gained or lost a township is, from D, the union of its townships
    then: a new version (same code) and a boundary-adjustment event. Prefectures and
    provinces hold no polygons of their own."""
    redrawn, olds = [], []
    for code in sorted(run.counties):
        old = (DivisionVersion.objects.filter(code=code, level=Level.COUNTY)
               .filter(in_force(run.on)).get())
        with connection.cursor() as cur:
            cur.execute(
                f"""SELECT ST_Multi(ST_Union(geom)), {area_km2_sql('ST_Union(geom)')}
                    FROM boundaries_divisionversion
                    WHERE level = 4 AND parent_code = %(code)s AND geom IS NOT NULL
                      AND (valid_from IS NULL OR valid_from <= %(on)s)
                      AND (valid_to IS NULL OR valid_to > %(on)s)""",
                {"code": code, "on": run.on})
            geom, area = cur.fetchone()
        if geom is None:
            continue  # a county without township polygons keeps its own
        new = begin(run, old, geom=geom, area_km2=area,
                    geometry_source=f"union of its townships from {run.on}")
        run.event(EventKind.BOUNDARY, [old], [new],
                  f"{old.short_code} {old.name} 行政区域调整（乡级隶属变更），面积 "
                  f"{old.area_km2 or 0:.2f} → {area:.2f} km²")
        olds.append(old.id)
        redrawn.append(old.short_code)
    end_versions(run, olds)
    return redrawn


def rederive_lines(run, counties: list[str]) -> dict:
    """The lines with a side among the townships (and counties) that ended or began."""
    focus = {Level.TOWNSHIP: set(), Level.COUNTY: {c.ljust(12, "0") for c in counties}}
    for version in [*run.ended.values(), *run.begun]:
        if version.level in focus and version.geom is not None:
            focus[version.level].add(version.code)  # a recoded county's lines too
    report = {}
    for level, codes in focus.items():
        if codes:
            derived = boundary_lines_rederive(level=level, codes=sorted(codes), as_of=run.on)
            report[Level(level).label] = {k: derived[k] for k in
                                          ("new", "unchanged", "changed", "ended", "seconds")}
    return {"report": report, "codes": sorted(focus[Level.TOWNSHIP] | focus[Level.COUNTY])}


def retire_markers(run, codes: list[str]) -> int:
    """Markers whose every line ended on D (a merger's inner border) get a historical
    state from D and leave service (their number may be given again)."""
    if not codes:
        return 0
    markers = list(
        BoundaryMarker.objects.filter(
            retired_on__isnull=True, lines__valid_to=run.on, lines__level__in=[3, 4])
        .filter(lines__left_code__in=codes).union(
            BoundaryMarker.objects.filter(retired_on__isnull=True, lines__valid_to=run.on,
                                          lines__level__in=[3, 4], lines__right_code__in=codes))
        .values_list("id", flat=True))
    carry_markers(run, markers)
    retired = 0
    for marker in BoundaryMarker.objects.filter(id__in=markers).order_by("id"):
        if marker.lines.filter(in_force(run.on)).exists():
            continue  # still on a line in force (a junction marker)
        state = marker.states.filter(valid_to__isnull=True).first()
        if state is None:
            continue
        if state.valid_from >= run.on:
            raise Conflict.of(gettext_noop("marker %(number)s: its current state begins on "
                                           "%(since)s, not before %(on)s"),
                              number=marker.number, since=state.valid_from, on=run.on)
        # The database ends the current state as this one begins.
        MarkerState.objects.create(
            marker=marker, position=state.position, status=MarkerStatus.HISTORICAL,
            material=state.material, installed=state.installed, valid_from=run.on,
            note="界线随区划变更终止", actor=run.actor)
        BoundaryMarker.objects.filter(pk=marker.pk).update(retired_on=run.on)
        retired += 1
    return retired


# A line that begins on D where an ended one ran (a county recoded, a township moved with
# its outer border) takes over its markers: within 1e-5° (about a metre) of the marker.
CARRY_SQL = """
INSERT INTO boundaries_boundarymarker_lines (boundarymarker_id, boundaryline_id)
SELECT DISTINCT m.id, n.id
FROM boundaries_boundarymarker m
JOIN boundaries_markerstate s ON s.marker_id = m.id AND s.valid_to IS NULL
JOIN boundaries_boundarymarker_lines ml ON ml.boundarymarker_id = m.id
JOIN boundaries_boundaryline o ON o.id = ml.boundaryline_id AND o.valid_to = %(on)s
JOIN boundaries_boundaryline n ON n.level = o.level AND n.valid_from = %(on)s
     AND n.valid_to IS NULL AND ST_DWithin(n.geom, s.position, 1e-5)
WHERE m.id = ANY(%(markers)s)
ON CONFLICT DO NOTHING
"""


def carry_markers(run, markers: list[int]) -> None:
    with connection.cursor() as cur:
        cur.execute(CARRY_SQL, {"on": run.on, "markers": markers})


def _ancestors(codes: set[tuple[str, int]], on) -> set[tuple[str, int]]:
    """The divisions above the given ones on ``on`` (placeholders included, as the
    stored references are)."""
    found, frontier = set(), set(codes)
    while frontier:
        parents = set()
        for level in {lv for _, lv in frontier}:
            rows = (DivisionVersion.objects.filter(level=level, parent_code__isnull=False,
                                                   code__in=[c for c, lv in frontier
                                                             if lv == level])
                    .filter(in_force(on)).values_list("parent_code", flat=True))
            parents |= {(p, level - 1) for p in rows}
        frontier = parents - found
        found |= parents
    return found


def rereference_places(run) -> int:
    """Places in a changed township or village: their references to the old divisions
    end on D and the successors' (with their new ancestors) begin — history, not an
    overwrite. Returns how many places changed."""
    if not run.recoded:
        return 0
    keys = set(run.recoded)
    rows = list(PlaceDivision.objects.filter(
        valid_to__isnull=True, division_code__in={c for c, _ in keys}).values_list(
        "place_id", flat=True).distinct())
    current: dict[int, dict[tuple[str, int], bool]] = {}
    for pid, code, level, computed in PlaceDivision.objects.filter(
            place_id__in=rows, valid_to__isnull=True).values_list(
            "place_id", "division_code", "level", "computed"):
        current.setdefault(pid, {})[(code, level)] = computed
    ended, begun = [], []
    for pid, refs in current.items():
        lower = {(run.recoded.get((c, lv), c), lv): refs[(c, lv)]
                 for c, lv in refs if lv >= Level.TOWNSHIP}
        if not set(lower) - set(refs):
            continue
        wanted = lower | {key: True for key in _ancestors(set(lower), run.on)}
        ended += [(pid, c, lv) for c, lv in refs if (c, lv) not in wanted]
        begun += [PlaceDivision(place_id=pid, division_code=c, level=lv, computed=computed,
                                valid_from=run.on)
                  for (c, lv), computed in wanted.items() if (c, lv) not in refs]
    for pid, code, level in ended:
        PlaceDivision.objects.filter(place_id=pid, division_code=code, level=level,
                                     valid_to__isnull=True).update(valid_to=run.on)
    PlaceDivision.objects.bulk_create(begun)
    return len({pid for pid, _, _ in ended} | {row.place_id for row in begun})
