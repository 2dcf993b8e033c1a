import json

from django.core.management.base import BaseCommand, CommandError

from accounts.services import system_actor
from importers import markers
from importers.errors import ImporterError

SHOWN = 50


class Command(BaseCommand):
    help = ("Register boundary markers from a survey file (CSV of marker coordinates, "
            "GeoPackage, Shapefile, GeoJSON, KML, GPX; any CRS importers.survey reads): each "
            "numbered point on the line given, else on the line its number names. Dry run: "
            "lists what would be registered and what is refused, by row; --commit writes "
            "all of it in one transaction, or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--line", type=int, help="id of the border line (in force) they "
                           "stand on")
        where.add_argument("--pair", nargs=2, metavar="CODE", help="the two divisions whose "
                           "line in force they stand on, e.g. 520201 520204")
        parser.add_argument("--crs", help="coordinate system when the file declares none, "
                            "e.g. EPSG:4523 (a declared one wins)")
        parser.add_argument("--encoding", help="attribute encoding, e.g. gbk")
        parser.add_argument("--source", help="the survey, as the states record it "
                            "(default: the file's name)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--commit", action="store_true", help="register them (default: "
                            "dry run)")

    def handle(self, *args, **opts):
        try:
            plan = markers.run(opts["file"], actor=system_actor(), line=opts["line"],
                               pair=opts["pair"], crs=opts["crs"], encoding=opts["encoding"],
                               commit=opts["commit"], source_label=opts["source"],
                               progress=not opts["json"] and opts["verbosity"] >= 1)
        except ImporterError as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(plan.summary() | {"markers": plan.accepted,
                                                           "refusals": plan.refused},
                                         ensure_ascii=False))
            return
        self._print(plan, opts["commit"])

    def _print(self, plan, commit: bool) -> None:
        self.stdout.write(f"{plan.source}: {plan.format}, {plan.crs} ({plan.crs_source})")
        verb = "registered" if commit else "would register"
        self.stdout.write(f"{verb} {len(plan.accepted)} marker(s):")
        for row in plan.accepted[:SHOWN]:
            self.stdout.write(f"  {row['where']}: {row['number']} {row['type']} on "
                              f"{', '.join(row['lines'])} at {row['lon']:.6f}, {row['lat']:.6f}")
        if len(plan.accepted) > SHOWN:
            self.stdout.write(f"  … and {len(plan.accepted) - SHOWN} more (--json)")
        self.stdout.write(f"refused {len(plan.refused)}:")
        for row in plan.refused:
            self.stdout.write(f"  {row['where']}: {row['number'] or ''} {row['reason']}")
        if plan.skipped:
            self.stdout.write(f"not points (left alone): {plan.skipped} feature(s)")
        if not commit:
            self.stdout.write("dry run: nothing written (--commit registers them)")
