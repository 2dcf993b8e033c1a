"""Step `places`: ≥ 13M synthetic place names across the country, generated set-based.

Names are the real specific names of villages (and townships) with the generics of the
place classes (大箐路, 大箐东路, 大箐小区, 大箐桥…), points scattered around a village seat
drawn inside its township polygon. The search keys the API needs (pinyin, initials,
grams, romanization, traditional form) come from gazetteer.names, computed in Python
once per distinct stem and once per suffix and joined in SQL: there are ~300k stems
for 13M rows. Secondary indexes are dropped around the insert and rebuilt after (two
connections at a time), then ANALYZE. A run that finds ≥ TARGET rows only reports.
"""

import math
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import psycopg2
import psycopg2.extras

from boundaries.names import grams, syllables
from gazetteer.names import romanize, search_keys, traditional

from .common import DATABASE_URL, ROOT, Skipped, StepResult, count, psql, say

TARGET = 13_000_000
QUICK_TARGET = 200_000
TABLES = ("gazetteer_place", "gazetteer_placedivision")
# Index definitions are parked here while the table is bulk-loaded, so an interrupted
# run is repaired by the next one before anything else.
PARKED = "bench_parked_indexes"
# (modifier, generic, class slug): the modifier belongs to the 专名 (大箐东|路).
SUFFIXES = [
    ("", "路", "road"), ("", "街", "street"), ("", "巷", "lane"), ("", "小区", "residential"),
    ("", "桥", "bridge"), ("", "广场", "square"), ("", "花园", "residential"),
    ("东", "路", "road"), ("西", "路", "road"), ("南", "街", "street"), ("北", "街", "street"),
    ("", "新村", "residential"), ("", "公园", "park"), ("一", "巷", "lane"),
    ("二", "巷", "lane"), ("", "大道", "road"), ("", "家园", "residential"),
    ("", "大桥", "bridge"), ("中", "路", "road"), ("", "水库", "reservoir"),
    ("", "大厦", "building"), ("", "苑", "residential"), ("", "河", "river"),
    ("", "山", "mountain"),
]
# Townships lend their names to a few larger features each.
TOWNSHIP_SUFFIXES = [("", "大道", "road"), ("", "大街", "street"), ("", "广场", "square"),
                     ("", "公园", "park")]
# A village's stem: its place name without 村/社区 when two characters or more remain.
STEM_SQL = ("CASE WHEN char_length(regexp_replace({c}, '(社区|村|嘎查|居委会)$', '')) >= 2 "
            "THEN regexp_replace({c}, '(社区|村|嘎查|居委会)$', '') ELSE {c} END")
TOWNSHIP_STEM_SQL = ("CASE WHEN char_length(regexp_replace({c}, '(街道|镇|乡|苏木)$', '')) >= 2 "
                     "THEN regexp_replace({c}, '(街道|镇|乡|苏木)$', '') ELSE {c} END")


def connect():
    conn = psycopg2.connect(DATABASE_URL)
    conn.autocommit = True
    return conn


def repair_indexes(cur) -> int:
    """Recreate the indexes an interrupted run left parked; how many."""
    cur.execute(f"SELECT to_regclass('{PARKED}') IS NOT NULL")
    if not cur.fetchone()[0]:
        return 0
    cur.execute(f"SELECT name, definition FROM {PARKED}")
    parked = cur.fetchall()
    missing = [d for name, d in parked if not _index_exists(cur, name)]
    _build(missing)
    cur.execute(f"DROP TABLE {PARKED}")
    return len(missing)


def _index_exists(cur, name: str) -> bool:
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return cur.fetchone()[0]


def _build(definitions: list[str]) -> None:
    """CREATE INDEX statements on two connections (PostgreSQL 15 builds a GIN on one core)."""
    def one(sql: str) -> None:
        with closing(connect()) as conn, conn.cursor() as c:
            c.execute("SET maintenance_work_mem = '1GB'")
            t0 = time.perf_counter()
            c.execute(sql)
            say(f"places:   {sql.split(' ON ')[0].removeprefix('CREATE ')} "
                f"{time.perf_counter() - t0:.0f}s")
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, sorted(definitions, key=lambda d: "gin" not in d)))


def park_indexes(cur) -> list[str]:
    """Drop the secondary indexes of TABLES, keeping their definitions in PARKED."""
    cur.execute(f"CREATE TABLE {PARKED} (name text PRIMARY KEY, definition text NOT NULL)")
    cur.execute(
        f"INSERT INTO {PARKED} SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [list(TABLES)])
    # Unique constraints keep their index: dropping it would drop the constraint.
    cur.execute(f"SELECT name, definition FROM {PARKED}")
    parked = cur.fetchall()
    for name, _ in parked:
        cur.execute(f"DROP INDEX {name}")
    return [d for _, d in parked]


def load_stems(cur) -> int:
    """bench_stem: every distinct stem with its keys, computed in Python once each."""
    cur.execute(
        "CREATE UNLOGGED TABLE bench_seat AS "
        "SELECT v.code, " + STEM_SQL.format(c="v.place_name") + " AS stem, s.geom AS seat "
        "FROM (SELECT t.code, (ST_Dump(ST_GeneratePoints(t.geom, n.n::int, 4490))).* "
        "      FROM boundaries_divisionversion t JOIN (SELECT parent_code, count(*) AS n "
        "      FROM boundaries_divisionversion WHERE level = 5 AND valid_to IS NULL "
        "      GROUP BY parent_code) n ON n.parent_code = t.code "
        "      WHERE t.level = 4 AND t.valid_to IS NULL AND t.geom IS NOT NULL) s "
        "JOIN (SELECT code, parent_code, place_name, row_number() OVER "
        "      (PARTITION BY parent_code ORDER BY code) AS k FROM boundaries_divisionversion "
        "      WHERE level = 5 AND valid_to IS NULL) v "
        "  ON v.parent_code = s.code AND v.k = s.path[1]")
    cur.execute(
        "CREATE UNLOGGED TABLE bench_township AS SELECT code, parent_code, "
        + TOWNSHIP_STEM_SQL.format(c="place_name") + " AS stem, "
        "ST_PointOnSurface(geom) AS seat FROM boundaries_divisionversion "
        "WHERE level = 4 AND valid_to IS NULL AND geom IS NOT NULL")
    cur.execute("SELECT stem FROM bench_seat UNION SELECT stem FROM bench_township")
    stems = [r[0] for r in cur.fetchall()]
    cur.execute("CREATE UNLOGGED TABLE bench_stem (stem text PRIMARY KEY, pinyin text, "
                "initials text, roman text, trad text, grams text[])")
    rows = []
    for stem in stems:
        full = syllables(stem)
        rows.append((stem, "".join(full), "".join(s[0] for s in full if s), romanize(stem),
                     traditional(stem), grams(stem)))
    psycopg2.extras.execute_values(cur, "INSERT INTO bench_stem VALUES %s", rows,
                                   page_size=5000)
    return len(stems)


def load_suffixes(cur) -> None:
    """bench_suffix: each (modifier, generic) with the keys of its part of the name."""
    cur.execute("CREATE UNLOGGED TABLE bench_suffix (n int, township bool, modifier text, "
                "generic text, class_id bigint, pinyin text, initials text, roman_tail text, "
                "trad text, grams text[])")
    for township, suffixes in ((False, SUFFIXES), (True, TOWNSHIP_SUFFIXES)):
        for n, (modifier, generic, slug) in enumerate(suffixes, 1):
            syl = syllables(modifier + generic)
            mod = syllables(modifier)
            tail = "".join(("'" + s) if s[:1] in "aoe" else s for s in mod)
            cur.execute(
                "INSERT INTO bench_suffix SELECT %s, %s, %s, %s, id, %s, %s, %s, %s, %s "
                "FROM gazetteer_placeclass WHERE slug = %s",
                [n, township, modifier, generic, "".join(syl), "".join(s[0] for s in syl),
                 tail + " " + romanize(generic), traditional(modifier + generic),
                 grams(modifier + generic), slug])


def _select(source: str, township: bool, per: int) -> str:
    """The rows of places for villages (bench_seat) or townships (bench_township)."""
    return (
        "SELECT st.stem || x.modifier || x.generic AS name, st.stem || x.modifier AS specific, "
        "x.generic, x.class_id AS place_class_id, "
        "st.roman || x.roman_tail AS romanization, st.trad || x.trad AS traditional, "
        "ST_SetSRID(ST_MakePoint(ST_X(v.seat) + (hashint4(g.i # (x.n * 7919)) % 500) / 1e5, "
        "ST_Y(v.seat) + (hashint4(g.i # (x.n * 104729)) % 500) / 1e5), 4490) AS geom, "
        "st.pinyin || x.pinyin AS pinyin, st.initials || x.initials AS initials, "
        "st.grams || x.grams || ARRAY[right(st.stem, 1) || left(x.modifier || x.generic, 1)] "
        "AS grams, v.code "
        f"FROM {source} v JOIN bench_stem st ON st.stem = v.stem "
        f"JOIN bench_suffix x ON x.township = {township} AND x.n <= {per} "
        "CROSS JOIN LATERAL (SELECT hashtext(v.code) AS i) g"
    )


def insert_sql(per: int) -> str:
    """One statement: the places, and the county each lies in (from its village's code)."""
    rows = _select("bench_seat", False, per) + " UNION ALL " + _select("bench_township", True, 9)
    return (
        "WITH src AS (SELECT nextval(pg_get_serial_sequence('gazetteer_place', 'id')) AS id, "
        f"r.* FROM ({rows}) r), "
        "ins AS (INSERT INTO gazetteer_place (id, name, specific, generic, place_class_id, "
        "romanization, romanization_override, traditional, meaning, history, geom, status, "
        "heritage_category, pinyin, initials, grams, created_at) "
        "SELECT id, name, specific, generic, place_class_id, romanization, '', traditional, "
        "'', '', geom, 'standard', '', pinyin, initials, grams, now() FROM src) "
        "INSERT INTO gazetteer_placedivision (place_id, division_code, level, computed) "
        "SELECT id, left(code, 6) || '000000', 3, true FROM src"
    )


def estimate(cur, per: int, rows: int) -> tuple[int, int]:
    """(bytes the places will take with their indexes, bytes free on the disk)."""
    cur.execute(f"SELECT avg(pg_column_size(r.*)) FROM ({_select('bench_seat', False, per)} "
                "LIMIT 20000) r")
    per_row = float(cur.fetchone()[0] or 0) + 24  # tuple header and line pointer
    # Indexes (two GIN, btrees, GiST) took about as much as the heap in a 1M-row try-out.
    return int(rows * per_row * 2.2), shutil.disk_usage(ROOT).free


def generate(target: int) -> dict:
    with closing(connect()) as conn, conn.cursor() as cur:
        for t in ("bench_seat", "bench_township", "bench_stem", "bench_suffix"):
            cur.execute(f"DROP TABLE IF EXISTS {t}")
        t0 = time.perf_counter()
        stems = load_stems(cur)
        load_suffixes(cur)
        cur.execute("SELECT (SELECT count(*) FROM bench_seat), "
                    "(SELECT count(*) FROM bench_township)")
        villages, townships = cur.fetchone()
        if not villages:
            raise Skipped("no villages inside township polygons (synthetic step)")
        per = max(1, min(math.ceil((target - townships * len(TOWNSHIP_SUFFIXES)) / villages),
                  len(SUFFIXES)))
        rows = villages * per + townships * len(TOWNSHIP_SUFFIXES)
        prep = time.perf_counter() - t0
        need, free = estimate(cur, per, rows)
        say(f"places: {stems} stems, {villages} village seats, {per} names each: {rows:,} rows, "
            f"about {need / 2**30:.1f} GiB of {free / 2**30:.1f} GiB free ({prep:.0f}s)")
        if need > free * 0.6:
            raise RuntimeError(f"not enough disk for {rows:,} places: ~{need / 2**30:.1f} GiB")
        t0 = time.perf_counter()
        conn.autocommit = False
        definitions = park_indexes(cur)
        # Fewer rows than the target: a try-out's or an older run's, replaced whole.
        cur.execute("TRUNCATE gazetteer_place CASCADE")
        # Class ids come from the class table itself: skip the per-row FK triggers.
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute(insert_sql(per))
        conn.commit()
        conn.autocommit = True
        inserted = time.perf_counter() - t0
        say(f"places: inserted {rows:,} places in {inserted:.0f}s; rebuilding "
            f"{len(definitions)} indexes")
        t0 = time.perf_counter()
        repair_indexes(cur)
        indexed = time.perf_counter() - t0
        t0 = time.perf_counter()
        for table in TABLES:
            cur.execute(f"ANALYZE {table}")
        analyzed = time.perf_counter() - t0
        for t in ("bench_seat", "bench_township", "bench_stem", "bench_suffix"):
            cur.execute(f"DROP TABLE {t}")
    return {"generated_rows": rows, "stems": stems, "prepare_s": round(prep, 1),
            "insert_s": round(inserted, 1), "index_s": round(indexed, 1),
            "analyze_s": round(analyzed, 1),
            "rows_per_s": round(rows / (inserted + indexed + analyzed))}


def generate_variants() -> dict:
    """A colloquial name (俗称 老…) for every 50th place: the search reads variants too."""
    t0 = time.perf_counter()
    psql("INSERT INTO gazetteer_placename (place_id, name, kind, pinyin, initials, grams) "
         "SELECT id, '老' || name, 'colloquial', 'lao' || pinyin, 'l' || initials, "
         "grams || ARRAY['老', '老' || left(name, 1)] FROM gazetteer_place WHERE id % 50 = 0; "
         "ANALYZE gazetteer_placename")
    return {"variants": count("gazetteer_placename"),
            "variants_s": round(time.perf_counter() - t0, 1)}


def verify_keys(sample: int = 500) -> dict:
    """Compare a sample of rows with what gazetteer.names computes for the whole name.

    Keys are composed per stem and suffix; pypinyin segments a whole name into words,
    which can read a character differently at the seam: such rows are counted.
    """
    out = psql("SELECT name, specific, generic, romanization, traditional, pinyin, initials, "
               "array_to_string(grams, ',') FROM gazetteer_place TABLESAMPLE SYSTEM (0.01) "
               f"LIMIT {sample}")
    rows = [line.split("|") for line in out.splitlines() if line]
    wrong = []
    for name, specific, generic, roman, trad, pinyin, initials, gram_list in rows:
        keys = search_keys(name)
        if (keys["pinyin"], keys["initials"], set(keys["grams"]), romanize(specific, generic),
                traditional(name)) != (pinyin, initials, set(gram_list.split(",")), roman, trad):
            wrong.append(name)
    if wrong:
        say(f"places: keys differ from gazetteer.names for {len(wrong)} of {len(rows)} "
            f"sampled rows, e.g. {wrong[:5]}")
    return {"keys_sampled": len(rows), "keys_differing": len(wrong)}


def step(inputs, quick: bool) -> StepResult:
    if not count("boundaries_divisionversion WHERE level = 4 AND geom IS NOT NULL"):
        raise Skipped("no township polygons in the bench database (synthetic step)")
    target = QUICK_TARGET if quick else TARGET
    with closing(connect()) as conn, conn.cursor() as cur:
        repaired = repair_indexes(cur)
        if repaired:
            say(f"places: rebuilt {repaired} indexes an interrupted run had dropped")
    figures: dict = {}
    before = count("gazetteer_place")
    if before >= target:
        say(f"places: {before:,} places already there (≥ {target:,}): generation skipped")
    else:
        figures.update(generate(target))
    if not count("gazetteer_placename"):
        figures.update(generate_variants())
    figures.update(verify_keys())
    figures["places"] = count("gazetteer_place")
    figures["size"] = psql("SELECT pg_size_pretty(pg_total_relation_size('gazetteer_place'))")
    figures["size_divisions"] = psql(
        "SELECT pg_size_pretty(pg_total_relation_size('gazetteer_placedivision'))")
    say(f"places: {figures['places']:,} places, {figures['size']} with indexes")
    return StepResult("places", figures)
