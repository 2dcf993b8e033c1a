"""Every README filter example runs on an index: with sequential scans priced out, the
planner still scans a large table sequentially only when no index can serve the filter.
(The bench runs the same EXPLAINs on 13M places: python -m ogc.plans.)"""

import pytest

from ogc.plans import EXAMPLES, plans

pytestmark = pytest.mark.django_db


def test_it_plans_the_readme_filters_on_indexes(divisions_db):
    found = plans(no_seqscan=True)
    assert [p["collection"] for p in found] == [c for c, _ in EXAMPLES]
    assert {p["filter"]: p["seq_scans"] for p in found} == {p["filter"]: [] for p in found}


def test_it_plans_the_filter_the_bench_times_on_indexes(divisions_db):
    from bench.ogcweb import COUNTY, PREFIX

    timed = f"name LIKE '{PREFIX}%' AND division = '{COUNTY}'"
    found = plans([("places-points", {"filter": timed})], no_seqscan=True)
    assert found[0]["seq_scans"] == []


def test_it_finds_a_seq_scan_where_no_index_serves(divisions_db):
    # romanization is an expression no index holds: the check must see the Seq Scan. With
    # Seq Scans priced out, the planner may walk another index whose condition is not the
    # filter's (which index depends on the statistics the suite's earlier tests left), so
    # the check is shown the plan the planner prefers.
    found = plans([("places-points", {"filter": "romanization = 'Renmin Lu'"})],
                  no_seqscan=False)
    assert "gazetteer_place" in found[0]["seq_scans"]
