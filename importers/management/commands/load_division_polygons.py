import json

from django.core.management.base import BaseCommand, CommandError

from boundaries.models import Level
from importers import polygons
from importers.errors import ImporterError

# The lists of the report, printed one line per entry, and what each entry shows.
LISTS = [
    ("unmatched", "{index} {name}: {reason}"),
    ("emptied", "{index} {name}: {reason}"),
    ("probable_renames", "{index} {feature_name} → {code} {registry_name} (record as an event)"),
    ("historical_matches", "{index} {feature_name} → {code} {registry_name} "
                           "(valid {valid_from} – {valid_to})"),
    ("conflicts", "{index} {feature_name} → {code} {registry_name}: {reason}"),
]


class Command(BaseCommand):
    help = ("Attach division polygons from a GeoJSON (.geojson.gz), zipped Shapefile or "
            "GeoPackage file to the registry's versions of one level. Dry run unless --commit.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--level", required=True, choices=Level.labels)
        parser.add_argument("--code-property", help="property with the division code "
                            "(default: detected from the values)")
        parser.add_argument("--name-property", help="property with the name (default: name)")
        parser.add_argument("--parent-property", help="property with the parent's code, to "
                            "match names within it (default: detected from the values)")
        parser.add_argument("--layer", help="layer to read, for files with several")
        parser.add_argument("--encoding", help="attribute encoding, e.g. gb18030 for a "
                            "Shapefile without .cpg")
        parser.add_argument("--replace", action="store_true",
                            help="overwrite different geometries already recorded")
        parser.add_argument("--commit", action="store_true", help="write (default: dry run)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **opts):
        try:
            report = polygons.run(
                opts["file"], level=opts["level"], commit=opts["commit"],
                code_property=opts["code_property"], name_property=opts["name_property"],
                parent_property=opts["parent_property"], layer=opts["layer"],
                encoding=opts["encoding"], replace=opts["replace"], progress=not opts["json"])
        except ImporterError as exc:
            raise CommandError(str(exc)) from exc
        summary = report.summary()
        if opts["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        for key, value in summary.items():
            if not isinstance(value, list):
                self.stdout.write(f"{key:>18}: {value}")
        for key, line in LISTS:
            if summary[key]:
                self.stdout.write(f"{key} ({len(summary[key])}):")
                for entry in summary[key]:
                    self.stdout.write("  " + line.format(**entry))
        if not report.committed:
            self.stdout.write("dry run: nothing written (add --commit to write)")
