"""The statutory checks for many names at once: many names of one class (say, the new
townships of a whole-prefecture merger plan) by the rules of gazetteer.checks.check_name,
in three statements for all the names rather than five for each; and the divisions of
groups whose names would clash if each group were one scope (the villages of a merger).

Only for names declared in a division, with no geometry and no place being renamed: each
is then checked in exactly one scope (the declared division's), and the rules that read
the database — bans, uniqueness among places and among divisions — run as one statement
over every name, each name's rows as the single check would read them (same filters,
order and limit). The findings are built by the single check's own functions.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils.translation import gettext_noop

from boundaries.codes import parse_code
from boundaries.temporal import in_force_sql
from config import prepared
from config.errors import BadRequest

from . import checks
from .models import PlaceClass, Scope
from .names import normalize, romanize, toneless

# As where.division_row, code by code (a join on the codes was planned as a hash join
# over every division).
DIVISIONS_SQL = """
SELECT x.i, d.*
FROM unnest(%(codes)s::text[], %(levels)s::int[]) WITH ORDINALITY AS x(code, level, i)
CROSS JOIN LATERAL (
    SELECT code, level, kind, name FROM boundaries_divisionversion
    WHERE code = x.code AND (x.level IS NULL OR level = x.level) AND valid_to IS NULL
    ORDER BY level LIMIT 1) d
"""

# One row per finding: (name's index, rule, sort key, the single rule's columns as JSON).
RULES_SQL = f"""
WITH n AS (
    SELECT * FROM unnest(%(names)s::text[], %(pinyins)s::text[], %(los)s::text[],
                         %(his)s::text[], %(city_los)s::text[], %(city_his)s::text[])
         WITH ORDINALITY AS n(name, pinyin, lo, hi, city_lo, city_hi, i)
)
SELECT n.i, 'ban', b.pattern, json_build_array(b.pattern, b.category, b.severity)
FROM n JOIN gazetteer_namingban b ON strpos(n.name, b.pattern) > 0
UNION ALL
SELECT n.i, 'place', lpad(x.id::text, 20, '0'), json_build_array(x.id, x.name, x.slug, x.same,
       x.code, x.in_city)
FROM n CROSS JOIN LATERAL (
    SELECT p.id, p.name, c.slug, p.name = n.name AS same,
           (array_agg(pd.division_code ORDER BY pd.level DESC, pd.division_code))[1] AS code,
           bool_or(pd.division_code >= n.city_lo AND pd.division_code < n.city_hi) AS in_city
    FROM gazetteer_place p
    JOIN gazetteer_placeclass c ON c.id = p.place_class_id
    JOIN gazetteer_placedivision pd ON pd.place_id = p.id AND pd.valid_to IS NULL
    WHERE p.place_class_id IN (SELECT id FROM gazetteer_placeclass WHERE "group" = %(group)s)
      AND (p.pinyin = n.pinyin OR p.name = n.name)
      AND {in_force_sql("p")}
      AND pd.division_code >= n.lo AND pd.division_code < n.hi
    GROUP BY p.id, c.slug ORDER BY p.id LIMIT %(max)s) x
UNION ALL
SELECT n.i, 'division', x.code, json_build_array(x.code, x.name, x.level, x.same, x.in_city)
FROM n CROSS JOIN LATERAL (
    SELECT d.code, d.name, d.level, (d.name = n.name OR d.place_name = n.name) AS same,
           (d.code >= n.city_lo AND d.code < n.city_hi) AS in_city
    FROM boundaries_divisionversion d
    WHERE %(level)s::int IS NOT NULL AND d.level = %(level)s AND d.valid_to IS NULL
      AND d.kind <> 'placeholder'
      AND (d.place_pinyin = n.pinyin OR d.name = n.name OR d.place_name = n.name)
      AND d.code >= n.lo AND d.code < n.hi
    ORDER BY d.code LIMIT %(max)s) x
ORDER BY 1, 2, 3
"""

# Prepared (config.prepared), with its generic plan: its three branches cost more to plan
# than to run.
RULES = prepared.Statement("name_check_rules", RULES_SQL, (
    ("names", "text[]"), ("pinyins", "text[]"), ("los", "text[]"), ("his", "text[]"),
    ("city_los", "text[]"), ("city_his", "text[]"), ("group", "text"), ("level", "int"),
    ("max", "int"), ("as_of", "date")), generic=True)

BUILD = {"ban": checks.ban_findings, "place": checks.place_findings,
         "division": checks.division_findings}
# Where each rule stands in checks.RULES, whose order the findings keep.
DB_RULES = {checks.banned_patterns: "ban", checks.unique_among_places: "place",
            checks.unique_among_divisions: "division"}


def division_rows(raw_codes: list[str], known: dict[str, tuple] | None = None) -> list[tuple]:
    """(code, level, kind, name) of each code's current division, as where.division_row;
    ``known``: rows the caller has read already, by the code as given (not read again)."""
    known = known or {}
    missing = [raw for raw in raw_codes if raw not in known]
    if missing:
        parsed = [parse_code(raw) for raw in missing]
        with connection.cursor() as cur:
            cur.execute(DIVISIONS_SQL, {"codes": [c for c, _ in parsed],
                                        "levels": [lvl for _, lvl in parsed]})
            found = {missing[i - 1]: tuple(row) for i, *row in cur.fetchall()}
        for raw in missing:
            if raw not in found:
                raise BadRequest.of(gettext_noop(
                    "division_code %(code)r: no current division has this code"), code=raw)

        known = known | found
    return [known[raw] for raw in raw_codes]


def _ranges(c: checks.Candidate) -> tuple[str, str, str, str]:
    lo, hi = checks.prefix_range(checks.scope_prefixes(c)[0])
    if c.cls.scope != Scope.COUNTRY:
        return lo, hi, lo, hi
    try:
        city_lo, city_hi = checks.prefix_range(checks.scope_prefixes(c, Scope.CITY)[0])
    except BadRequest:  # a province-level name: its own scope
        city_lo, city_hi = lo, hi
    return lo, hi, city_lo, city_hi


# Raw: the ORM took longer to compile this query (0.5 ms) than the database to answer it.
CLASS_GROUP_SQL = """
SELECT * FROM gazetteer_placeclass
WHERE "group" = (SELECT "group" FROM gazetteer_placeclass WHERE slug = %s) ORDER BY code
"""


def class_group(slug: str) -> tuple[PlaceClass, list[PlaceClass]]:
    """The class of ``slug`` and every class of its group (in the model's order, by
    code), in one statement."""
    group = list(PlaceClass.objects.raw(CLASS_GROUP_SQL, [slug]))
    found = next((c for c in group if c.slug == slug), None)
    if found is None:
        raise PlaceClass.DoesNotExist(f"no place class has the slug {slug!r}")
    return found, group


@dataclass
class Batch:
    """Names ready for RULES_SQL: their candidates and the statement's parameters (a caller
    may run the statement inside one of its own, as the merger measures do)."""
    cands: list[checks.Candidate]
    params: dict


def prepare_names(*, names: list[tuple[str, str]], place_class: PlaceClass | str,
                  as_of: date, known: dict[str, tuple] | None = None) -> Batch:
    """The candidates of check_names and RULES_SQL's parameters for them."""
    group = None
    if isinstance(place_class, str):
        place_class, group = class_group(place_class)
    cands = []
    if names:
        divisions = division_rows([code for _, code in names], known)
        siblings = checks._sibling_generics(place_class, group)
    for (name, code), division in zip(names, divisions if names else [], strict=True):
        cand = checks.candidate(name=name, place_class=place_class, division_code=code,
                                as_of=as_of, division=division)
        cand.siblings = siblings
        cands.append(cand)
    ranges = [_ranges(c) for c in cands]
    return Batch(cands, {
        "names": [c.name for c in cands], "pinyins": [toneless(c.name) for c in cands],
        "los": [r[0] for r in ranges], "his": [r[1] for r in ranges],
        "city_los": [r[2] for r in ranges], "city_his": [r[3] for r in ranges],
        "group": place_class.group, "level": place_class.division_level,
        "max": checks.MAX_EVIDENCE, "as_of": as_of})


def results(batch: Batch, rule_rows) -> list[checks.CheckResult]:
    """The CheckResult of each name of ``batch`` from RULES_SQL's rows."""
    rows: dict[tuple[int, str], list] = {}
    for i, rule, _, columns in rule_rows:
        rows.setdefault((i - 1, rule), []).append(columns)
    return [_result(i, c, rows) for i, c in enumerate(batch.cands)]


def check_names(*, names: list[tuple[str, str]], place_class: PlaceClass | str,
                as_of: date, known: dict[str, tuple] | None = None) -> list[checks.CheckResult]:
    """check_name for each (name, division code) of ``names``, in order; ``place_class``
    may be given by its slug (then it and its siblings are read in one statement);
    ``known``: the divisions' rows the caller has read (division_rows)."""
    batch = prepare_names(names=names, place_class=place_class, as_of=as_of, known=known)
    if not batch.cands:
        return []
    with connection.cursor() as cur:
        prepared.execute(connection, cur, RULES, batch.params)
        return results(batch, cur.fetchall())


def _result(i: int, c: checks.Candidate, rows: dict) -> checks.CheckResult:
    findings = []
    for rule in checks.RULES:
        if rule in DB_RULES:
            key = DB_RULES[rule]
            findings.extend(BUILD[key](c, rows.get((i, key), [])))
        else:
            findings.extend(rule(c))
    return checks.CheckResult(c.name, c.specific, c.generic,
                              romanize(c.specific, c.generic,
                                       joined=c.cls.joined_romanization),
                              checks._dedupe(findings), checks.scope_prefixes(c))


# The rule of unique_among_divisions for many names at once: the divisions of each group
# (say, the villages of the townships a merger would join) as if the group were one scope.
# Same keys as the single check: the name, the place name and the toneless pinyin of the
# place name (homophones 同音 and traditional forms, whose readings are the same).
def clash_pairs_sql(member: str) -> str:
    """The CTE ``clash`` (grp, sort_key and CLASH_COLUMNS) over a CTE ``member`` (grp, code,
    name, place_name, place_pinyin, parent_code): the rule, for a caller that has the
    members already (the merger measures join it to their own statement)."""
    # Each member under its three keys; only the keys two members share are joined (a
    # window count, not a self-join of all members: the planner, blind to a CTE's size,
    # chose nested loops over every pair). The count partitions by bytes (COLLATE "C":
    # the same groups as any deterministic collation, sorted four times faster).
    return f"""
clash_key AS MATERIALIZED (
    SELECT * FROM (
        SELECT m.grp, m.code, m.name, m.place_name, m.place_pinyin, m.parent_code,
               k.rule, k.key,
               count(*) OVER (PARTITION BY m.grp COLLATE "C", k.rule, k.key COLLATE "C")
                 AS sharing
        FROM {member} m CROSS JOIN LATERAL (
            VALUES (1, m.place_pinyin), (2, m.place_name), (3, m.name)) AS k(rule, key)
        WHERE k.key IS NOT NULL) x
    WHERE sharing > 1
), clash AS (
    SELECT DISTINCT a.grp, a.place_pinyin AS sort_key, a.code AS a_code, a.name AS a_name,
           a.place_name AS a_place_name, a.parent_code AS a_parent, b.code AS b_code,
           b.name AS b_name, b.place_name AS b_place_name, b.parent_code AS b_parent
    FROM clash_key a JOIN clash_key b
      ON b.grp = a.grp AND b.rule = a.rule AND b.key = a.key AND a.code < b.code
)"""


CLASH_COLUMNS = "a_code, a_name, a_place_name, a_parent, b_code, b_name, b_place_name, b_parent"
CLASH_ORDER = "sort_key, a_code, b_code"

GROUP_CLASHES_SQL = f"""
WITH member AS MATERIALIZED (
    SELECT m.grp, d.code, d.name, d.place_name, d.place_pinyin, d.parent_code
    FROM unnest(%(groups)s::text[], %(codes)s::text[]) AS m(grp, code)
    JOIN boundaries_divisionversion d
      ON d.code = m.code AND d.level = %(level)s AND {in_force_sql("d")}
), {clash_pairs_sql("member")}
SELECT grp, {CLASH_COLUMNS} FROM clash ORDER BY grp, {CLASH_ORDER}
"""


def group_clashes(*, members: list[tuple[str, str]], level: int, as_of: date) -> dict:
    """{group: [Finding]}: the pairs of divisions within each group whose names would clash
    in one scope (``members`` are (group, 12-digit code) pairs), in one statement."""
    if not members:
        return {}
    with connection.cursor() as cur:
        cur.execute(GROUP_CLASHES_SQL, {"groups": [g for g, _ in members],
                                        "codes": [c for _, c in members],
                                        "level": level, "as_of": as_of})
        rows = cur.fetchall()
    found: dict = {}
    for grp, *pair in rows:
        found.setdefault(grp, []).extend(clash_findings([pair]))
    return found


CLASH_TEMPLATES = {
    "same_name": gettext_noop("%(name)s %(code)s and %(other)s %(other_code)s would clash in "
                              "one scope (same name)"),
    "traditional_form": gettext_noop("%(name)s %(code)s and %(other)s %(other_code)s would "
                                     "clash in one scope (traditional form)"),
    "homophone": gettext_noop("%(name)s %(code)s and %(other)s %(other_code)s would clash in "
                              "one scope (homophone)"),
}


def clash_findings(pairs) -> list[checks.Finding]:
    """The findings of clash rows (CLASH_COLUMNS: the two divisions' code, name, place name
    and parent code), in their order."""
    out = []
    for pair in pairs:
        a, b = pair[:4], pair[4:]
        match = ("same_name" if a[2] == b[2] else "traditional_form"
                 if normalize(a[2]) == normalize(b[2]) else "homophone")
        out.append(checks.Finding.said(
            "unique", checks.BLOCK, CLASH_TEMPLATES[match],
            {"name": a[1], "code": a[0], "other": b[1], "other_code": b[0]},
            [{"code": c, "name": n, "place_name": p, "parent_code": pc, "match": match}
             for c, n, p, pc in (a, b)]))
    return out
