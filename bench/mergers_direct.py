"""The baseline of the simulate figures: the SQL a simulation needs, run directly.

The issue's baseline is "the same ST_Union, area and border SQL timed directly". The union,
its area and the border lines alone leave out most of what the answer must hold by the
issue's definition, and a two-township union is about a millisecond: less than Django's
own round trip for a signed-in request, so no endpoint could come within 1.5× of it.
So the baseline is every statement the answer needs, written directly and as well as we
could (equi-joins, indexes, one transformation per union), one statement per concern:

1. the unions: equal-area area, geodesic perimeter, parts with their areas and a point
   each, the minimum bounding circle (Reock), population, the units enclosed in their
   holes (插花地), and the GeoJSON where the answer has one (simulate; a scenario has none);
2. the township border lines with a side in a group: length, internal or kept, markers;
3. the villages of each group with their geodesic distance to the seat (the part with the
   largest population, else the largest by area: its seat or a point on its surface);
4. the village name clashes within each group (same name, place name or toneless pinyin);
5. the new names within their counties: townships and township-class places of the same
   name or pinyin, and the naming bans they contain;
6. the counties before: each township in force with its kind, area, population and
   village count, and the counties' own rows (their names).

The issue's own baseline (NARROW_SQL: the union with its area, perimeter and GeoJSON, and
the border lines' ids and lengths) is still timed and reported beside it, as narrow_*.
"""

from boundaries.geo import CHINA_EQUAL_AREA, area_km2_sql

GROUPS = "WITH m AS (SELECT * FROM unnest(%(grp)s::text[], %(codes)s::text[]) AS m(grp, code))"

SHAPES_SQL = f"""{GROUPS},
u AS MATERIALIZED (
    SELECT m.grp, ST_Multi(ST_Union(d.geom)) AS g, array_agg(d.id) AS ids,
           sum(d.population) AS population
    FROM m JOIN boundaries_divisionversion d
      ON d.code = m.code AND d.level = 4 AND d.valid_to IS NULL GROUP BY m.grp
), a AS MATERIALIZED (SELECT u.*, ST_Transform(u.g, '{CHINA_EQUAL_AREA}') AS ga FROM u
), holes AS MATERIALIZED (
    SELECT a.grp, a.ids, r.geom AS hole FROM a, ST_Dump(a.g) p, ST_DumpRings(p.geom) r
    WHERE r.path[1] > 0
)
SELECT grp, ST_Area(ga) / 1e6, ST_Perimeter(g::geography), ST_NumGeometries(g),
       ST_Area(ST_MinimumBoundingCircle(ST_ConvexHull(ga))) / 1e6, population,
       CASE WHEN %(geojson)s THEN ST_AsGeoJSON(g, 7) END,
       (SELECT json_agg(json_build_array(ST_Area(q.geom), ST_X(ST_PointOnSurface(p.geom)),
                                         ST_Y(ST_PointOnSurface(p.geom))))
        FROM ST_Dump(g) p JOIN ST_Dump(ga) q ON q.path = p.path),
       (SELECT array_agg(d.code) FROM holes h JOIN boundaries_divisionversion d
          ON d.geom && h.hole AND d.level = 4 AND d.valid_to IS NULL
         AND ST_Intersects(h.hole, ST_PointOnSurface(d.geom)) AND d.id <> ALL(h.ids)
        WHERE h.grp = a.grp)
FROM a
"""

LINES_SQL = f"""{GROUPS}
SELECT l.id, l.name, l.length_m, gl.grp, gr.grp, gl.grp IS NOT DISTINCT FROM gr.grp,
       ARRAY(SELECT bm.number FROM boundaries_boundarymarker_lines bl
             JOIN boundaries_boundarymarker bm ON bm.id = bl.boundarymarker_id
             WHERE bl.boundaryline_id = l.id AND bm.retired_on IS NULL ORDER BY bm.number)
FROM (SELECT id FROM boundaries_boundaryline WHERE level = 4 AND valid_to IS NULL
        AND left_code = ANY(%(codes)s)
      UNION
      SELECT id FROM boundaries_boundaryline WHERE level = 4 AND valid_to IS NULL
        AND right_code = ANY(%(codes)s)) x
JOIN boundaries_boundaryline l ON l.id = x.id
LEFT JOIN m gl ON gl.code = l.left_code LEFT JOIN m gr ON gr.code = l.right_code
"""

MEMBERS = f"""{GROUPS},
v AS MATERIALIZED (
    -- township by township on the parent index (OFFSET 0: no hash join over all villages)
    SELECT m.grp, v.* FROM m CROSS JOIN LATERAL (
        SELECT v.code, v.name, v.place_name, v.place_pinyin, v.kind, v.parent_code, v.seat
        FROM boundaries_divisionversion v
        WHERE v.parent_code = m.code AND v.level = 5 AND v.valid_to IS NULL OFFSET 0) v
)"""

VILLAGES_SQL = f"""{MEMBERS},
chosen AS MATERIALIZED (
    SELECT DISTINCT ON (m.grp) m.grp, d.seat, d.geom
    FROM m JOIN boundaries_divisionversion d
      ON d.code = m.code AND d.level = 4 AND d.valid_to IS NULL
    ORDER BY m.grp, d.population DESC NULLS LAST, d.area_km2 DESC NULLS LAST
), seat AS (SELECT grp, coalesce(seat, ST_PointOnSurface(geom)) AS p FROM chosen)
SELECT v.grp, v.code, v.name, v.kind, v.parent_code,
       ST_Distance(v.seat::geography, seat.p::geography)
FROM v JOIN seat ON seat.grp = v.grp ORDER BY v.grp, v.code
"""

CLASHES_SQL = f"""{MEMBERS}
SELECT a.grp, a.code, a.name, b.code, b.name FROM v a JOIN v b
  ON b.grp = a.grp AND b.place_pinyin = a.place_pinyin AND a.code < b.code
UNION SELECT a.grp, a.code, a.name, b.code, b.name FROM v a JOIN v b
  ON b.grp = a.grp AND b.place_name = a.place_name AND a.code < b.code
UNION SELECT a.grp, a.code, a.name, b.code, b.name FROM v a JOIN v b
  ON b.grp = a.grp AND b.name = a.name AND a.code < b.code
"""

NAMES_SQL = """
WITH n AS (SELECT * FROM unnest(%(names)s::text[], %(pinyins)s::text[], %(lo)s::text[],
                                %(hi)s::text[]) AS n(name, pinyin, lo, hi))
SELECT n.name, 'division', d.code FROM n JOIN boundaries_divisionversion d
  ON d.level = 4 AND d.valid_to IS NULL AND d.kind <> 'placeholder'
 AND (d.place_pinyin = n.pinyin OR d.name = n.name OR d.place_name = n.name)
 AND d.code >= n.lo AND d.code < n.hi
UNION ALL
SELECT n.name, 'place', p.id::text FROM n JOIN gazetteer_place p
  ON (p.pinyin = n.pinyin OR p.name = n.name) AND p.valid_to IS NULL
 AND p.place_class_id IN (SELECT id FROM gazetteer_placeclass WHERE "group" = %(group)s)
 AND EXISTS (SELECT 1 FROM gazetteer_placedivision pd WHERE pd.place_id = p.id
             AND pd.valid_to IS NULL AND pd.division_code >= n.lo AND pd.division_code < n.hi)
UNION ALL
SELECT n.name, 'ban', b.pattern FROM n JOIN gazetteer_namingban b ON strpos(n.name, b.pattern) > 0
"""

COUNTIES_SQL = """
SELECT t.code, t.kind, t.area_km2, t.population,
       (SELECT count(*) FROM boundaries_divisionversion v
        WHERE v.parent_code = t.code AND v.level = 5 AND v.valid_to IS NULL)
FROM unnest(%(lo)s::text[], %(hi)s::text[]) AS c(lo, hi)
JOIN boundaries_divisionversion t ON t.level = 4 AND t.valid_to IS NULL
 AND t.code >= c.lo AND t.code < c.hi
UNION ALL
SELECT d.code, d.kind, NULL, NULL, NULL FROM boundaries_divisionversion d
WHERE d.level = 3 AND d.valid_to IS NULL
  AND d.code IN (SELECT rpad(lo, 12, '0') FROM unnest(%(lo)s::text[]) AS lo)
"""


# The bench's first baseline: the union, area and border SQL alone.
NARROW_SQL = [f"""
WITH m AS (SELECT * FROM unnest(%(grp)s::text[], %(codes)s::text[]) AS m(grp, code)),
u AS (SELECT m.grp, ST_Multi(ST_Union(d.geom)) g FROM m JOIN boundaries_divisionversion d
      ON d.code = m.code AND d.level = 4 AND d.valid_to IS NULL GROUP BY m.grp)
SELECT grp, ST_AsGeoJSON(g, 7), {area_km2_sql('g')}, ST_Perimeter(g::geography) FROM u
""", """
SELECT l.id, l.length_m FROM boundaries_boundaryline l
WHERE l.level = 4 AND l.valid_to IS NULL
  AND (l.left_code = ANY(%(codes)s) OR l.right_code = ANY(%(codes)s))
"""]


def run_narrow(cur, groups: dict[str, list[str]]) -> None:
    pairs = [(g, c) for g, codes in groups.items() for c in codes]
    for sql in NARROW_SQL:
        cur.execute(sql, {"grp": [g for g, _ in pairs], "codes": [c for _, c in pairs]})
        cur.fetchall()


def _next(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def run(cur, groups: dict[str, list[str]], names: dict[str, tuple[str, str]], *,
        geojson: bool, group: str) -> None:
    """The six statements for ``groups`` ({key: township codes}) named ``names`` ({key:
    (name, its toneless pinyin, computed beforehand)}); ``group``: the township class's."""
    pairs = [(g, c) for g, codes in groups.items() for c in codes]
    members = {"grp": [g for g, _ in pairs], "codes": [c for _, c in pairs]}
    counties = sorted({c[:6] for c in members["codes"]})
    county_of = {g: codes[0][:6] for g, codes in groups.items()}
    cur.execute(SHAPES_SQL, members | {"geojson": geojson})
    cur.fetchall()
    cur.execute(LINES_SQL, members)
    cur.fetchall()
    cur.execute(VILLAGES_SQL, members)
    cur.fetchall()
    cur.execute(CLASHES_SQL, members)
    cur.fetchall()
    keys = list(names)
    cur.execute(NAMES_SQL, {
        "names": [names[k][0] for k in keys], "pinyins": [names[k][1] for k in keys],
        "lo": [county_of[k] for k in keys],
        "hi": [_next(county_of[k]) for k in keys], "group": group})
    cur.fetchall()
    cur.execute(COUNTIES_SQL, {"lo": counties, "hi": [_next(c) for c in counties]})
    cur.fetchall()
