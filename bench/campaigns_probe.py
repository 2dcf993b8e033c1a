"""Run by bench.campaigns in a process of its own (Django on bench_registry): one clean-up
campaign over a scope (the whole run: scope, rules, clashes, signs, findings written),
then the same checks as one plain set-based SQL pass writing its rows to a table, both
inside one transaction that is rolled back. Prints JSON.

    python -m bench.campaigns_probe [SCOPE_CODE]   # empty: the whole registry
"""

import json
import sys
import time


def baseline_sql() -> str:
    from boundaries.temporal import in_force_sql

    return f"""
CREATE TEMP TABLE bench_baseline AS
WITH s AS MATERIALIZED (
    SELECT p.id, p.name, p.specific, p.generic, c."group" AS grp, c.scope, c.max_length,
           g.tails
    FROM gazetteer_place p JOIN gazetteer_placeclass c ON c.id = p.place_class_id
    JOIN (SELECT c1.id, array_agg(t) AS tails FROM gazetteer_placeclass c1
          JOIN gazetteer_placeclass c2 ON c2."group" = c1."group", unnest(c2.generics) t
          GROUP BY c1.id) g ON g.id = c.id
    WHERE p.status = 'standard' AND {in_force_sql("p")}
      AND (%(everywhere)s OR EXISTS (SELECT 1 FROM gazetteer_placedivision pd
           WHERE pd.place_id = p.id AND pd.valid_to IS NULL
             AND pd.division_code >= %(lo)s AND pd.division_code < %(hi)s))
), keyed AS (
    SELECT DISTINCT s.grp, CASE s.scope WHEN 'country' THEN '' WHEN 'city' THEN
           left(pd.division_code, 4) WHEN 'county' THEN left(pd.division_code, 6)
           ELSE left(pd.division_code, 9) END AS skey,
           CASE s.scope WHEN 'country' THEN 1 WHEN 'city' THEN 2 WHEN 'county' THEN 3
           ELSE 4 END AS lvl
    FROM s JOIN gazetteer_placedivision pd ON pd.place_id = s.id AND pd.valid_to IS NULL
), member AS MATERIALIZED (
    SELECT DISTINCT k.grp, k.skey, p.id, p.name, p.pinyin FROM keyed k
    JOIN gazetteer_placedivision pd ON pd.valid_to IS NULL AND pd.level >= k.lvl
     AND pd.division_code >= k.skey AND pd.division_code < CASE k.skey WHEN '' THEN ':'
         ELSE left(k.skey, -1) || chr(ascii(right(k.skey, 1)) + 1) END
    JOIN gazetteer_place p ON p.id = pd.place_id AND {in_force_sql("p")}
    JOIN gazetteer_placeclass cl ON cl.id = p.place_class_id AND cl."group" = k.grp
), clashing AS (
    SELECT m.* FROM member m JOIN (SELECT grp, skey, name FROM member GROUP BY 1, 2, 3
                                   HAVING count(*) > 1) d USING (grp, skey, name)
    UNION SELECT m.* FROM member m JOIN (SELECT grp, skey, pinyin FROM member
        WHERE pinyin <> '' GROUP BY 1, 2, 3 HAVING count(DISTINCT name) > 1) h
        USING (grp, skey, pinyin)
)
SELECT DISTINCT a.id, 'unique'::text AS rule, b.id AS other FROM clashing a
JOIN s ON s.id = a.id
JOIN clashing b ON b.grp = a.grp AND b.skey = a.skey AND b.id <> a.id
 AND (b.name = a.name OR b.pinyin = a.pinyin)
UNION ALL SELECT s.id, 'banned_pattern', NULL FROM s JOIN gazetteer_namingban b
    ON strpos(s.name, b.pattern) > 0
UNION ALL SELECT s.id, 'charset', NULL FROM s
    WHERE NOT (string_to_array(s.name, NULL) <@ %(standard)s::text[])
UNION ALL SELECT s.id, 'repeated_generic', NULL FROM s
    WHERE s.generic <> '' AND EXISTS (SELECT 1 FROM unnest(s.tails) t
                                      WHERE right(s.specific, char_length(t)) = t)
UNION ALL SELECT s.id, 'generic_fit', NULL FROM s WHERE s.generic = ''
UNION ALL SELECT s.id, 'length', NULL FROM s WHERE char_length(s.name) > s.max_length
UNION ALL SELECT g.place_id, 'sign', NULL FROM gazetteer_sign g JOIN s ON s.id = g.place_id
    JOIN gazetteer_place p ON p.id = g.place_id WHERE g.status <> 'removed'
    AND (g.text <> p.name OR g.romanization <> COALESCE(NULLIF(p.romanization_override, ''),
                                                       p.romanization))
"""


def gb2312_han() -> list[str]:
    """The characters the engine's charset rule accepts without a finding: GB2312's Han."""
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def main(scope: str) -> dict:
    import django

    django.setup()
    from django.db import connection, transaction

    from accounts.services import system_actor
    from boundaries.codes import code_prefix, parse_code
    from boundaries.temporal import today
    from campaigns import services
    from campaigns.models import Finding
    from gazetteer import checks

    actor = system_actor()
    prefix = code_prefix(*parse_code(scope))[0] if scope else ""
    lo, hi = checks.prefix_range(prefix)
    out = {"scope": scope or "whole registry"}
    with transaction.atomic():
        c = services.campaign_create(actor=actor, title="bench", scope_code=scope)
        t0 = time.perf_counter()
        stats = services.campaign_run(campaign_id=c.id, actor=actor)
        ours = time.perf_counter() - t0
        by_rule = dict(Finding.objects.filter(campaign=c).values_list("rule")
                       .annotate(n=django.db.models.Count("id")))
        with connection.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute(baseline_sql(), {"everywhere": not scope, "lo": lo, "hi": hi,
                                         "as_of": today(), "standard": gb2312_han()})
            sql = time.perf_counter() - t0
            cur.execute("SELECT rule, count(*) FROM bench_baseline GROUP BY 1")
            sql_rules = dict(cur.fetchall())
        transaction.set_rollback(True)
    out |= {"checked": stats["checked"], "findings": stats["findings"],
            "non_standard": stats["non_standard"], "ours_s": round(ours, 2),
            "engine_s": stats["seconds"], "sql_s": round(sql, 2),
            "ratio": round(ours / sql, 2) if sql else None,
            "checks_per_second": round(stats["checked"] / ours, 1),
            "findings_by_rule": by_rule, "sql_rows_by_rule": sql_rules}
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else ""), ensure_ascii=False))
