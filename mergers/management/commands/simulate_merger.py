"""Simulate a township merger, or suggest a plan, from the shell (nothing is written).

    manage.py simulate_merger 520201101 520201103 --name 大河镇 --kind 镇 [--seat CODE|LON,LAT]
    manage.py simulate_merger --suggest 5202 --target 87 [--keep CODE ...] [--seed 1] --json
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from boundaries.temporal import today
from config.errors import RegistryError
from mergers import selectors
from mergers.operations import SeatPoint


class Command(BaseCommand):
    help = "Simulate a township merger (or --suggest a plan for a county or prefecture)."

    def add_arguments(self, parser):
        parser.add_argument("townships", nargs="*", help="9- or 12-digit township codes")
        parser.add_argument("--name", help="the merged township's name")
        parser.add_argument("--kind", default="镇", choices=["镇", "乡", "民族乡", "街道"])
        parser.add_argument("--seat", help="a township code, or LON,LAT")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--suggest", metavar="SCOPE", help="county or prefecture code")
        parser.add_argument("--target", type=int, help="units the suggested plan reaches")
        parser.add_argument("--keep", nargs="*", default=[], help="townships not to touch")
        parser.add_argument("--max-seat-distance-km", type=float)
        parser.add_argument("--min-population", type=int)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true", help="the answer as JSON")

    def handle(self, *args, **opts):
        from datetime import date

        as_of = date.fromisoformat(opts["as_of"]) if opts["as_of"] else today()
        started = time.perf_counter()
        try:
            answer = self._suggest(opts, as_of) if opts["suggest"] else self._simulate(opts, as_of)
        except RegistryError as exc:
            if opts["json"]:
                self.stdout.write(json.dumps({"detail": str(exc)}, ensure_ascii=False))
            raise CommandError(str(exc)) from exc
        answer["seconds"] = round(time.perf_counter() - started, 3)
        if opts["json"]:
            self.stdout.write(json.dumps(answer, ensure_ascii=False, default=str))
        else:
            self._print(answer)

    def _simulate(self, opts, as_of) -> dict:
        if len(opts["townships"]) < 2 or not opts["name"]:
            raise CommandError("give two or more township codes and --name")
        seat = opts["seat"]
        if seat and "," in seat:
            lon, lat = (float(x) for x in seat.split(","))
            seat = SeatPoint(lon=lon, lat=lat)
        return selectors.simulate(townships=opts["townships"], name=opts["name"],
                                  kind=opts["kind"], seat=seat, as_of=as_of)

    def _suggest(self, opts, as_of) -> dict:
        if not opts["target"]:
            raise CommandError("--suggest needs --target N")
        return selectors.suggest(scope=opts["suggest"], as_of=as_of, target=opts["target"],
                                 keep=opts["keep"],
                                 max_seat_distance_km=opts["max_seat_distance_km"],
                                 min_population=opts["min_population"], seed=opts["seed"])

    def _print(self, answer: dict) -> None:
        if "suggestion" in answer:
            s = answer["suggestion"]
            self.stdout.write(f"{s['townships_before']} → {s['units_after']} units "
                              f"(target {s['target']}, reached: {s['reached']}), worst "
                              f"village-to-seat {s['objective']['worst_seat_distance_m']:.0f} m,"
                              f" seed {s['seed']}, {s['search_seconds']} s")
            for op in s["operations"]:
                self.stdout.write(f"  merge {' + '.join(op['townships'])} → {op['name']}")
            return
        u = answer["unit"]
        self.stdout.write(f"{u['name']} ({u['kind']}): {u['area_km2']:.2f} km², "
                          f"{u['parts']} part(s), Polsby–Popper {u['polsby_popper']:.3f}, "
                          f"Reock {u['reock']:.3f}, {u['village_count']} villages")
        for finding in u["findings"]:
            self.stdout.write(f"  finding: {finding}")
        for clash in u["village_clashes"]:
            self.stdout.write(f"  clash: {clash['message']}")
        d = u["seat_distance"]
        if d["max_m"] is not None:
            self.stdout.write(f"  seat distance: max {d['max_m']:.0f} m, mean {d['mean_m']:.0f} m")
        self.stdout.write(f"  internal lines: {u['lines']['internal_length_m'] / 1000:.1f} km")
