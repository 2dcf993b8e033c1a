"""Step `ogc`: the OGC API – Features items against pygeoapi serving the same table.

Three pairs under wrk at 1 and 8 connections, each side with gunicorn and 2 workers: plain
pages, a CQL2 filter on a name prefix and a division, and pages in Gauss-Krüger zone 35
(`crs=EPSG:4523`); then `python -m ogc.plans` (the README's filters) for Seq Scans.

pygeoapi's PostgreSQL provider reads one table and its columns; "lies in division X" is a
join (gazetteer_placedivision) it cannot see, so it is served a view of the places with the
code of their county as a column (`bench_place_county`, one row per place: level 3), and
filters on that column; ours filters on `division`, through the join. Same rows, same page.
"""

import json
import subprocess
import urllib.parse

from . import placeweb, web
from .common import PYTHON, ROOT, Skipped, StepResult, count, env, psql, require_tool, say

GK = "http://www.opengis.net/def/crs/EPSG/0/4523"  # CGCS2000 GK zone 35 (贵州)
VIEW = "bench_place_county"
# A name prefix and a county with places of that prefix in both the quick (贵州) and the
# whole-country data: 钟山 in 钟山区.
PREFIX, COUNTY = "钟山", "520201"


def make_view() -> None:
    psql(f"CREATE OR REPLACE VIEW {VIEW} AS SELECT p.id, p.name, p.romanization, "
         "p.place_class_id, p.status, p.valid_from, p.valid_to, p.geom, "
         "left(pd.division_code, 6) AS county FROM gazetteer_place p "
         "JOIN gazetteer_placedivision pd ON pd.place_id = p.id AND pd.level = 3")


def pairs() -> dict[str, tuple[list[str], list[str]]]:
    """name → (our paths, pygeoapi's paths): the same pages of the same rows."""
    cql = urllib.parse.quote
    ours_filter = cql(f"name LIKE '{PREFIX}%' AND division = '{COUNTY}'")
    theirs_filter = cql(f"name LIKE '{PREFIX}%' AND county = '{COUNTY}'")
    crs = cql(GK, safe="")
    return {
        "ogc_items": (placeweb.items_paths("/ogc"), placeweb.items_paths("", "&f=json")),
        "ogc_filter": ([f"/ogc/collections/places-points/items?limit=100&filter={ours_filter}"],
                       [f"/collections/{VIEW}/items?limit=100&f=json&filter={theirs_filter}"]),
        "ogc_crs": (placeweb.items_paths("/ogc", f"&crs={crs}"),
                    placeweb.items_paths("", f"&f=json&crs={crs}")),
    }


def same_answers(port: int, other: int, figures: dict) -> None:
    """The filter's first page holds the same ids on both sides; the crs page, the same
    coordinates (northing first, to the centimetre)."""
    _, ours = web.get(port, pairs()["ogc_filter"][0][0])
    _, theirs = web.get(other, pairs()["ogc_filter"][1][0])
    ids = [sorted(str(f["id"]) for f in json.loads(b)["features"]) for b in (ours, theirs)]
    figures["filter_ids_equal"] = ids[0] == ids[1]
    figures["filter_features"] = len(ids[0])
    _, ours = web.get(port, pairs()["ogc_crs"][0][0])
    _, theirs = web.get(other, pairs()["ogc_crs"][1][0])
    a, b = (json.loads(x)["features"][0]["geometry"]["coordinates"] for x in (ours, theirs))
    figures["crs_first_coordinates"] = {"ours": a, "pygeoapi": b}
    figures["crs_coordinates_equal"] = all(abs(x - y) < 0.01 for x, y in zip(a, b, strict=True))
    say(f"ogc: filter page {len(ids[0])} features, same ids: {figures['filter_ids_equal']}; "
        f"crs first point ours {a} pygeoapi {b}")


def check_plans(figures: dict) -> None:
    # the README's filters, and the one this step times
    timed = ["--also", "places-points", f"name LIKE '{PREFIX}%' AND division = '{COUNTY}'"]
    proc = subprocess.run([str(PYTHON), "-m", "ogc.plans", *timed], cwd=ROOT, env=env(),
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"ogc.plans exited {proc.returncode}: {proc.stderr[-800:]}")
    figures["plans"] = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["no_seq_scan"] = not any(p["seq_scans"] for p in figures["plans"])
    for p in figures["plans"]:
        say(f"ogc: plan of {p['collection']} {p['filter']}: seq scans {p['seq_scans'] or 'none'}")


def ratios(figures: dict) -> None:
    eps = figures["endpoints"]
    figures["ratios"] = out = {}
    for name in pairs():
        for c in ("c1", "c8"):
            ours, theirs = eps.get(name, {}).get(c), eps.get(name + "_pygeoapi", {}).get(c)
            if ours and theirs and theirs["rps"]:
                out[f"{name}_{c}"] = r = round(ours["rps"] / theirs["rps"], 2)
                say(f"ogc: {name} {c}: ours {ours['rps']:.1f} rps, pygeoapi "
                    f"{theirs['rps']:.1f} rps: {r}×")


def step(inputs, quick: bool) -> StepResult:
    require_tool("wrk")
    if not count("gazetteer_place"):
        raise Skipped("no places in the bench database (places step)")
    seconds = 2 if quick else 6
    figures: dict = {"duration_s": seconds, "endpoints": {}, "places": count("gazetteer_place"),
                     "division_note": __doc__.split("\n\n")[1].replace("\n", " ")}
    skipped: dict = {}
    check_plans(figures)
    make_view()
    why = placeweb.install_pygeoapi()
    if why:
        raise Skipped(why)
    port = web.free_port()
    other = web.free_port(port + 100)
    try:
        web.start_server(port)
        placeweb.start_pygeoapi(other, extra={VIEW: VIEW})
        same_answers(port, other, figures)
        for name, (ours, theirs) in pairs().items():
            web.measure(port, {name: ours}, seconds, figures, skipped)
            # its provider counts the matches on every page: give it time to answer some
            web.measure(other, {name + "_pygeoapi": theirs},
                        max(seconds, placeweb.SLOW_SECONDS), figures, skipped)
    finally:
        web.stop_servers()
    ratios(figures)
    figures["skipped"] = skipped
    return StepResult("ogc", figures)
