"""The baseline of the tiles step, in a Django process on the step's database (JSON on
stdout): which tiles to time, and ``ST_AsMVT`` run directly for them.

The tiles: the z8 tile at the centre of 贵州's township polygons and the z12 tile at a point
inside 钟山区. The direct run is the statement the app runs (tiles.selectors.tile_sql) with
its parameters, on one connection, for as long as wrk runs against the app (so that both
sides see the same machine: a few hundred runs of a 0.3 ms statement would sample a tenth
of a second), after a warm-up (PROJ's set-up on a new connection is not a tile's cost);
p50/p95 in ms, and the bytes, which must equal the app's.
"""

import json
import math
import statistics
import sys
import time

import django

django.setup()

from django.db import connection  # noqa: E402

from boundaries.temporal import today  # noqa: E402
from tiles import selectors  # noqa: E402
from tiles.layers import ENVELOPE_4490  # noqa: E402

CENTRES = {
    # the middle of 贵州's township polygons (the whole province, or the demo's cities)
    "townships_z8_guizhou": (8, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent("
                             "geom)::geometry) c FROM boundaries_divisionversion WHERE level = 4 "
                             "AND code LIKE '52%' AND geom IS NOT NULL AND valid_to IS NULL) s"),
    "townships_z12_zhongshan": (12, "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface("
                                "geom) p FROM boundaries_divisionversion WHERE level = 3 AND "
                                "code = '520201000000' AND valid_to IS NULL) s"),
}


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2 ** z
    lat_r = math.radians(lat)
    return (z, int((lon + 180) / 360 * n),
            int((1 - math.log(math.tan(lat_r) + 1 / math.cos(lat_r)) / math.pi) / 2 * n))


def timed(tile, seconds: float) -> dict:
    sql, params = selectors.tile_sql(tile.layer), tile.params()
    times, body = [], b""
    with connection.cursor() as cur:
        cur.execute(sql, params)  # warm-up
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline or len(times) < 50:
            t0 = time.perf_counter()
            cur.execute(sql, params)
            body = bytes(cur.fetchone()[0] or b"")
            times.append((time.perf_counter() - t0) * 1000)
    q = statistics.quantiles(times, n=100)
    return {"runs": len(times), "seconds": seconds,
            "p50_ms": round(statistics.median(times), 3), "p95_ms": round(q[94], 3),
            "bytes": len(body), "same_as_app": body == selectors.render(tile)}


def main(seconds: float) -> dict:
    out = {}
    for name, (z, centre_sql) in CENTRES.items():
        with connection.cursor() as cur:
            cur.execute(centre_sql)
            row = cur.fetchone()
        if not row or row[0] is None:
            out[name] = {"missing": "no township polygons in 贵州 / no 钟山区 polygon"}
            continue
        z, x, y = tile_of(row[0], row[1], z)
        tile = selectors.address("townships", str(z), str(x), str(y), today())
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM boundaries_divisionversion t WHERE level = 4 AND "
                        f"geom && {ENVELOPE_4490} AND valid_to IS NULL", tile.params())
            features = cur.fetchone()[0]
        out[name] = {"path": f"/tiles/townships/{z}/{x}/{y}.pbf", "features": features,
                     "direct": timed(tile, seconds)}
    return out


if __name__ == "__main__":
    print(json.dumps(main(float(sys.argv[1]) if len(sys.argv) > 1 else 6)))
