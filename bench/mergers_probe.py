"""The timings of the mergers step, in a Django process on bench_mergers (JSON on stdout).

End to end is the API through Django's test client (a signed-in planner); the baseline is
the SQL the answer needs run directly (bench/mergers_direct.py says what and why), on the
same groups, through the same connection. Medians of N rounds after one warm-up, ours and
the baselines taking turns within each round. A scenario is timed from its POST to its
answer (it is deleted afterwards, outside the timing).
"""

import json
import statistics
import sys
import time

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from gazetteer.models import PlaceClass  # noqa: E402
from gazetteer.names import toneless  # noqa: E402

from . import mergers_direct  # noqa: E402


def townships(prefix: str) -> list[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT code FROM boundaries_divisionversion WHERE level = 4 AND "
                    "valid_to IS NULL AND left(code, %s) = %s ORDER BY code", [len(prefix), prefix])
        return [r[0] for r in cur.fetchall()]


def medians_ms(fns: list, runs: int) -> list[float]:
    """The median time of each function, run in turn (one warm-up each, then ``runs``
    rounds of all of them): on a shared machine a load that comes and goes then weighs on
    ours and on the baseline alike, rather than on whichever ran during it."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, out in zip(fns, times, strict=True):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000)
    return [statistics.median(t) for t in times]


def direct(groups: dict[str, list[str]], name: str, *, geojson: bool):
    """The baseline's statements as a function to time (the pinyin and the township
    class's group are looked up once, outside the timing)."""
    names = {g: (name, toneless(name)) for g in groups}
    group = PlaceClass.objects.get(slug="township").group

    def run():
        with connection.cursor() as cur:
            mergers_direct.run(cur, groups, names, geojson=geojson, group=group)
    return run


def narrow(groups: dict[str, list[str]]):
    def run():
        with connection.cursor() as cur:
            mergers_direct.run_narrow(cur, groups)
    return run


def figure(townships: int, ours: float, sql: float, narrow_sql: float) -> dict:
    return {"townships": townships, "ours_ms": ours, "sql_ms": sql, "ratio": ours / sql,
            "narrow_sql_ms": narrow_sql, "narrow_ratio": ours / narrow_sql}


def post(client, url: str, body: dict) -> dict:
    response = client.post(url, body, content_type="application/json")
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{url}: {response.status_code} {response.content[:500]!r}")
    return response.json()


def main(runs: int) -> dict:
    user, _ = User.objects.get_or_create(username="bench-planner")
    user.groups.set([Group.objects.get_or_create(name="planner")[0]])
    client = Client()
    client.force_login(user)
    zhongshan = townships("520201")
    figures = {}
    for name, codes in (("simulate_2", ["520201101000", "520201103000"]),
                        ("simulate_7", zhongshan[:7])):
        body = {"townships": codes, "name": "新镇", "kind": "镇"}
        figures[name] = figure(len(codes), *medians_ms([
            lambda b=body: post(client, "/api/v1/mergers/simulate", b),
            direct({"1": codes}, "新镇", geojson=True), narrow({"1": codes})], runs))
    # The whole prefecture: each county's townships merged into one unit (4 merges, 92).
    counties = {c: townships(c) for c in ("520201", "520203", "520204", "520281")}
    ops = [{"op": "merge", "townships": codes, "name": "新镇", "kind": "镇"}
           for codes in counties.values()]

    made = []

    def scenario():
        made.append(post(client, "/api/v1/mergers/scenarios",
                         {"title": "bench", "scope": "5202", "operations": ops})["id"])

    figures["simulate_prefecture"] = figure(sum(map(len, counties.values())), *medians_ms(
        [scenario, direct(counties, "新镇", geojson=False), narrow(counties)],
        runs))
    for scenario_id in made:
        client.delete(f"/api/v1/mergers/scenarios/{scenario_id}")
    t0 = time.perf_counter()
    answer = post(client, "/api/v1/mergers/suggest", {"prefecture": "5202",
                                                      "target_townships": 87, "seed": 1})
    s = answer["suggestion"]
    figures["suggest"] = {
        "seconds": time.perf_counter() - t0, "search_seconds": s["search_seconds"],
        "townships_before": s["townships_before"], "units_after": s["units_after"],
        "reached": s["reached"], "seed": s["seed"],
        "worst_seat_distance_m": s["objective"]["worst_seat_distance_m"],
        "merges": s["iterations"]["merges"], "moves": s["iterations"]["moves"],
        "every_unit_contiguous": s["verified"]["every_unit_contiguous"],
        "village_clashes": s["verified"]["village_clashes"]}
    return figures


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)))
