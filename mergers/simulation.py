"""Merger simulation: what a group of townships would be as one (nothing is written).

Every measure is set-based PostGIS over all the units of a plan at once, in one statement
(MEASURE_SQL): the unions and their shapes, the border lines, the villages with their
distances to the seat and their name clashes — so a whole-prefecture scenario costs the
same number of statements as a merger of two.

- area: the project's equal-area measure (boundaries.geo: ST_Area in its Albers projection
  on GRS80, as area_km2_sql) of the union;
- perimeter: geodesic (geography); Polsby–Popper 4πA/P²; Reock A / the area of the
  minimum bounding circle, drawn in the same equal-area projection;
- parts: ST_NumGeometries of the union; more than one is an exclave (飞地), a finding;
  the union is contiguous when it has no more parts than its townships' own exclaves
  allow (a synthetic township clipped to a many-part county may have one already);
- enclosed: townships outside the group lying in the union's holes (插花地);
- lines: the registry's township border lines in force with a side in the group — both
  sides inside: internal (they disappear, their markers become historical), else kept;
- distances: geodesic, from each village point to the seat.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils.translation import gettext_noop

from boundaries.codes import parse_code
from boundaries.geo import CHINA_EQUAL_AREA
from boundaries.models import Level
from boundaries.temporal import in_force_sql
from config import prepared
from config.errors import BadRequest
from config.said import Said, all_said
from gazetteer import checks_batch

from .operations import SeatPoint

# The point on the surface is computed once per township (it costs a few hundred µs on
# a large polygon), not once for X and again for Y.
TOWNSHIP_SQL = """
SELECT id, code, name, kind, parent_code, area_km2, population, valid_from, valid_to,
       ST_X(p.point), ST_Y(p.point), seat IS NOT NULL
FROM boundaries_divisionversion
CROSS JOIN LATERAL (SELECT coalesce(seat, ST_PointOnSurface(geom)) AS point OFFSET 0) p
WHERE level = 4 AND code = ANY(%(codes)s)
ORDER BY code, valid_from NULLS FIRST
"""


@dataclass
class Part:
    id: int
    code: str
    name: str
    kind: str
    county: str
    area_km2: float | None
    population: int | None
    lon: float | None
    lat: float | None
    has_seat: bool

    def ref(self) -> dict:
        return {"code": self.code, "short_code": self.code[:9], "name": self.name,
                "kind": self.kind}


@dataclass
class Unit:
    """One merged unit to measure: its parts, name, kind and seat (lon, lat, how)."""
    key: str
    parts: list[Part]
    name: str
    kind: str
    seat: tuple[float, float, str]
    county: str
    # Village transfers of a plan: (village code) in, and codes moved out.
    villages_in: list[str] = field(default_factory=list)
    villages_out: set[str] = field(default_factory=set)


def township_codes(raw_codes: list[str]) -> tuple[dict[str, str], list[str]]:
    """{12-digit code: as given} and the problems of the codes that are no township code."""
    codes, problems = {}, []
    for raw in raw_codes:
        try:
            code, level = parse_code(str(raw))
        except BadRequest as exc:
            problems.append(Said(gettext_noop("%(raw)s: %(why)s"), raw=raw, why=exc.args[0]))
            continue
        if level not in (None, Level.TOWNSHIP) or code[9:] != "000" or code[6:9] == "000":
            problems.append(Said(gettext_noop("%(raw)s: not a township code (9 digits, or 12 "
                                              "ending in 000)"), raw=raw))
        elif code in codes:
            problems.append(Said(gettext_noop("%(raw)s: given twice"), raw=raw))
        else:
            codes[code] = str(raw)
    return codes, problems


def resolve_townships(raw_codes: list[str], as_of: date, *, same_county: bool = True) -> list[Part]:
    """The townships in force on ``as_of``; a 400 names every code that is unknown, not in
    force, or (``same_county``) in another county than the first's."""
    codes, problems = township_codes(raw_codes)
    with connection.cursor() as cur:
        cur.execute(TOWNSHIP_SQL, {"codes": list(codes)})
        rows = cur.fetchall()
    found: dict[str, Part] = {}
    periods: dict[str, list[str]] = {}
    for (id_, code, name, kind, parent, area, pop, start, end, lon, lat, has_seat) in rows:
        if (start is None or start <= as_of) and (end is None or end > as_of):
            found[code] = Part(id_, code, name, kind, parent, area, pop, lon, lat, has_seat)
        else:
            periods.setdefault(code, []).append(f"{name} {start or '…'} – {end or 'now'}")
    for code, raw in codes.items():
        if code in found:
            continue
        if code in periods:
            problems.append(Said(gettext_noop("%(raw)s: not in force on %(as_of)s (valid "
                                              "%(periods)s)"),
                                 raw=raw, as_of=as_of, periods="; ".join(periods[code])))
        else:
            problems.append(Said(gettext_noop("%(raw)s: no township has this code"), raw=raw))
    parts = [found[c] for c in codes if c in found]
    if same_county and parts:
        county = parts[0].county
        problems += [Said(gettext_noop("%(raw)s: %(name)s lies in county %(county)s, not in "
                                       "%(first_county)s with %(first)s"),
                          raw=codes[p.code], name=p.name, county=p.county[:6],
                          first_county=county[:6], first=parts[0].name)
                     for p in parts if p.county != county]
    if problems:
        raise BadRequest(all_said(gettext_noop("townships: %(problems)s"), problems))
    return parts


def resolve_seat(seat: SeatPoint | str | None, parts: list[Part],
                 raw_codes: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(lon, lat, how it was chosen): a point, a part's seat, or the largest part's."""
    if isinstance(seat, SeatPoint):
        if not (-180 <= seat.lon <= 180 and -90 <= seat.lat <= 90):
            raise BadRequest.of(gettext_noop("seat: (%(lon)s, %(lat)s) is not a longitude and "
                                             "latitude"), lon=seat.lon, lat=seat.lat)
        return seat.lon, seat.lat, "the point given"
    if isinstance(seat, str):
        codes, problems = township_codes([seat])
        chosen = next((p for p in parts if p.code in codes), None)
        if problems or chosen is None:
            raise BadRequest.of(gettext_noop("seat %(seat)s: not one of the townships merged "
                                             "(%(codes)s)"),
                                seat=seat, codes=", ".join(p.code[:9] for p in parts))
        return chosen.lon, chosen.lat, _seat_how(chosen, "the township given")
    if any(p.population is not None for p in parts):
        chosen = max(parts, key=lambda p: (p.population or 0, p.area_km2 or 0))
        return chosen.lon, chosen.lat, _seat_how(chosen, "the part with the largest population")
    chosen = max(parts, key=lambda p: (p.area_km2 or 0, p.code))
    return chosen.lon, chosen.lat, _seat_how(chosen, "the largest part by area "
                                             "(no population is recorded)")


def _seat_how(part: Part, why: str) -> str:
    where = "its seat" if part.has_seat else "a point on its surface (no seat recorded)"
    return f"{why}: {part.code[:9]} {part.name}, {where}"


# One statement for every measure of every unit: the members are read once (t) and the
# union once (u), and each round trip and plan saved counts in a two-township simulation.
# Tolerance in metres applied in degrees at the union's latitude, as the geometry endpoint.
# The union is transformed to the equal-area projection of boundaries.geo once, for its
# area, its bounding circle and its parts' areas (a transformation to a PROJ string costs
# milliseconds each time). Enclosed townships: their point on surface in a hole of the union
# (an interior ring: the filled exterior minus the union), and no larger than the hole.
# Lines: a side's lines by each code index (left, right) rather than one join on an OR.
# Villages: their name clashes are gazetteer's rule (checks_batch.clash_pairs_sql) on them.
# The per-unit lists are materialized and joined: as subqueries on u.grp, the planner
# would push the unit into the clash pairs and loop over every pair (0.4 s, not 10 ms).
MEASURE_SQL = f"""
WITH m AS (SELECT * FROM unnest(%(grp)s::text[], %(ids)s::bigint[]) AS m(grp, id)),
t AS MATERIALIZED (
    SELECT m.grp, d.id, d.code, d.geom, d.area_km2, d.population
    FROM m JOIN boundaries_divisionversion d ON d.id = m.id
), v AS MATERIALIZED (
    SELECT t.grp, ST_Multi(ST_Union(t.geom)) AS g, sum(t.area_km2) AS parts_km2,
           sum(t.population) AS population, count(t.population) AS with_population,
           array_agg(t.id) AS ids, sum(ST_NumGeometries(t.geom) - 1) AS inherited
    FROM t GROUP BY t.grp
), u AS MATERIALIZED (
    SELECT v.*, ST_Transform(v.g, '{CHINA_EQUAL_AREA}') AS ga FROM v
), holes AS MATERIALIZED (
    SELECT u.grp, u.ids, r.geom AS hole
    FROM u, ST_Dump(u.g) p, ST_DumpRings(p.geom) r WHERE r.path[1] > 0
), side AS (
    -- township by township on each side's index (OFFSET 0: no scan of every line)
    SELECT t.grp, l.id FROM t CROSS JOIN LATERAL (
        SELECT l.id FROM boundaries_boundaryline l
        WHERE l.left_code = t.code AND l.level = 4 AND {in_force_sql('l')} OFFSET 0) l
  UNION ALL
    SELECT t.grp, l.id FROM t CROSS JOIN LATERAL (
        SELECT l.id FROM boundaries_boundaryline l
        WHERE l.right_code = t.code AND l.level = 4 AND {in_force_sql('l')} OFFSET 0) l
), counted AS (SELECT grp, id, count(*) = 2 AS internal FROM side GROUP BY grp, id
), line_rows AS MATERIALIZED (
    SELECT c.grp, json_agg(json_build_array(l.id, l.name, l.left_code, l.right_code,
               l.length_m, c.internal,
               (SELECT coalesce(array_agg(bm.number ORDER BY bm.number), '{{}}')
                FROM boundaries_boundarymarker_lines bl
                JOIN boundaries_boundarymarker bm ON bm.id = bl.boundarymarker_id
                WHERE bl.boundaryline_id = l.id AND bm.retired_on IS NULL))
               ORDER BY l.left_code, l.right_code, l.id) AS rows
    FROM counted c JOIN boundaries_boundaryline l ON l.id = c.id GROUP BY c.grp
), member_id AS (
    -- by the parent index, township by township (OFFSET 0 keeps the planner from a hash
    -- join over every village of the country)
    SELECT t.grp, v.id FROM t CROSS JOIN LATERAL (
        SELECT v.id FROM boundaries_divisionversion v
        WHERE v.parent_code = t.code AND v.level = 5 AND {in_force_sql('v')}
          AND v.code <> ALL(%(out)s) OFFSET 0) v
  UNION
    SELECT x.grp, v.id FROM unnest(%(in_grp)s::text[], %(in_code)s::text[]) AS x(grp, code)
    JOIN boundaries_divisionversion v ON v.code = x.code AND v.level = 5 AND {in_force_sql('v')}
), member AS MATERIALIZED (
    SELECT mi.grp, v.code, v.name, v.place_name, v.place_pinyin, v.parent_code, v.kind,
           ST_Distance(v.seat::geography,
                       ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4490)::geography) AS distance
    FROM member_id mi JOIN boundaries_divisionversion v ON v.id = mi.id
    JOIN unnest(%(seat_grp)s::text[], %(lon)s::float8[], %(lat)s::float8[]) AS s(grp, lon, lat)
      ON s.grp = mi.grp
), village_rows AS MATERIALIZED (
    SELECT grp, json_agg(json_build_array(code, name, place_name, kind, parent_code, distance)
                         ORDER BY code) AS rows
    FROM member GROUP BY grp
), {checks_batch.clash_pairs_sql("member")}, clash_rows AS MATERIALIZED (
    SELECT grp, json_agg(json_build_array({checks_batch.CLASH_COLUMNS})
                         ORDER BY {checks_batch.CLASH_ORDER}) AS rows
    FROM clash GROUP BY grp
)
SELECT u.grp, ST_Area(u.ga) / 1e6, ST_Perimeter(u.g::geography), ST_NumGeometries(u.g),
       ST_Area(ST_MinimumBoundingCircle(ST_ConvexHull(u.ga))) / 1e6,
       u.parts_km2, u.population, u.with_population, u.inherited,
       CASE WHEN %(geojson)s THEN ST_AsGeoJSON(CASE WHEN %(tol)s > 0
           THEN ST_SimplifyPreserveTopology(u.g,
                %(tol)s / (111320.0 * cos(radians(ST_Y(ST_Centroid(u.g))))))
           ELSE u.g END, 7) END,
       (SELECT json_agg(json_build_object('area_km2', ST_Area(q.geom) / 1e6,
               'point', json_build_array(ST_X(ST_PointOnSurface(p.geom)),
                                         ST_Y(ST_PointOnSurface(p.geom))))
               ORDER BY ST_Area(q.geom) DESC)
        FROM ST_Dump(u.g) p JOIN ST_Dump(u.ga) q ON q.path = p.path),
       (SELECT coalesce(json_agg(json_build_object('code', d.code, 'name', d.name,
               'kind', d.kind, 'parent_code', d.parent_code) ORDER BY d.code), '[]')
        FROM holes h JOIN boundaries_divisionversion d
          ON d.geom && h.hole AND d.level = 4 AND {in_force_sql('d')} AND d.id <> ALL(h.ids)
         AND ST_Intersects(h.hole, ST_PointOnSurface(d.geom))
         AND ST_Area(d.geom) <= 1.01 * ST_Area(h.hole)
        WHERE h.grp = u.grp),
       lr.rows, vr.rows, cr.rows,
       -- the new names' checks (gazetteer.checks_batch.RULES_SQL), computed once
       (SELECT json_agg(json_build_array(r.i, r.rule, r.key, r.cols) ORDER BY r.i, r.rule, r.key)
        FROM ({checks_batch.RULES_SQL}) r(i, rule, key, cols))
FROM u LEFT JOIN line_rows lr ON lr.grp = u.grp LEFT JOIN village_rows vr ON vr.grp = u.grp
LEFT JOIN clash_rows cr ON cr.grp = u.grp
"""

# Prepared (config.prepared), always with its generic plan: planning it cost more than a
# two-township run.
MEASURE = prepared.Statement("merger_measures", MEASURE_SQL, (
    ("grp", "text[]"), ("ids", "bigint[]"), ("as_of", "date"), ("geojson", "boolean"),
    ("tol", "float8"), ("seat_grp", "text[]"), ("lon", "float8[]"), ("lat", "float8[]"),
    ("out", "text[]"), ("in_grp", "text[]"), ("in_code", "text[]"),
    *(p for p in checks_batch.RULES.params if p[0] != "as_of")), generic=True)


def measures(units: list[Unit], as_of: date, *, geojson: bool, simplify_m: float,
             names: checks_batch.Batch) -> tuple[dict, list]:
    """{unit key: its shape, "lines", "villages" and "clashes"}, and the rows of the name
    checks of ``names`` (checks_batch.results reads them), in one statement."""
    pairs = [(u.key, p.id) for u in units for p in u.parts]
    ins = [(u.key, c) for u in units for c in u.villages_in]
    params = {
        "grp": [g for g, _ in pairs], "ids": [i for _, i in pairs],
        "as_of": as_of, "geojson": geojson, "tol": simplify_m or 0,
        "seat_grp": [u.key for u in units],
        "lon": [u.seat[0] for u in units], "lat": [u.seat[1] for u in units],
        "out": sorted({c for u in units for c in u.villages_out}),
        "in_grp": [g for g, _ in ins], "in_code": [c for _, c in ins]} | names.params
    with connection.cursor() as cur:
        prepared.execute(connection, cur, MEASURE, params)
        rows = cur.fetchall()
    out = {}
    for (grp, area, perimeter, n_parts, circle, parts_km2, population, with_pop, inherited,
         geometry, parts, enclosed, line_rows, village_rows, clash_rows, _) in rows:
        out[grp] = {
            "area_km2": area, "parts_sum_km2": parts_km2,
            "perimeter_km": perimeter / 1000.0,
            "polsby_popper": 4 * 3.141592653589793 * area * 1e6 / perimeter ** 2
            if perimeter else None,
            "reock": area / circle if circle else None,
            "parts": n_parts, "part_areas": parts, "enclosed": enclosed,
            # Exclaves the townships already had; more parts than that: the merger's own.
            "inherited_exclaves": inherited,
            "contiguous": n_parts <= 1 + inherited,
            "population": population if with_pop else None,
            "population_known_for": with_pop, "geometry": geometry,
            "lines": _lines(line_rows or []),
            "villages": [{"code": code, "name": name, "place_name": place, "kind": kind,
                          "township_code": parent, "distance_m": dist}
                         for code, name, place, kind, parent, dist in village_rows or []],
            "clashes": checks_batch.clash_findings(clash_rows or []),
        }
    # The name checks' rows are the same on every unit's row.
    return out, (rows[0][-1] if rows else None) or []


def _lines(rows: list) -> dict:
    """Both sides inside: internal (they disappear); else kept."""
    out = {"internal": [], "remaining": []}
    for id_, name, left, right, length_m, internal, markers in rows:
        out["internal" if internal else "remaining"].append(
            {"id": id_, "name": name, "left_code": left, "right_code": right,
             "length_m": length_m, "markers": markers})
    return out


def distance_summary(rows: list[dict]) -> dict:
    known = [r for r in rows if r["distance_m"] is not None]
    far = sorted(known, key=lambda r: (-r["distance_m"], r["code"]))[:5]
    return {
        "max_m": far[0]["distance_m"] if far else None,
        "mean_m": sum(r["distance_m"] for r in known) / len(known) if known else None,
        "farthest": [{"code": r["code"], "name": r["place_name"], "distance_m": r["distance_m"]}
                     for r in far],
        "villages_without_point": len(rows) - len(known),
    }
