"""Load the demo once: the five seed cities, their history, county polygons, synthetic townships.

`make run` calls this on every start, so a registry that already holds divisions
is left alone (and the command says so and exits 0 at once).
"""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.services import system_actor
from boundaries import lines, services, synthetic
from boundaries.models import DivisionVersion, Level
from demo import archives as archives_demo
from demo import markers as markers_demo
from demo import nonstandard as nonstandard_demo
from demo import places as gazetteer_demo
from demo import proposals as proposals_demo
from importers import divisions
from importers.errors import ImporterError

DEMO = Path(settings.BASE_DIR) / "fixtures" / "demo"
COUNTIES = DEMO / "counties.geojson.gz"
POLYGON_SOURCE = "echarts county maps (MIT), fixtures/demo/counties.geojson.gz"


class Command(BaseCommand):
    help = ("Load the demo (六盘水、太原、遵义、湖州、江门: 2023 codes, the 盘县 and 水城县 "
            "history, county polygons, synthetic townships) into an empty registry.")

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args, **opts):
        self.progress = not opts["no_progress"] and opts["verbosity"] >= 1
        with transaction.atomic():
            # Two concurrent starts must not both find the registry empty.
            with connection.cursor() as cur:
                cur.execute("LOCK TABLE boundaries_divisionversion IN SHARE ROW EXCLUSIVE MODE")
            held = DivisionVersion.objects.count()
            if held:
                self.stdout.write(f"load_demo: the registry already holds {held} division "
                                  "versions; the demo is only loaded into an empty one. "
                                  "Nothing done.")
            else:
                try:
                    self._load()
                except ImporterError as exc:
                    raise CommandError(str(exc)) from exc
        # Its own check: a registry loaded before the gazetteer existed gets its places.
        self._load_places()
        # And one loaded before the demo had markers gets them (if it holds none).
        self._load_markers()
        # And documents attached to those records, for the archive catalogue.
        self._load_archives()
        if not held:
            self.stdout.write(self.style.SUCCESS("load_demo: done"))

    def _say(self, text: str) -> None:
        self.stdout.write(f"load_demo: {text}")

    def _load(self) -> None:
        plan = divisions.run(DEMO / "codes", actor=system_actor(), commit=True,
                             progress=self.progress,
                             label="demo: 2023 codes of 六盘水、太原、遵义、湖州、江门")
        self._say(f"codes: {plan.summary()['added']} division versions")
        # History before polygons, so 盘县 and 水城县 find their historical versions.
        events = self._record_history()
        self._load_polygons()
        shared = services.division_share_geometry(event_ids=[e.id for e in events])
        self._say(f"successors given their predecessor's polygon: {shared} versions")
        towns = synthetic.synthesize_townships(progress=self.progress)
        villages = synthetic.synthesize_villages(progress=self.progress)
        self._say(f"synthetic townships: {towns['townships']} in {towns['counties']} counties; "
                  f"village points: {villages['villages']}")
        # Now the predecessors' townships and villages get the same synthetic shapes.
        shared = services.division_share_geometry()
        self._say(f"historical versions given their successor's geometry: {shared}")
        # The five cities touch no other city or province: only these levels have lines.
        for level in (Level.COUNTY, Level.TOWNSHIP):
            derived = lines.boundary_lines_derive(level=level, commit=True)
            self._say(f"{derived['level']} border lines: {derived['lines']}")

    def _load_places(self) -> None:
        totals = gazetteer_demo.load(progress=self.progress)
        if "skipped" not in totals:
            self._say(f"places: {totals['places']} in {totals['cities']} cities "
                      f"({totals['renamed']} renamed, {totals['heritage']} heritage-listed), "
                      f"signs: {totals['signs']}")
        proposals = proposals_demo.load()
        if "skipped" not in proposals:
            self._say(f"proposals: {proposals['proposals']}, one in each workflow state")
        planted = nonstandard_demo.load()
        if "skipped" not in planted:
            self._say(f"non-standard names planted for the clean-up campaigns: "
                      f"{planted['places']} places, {planted['signs']} sign")

    def _load_markers(self) -> None:
        totals = markers_demo.load()
        if "skipped" not in totals:
            self._say(f"synthetic markers: {totals['markers']} on {totals['lines']} county "
                      f"lines ({totals['triple']} triple, at junctions); inspection teams: "
                      f"{totals['teams']}")

    def _load_archives(self) -> None:
        totals = archives_demo.load()
        if "skipped" not in totals:
            self._say(f"archive documents: {totals['documents']} (PDFs made by the demo)")

    def _record_history(self) -> list:
        changes = json.loads((DEMO / "history.json").read_text(encoding="utf-8"))["changes"]
        events = []
        for change in changes:
            event = services.division_record_predecessor(
                code=change["code"], level=change["level"], old_code=change["old_code"],
                old_name=change["old_name"],
                effective_date=date.fromisoformat(change["effective_date"]),
                event_kind=change["event_kind"], subkind=change["subkind"],
                actor=system_actor(),
                approval_document=change["approval_document"],
                approving_authority=change["approving_authority"],
                description=change["description"],
            )
            self._say(f"history: {change['old_code']} {change['old_name']} → "
                      f"{change['code']} {change['name']} ({change['subkind']}, "
                      f"{change['effective_date']})")
            events.append(event)
        return events

    def _load_polygons(self) -> None:
        try:
            from importers import polygons
        except ImportError:
            self._say("importers.polygons is not available: no county polygons loaded")
            return
        report = polygons.run(COUNTIES, level=3, commit=True, progress=self.progress,
                              source_label=POLYGON_SOURCE)
        historical = ", ".join(f"{m['feature_name']} → {m['code']} (until {m['valid_to']})"
                               for m in report.historical_matches)
        self._say(f"county polygons: {report.filled} of {report.features} features written "
                  f"({report.repaired} repaired); historical matches: {historical or 'none'}")
        for miss in report.unmatched:
            self._say(f"  not matched: {miss['name']}: {miss['reason']}")
