import json

from django.core.management.base import BaseCommand, CommandError

from accounts.services import system_actor
from importers import places
from importers.errors import ImporterError


class Command(BaseCommand):
    help = ("Load standard place names from a GeoJSON, GeoPackage, (zipped) Shapefile or CSV "
            "file. Dry run unless --commit.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--layer", help="layer to read, for files with several")
        parser.add_argument("--encoding", help="attribute encoding, e.g. gb18030")
        parser.add_argument("--commit", action="store_true", help="write (default: dry run)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **opts):
        try:
            report = places.run(opts["file"], actor=system_actor(), commit=opts["commit"],
                                layer=opts["layer"], encoding=opts["encoding"],
                                progress=not opts["json"])
        except ImporterError as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))
            return
        for key, value in report.summary().items():
            self.stdout.write(f"{key:>10}: {value}")
        if not report.committed:
            self.stdout.write("dry run: nothing written (add --commit to write)")
