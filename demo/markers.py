"""Synthetic boundary markers on the demo's county lines, so that an inspection can run.

Deterministic: along each part of each county line in force, a marker at both ends and
about every 10 km between them, numbered 01…n along the line (the line's abbreviation
first: 钟水01). Where the ends of two or more lines meet (a junction of three counties),
one triple marker (同号三立) stands on all of them and takes its number on the first of
them, in code order. Every one is flagged ``synthetic`` and its state's source says so:
none of them was surveyed. Each county with a line gets a team (a Django group
<county>联检组, with one demo member, no password) for planning inspections.
"""

import math
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import Point
from django.db import connection, transaction

from accounts.services import system_actor
from boundaries.marker_checks import NewMarker
from boundaries.models import BoundaryLine, BoundaryMarker, DivisionVersion, Level, MarkerType
from boundaries.services import markers_register

SPACING_M = 10_000.0
# Parts shorter than this are slivers of the derived line: markers at their ends would
# stand a few hundred metres apart.
MIN_PART_M = 500.0
# Ends of lines this close are the same junction (lines are derived with a 5 m tolerance).
JUNCTION_M = 50.0
INSTALLED = date(2010, 5, 1)
SOURCE = "synthetic: load_demo, every ~10 km along the derived line (not surveyed)"


@dataclass
class Station:
    line: BoundaryLine
    part: int
    fraction: float
    x: float
    y: float
    end: bool


# Per part of each line: its ends and about every SPACING_M between them, in one statement
# (GEOS through ctypes took seconds for the vertices of the demo's lines). Fractions are of
# the part's length in degrees, as ST_LineInterpolatePoint takes them.
_STATIONS = """
WITH parts AS (
    SELECT l.id, d.path[1] AS part, d.geom, ST_Length(d.geom::geography) AS metres,
           max(ST_Length(d.geom::geography)) OVER (PARTITION BY l.id) AS longest
    FROM boundaries_boundaryline l CROSS JOIN LATERAL ST_Dump(l.geom) d
    WHERE l.id = ANY(%(ids)s)
), kept AS (
    SELECT *, greatest(1, round(metres / %(spacing)s))::int AS steps FROM parts
    WHERE metres >= %(min_part)s OR longest < %(min_part)s
)
SELECT k.id, k.part, i::float8 / k.steps, ST_X(p), ST_Y(p), i IN (0, k.steps)
FROM kept k CROSS JOIN LATERAL generate_series(0, k.steps) i
CROSS JOIN LATERAL ST_LineInterpolatePoint(k.geom, i::float8 / k.steps) p
ORDER BY k.id, k.part, i
"""


def _stations(lines: list[BoundaryLine]) -> list[Station]:
    by_id = {line.id: line for line in lines}
    with connection.cursor() as cur:
        cur.execute(_STATIONS, {"ids": list(by_id), "spacing": SPACING_M,
                                "min_part": MIN_PART_M})
        return [Station(by_id[i], part, fraction, x, y, end)
                for i, part, fraction, x, y, end in cur.fetchall()]


def _close(a: Station, b: Station) -> bool:
    # metres on a local plane: exact enough at 50 m, and the pairs are many
    dx = (a.x - b.x) * 111_320 * math.cos(math.radians(a.y))
    dy = (a.y - b.y) * 110_574
    return dx * dx + dy * dy < JUNCTION_M * JUNCTION_M


def _junctions(ends: list[Station]) -> list[list[Station]]:
    """The ends grouped by where they meet (union-find; a few hundred ends)."""
    parent = list(range(len(ends)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(ends):
        for j in range(i + 1, len(ends)):
            if _close(a, ends[j]):
                parent[root(j)] = root(i)
    groups: dict[int, list[Station]] = {}
    for i, end in enumerate(ends):
        groups.setdefault(root(i), []).append(end)
    return list(groups.values())


def _placed(lines: list[BoundaryLine]) -> list[NewMarker]:
    stations = _stations(lines)
    order = {line.id: i for i, line in enumerate(lines)}
    # (numbering station, the lines it stands on)
    kept: list[tuple[Station, list[BoundaryLine]]] = [(s, [s.line]) for s in stations
                                                       if not s.end]
    for group in _junctions([s for s in stations if s.end]):
        group.sort(key=lambda s: (order[s.line.id], s.part, s.fraction))
        on = list({s.line.id: s.line for s in group}.values())
        kept.append((group[0], on))
    kept.sort(key=lambda k: (order[k[0].line.id], k[0].part, k[0].fraction))
    markers, sequence = [], {}
    for station, on in kept:
        n = sequence[station.line.id] = sequence.get(station.line.id, 0) + 1
        markers.append(NewMarker(
            number=f"{station.line.name[:2]}{n:02d}",
            type=MarkerType.TRIPLE if len(on) > 1 else MarkerType.SINGLE, lines=on,
            position=Point(station.x, station.y, srid=4490), material="混凝土",
            installed=INSTALLED, source=SOURCE, synthetic=True))
    return markers


def _teams(lines: list[BoundaryLine]) -> int:
    """A team per county with a line, one member each (no password): a few statements."""
    codes = {c for line in lines for c in (line.left_code, line.right_code)}
    counties = list(DivisionVersion.objects.filter(code__in=codes, level=Level.COUNTY,
                                                   valid_to__isnull=True).order_by("code"))
    names = {f"demo-team-{c.short_code}": f"{c.name}联检组" for c in counties}
    Group.objects.bulk_create([Group(name=n) for n in names.values()], ignore_conflicts=True)
    User.objects.bulk_create([User(username=u, password=make_password(None)) for u in names],
                             ignore_conflicts=True)
    teams = dict(Group.objects.filter(name__in=names.values()).values_list("name", "id"))
    members = dict(User.objects.filter(username__in=names).values_list("username", "id"))
    link = User.groups.through
    link.objects.bulk_create([link(user_id=members[u], group_id=teams[g])
                              for u, g in names.items()], ignore_conflicts=True)
    return len(names)


def load() -> dict:
    """Place the markers once: a registry that holds any marker is left alone."""
    lines = list(BoundaryLine.objects.filter(level=Level.COUNTY, valid_to__isnull=True)
                 .order_by("left_code", "right_code"))
    if not lines or BoundaryMarker.objects.exists():
        return {"skipped": True}
    with transaction.atomic():
        markers = markers_register(markers=_placed(lines), actor=system_actor())
        teams = _teams(lines)
    return {"markers": len(markers), "lines": len(lines), "teams": teams,
            "triple": sum(m.type == MarkerType.TRIPLE for m in markers)}
