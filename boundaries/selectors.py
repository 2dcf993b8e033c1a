"""Reads of the division registry. Every read takes a date: "what was this on D?"."""

from datetime import date

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext_noop

from config.errors import BadRequest, NotFound
from config.said import Said

from .codes import code_prefix, parse_code
from .models import (
    BoundaryLine,
    BoundaryMarker,
    DivisionEvent,
    DivisionVersion,
    MarkerState,
)
from .names import PLACEHOLDER
from .temporal import in_force, in_force_sql, is_in_force, reference_date, today


def division_prefix(raw: str) -> tuple[str, int]:
    """A filter's code as (the prefix of its descendants' codes, its level).

    An unknown code is a 404 naming it, never an empty list; a code that some division
    had at some time is known, whether or not it is in force now.
    """
    code, level = parse_code(raw)
    known = DivisionVersion.objects.filter(code=code)
    if level is not None:
        known = known.filter(level=level)
    found = known.order_by("level").values_list("level", flat=True).first()
    if found is None:
        raise NotFound.of(gettext_noop("no division has the code %(code)s"), code=raw.strip())
    return code_prefix(code, level or found)


def versions_at(as_of: date) -> QuerySet:
    return DivisionVersion.objects.filter(in_force(as_of))


def division_get(raw_code: str, as_of: date | None = None) -> DivisionVersion:
    code, level = parse_code(raw_code)
    as_of = as_of or today()
    candidates = DivisionVersion.objects.filter(code=code)
    if level is not None:
        candidates = candidates.filter(level=level)
    found = candidates.filter(in_force(as_of)).order_by("level").first()
    if found is not None:
        return found
    other = candidates.order_by("-valid_from").first()
    if other is None:
        raise NotFound.of(gettext_noop("no division has the code %(code)s"), code=raw_code)
    successors = ", ".join(f"{v.short_code} {v.name}" for v in successors_of([other.id]))
    params = {"code": raw_code, "name": other.name, "as_of": as_of,
              "since": other.valid_from or "…",
              "until": other.valid_to or Said(gettext_noop("now"))}
    if successors:
        raise NotFound.of(gettext_noop(
            "%(code)s %(name)s was not in force on %(as_of)s (valid %(since)s – %(until)s); "
            "its successor: %(successors)s"), successors=successors, **params)
    raise NotFound.of(gettext_noop("%(code)s %(name)s was not in force on %(as_of)s (valid "
                                   "%(since)s – %(until)s)"), **params)


def ancestors(version: DivisionVersion, as_of: date | None = None) -> list[DivisionVersion]:
    """Province first; statistical placeholders (市辖区, 省直辖县级行政区划) are skipped."""
    if version.parent_code is None:
        return []
    as_of = reference_date(version, as_of)
    rows = DivisionVersion.objects.raw(
        f"""
        WITH RECURSIVE up AS (
            SELECT p.* FROM boundaries_divisionversion p
            WHERE p.code = %(parent)s AND p.level = %(level)s - 1 AND {_VALID_SQL}
          UNION ALL
            SELECT p.* FROM boundaries_divisionversion p JOIN up ON p.code = up.parent_code
             AND p.level = up.level - 1
            WHERE {_VALID_SQL}
        )
        SELECT * FROM up ORDER BY level
        """,
        {"parent": version.parent_code, "level": version.level, "as_of": as_of},
    )
    return [row for row in rows if row.kind != PLACEHOLDER]


_VALID_SQL = in_force_sql("p")


def children(version: DivisionVersion, as_of: date | None, kind: str | None) -> QuerySet:
    as_of = reference_date(version, as_of)
    qs = versions_at(as_of).filter(parent_code=version.code, level=version.level + 1)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("code")


def versions_of(code: str, level: int) -> QuerySet:
    return DivisionVersion.objects.filter(code=code, level=level).order_by("valid_from")


def events_of(version_ids: list[int]) -> QuerySet:
    return (
        DivisionEvent.objects.filter(Q(inputs__in=version_ids) | Q(outputs__in=version_ids))
        .distinct()
        .prefetch_related("inputs", "outputs")
        .order_by("effective_date", "id")
    )


def _linked(version_ids: list[int], forward: bool) -> list[DivisionVersion]:
    """Follow change events from the given versions, transitively."""
    seen, frontier, found = set(version_ids), list(version_ids), []
    while frontier:
        if forward:
            events = DivisionEvent.objects.filter(inputs__in=frontier)
            step = DivisionVersion.objects.filter(started_by__in=events)
        else:
            events = DivisionEvent.objects.filter(outputs__in=frontier)
            step = DivisionVersion.objects.filter(ended_by__in=events)
        step = list(step.exclude(id__in=seen).distinct().order_by("valid_from", "code"))
        seen.update(v.id for v in step)
        found.extend(step)
        frontier = [v.id for v in step]
    return found


def successors_of(version_ids: list[int]) -> list[DivisionVersion]:
    """Later versions reached through events; the current ones are the crosswalk answer."""
    return _linked(version_ids, forward=True)


def predecessors_of(version_ids: list[int]) -> list[DivisionVersion]:
    return _linked(version_ids, forward=False)


def crosswalk(limit: int, offset: int) -> tuple[int, list[tuple[DivisionVersion, list]]]:
    """Retired codes (no current version) with the current versions they became."""
    retired = (
        DivisionVersion.objects.filter(valid_to__isnull=False, ended_by__isnull=False)
        .exclude(code__in=DivisionVersion.objects.filter(valid_to__isnull=True).values("code"))
        .distinct()
        .order_by("code", "-valid_to")
    )
    total = retired.count()
    page = list(retired[offset: offset + limit])
    return total, [
        (v, [s for s in successors_of([v.id]) if s.valid_to is None]) for v in page
    ]


def neighbours(version: DivisionVersion, as_of: date | None) -> list[tuple[DivisionVersion, float]]:
    """Same-level divisions sharing a border line (not just a point), with its length."""
    if version.geom is None:
        return []
    as_of = reference_date(version, as_of)
    rows = DivisionVersion.objects.raw(
        f"""
        SELECT p.*, ST_Length(ST_Intersection(ST_Boundary(p.geom), ST_Boundary(me.geom))
                              ::geography) / 1000.0 AS shared_km
        FROM boundaries_divisionversion p, boundaries_divisionversion me
        WHERE me.id = %(id)s AND p.id <> me.id AND p.level = me.level
          AND p.geom && me.geom AND ST_Intersects(p.geom, me.geom) AND {_VALID_SQL}
        ORDER BY p.code
        """,
        {"id": version.id, "as_of": as_of},
    )
    return [(row, row.shared_km) for row in rows if row.shared_km > 0]


def geometry_geojson(version: DivisionVersion, simplify_m: float | None, srid: int) -> str | None:
    if version.geom is None:
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", [srid])
        if cur.fetchone() is None:
            raise BadRequest.of(gettext_noop("srid %(srid)s: unknown coordinate reference "
                                             "system"), srid=srid)
        # Tolerance in metres is applied in degrees at the division's latitude.
        cur.execute(
            """
            SELECT ST_AsGeoJSON(ST_Transform(
                CASE WHEN %(tol)s > 0 THEN ST_SimplifyPreserveTopology(
                    geom, %(tol)s / (111320.0 * cos(radians(ST_Y(ST_Centroid(geom))))))
                ELSE geom END, %(srid)s), 7)
            FROM boundaries_divisionversion WHERE id = %(id)s
            """,
            {"tol": simplify_m or 0, "srid": srid, "id": version.id},
        )
        return cur.fetchone()[0]


# Border lines (boundaries.lines derives them; the sides are divisions by code and level).

def lines_in_force(as_of: date) -> QuerySet:
    return BoundaryLine.objects.filter(in_force(as_of))


def lines_list(version: DivisionVersion | None, level: int | None,
               as_of: date | None) -> QuerySet:
    """The lines in force on ``as_of`` (today), of one division's sides and/or one level."""
    qs = lines_in_force(as_of or today())
    if version is not None:
        qs = qs.filter(Q(left_code=version.code) | Q(right_code=version.code),
                       level=version.level)
    if level is not None:
        qs = qs.filter(level=level)
    return qs.order_by("level", "left_code", "right_code")


def line_get(line_id: int) -> BoundaryLine:
    line = BoundaryLine.objects.filter(pk=line_id).first()
    if line is None:
        raise NotFound.of(gettext_noop("no border line has the id %(id)s"), id=line_id)
    return line


def line_sides(lines: list[BoundaryLine], on: date) -> dict[tuple[str, int], DivisionVersion]:
    """The side divisions of the lines as they were on ``on`` (else their latest version)."""
    keys = {(c, line.level) for line in lines for c in (line.left_code, line.right_code)}
    if not keys:
        return {}
    codes = {code for code, _ in keys}
    found: dict[tuple[str, int], DivisionVersion] = {}
    candidates = DivisionVersion.objects.filter(code__in=codes, level__in={k[1] for k in keys})
    for v in candidates.order_by(F("valid_from").asc(nulls_first=True)):
        key = (v.code, v.level)
        if key in keys and (key not in found or is_in_force(v, on)
                            or not is_in_force(found[key], on)):
            found[key] = v
    return found


def line_markers(line: BoundaryLine) -> list[BoundaryMarker]:
    """The line's markers in service, each with its states oldest first."""
    states = Prefetch("states", queryset=MarkerState.objects.order_by("valid_from"))
    return list(line.markers.filter(retired_on__isnull=True).order_by("number")
                .prefetch_related(states, "lines"))


def division_page(raw_code: str, as_of: date | None) -> dict:
    """What a division's page shows on ``as_of`` (default today). A code not in force then
    shows its last version, marked so, with what it became."""
    code, level = parse_code(raw_code)
    try:
        version, in_force_then = division_get(raw_code, as_of), True
    except NotFound:
        candidates = DivisionVersion.objects.filter(code=code)
        if level is not None:
            candidates = candidates.filter(level=level)
        version = candidates.order_by("-valid_from").first()
        if version is None:
            raise
        in_force_then = False
    on = (as_of or today()) if in_force_then else reference_date(version)
    versions = list(versions_of(version.code, version.level))
    ids = [v.id for v in versions]
    return {
        "division": version, "in_force": in_force_then, "on": on,
        "ancestors": ancestors(version, on),
        "children": list(children(version, on, None)[:500]),
        "neighbours": neighbours(version, on),
        "versions": versions,
        "events": list(events_of(ids)),
        "successors": [v for v in successors_of(ids) if v.code != version.code],
    }


def _with_states(qs: QuerySet) -> QuerySet:
    states = Prefetch("states", queryset=MarkerState.objects.order_by("valid_from"))
    return qs.prefetch_related(states, "lines")


def markers_list(line: BoundaryLine | None, version: DivisionVersion | None,
                 as_of: date | None) -> QuerySet:
    """The markers in service on ``as_of`` (today): registered by then and not retired,
    on one line version or on the lines in force then of a division's border."""
    on = as_of or today()
    qs = BoundaryMarker.objects.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=on),
                                       states__valid_from__lte=on)
    if line is not None:
        qs = qs.filter(lines=line)
    if version is not None:
        border = lines_in_force(on).filter(Q(left_code=version.code) | Q(right_code=version.code),
                                           level=version.level)
        qs = qs.filter(lines__in=border)
    ids = qs.values("id").distinct()
    return _with_states(BoundaryMarker.objects.filter(id__in=ids)).order_by("number", "id")


def marker_get(marker_id: int) -> BoundaryMarker:
    marker = _with_states(BoundaryMarker.objects.filter(pk=marker_id)).first()
    if marker is None:
        raise NotFound.of(gettext_noop("no boundary marker has the id %(id)s"), id=marker_id)

    return marker
