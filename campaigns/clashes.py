"""Uniqueness and signs for a campaign's scope, each in one statement.

Uniqueness is the engine's unique rule (gazetteer.checks.unique_among_places): within
the class's scope (county-level names nationwide, townships within the county, villages
within the township, streets and communities within the city) a place of the same class
group with the same name, or the same toneless pinyin (同音), clashes. Here every scope
the campaign touches is grouped at once on the stored search keys (name, pinyin), and
each place of the scope gets one finding per place it clashes with, worded as the single
check words it.
"""

from django.db import connection

from boundaries.temporal import in_force_sql, today
from gazetteer import checks, checks_batch
from gazetteer.checks import Finding
from gazetteer.models import Place
from gazetteer.names import split_name
from gazetteer.signs import sign_findings

from .engine import Hit

KEYS_SQL = """
-- The scopes (class group, code prefix [lo, hi)) the campaign's places lie in, from any
-- of their divisions at or below the scope's level (as the engine's code ranges). A
-- table of its own, analysed: with its true (small) size the planner walks the
-- placediv_code_idx range of each scope instead of hashing the whole table.
CREATE TEMP TABLE campaign_keys AS
SELECT DISTINCT grp, skey, lvl, CASE skey WHEN '' THEN ':'
       ELSE left(skey, -1) || chr(ascii(right(skey, 1)) + 1) END AS hi
FROM (SELECT c."group" AS grp,
             CASE c.scope WHEN 'country' THEN '' WHEN 'city' THEN left(pd.division_code, 4)
                  WHEN 'county' THEN left(pd.division_code, 6)
                  ELSE left(pd.division_code, 9) END AS skey,
             CASE c.scope WHEN 'country' THEN 1 WHEN 'city' THEN 2 WHEN 'county' THEN 3
                  ELSE 4 END AS lvl, pd.level
      FROM campaign_scope s JOIN gazetteer_placeclass c ON c.id = s.class_id
      JOIN gazetteer_placedivision pd ON pd.place_id = s.place_id AND pd.valid_to IS NULL
     ) k
WHERE level >= lvl
"""

CLASHES_SQL = f"""
WITH member AS MATERIALIZED (
    -- every place of those groups in those scopes, whatever its status, in force
    SELECT DISTINCT k.grp, k.skey, p.id, p.name, p.pinyin, cl.slug, cl.scope
    FROM campaign_keys k
    JOIN gazetteer_placedivision pd ON pd.division_code >= k.skey
     AND pd.division_code < k.hi AND pd.valid_to IS NULL AND pd.level >= k.lvl
    JOIN gazetteer_place p ON p.id = pd.place_id AND {in_force_sql("p")}
    JOIN gazetteer_placeclass cl ON cl.id = p.place_class_id AND cl."group" = k.grp
), same AS (
    SELECT grp, skey, name FROM member GROUP BY 1, 2, 3 HAVING count(*) > 1
), homophone AS (
    SELECT grp, skey, pinyin FROM member WHERE pinyin <> ''
    GROUP BY 1, 2, 3 HAVING count(DISTINCT name) > 1
), clashing AS MATERIALIZED (
    SELECT m.* FROM member m JOIN same USING (grp, skey, name)
    UNION SELECT m.* FROM member m JOIN homophone USING (grp, skey, pinyin)
), pair AS (
    -- two equi-joins (hash joins), not one join on an OR (a filter over every pair)
    SELECT a.id AS a, b.id AS b FROM clashing a JOIN clashing b
      ON b.grp = a.grp AND b.skey = a.skey AND b.pinyin = a.pinyin AND b.id <> a.id
    UNION SELECT a.id, b.id FROM clashing a JOIN clashing b
      ON b.grp = a.grp AND b.skey = a.skey AND b.name = a.name AND b.id <> a.id
)
SELECT pr.a, s.name, cl.scope, s.code, pr.b, b.name, bc.slug, s.name = b.name,
       (SELECT pd.division_code FROM gazetteer_placedivision pd
        WHERE pd.place_id = pr.b AND pd.valid_to IS NULL
        ORDER BY pd.level DESC, pd.division_code LIMIT 1),
       cl.slug
FROM pair pr
JOIN campaign_scope s ON s.place_id = pr.a
JOIN gazetteer_placeclass cl ON cl.id = s.class_id
JOIN gazetteer_place b ON b.id = pr.b
JOIN gazetteer_placeclass bc ON bc.id = b.place_class_id
ORDER BY pr.a, pr.b
"""


def unique_hits() -> list[Hit]:
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS campaign_keys")
        cur.execute(KEYS_SQL)
        cur.execute("ANALYZE campaign_keys")
        cur.execute(CLASHES_SQL, {"as_of": today()})
        rows = cur.fetchall()
        cur.execute("DROP TABLE campaign_keys")
    hits = []
    for pid, name, scope, code, oid, oname, oslug, same, ocode, slug in rows:
        # checks._severity: a homophone of a nationwide class warns outside the city
        in_city = (code or "")[:4] == (ocode or "")[:4]
        severity = checks.BLOCK if scope != "country" or same or in_city else checks.WARN
        finding = Finding.said(
            "unique", severity, checks.PLACE_CLASH[same],
            {"name": name, "other": oname, "class": oslug, "id": oid},
            [{"id": oid, "name": oname, "class": oslug, "division_code": ocode,
              "match": "same_name" if same else "homophone"}])
        hits.append(Hit("place", str(pid), name, pid, code or "", slug, finding))
    return hits


SIGNS_SQL = """
SELECT g.code, g.place_id, g.text, g.romanization
FROM gazetteer_sign g JOIN campaign_scope s ON s.place_id = g.place_id
JOIN gazetteer_place p ON p.id = g.place_id
WHERE g.status <> 'removed'
  AND (g.text <> p.name OR g.romanization <> COALESCE(NULLIF(p.romanization_override, ''),
                                                     p.romanization))
ORDER BY g.code
"""


def sign_hits() -> list[Hit]:
    """Standing signs that disagree with the record, judged by the sign check."""
    with connection.cursor() as cur:
        cur.execute(SIGNS_SQL)
        rows = cur.fetchall()
    places = Place.objects.select_related("place_class").in_bulk({r[1] for r in rows})
    codes = _deepest({r[1] for r in rows})
    hits = []
    for code, place_id, text, romanization in rows:
        place = places[place_id]
        hits += [Hit("sign", code, place.name, place_id, codes.get(place_id, ""),
                     place.place_class.slug, f, sign_code=code)
                 for f in sign_findings(place, text, romanization)]
    return hits


def _deepest(place_ids: set[int]) -> dict[int, str]:
    if not place_ids:
        return {}
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT ON (place_id) place_id, division_code"
                    " FROM gazetteer_placedivision WHERE place_id = ANY(%s) AND valid_to IS NULL"
                    " ORDER BY place_id, level DESC, division_code", [sorted(place_ids)])
        return dict(cur.fetchall())


def division_hits(*, prefix: str | None, per_name) -> tuple[int, list[Hit]]:
    """Division names in scope (county level and below): clashes within their level's
    scope (checks_batch.group_clashes, the rule of unique_among_divisions) and the per-name
    rules on the place-name form (钟山, 大箐村: not the statistical 大箐村村民委员会)."""
    lo, hi = checks.prefix_range(prefix or "")
    with connection.cursor() as cur:
        cur.execute("SELECT code, level, COALESCE(NULLIF(place_name, ''), name)"
                    " FROM boundaries_divisionversion"
                    " WHERE valid_to IS NULL AND kind <> 'placeholder' AND level >= 3"
                    " AND code >= %s AND code < %s ORDER BY level, code", [lo, hi])
        rows = cur.fetchall()
    by_level: dict = {}
    for c in sorted(per_name.classes.values(), key=lambda c: c.code):
        if c.division_level:
            by_level.setdefault(c.division_level, []).append(c)
    hits = []
    for level, classes in sorted(by_level.items()):
        members = [(code[:SCOPE_DIGITS_DIV[classes[0].scope]], code)
                   for code, lvl, _ in rows if lvl == level]
        if not members:
            continue
        for findings in checks_batch.group_clashes(members=members, level=level,
                                             as_of=today()).values():
            for f in findings:
                first = f.evidence[0]
                hits.append(Hit("division", first["code"], first["name"], None,
                                first["code"], classes[0].slug, f))
    for code, level, name in rows:
        classes = by_level.get(level)
        if not classes:
            continue
        cls = next((c for c in classes if split_name(name, c.generics)[1]), classes[0])
        specific, generic = split_name(name, cls.generics)
        cand = per_name.candidate(name, specific, generic, cls, code)
        rules = per_name.rules_for(name, specific, generic, cls) + [checks.banned_patterns]
        hits += [Hit("division", code, name, None, code, cls.slug, f)
                 for rule in rules for f in rule(cand)]
    return len(rows), hits


SCOPE_DIGITS_DIV = {"country": 0, "city": 4, "county": 6, "township": 9}
