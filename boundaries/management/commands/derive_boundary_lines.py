import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from boundaries import lines
from boundaries.models import Level
from config.errors import BadRequest


def level_arg(raw: str) -> int:
    return int(Level.parse(raw))


class Command(BaseCommand):
    help = ("Derive the border lines between same-level neighbours from the polygons, "
            "and report gaps and overlaps (preview unless --commit).")

    def add_arguments(self, parser):
        parser.add_argument("--level", required=True, type=level_arg,
                            help="province|prefecture|county|township (or 1–4)")
        parser.add_argument("--as-of", type=date.fromisoformat, metavar="YYYY-MM-DD",
                            help="the divisions in force on this date (default: today)")
        parser.add_argument("--tolerance-m", type=float, default=lines.DEFAULT_TOLERANCE_M,
                            help="borders this close count as one (metres, default %(default)s)")
        parser.add_argument("--min-area-m2", type=float, default=lines.DEFAULT_MIN_AREA_M2,
                            help="report gaps and overlaps from this area (default %(default)s)")
        parser.add_argument("--max-overlap-width-m", type=float,
                            default=lines.DEFAULT_MAX_OVERLAP_WIDTH_M,
                            help="draw the line along the centre of overlaps up to this wide "
                                 "(metres, default %(default)s)")
        parser.add_argument("--commit", action="store_true", help="write (default: preview)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **opts):
        progress = not (opts["json"] or opts["no_progress"]) and opts["verbosity"] >= 1
        try:
            report = lines.boundary_lines_derive(
                level=opts["level"], as_of=opts["as_of"], gap_tolerance_m=opts["tolerance_m"],
                min_area_m2=opts["min_area_m2"], max_overlap_width_m=opts["max_overlap_width_m"],
                commit=opts["commit"], progress=progress)
        except BadRequest as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self._print(report)

    def _print(self, r: dict) -> None:
        self.stdout.write(
            f"{r['level']} lines on {r['as_of']}: {r['candidate_pairs']} candidate pairs, "
            f"{r['lines']} lines — {r['new']} new, {r['unchanged']} unchanged, "
            f"{r['surveyed']} surveyed (kept), "
            f"{r['changed']} changed, {r['reoriented']} reoriented, {r['ended']} ended "
            f"({r['seconds']}s)")
        self.stdout.write(f"gaps of at least {r['min_area_m2']:g} m²: {len(r['gaps'])}")
        for f in r["gaps"][:20]:
            self.stdout.write(f"  {f['left_code']}|{f['right_code']} {f['area_m2']:.0f} m² "
                              f"at {f['lon']}, {f['lat']}")
        self.stdout.write(f"overlaps of at least {r['min_area_m2']:g} m² or with the line along "
                          f"their centre: {len(r['overlaps'])}")
        for f in r["overlaps"][:20]:
            drawn = "line along its centre" if f["centre_line"] else "no line drawn through"
            self.stdout.write(f"  {f['left_code']}|{f['right_code']} {f['area_m2']:.0f} m², "
                              f"{f['width_m']:.1f} m wide, at {f['lon']}, {f['lat']}: {drawn}")
        if not r["committed"]:
            self.stdout.write("preview: nothing written (add --commit to write)")
