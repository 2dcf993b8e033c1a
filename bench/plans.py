"""`python -m bench.plans Q [Q …]`: the plans of the statements a place search runs (JSON).

Runs gazetteer.search (the page and its count) and the selectors the API calls after
it, captures the SQL they sent (with their parameters) and EXPLAINs each statement that
reads the gazetteer tables, listing any Seq Scan on them. The bench runs it against bench_registry.
"""

import json
import os
import sys

import django

TABLES = ("gazetteer_place", "gazetteer_placename", "gazetteer_placedivision")


def seq_scans(node: dict) -> list[str]:
    found = ([node["Relation Name"]] if node.get("Node Type") == "Seq Scan"
             and node.get("Relation Name") in TABLES else [])
    for child in node.get("Plans", []):
        found += seq_scans(child)
    return found


def plans(q: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gazetteer import search, selectors

    with CaptureQueriesContext(connection) as ctx:
        rows = search.search_places(q, search.Filters(), limit=20, offset=0)
        search.count_places(q, search.Filters())  # the answer's count (capped)
        ids = [r[0] for r in rows]
        selectors.place_summaries(ids)
        selectors.place_divisions(ids)
    statements = []
    with connection.cursor() as cur:
        cur.execute("SET jit = off")  # as search.py does for its statements
        for captured in ctx.captured_queries:
            sql = captured["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue  # SET LOCAL, and the EXPLAIN search.py runs itself
            if not any(t in sql for t in TABLES):
                continue
            cur.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cur.fetchone()[0]
            plan = plan if isinstance(plan, list) else json.loads(plan)
            statements.append({"sql": sql[:160], "seq_scans": seq_scans(plan[0]["Plan"])})
    return {"hits": len(rows), "statements": statements}


def main(queries: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    print(json.dumps({q: plans(q) for q in queries}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
