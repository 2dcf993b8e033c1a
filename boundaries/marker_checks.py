"""What a boundary marker must satisfy before it is registered or given a new state.

The checks of a whole batch are a few statements, whatever its size: every position's
distance to each of its lines in one, every number already in service on those lines in
another. ``refusals`` answers, for each marker asked for, why it cannot be registered;
the services (boundaries.services) refuse on the first, a loader lists them all.
"""

import re
from dataclasses import dataclass, field
from datetime import date

import pyproj
from django.contrib.gis.geos import Point
from django.db import connection
from django.utils.translation import gettext_noop
from pyproj.exceptions import CRSError

from config.errors import BadRequest
from config.said import Said

from .models import BoundaryLine, MarkerStatus, MarkerType
from .temporal import today

# Markers stand on the line, or on both banks of a border river (同号双立), a few
# tens of metres off it; the lines themselves are derived from county maps quantized
# to ~1/1024° (~100 m), so a surveyed marker can lie up to about that far from the
# derived line. 200 m allows both; a marker further off is a wrong line or a typo.
MARKER_MAX_OFFSET_M = 200.0
# Two characters of the line's name and the sequence along it: 钟水01.
MARKER_NUMBER = re.compile(r"^([\u4e00-\u9fff]{2})([0-9]{2,3})$")
# Datums a position converts from without parameters: WGS 84 is CGCS2000 to centimetres.
# Xian 1980 and Beijing 1954 need the survey office's conversion for the area (importers).
PLAIN_DATUMS = ("China 2000", "World Geodetic System 1984")


class MarkerRefused(BadRequest):
    """The marker or its new state cannot be recorded as asked; nothing was written."""


@dataclass
class NewMarker:
    """A marker to register: its number on its line(s), where it stands, its first state."""

    number: str
    type: str
    lines: list[BoundaryLine]
    position: Point
    material: str = ""
    installed: date | None = None
    status: str = MarkerStatus.NEWLY_SET
    on: date | None = None  # the first state's date: else installed, else today
    note: str = ""
    source: str = ""
    synthetic: bool = False
    line_ids: list[int] = field(init=False)

    def __post_init__(self):
        self.number = (self.number or "").strip()
        self.line_ids = sorted({line.id for line in self.lines})
        self.on = self.on or self.installed or today()


def point(position, crs: int | None = None) -> Point:
    """A position as a CGCS2000 lon/lat point: a Point (its SRID), or (x, y) in ``crs``."""
    if isinstance(position, Point):
        found = position.clone()
        found.srid = found.srid or crs or 4490
    else:
        try:
            x, y = (float(v) for v in position)
        except (TypeError, ValueError) as exc:
            raise MarkerRefused.of(gettext_noop("position %(position)s: expected (lon, lat) or "
                                                "a Point"), position=repr(position)) from exc
        found = Point(x, y, srid=crs or 4490)
    if found.srid != 4490:
        found = _to_cgcs2000(found)
    if not (73 <= found.x <= 136 and 3 <= found.y <= 54):
        raise MarkerRefused.of(gettext_noop("position %(x)s, %(y)s: not a lon/lat in China "
                                            "(EPSG:4490)"), x=found.x, y=found.y)
    return found


def _to_cgcs2000(found: Point) -> Point:
    try:
        source = pyproj.CRS.from_epsg(found.srid)
    except CRSError as exc:
        raise MarkerRefused.of(gettext_noop("crs %(srid)s: not an EPSG coordinate system PROJ "
                                            "knows"), srid=found.srid) from exc
    datum = (source.geodetic_crs.datum.name if source.geodetic_crs else "") or ""
    if not any(name in datum for name in PLAIN_DATUMS):
        raise MarkerRefused.of(gettext_noop(
            "crs %(srid)s (%(crs)s): its datum %(datum)s differs from CGCS2000 by tens of "
            "metres and converts only with the survey office's parameters for the area; give "
            "CGCS2000 or WGS 84 coordinates, or load the survey file with manage.py "
            "load_markers"), srid=found.srid, crs=source.name, datum=datum)
    to = pyproj.Transformer.from_crs(source, 4490, always_xy=True)
    lon, lat = to.transform(found.x, found.y)
    return Point(lon, lat, srid=4490)


def check_marker(number: str, type: str, lines: list[BoundaryLine]) -> str | None:
    match = MARKER_NUMBER.match(number or "")
    if not match:
        return Said(gettext_noop("number %(number)r: expected the line's two-character "
                                 "abbreviation and a two-digit sequence, e.g. 钟水01"),
                    number=number)
    if type not in MarkerType.values:
        return Said(gettext_noop("type %(type)r: expected one of %(expected)s"),
                    type=type, expected=", ".join(MarkerType.values))
    if not lines or any(line.valid_to is not None for line in lines):
        return Said(gettext_noop("lines: a marker belongs to one or more lines in force"))
    if type == MarkerType.TRIPLE and len(lines) < 2:
        return Said(gettext_noop("type triple: a marker at a junction belongs to two or three "
                                 "lines"))
    if match.group(1) not in {line.name[:2] for line in lines}:
        names = ", ".join(line.name for line in lines)
        return Said(gettext_noop("number %(number)s: its abbreviation %(abbreviation)s is not "
                                 "that of its line (%(names)s)"),
                    number=number, abbreviation=match.group(1), names=names)
    return None


def check_state(status: str, on: date) -> str | None:
    if status not in MarkerStatus.values:
        return Said(gettext_noop("status %(status)r: expected one of %(expected)s"),
                    status=status, expected=", ".join(MarkerStatus.values))
    if not isinstance(on, date) or on > today():
        return Said(gettext_noop("date %(on)s: a state is recorded on a date not in the future"),
                    on=str(on))
    return None


def _offset_message(x: float, y: float, name: str, metres: float, limit: float) -> str:
    return Said(gettext_noop("position %(x).6f, %(y).6f is %(metres).0f m from %(name)s: a "
                             "marker must stand within %(limit)g m of each of its lines"),
                x=x, y=y, metres=metres, name=name, limit=limit)


def offsets(items: list[tuple[int, Point, list[int]]], max_offset_m: float) -> dict[int, str]:
    """Which positions lie too far from one of their lines: {key: why}, in one statement."""
    if not items:
        return {}
    keys, xs, ys, lines = zip(*[(k, p.x, p.y, line) for k, p, ids in items for line in ids],
                              strict=True)
    with connection.cursor() as cur:
        cur.execute(
            """SELECT t.k, t.x, t.y, l.name,
                      ST_Distance(l.geom::geography,
                                  ST_SetSRID(ST_MakePoint(t.x, t.y), 4490)::geography) AS m
               FROM unnest(%s::int[], %s::float8[], %s::float8[], %s::bigint[]) AS t(k, x, y, id)
               JOIN boundaries_boundaryline l ON l.id = t.id
               ORDER BY t.k, l.id""", [list(keys), list(xs), list(ys), list(lines)])
        found = {}
        for key, x, y, name, metres in cur.fetchall():
            if metres > max_offset_m and key not in found:
                found[key] = _offset_message(x, y, name, metres, max_offset_m)
    return found


def numbers_taken(items: list[tuple[int, str, list[int]]]) -> dict[int, str]:
    """Which numbers a marker in service already has on one of the lines: {key: why}."""
    pairs = [(k, number, line) for k, number, ids in items for line in ids]
    if not pairs:
        return {}
    keys, numbers, lines = zip(*pairs, strict=True)
    with connection.cursor() as cur:
        cur.execute(
            """SELECT t.k, l.name, m.id FROM unnest(%s::int[], %s::text[], %s::bigint[])
                   AS t(k, number, line)
               JOIN boundaries_boundarymarker_lines ml ON ml.boundaryline_id = t.line
               JOIN boundaries_boundarymarker m ON m.id = ml.boundarymarker_id
                AND m.number = t.number AND m.retired_on IS NULL
               JOIN boundaries_boundaryline l ON l.id = t.line
               ORDER BY t.k""", [list(keys), list(numbers), list(lines)])
        found = {}
        for key, name, marker_id in cur.fetchall():
            found.setdefault(key, Said(gettext_noop(
                "number %(number)s: %(line)s already has a marker in service with it (marker "
                "%(marker)s)"), number=numbers[keys.index(key)], line=name, marker=marker_id))
    return found


def refusals(markers: list[NewMarker], max_offset_m: float = MARKER_MAX_OFFSET_M
             ) -> dict[int, str]:
    """Why each marker (by its index in ``markers``) cannot be registered; {} if all can."""
    found: dict[int, str] = {}
    seen: dict[tuple[str, int], int] = {}
    for i, new in enumerate(markers):
        why = check_marker(new.number, new.type, new.lines) or check_state(new.status, new.on)
        if why is None and new.installed is not None and new.installed > new.on:
            why = Said(gettext_noop("installed %(installed)s: after the first state's date "
                                    "%(on)s"), installed=new.installed, on=new.on)
        for line in new.line_ids:
            first = seen.setdefault((new.number, line), i)
            if why is None and first != i:
                why = Said(gettext_noop("number %(number)s: given twice for the same line (also "
                                        "item %(first)s)"), number=new.number, first=first)

        if why:
            found[i] = why
    rest = [i for i in range(len(markers)) if i not in found]
    found |= offsets([(i, markers[i].position, markers[i].line_ids) for i in rest],
                     max_offset_m)
    rest = [i for i in rest if i not in found]
    found |= numbers_taken([(i, markers[i].number, markers[i].line_ids) for i in rest])
    return dict(sorted(found.items()))
