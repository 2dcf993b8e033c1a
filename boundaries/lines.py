"""Border lines derived from the division polygons: `boundary_lines_derive`.

The whole country is done in a handful of set-based statements over temporary tables:

1. sides: the divisions in force on the date that have a polygon, each with its own
   tolerance in degrees (metres at its latitude), a coarse buffer by it and its boundary;
2. pairs: every two sides whose buffered polygon meets the other's polygon, i.e. they
   touch or come within the tolerance (ST_Intersects on a prepared buffer: a plain
   ST_DWithin between county polygons is two orders of magnitude slower);
3. shared: per pair, the two boundaries clipped to the box where they meet, the first
   snapped onto the second within the tolerance (ST_Snap), and their intersection's
   linear part merged. A pair is suspect when the exact intersection differs from the
   snapped one (the borders do not coincide, or they cross), or where a line ends and
   the first side's boundary runs on inside the second (boundaries.line_faults): only
   those are searched for gaps (what lies within the tolerance of both sides but in
   neither) and overlaps, and a sliver of overlap up to ``max_overlap_width_m`` gets the
   line drawn along its centre;
4. orient: each line runs with its left (lower-code) side on its left
   (boundaries.orientation), and parts are merged only head to tail;
5. compare with the line versions in force on the date and write: new pairs get a line,
   lines within the tolerance of the derived one are left alone (unless they run the
   other way: then the old version ends and an oriented one begins, "reoriented"), a
   changed line ends and a new version begins (keeping its name, agreement and
   markers), vanished pairs end.

Levels 1 and 2 hold no polygons of their own: their lines are the county lines whose
sides lie in different provinces (prefectures), merged per pair of those. So 盘县 | 宣威市
is a stretch of 黔滇线 by construction, and the provincial line runs exactly along the
county lines. Pairs whose higher-level side is a statistical placeholder (the 市辖区 of
a municipality, 省直辖县级行政区划) have no line at that level. Villages are points: no lines.
"""

import json
import time
from contextlib import contextmanager
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_noop
from tqdm import tqdm

from config.errors import BadRequest
from config.responses import invalidate_on_commit

from . import line_faults
from .models import SHORT_LENGTHS, Level
from .names import PLACEHOLDER
from .orientation import along_sql, ccw_boundary_sql
from .temporal import in_force_sql, today

DEFAULT_TOLERANCE_M = 5.0
# Slivers under a hectare are digitising noise at the scale of county maps (quantized
# to ~1/1024°, ~100 m); larger ones are worth a look by whoever keeps the polygons.
DEFAULT_MIN_AREA_M2 = 10_000.0
# Overlaps up to this wide are slivers of a border digitised twice: the line runs along
# their centre (boundaries.line_faults). Wider ones are reported, not drawn through.
DEFAULT_MAX_OVERLAP_WIDTH_M = 50.0
# A "line" under ten tolerances long is two corners snapped together (万柏林区 and 清徐县
# touch at a point; within 5 m their corners make a 6 m segment), not a shared border.
MIN_LENGTH_TOLERANCES = 10
POLYGON_LEVEL = {Level.PROVINCE: Level.COUNTY, Level.PREFECTURE: Level.COUNTY,
                 Level.COUNTY: Level.COUNTY, Level.TOWNSHIP: Level.TOWNSHIP}

# Lines between provinces are named by the provinces' one-character abbreviations
# (黔滇线, 浙皖线), not by the first character of their names (贵云线).
PROVINCE_ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "黔", "53": "滇", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新", "71": "台", "81": "港", "82": "澳",
}

TEMP_TABLES = ["line_sides", "line_pairs", "line_shared", "line_ends", "line_overlaps",
               "line_centres", "line_derived", "line_diff"]


class LinesRefused(BadRequest):
    """The derivation cannot be written as asked; nothing was written."""


_VALID = in_force_sql("d")
# boundary_lines_rederive: only the sides near the focus divisions (any of their versions)
_NEAR_FOCUS = """(%(focus)s::text[] IS NULL OR d.geom && (
    SELECT ST_Expand(ST_SetSRID(ST_Extent(f.geom)::geometry, 4490), 0.01)
    FROM boundaries_divisionversion f WHERE f.level = %(src)s AND f.code = ANY(%(focus)s)))"""

_SIDES = f"""
CREATE TEMP TABLE line_sides AS
SELECT code, valid_from, valid_to, geom, tol,
       -- the boundary with the interior on its left: what orients the lines
       ST_Buffer(geom, tol, 'quad_segs=1') AS buf, {ccw_boundary_sql("geom")} AS bnd
FROM (SELECT d.code, d.valid_from, d.valid_to, d.geom,
             -- degrees of longitude at the division's latitude: at least the tolerance
             -- in metres in every direction
             %(tol_m)s / (111320.0 * cos(radians(ST_Y(ST_Centroid(d.geom))))) AS tol
      FROM boundaries_divisionversion d
      WHERE d.level = %(src)s AND d.geom IS NOT NULL AND NOT ST_IsEmpty(d.geom)
        AND {_VALID} AND {_NEAR_FOCUS}) s;
CREATE INDEX ON line_sides (code);
CREATE INDEX ON line_sides USING gist (geom);
ANALYZE line_sides;
CREATE TEMP TABLE line_pairs AS
SELECT a.code AS a, b.code AS b, greatest(a.tol, b.tol) AS tol
FROM line_sides a JOIN line_sides b
  ON a.code < b.code AND a.buf && b.geom AND ST_Intersects(a.buf, b.geom)
 AND (%(focus)s::text[] IS NULL OR a.code = ANY(%(focus)s) OR b.code = ANY(%(focus)s));
CREATE INDEX ON line_pairs (left(a, 2));
CREATE TEMP TABLE line_shared (a text, b text, tol float8, g geometry, suspect boolean);
"""

# ST_Snap compares every vertex with every other: both boundaries are clipped first to
# the box where the sides meet (ten times faster on the county file).
_CLIPPED = """
    FROM line_pairs p
    JOIN line_sides a ON a.code = p.a
    JOIN line_sides b ON b.code = p.b
    CROSS JOIN LATERAL (SELECT ST_MakeBox2D(
        ST_Point(greatest(ST_XMin(a.buf), ST_XMin(b.buf)),
                 greatest(ST_YMin(a.buf), ST_YMin(b.buf))),
        ST_Point(least(ST_XMax(a.buf), ST_XMax(b.buf)), least(ST_YMax(a.buf), ST_YMax(b.buf)))
    ) AS box) x
    -- OFFSET 0: evaluated once per pair, not inlined into every expression that uses it
    CROSS JOIN LATERAL (SELECT ST_ClipByBox2D(a.bnd, x.box) AS a,
                               ST_ClipByBox2D(b.bnd, x.box) AS b OFFSET 0) c
"""

# One province of left sides per statement, so the command can show progress.
_SHARED = f"""
INSERT INTO line_shared (a, b, tol, g, suspect)
SELECT a, b, tol, ST_Multi(ST_LineMerge(ST_CollectionExtract(x, 2))),
       abs(ST_Length(ST_CollectionExtract(x, 2)) - ST_Length(ST_CollectionExtract(exact, 2)))
           > tol OR NOT ST_IsEmpty(ST_CollectionExtract(exact, 1))
FROM (
    SELECT p.a, p.b, p.tol, s.x,
           -- where snapping moved no vertex the exact intersection is the snapped one
           CASE WHEN ST_OrderingEquals(s.snapped, c.a) THEN s.x
                ELSE ST_Intersection(c.a, c.b) END AS exact
    {_CLIPPED}
    CROSS JOIN LATERAL (SELECT ST_Snap(c.a, c.b, p.tol) AS snapped OFFSET 0) n
    CROSS JOIN LATERAL (SELECT n.snapped, ST_Intersection(n.snapped, c.b) AS x) s
    WHERE left(p.a, 2) = %(chunk)s
) s
"""

# Borders that part without crossing, one running on inside the other side
# (line_faults.DIVERGES), are suspect too. Only where a line ends away from every other
# line's end is it probed: at a junction of three sides all three lines end together.
# (So an overlap beginning right at a junction is missed unless the borders cross.)
# The probes lie in the box where the sides meet: the second side's polygon clipped to
# it is all they are tested against.
_DIVERGING = f"""
CREATE TEMP TABLE line_ends AS
SELECT s.a, s.b, s.tol, e.pt, s.suspect
FROM line_shared s CROSS JOIN LATERAL ST_Dump(s.g) d
CROSS JOIN LATERAL (VALUES (ST_StartPoint(d.geom)), (ST_EndPoint(d.geom))) e (pt)
WHERE NOT ST_IsClosed(d.geom);
CREATE INDEX ON line_ends USING gist (pt);
ANALYZE line_ends;
DELETE FROM line_ends e
WHERE e.suspect OR EXISTS (SELECT 1 FROM line_ends o WHERE (o.a, o.b) <> (e.a, e.b)
                           AND ST_DWithin(o.pt, e.pt, 3 * e.tol));
UPDATE line_shared s SET suspect = true
FROM (SELECT p.a, p.b, e.pt, c.a AS ca, c.b AS cb, k.bg
      {_CLIPPED}
      JOIN line_ends e ON (e.a, e.b) = (p.a, p.b)
      CROSS JOIN LATERAL (SELECT ST_ClipByBox2D(b.geom, x.box) AS bg OFFSET 0) k
) t
WHERE (s.a, s.b) = (t.a, t.b) AND {line_faults.DIVERGES}
"""

# Where the borders do not coincide, snapping vertex to vertex finds only part of the
# border: take the second side's boundary within the tolerance of the first's instead
# (slower, so only for the suspect pairs).
_SUSPECT_LINES = f"""
UPDATE line_shared s SET g = ST_Multi(ST_LineMerge(ST_CollectionExtract(
    ST_Intersection(c.b, ST_Buffer(c.a, p.tol, 'quad_segs=2')), 2)))
{_CLIPPED}
WHERE s.suspect AND s.a = p.a AND s.b = p.b
"""

_DERIVED = f"""
CREATE TEMP TABLE line_derived AS
WITH grouped AS (
    SELECT rpad(left(a, %(prefix)s), 12, '0') AS left_code,
           rpad(left(b, %(prefix)s), 12, '0') AS right_code,
           -- directed: the parts keep the way they run (boundaries.orientation)
           ST_Multi(ST_LineMerge(ST_Collect(part.geom), true)) AS g, max(tol) AS tol
    FROM line_shared CROSS JOIN LATERAL ST_Dump(g) part
    WHERE NOT ST_IsEmpty(g) AND left(a, %(prefix)s) <> left(b, %(prefix)s)
    GROUP BY 1, 2
), named AS (
    SELECT d.code, d.valid_from, d.valid_to,
           coalesce(%(abbr)s::jsonb ->> CASE WHEN d.level = 1 THEN left(d.code, 2) END,
                    left(d.place_name, 1)) AS abbr
    FROM boundaries_divisionversion d
    WHERE d.level = %(level)s AND d.kind <> %(placeholder)s AND {_VALID}
)
SELECT * FROM (
    SELECT g.left_code, g.right_code, l.abbr || r.abbr || '线' AS name,
           g.g::geometry(MultiLineString, 4490) AS g, ST_Length(g.g::geography) AS length_m,
           g.tol, greatest(l.valid_from, r.valid_from) AS valid_from,
           least(l.valid_to, r.valid_to) AS valid_to
    FROM grouped g
    JOIN named l ON l.code = g.left_code
    JOIN named r ON r.code = g.right_code
) d
-- shorter than this, snapping has joined two corners that only touch: not a border
WHERE length_m >= %(min_length)s
"""

# A line version made from an accepted joint survey (inspections.accept) begins its
# geometry_source with this: the two sides' agreed line.
SURVEYED = "joint inspection "

# A line within the tolerance of the derived one is the same line: a second run over
# the same polygons changes nothing. A surveyed line is the agreed one and stands until a
# side's division has a version newer than it (a boundary adjustment, a merger): the
# polygons, coarser, do not overrule it.
_DIFF = f"""
CREATE TEMP TABLE line_diff AS
SELECT coalesce(d.left_code, l.left_code) AS left_code,
       coalesce(d.right_code, l.right_code) AS right_code,
       d.name, d.g, d.length_m, d.valid_to, l.id AS old_id, l.valid_from AS old_from,
       CASE WHEN l.id IS NULL THEN 'new' WHEN d.left_code IS NULL THEN 'ended'
            WHEN ST_OrderingEquals(l.geom, d.g) THEN 'unchanged'
            WHEN starts_with(l.geometry_source, '{SURVEYED}')
                 AND coalesce(d.valid_from, '-infinity') <= coalesce(l.valid_from, '-infinity')
                 THEN 'surveyed'
            WHEN ST_HausdorffDistance(l.geom, d.g) > d.tol THEN 'changed'
            -- the same line running the other way: a new version, oriented
            WHEN ST_OrderingEquals({along_sql("l.geom", "d.g")}, l.geom) THEN 'unchanged'
            ELSE 'reoriented' END AS state,
       -- a changed line begins with its sides' new versions, or else on the date;
       -- never inside an earlier version of the same pair
       CASE WHEN l.id IS NULL THEN greatest(d.valid_from, (
                SELECT max(e.valid_to) FROM boundaries_boundaryline e
                WHERE e.level = %(level)s AND e.left_code = d.left_code
                  AND e.right_code = d.right_code))
            WHEN d.left_code IS NULL THEN %(as_of)s::date
            WHEN d.valid_from > coalesce(l.valid_from, '-infinity') THEN d.valid_from
            ELSE %(as_of)s::date END AS starts
FROM line_derived d
FULL JOIN (SELECT * FROM boundaries_boundaryline d WHERE d.level = %(level)s AND {_VALID}
           AND (%(focus)s::text[] IS NULL OR d.left_code = ANY(%(focus)s)
                OR d.right_code = ANY(%(focus)s))) l
  ON l.left_code = d.left_code AND l.right_code = d.right_code
"""

_WRITE = """
UPDATE boundaries_boundaryline l SET valid_to = x.starts
FROM line_diff x WHERE l.id = x.old_id AND x.state IN ('changed', 'reoriented', 'ended');
CREATE TEMP TABLE line_written AS
WITH inserted AS (
    INSERT INTO boundaries_boundaryline (level, left_code, right_code, name, geom, length_m,
        agreement_number, agreement_date, valid_from, valid_to, geometry_source, created_at)
    SELECT %(level)s, x.left_code, x.right_code, coalesce(o.name, x.name), x.g, x.length_m,
           coalesce(o.agreement_number, ''), o.agreement_date, x.starts, x.valid_to,
           %(source)s, now()
    FROM line_diff x LEFT JOIN boundaries_boundaryline o ON o.id = x.old_id
    WHERE x.state IN ('new', 'changed', 'reoriented')
    RETURNING id, left_code, right_code
)
SELECT i.id, x.old_id FROM inserted i
JOIN line_diff x ON x.left_code = i.left_code AND x.right_code = i.right_code;
INSERT INTO boundaries_boundarymarker_lines (boundarymarker_id, boundaryline_id)
SELECT m.boundarymarker_id, w.id FROM line_written w
JOIN boundaries_boundarymarker_lines m ON m.boundaryline_id = w.old_id;
"""


@contextmanager
def _stage(timings: dict, name: str):
    started = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - started, 2)


def _drop_temp(cur) -> None:
    cur.execute("DROP TABLE IF EXISTS " + ", ".join(TEMP_TABLES + ["line_written"]))


def _check_level(level: int) -> int:
    if level not in POLYGON_LEVEL:
        raise LinesRefused.of(gettext_noop("level %(level)r: lines are derived for levels 1–4 "
                                           "(villages are points, not polygons)"), level=level)
    return POLYGON_LEVEL[level]


def _shared_lines(cur, params: dict, progress: bool) -> None:
    cur.execute(_SIDES, params)
    cur.execute("SELECT DISTINCT left(a, 2) FROM line_pairs ORDER BY 1")
    chunks = [row[0] for row in cur.fetchall()]
    for chunk in tqdm(chunks, desc="border lines (by province)", unit="province",
                      disable=not progress):
        cur.execute(_SHARED, params | {"chunk": chunk})
    cur.execute(_DIVERGING, params)


def _counts(cur) -> dict:
    cur.execute("SELECT state, count(*) FROM line_diff GROUP BY state")
    states = dict(cur.fetchall())
    cur.execute("SELECT count(*), count(*) FILTER (WHERE NOT ST_IsEmpty(g)) FROM line_shared")
    candidates, sharing = cur.fetchone()
    cur.execute("SELECT count(*) FROM line_shared WHERE suspect")
    return {"candidate_pairs": candidates, "pairs_sharing_a_line": sharing,
            "suspect_pairs": cur.fetchone()[0],
            "lines": sum(states.get(s, 0) for s in ("new", "unchanged", "surveyed", "changed",
                                                    "reoriented")),
            **{s: states.get(s, 0) for s in ("new", "unchanged", "surveyed", "changed",
                                              "reoriented", "ended")}}


def _refuse_empty_periods(cur) -> None:
    """A version may not end on or before the day it began: that would rewrite history."""
    cur.execute("""SELECT x.left_code, x.right_code, x.starts FROM line_diff x
                   WHERE x.state IN ('changed', 'reoriented', 'ended')
                     AND x.old_from >= x.starts LIMIT 1""")
    row = cur.fetchone()
    if row:
        raise LinesRefused.of(gettext_noop("the line %(left)s|%(right)s already begins on or "
                                           "after %(date)s: derive with a later as_of date"),
                              left=row[0], right=row[1], date=row[2])


def _params(level: int, source_level: int, as_of: date, tol_m: float, min_area_m2: float,
            max_overlap_width_m: float) -> dict:
    return {"level": level, "src": source_level, "as_of": as_of, "tol_m": tol_m,
            "prefix": SHORT_LENGTHS[level] if level < source_level else 12,
            "min_area": min_area_m2, "min_length": MIN_LENGTH_TOLERANCES * tol_m,
            "max_width_m": max_overlap_width_m,
            # where the shared line ends, how far on to look for a border running inside
            # the other side (line_faults.DIVERGES), in tolerances
            "probes": [2.0, max(2.0, max_overlap_width_m / tol_m)],
            "abbr": json.dumps(PROVINCE_ABBREVIATIONS), "placeholder": PLACEHOLDER,
            "source": f"derived on {as_of} from level-{source_level} polygons "
                      f"(tolerance {tol_m:g} m)"}


# Each pair's line runs with its left (lower-code) side on its left (boundaries.orientation).
_ORIENT = f"""
UPDATE line_shared s SET g = {along_sql("s.g", "a.bnd",
                                         margin="s.tol * (4 + %(max_width_m)s / %(tol_m)s)")}
FROM line_sides a WHERE a.code = s.a AND NOT ST_IsEmpty(s.g)
"""


def boundary_lines_derive(*, level: int, as_of: date | None = None,
                          gap_tolerance_m: float = DEFAULT_TOLERANCE_M,
                          min_area_m2: float = DEFAULT_MIN_AREA_M2,
                          max_overlap_width_m: float = DEFAULT_MAX_OVERLAP_WIDTH_M,
                          commit: bool = False, progress: bool = False,
                          focus: list[str] | None = None) -> dict:
    """Derive the border lines of ``level`` from the polygons in force on ``as_of``.

    Without ``commit`` everything is computed and written, then rolled back, so the
    figures of a preview are those a commit would give. Returns the report: counts of
    candidate pairs, lines, new, unchanged, surveyed (kept), changed, reoriented and ended,
    gaps and overlaps (with their width, and whether the line now runs along their centre).
    """
    source_level = _check_level(level)
    if not 0 < gap_tolerance_m <= 1000:
        raise LinesRefused.of(gettext_noop("gap_tolerance_m %(value)s: expected 0 < metres <= "
                                           "1000"), value=gap_tolerance_m)
    if not 0 <= max_overlap_width_m <= 10_000:
        raise LinesRefused.of(gettext_noop("max_overlap_width_m %(value)s: expected 0 <= "
                                           "metres <= 10000"), value=max_overlap_width_m)
    as_of = as_of or today()
    started = time.perf_counter()
    params = _params(level, source_level, as_of, gap_tolerance_m, min_area_m2,
                     max_overlap_width_m)
    params["focus"] = focus
    timings: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as cur:
        # Two runs at once would compare against the same old versions and then collide
        # on the exclusion constraint: the second waits for the first instead.
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('boundary_lines_derive'))")
        _drop_temp(cur)
        with _stage(timings, "shared"):
            _shared_lines(cur, params, progress)
        with _stage(timings, "faults"):
            cur.execute(_SUSPECT_LINES, params)
            gaps, overlaps = line_faults.faults(cur, params)
        with _stage(timings, "orient"):
            cur.execute(_ORIENT, params)
        with _stage(timings, "compare"):
            cur.execute(_DERIVED, params)
            cur.execute(_DIFF, params)
            report = _counts(cur)
            _refuse_empty_periods(cur)
        with _stage(timings, "write"):
            invalidate_on_commit("lines")  # the line tiles (nothing if rolled back)
            try:
                cur.execute(_WRITE, params)
            except IntegrityError as exc:
                raise LinesRefused(str(exc).splitlines()[0]) from exc
            _drop_temp(cur)
            transaction.set_rollback(not commit)
    return {"level": Level(level).label, "as_of": as_of.isoformat(),
            "tolerance_m": gap_tolerance_m, "min_area_m2": min_area_m2,
            "max_overlap_width_m": max_overlap_width_m, **report,
            "gaps": gaps, "overlaps": overlaps, "committed": commit,
            "seconds": round(time.perf_counter() - started, 2), "stage_seconds": timings}


def boundary_lines_rederive(*, level: int, codes: list[str], as_of: date) -> dict:
    """Derive again, on ``as_of``, only the lines with a side among ``codes`` (12-digit, of
    ``level``: the divisions a change ended or began), inside the caller's transaction.

    A division change touches a few townships: their old lines end (a merger's inner
    borders, a moved township's old pairs), changed ones get a new version, new pairs a
    line; the rest of the country is not looked at. Levels 3 and 4 only (levels 1–2 are
    assembled from the county lines of whole provinces and prefectures).
    """
    if level not in (Level.COUNTY, Level.TOWNSHIP):
        raise LinesRefused.of(gettext_noop("level %(level)r: lines are re-derived for an area "
                                           "at levels 3–4"), level=level)
    if not codes:
        raise LinesRefused.of(gettext_noop("codes: name the divisions whose lines are to be "
                                           "derived again"))

    return boundary_lines_derive(level=level, as_of=as_of, commit=True, focus=sorted(codes))
