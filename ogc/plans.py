"""The plans of the statements an items request with a filter runs, and their Seq Scans.

``python -m ogc.plans`` prints them (JSON) for the README's filter examples; the bench
runs it on bench_registry (13M places), tests/ogc/test_ogc_plans.py on the test database
with sequential scans priced out, where a Seq Scan left means no index serves the filter.
"""

import json
import os
import sys

# The README's examples (collection, query parameters): keep them in step.
EXAMPLES = [
    ("divisions-village", {"filter": "code BETWEEN '520204000000' AND '520204999999' AND "
                                     "T_AFTER(valid_from, DATE('2014-12-31'))"}),
    ("places-lines", {"filter": "name LIKE '人民%' AND division = '520302'"}),
    ("places-lines", {"crs": "EPSG:4523",
                      "filter": "S_DWITHIN(geometry, POINT(104.896 26.601), 500, meters)"}),
]
# The large tables: a Seq Scan on the place classes (a few hundred rows) is no concern.
TABLES = ("gazetteer_place", "gazetteer_placedivision", "boundaries_divisionversion",
          "boundaries_boundaryline")


def seq_scans(node: dict, walks: bool = False) -> list[str]:
    """The large tables read whole: Seq Scans, and with walks an index read end to end (an
    Index Scan with no Index Cond), which is what the planner picks once Seq Scans are off."""
    whole = node.get("Node Type") == "Seq Scan" or (
        walks and node.get("Node Type") in ("Index Scan", "Index Only Scan")
        and "Index Cond" not in node)
    found = [node["Relation Name"]] if whole and node.get("Relation Name") in TABLES else []
    for child in node.get("Plans", []):
        found += seq_scans(child, walks)
    return found


def plans(examples=EXAMPLES, *, no_seqscan: bool = False) -> list[dict]:
    from django.db import connection, transaction
    from django.test import RequestFactory

    from . import collections as cols
    from .params import parse_query

    out = []
    with transaction.atomic(), connection.cursor() as cur:
        if no_seqscan:  # SET LOCAL: this transaction only
            cur.execute("SET LOCAL enable_seqscan = off")
        for collection_id, params in examples:
            c = cols.COLLECTIONS[collection_id]
            query = parse_query(RequestFactory().get("/", params), c)
            count_params: dict = {}
            # the page, and the count for numberMatched (no ORDER BY id: a primary-key walk
            # cannot hide a filter no index serves)
            statements = [(*cols.items_sql(c, query), False), (
                f"SELECT 1 FROM {c.table} WHERE {query.where(c, count_params, False)}",
                count_params, True)]
            scans = []
            for sql, bound, walks in statements:
                cur.execute("EXPLAIN (FORMAT JSON) " + cur.mogrify(sql, bound).decode())
                plan = cur.fetchone()[0]
                plan = plan if isinstance(plan, list) else json.loads(plan)
                scans += seq_scans(plan[0]["Plan"], walks)
            out.append({"collection": collection_id, "filter": params["filter"],
                        "seq_scans": scans})
    return out


def main(argv: list[str]) -> None:
    """python -m ogc.plans [--no-seqscan] [--also COLLECTION FILTER]...: the README's examples
    and any others (the bench adds the filter it times)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    also = [(argv[i + 1], {"filter": argv[i + 2]}) for i, a in enumerate(argv) if a == "--also"]
    print(json.dumps(plans(EXAMPLES + also, no_seqscan="--no-seqscan" in argv),
                     ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
