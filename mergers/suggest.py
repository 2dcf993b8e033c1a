"""A proposed merger plan for a county or prefecture: N units, contiguous, no village
name clashes, the worst village-to-seat distance as small as the search makes it.

Method (deterministic given the seed):
1. the township adjacency graph within each county, weighted by shared border length
   (ST_Intersection of the polygons' boundaries, geodesic), read in one statement;
2. greedy agglomeration: while there are more than N units, merge the adjacent pair whose
   merged unit has the smallest worst village-to-seat distance (the seat being the part's
   seat that minimises it), Polsby–Popper of the union as the tie-break (from the areas,
   perimeters and shared border, exact for a tiling), then the seeded order; a pair is
   refused if it holds a kept township, if village names would clash (same place name or
   toneless pinyin: the keys of the check engine), or if it exceeds max_seat_distance_km;
   units below min_population go first when every township's population is known;
3. local improvement: move a border township to an adjacent unit when the worse of the two
   units' distances falls (then the other), keeping both contiguous and clash-free,
   until no move helps.
The objective reported is the worst village-to-seat distance over all units.
"""

import math
import random
import time
from dataclasses import dataclass

import pyproj
from django.db import connection

from boundaries.temporal import in_force_sql

_GEOD = pyproj.Geod(ellps="GRS80")  # the CGCS2000 ellipsoid
MAX_PASSES = 50

TOWNSHIPS_SQL = f"""
SELECT code, name, kind, parent_code, area_km2, population, ST_Perimeter(geom::geography),
       ST_X(coalesce(seat, ST_PointOnSurface(geom))), ST_Y(coalesce(seat, ST_PointOnSurface(geom)))
FROM boundaries_divisionversion
WHERE level = 4 AND {in_force_sql()} AND geom IS NOT NULL AND left(code, %(digits)s) = %(prefix)s
ORDER BY code
"""

ADJACENCY_SQL = f"""
WITH t AS MATERIALIZED (SELECT code, parent_code, geom FROM boundaries_divisionversion
    WHERE level = 4 AND {in_force_sql()} AND geom IS NOT NULL
      AND left(code, %(digits)s) = %(prefix)s)
SELECT a.code, b.code,
       ST_Length(ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom))::geography)
FROM t a JOIN t b ON a.code < b.code AND a.parent_code = b.parent_code
 AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
"""

VILLAGES_SQL = f"""
SELECT v.parent_code, v.place_name, v.place_pinyin, ST_X(v.seat), ST_Y(v.seat)
FROM boundaries_divisionversion v
WHERE v.level = 5 AND {in_force_sql('v')} AND left(v.code, %(digits)s) = %(prefix)s
ORDER BY v.code
"""


@dataclass
class Graph:
    towns: dict[str, tuple]            # code -> (name, kind, county, area, pop, perimeter)
    shared: dict[frozenset, float]     # township pair -> shared border (m)
    neighbours: dict[str, set[str]]
    worst: dict[str, dict[str, float]]  # township t -> seat township s -> farthest village (m)
    keys: dict[str, set[str]]          # township -> village name keys


def load(prefix: str, as_of) -> Graph:
    params = {"digits": len(prefix), "prefix": prefix, "as_of": as_of}
    with connection.cursor() as cur:
        cur.execute(TOWNSHIPS_SQL, params)
        rows = cur.fetchall()
        cur.execute(ADJACENCY_SQL, params)
        pairs = cur.fetchall()
        cur.execute(VILLAGES_SQL, params)
        villages = cur.fetchall()
    towns = {r[0]: (r[1], r[2], r[3], r[4] or 0.0, r[5], r[6]) for r in rows}
    seats = {r[0]: (r[7], r[8]) for r in rows}
    shared, neighbours = {}, {c: set() for c in towns}
    for a, b, length in pairs:
        if length > 0:
            shared[frozenset((a, b))] = length
            neighbours[a].add(b)
            neighbours[b].add(a)
    keys = {c: set() for c in towns}
    for parent, place, pinyin, _, _ in villages:
        if parent in keys:
            keys[parent].update({f"n:{place}", f"p:{pinyin}"})
    return Graph(towns, shared, neighbours, _worst(towns, seats, villages), keys)


def _worst(towns: dict, seats: dict, villages: list) -> dict:
    """For each township and each seat of its county: its farthest village (geodesic, m),
    from one vectorised pyproj.Geod call."""
    by_county: dict[str, list[str]] = {}
    for code, t in towns.items():
        by_county.setdefault(t[2], []).append(code)
    lons1, lats1, lons2, lats2, keys = [], [], [], [], []
    for parent, _, _, lon, lat in villages:
        if parent not in towns or lon is None:
            continue
        for s in by_county[towns[parent][2]]:
            lons1.append(lon)
            lats1.append(lat)
            lons2.append(seats[s][0])
            lats2.append(seats[s][1])
            keys.append((parent, s))
    worst = {c: {s: 0.0 for s in by_county[t[2]]} for c, t in towns.items()}
    if keys:
        _, _, dist = _GEOD.inv(lons1, lats1, lons2, lats2)
        for (t, s), d in zip(keys, dist, strict=True):
            if d > worst[t][s]:
                worst[t][s] = d
    return worst


class Search:
    def __init__(self, graph: Graph, *, keep: set[str], max_m: float | None,
                 min_population: int | None, seed: int):
        self.g, self.keep, self.max_m, self.seed = graph, keep, max_m, seed
        self.rng = random.Random(seed)
        known = all(t[4] is not None for t in graph.towns.values())
        self.min_population = min_population if known else None
        self.units: list[frozenset] = [frozenset([c]) for c in sorted(graph.towns)]
        self.order = {c: self.rng.random() for c in graph.towns}
        self.merges = self.moves = 0

    def cost(self, unit: frozenset) -> tuple[float, str]:
        """(worst village-to-seat distance, the seat township minimising it)."""
        return min((max(self.g.worst[t][s] for t in unit), s) for s in sorted(unit))

    def shared(self, a: frozenset, b: frozenset) -> float:
        return sum(self.g.shared.get(frozenset((x, y)), 0.0) for x in a for y in b
                   if y in self.g.neighbours[x])

    def pp(self, unit: frozenset, internal: float = 0.0) -> float:
        area = sum(self.g.towns[t][3] for t in unit) * 1e6
        perimeter = sum(self.g.towns[t][5] for t in unit) - 2 * internal
        return 4 * math.pi * area / perimeter ** 2 if perimeter > 0 else 0.0

    def keys(self, unit: frozenset) -> set[str]:
        return set().union(*(self.g.keys[t] for t in unit))

    def population(self, unit: frozenset) -> int:
        return sum(self.g.towns[t][4] or 0 for t in unit)

    def allowed(self, a: frozenset, b: frozenset) -> bool:
        if (a | b) & self.keep or self.keys(a) & self.keys(b):
            return False
        return self.max_m is None or self.cost(a | b)[0] <= self.max_m

    def adjacent_pairs(self):
        where = {t: i for i, u in enumerate(self.units) for t in u}
        seen = set()
        for i, unit in enumerate(self.units):
            for t in unit:
                for n in self.g.neighbours[t]:
                    j = where[n]
                    if j != i and (min(i, j), max(i, j)) not in seen:
                        seen.add((min(i, j), max(i, j)))
                        yield min(i, j), max(i, j)

    def score(self, i: int, j: int) -> tuple:
        a, b = self.units[i], self.units[j]
        merged = a | b
        small = self.min_population is not None and min(
            self.population(a), self.population(b)) < self.min_population
        return (not small, self.cost(merged)[0], -self.pp(merged, self.shared(a, b)),
                min(self.order[t] for t in merged))

    def agglomerate(self, target: int) -> None:
        while len(self.units) > target:
            pairs = [(self.score(i, j), i, j) for i, j in self.adjacent_pairs()
                     if self.allowed(self.units[i], self.units[j])]
            if not pairs:
                return
            _, i, j = min(pairs)
            self.units[i] = self.units[i] | self.units[j]
            del self.units[j]
            self.merges += 1

    def connected(self, unit: frozenset) -> bool:
        if not unit:
            return False
        start = min(unit)
        seen, stack = {start}, [start]
        while stack:
            for n in self.g.neighbours[stack.pop()] & unit:
                if n not in seen:
                    seen.add(n)
                    stack.append(n)
        return seen == unit

    def improve(self) -> None:
        for _ in range(MAX_PASSES):
            if not self._pass():
                return

    def _pass(self) -> bool:
        moved = False
        for i in self.rng.sample(range(len(self.units)), len(self.units)):
            for t in sorted(self.units[i], key=self.order.get):
                if len(self.units[i]) > 1 and t not in self.keep and self._move(i, t):
                    moved = True
                    break
        return moved

    def _move(self, i: int, t: str) -> bool:
        source = self.units[i]
        rest = source - {t}
        if not self.connected(rest):
            return False
        where = {x: k for k, u in enumerate(self.units) for x in u}
        for j in sorted({where[n] for n in self.g.neighbours[t]} - {i}):
            dest = self.units[j]
            grown = dest | {t}
            if dest & self.keep or self.g.keys[t] & self.keys(dest):
                continue
            old = sorted([self.cost(source)[0], self.cost(dest)[0]], reverse=True)
            new = sorted([self.cost(rest)[0], self.cost(grown)[0]], reverse=True)
            if (self.max_m is None or new[0] <= self.max_m) and new < old:
                self.units[i], self.units[j] = rest, grown
                self.moves += 1
                return True
        return False

    def objective(self) -> float:
        return max((self.cost(u)[0] for u in self.units), default=0.0)


def run(*, prefix: str, as_of, target: int, keep: set[str], max_seat_distance_km,
        min_population, seed: int) -> dict:
    started = time.perf_counter()
    graph = load(prefix, as_of)
    search = Search(graph, keep=keep, max_m=max_seat_distance_km * 1000
                    if max_seat_distance_km else None, min_population=min_population, seed=seed)
    before = len(search.units)
    search.agglomerate(target)
    search.improve()
    units = sorted(search.units, key=min)
    merged = [u for u in units if len(u) > 1]
    operations = []
    for unit in merged:
        seat = search.cost(unit)[1]
        name, kind = graph.towns[seat][0], graph.towns[seat][1]
        operations.append({"op": "merge", "townships": [c[:9] for c in sorted(unit)],
                           "name": name, "kind": kind, "seat": seat[:9]})
    pops_known = search.min_population is not None
    return {
        "townships_before": before, "units_after": len(units), "target": target,
        "reached": len(units) == target, "seed": seed,
        "objective": {"worst_seat_distance_m": search.objective(),
                      "merged_units_worst_m": max((search.cost(u)[0] for u in merged),
                                                  default=None)},
        "iterations": {"merges": search.merges, "moves": search.moves},
        "operations": operations,
        "population": ("min_population applied" if pops_known else
                       "population is not known for every township: min_population not "
                       "applied" if min_population else "no min_population asked"),
        "search_seconds": round(time.perf_counter() - started, 3),
    }
